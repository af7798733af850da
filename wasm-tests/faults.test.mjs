// What delivery promises in Node: on a bad network nothing is lost. 1,000 calls against the
// receiver with 30% of requests failing (500, 503 and 429 with Retry-After, lost replies, dropped
// and hung connections): every call settles, every event arrives at least once, and duplicates
// (from replies lost after the server recorded the call) are counted and reported.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { clientFor, startReceiver } from './helpers.mjs';

const CALLS = 1000;
let receiver;
before(async () => {
  receiver = await startReceiver({
    maxRecorded: 100000,
    faults: { rate: 0.3, kinds: ['500', '503', '429', 'reset', 'drop', 'hang'], retryAfterSeconds: 0, seed: 7 },
  });
});
after(() => receiver.close());

function deliveredIds() {
  const ids = receiver.calls().flatMap((call) => (Array.isArray(call.body) ? call.body : [call.body]))
    .map((body) => body.properties?.n ?? body.attributes?.n);
  return { ids, unique: new Set(ids) };
}

for (const [mode, options] of [
  ['one request per call', {}],
  ['batched', { batch: { maxEvents: 50, flushIntervalMs: 20 } }],
]) {
  test(`${CALLS} calls with 30% faults, ${mode}: all settle, none lost`, { timeout: 600000 }, async (t) => {
    receiver.clear();
    receiver.resetFaults();
    receiver.setFaults({ rate: 0.3 });
    // A hung connection is given up after 5 s, well beyond what a healthy request takes on a busy
    // machine; 10 retries with backoff capped at 30 s outlast 30% faults.
    const client = clientFor(receiver, { timeout: 5000, retries: 10, ...options });
    const started = Date.now();
    const outcomes = await Promise.allSettled(Array.from({ length: CALLS }, (_, n) => (n % 10 === 0
      ? client.identify(`user-${n % 37}`, { n })
      : client.track(`user-${n % 37}`, 'Fault Test', { n }))));
    const failed = outcomes.filter((o) => o.status === 'rejected');
    const { ids, unique } = deliveredIds();
    const stats = receiver.faultStats();
    const report = {
      mode, calls: CALLS, resolved: CALLS - failed.length, rejected: failed.length,
      delivered: unique.size, duplicates: ids.length - unique.size, lost: CALLS - unique.size,
      requests: stats.requests, faulted: stats.faulted, seconds: (Date.now() - started) / 1000,
    };
    t.diagnostic(JSON.stringify(report));
    console.log(`fault test: ${JSON.stringify(report)}`);
    assert.deepEqual(failed.map((o) => o.reason.message).slice(0, 3), []);
    assert.equal(unique.size, CALLS, `lost ${CALLS - unique.size} events`);
    assert.ok(Object.values(stats.faulted).reduce((a, b) => a + b, 0) > 0.2 * stats.requests, 'faults were injected');
    assert.equal(await client.close(), undefined);
  });
}
