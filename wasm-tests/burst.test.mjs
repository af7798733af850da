// Bursts of calls, as servers make them: each client keeps at most maxInFlight requests in flight
// (docs/delivery.md), so a burst neither runs out of file handles nor sends a call twice, and a
// call waiting its turn does not time out.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createReceiver } from '../receiver/receiver.mjs';
import { bodyOf, countingServer, reportOutcomes, reported, runNode } from './node-processes.mjs';

let receiver;
let server;
before(async () => {
  receiver = createReceiver({ maxRecorded: 100000 });
  server = await countingServer((req, res) => {
    if (!receiver.handle(req, res)) res.writeHead(404).end();
  });
});
after(() => server.close());

function deliveredNumbers() {
  return receiver.calls().map((call) => call.body.properties.n);
}

test('5,000 unbatched tracks under ulimit -n 256: all delivered, never more connections than maxInFlight', { timeout: 300000 }, async (t) => {
  const CALLS = 5000;
  receiver.clear();
  const { code, output } = await runNode(`
    const outbound = require('outbound-wasm');
    const ob = new outbound('burst-key', { baseUrl: ${JSON.stringify(server.url)} });
    const calls = [];
    for (let n = 0; n < ${CALLS}; n++) calls.push(ob.track('user-' + (n % 50), 'Burst', { n }));
    ${reportOutcomes('calls')}`, { fileLimit: 256 });
  assert.equal(code, 0, output.slice(0, 2000));
  const report = reported(output);
  const numbers = deliveredNumbers();
  const unique = new Set(numbers);
  const figures = { ...report, delivered: unique.size, duplicates: numbers.length - unique.size, peakConnections: server.stats.peak };
  t.diagnostic(JSON.stringify(figures));
  assert.equal(report.resolved, CALLS, report.firstFailure);
  assert.equal(unique.size, CALLS);
  assert.ok(figures.duplicates <= CALLS / 100, `${figures.duplicates} duplicates`);
  assert.ok(server.stats.peak <= 6, `${server.stats.peak} connections open at once`);
});

test('200 clients of one process, 20 calls each, under ulimit -n 1024: all delivered, each with its own key', { timeout: 300000 }, async (t) => {
  const CLIENTS = 200;
  const CALLS = 20;
  const seen = [];
  const keyed = await countingServer(async (req, res) => {
    const body = JSON.parse(await bodyOf(req));
    seen.push({ key: req.headers['x-outbound-key'], client: body.properties.client, n: body.properties.n });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
  t.after(keyed.close);
  const { code, output } = await runNode(`
    const outbound = require('outbound-wasm');
    const calls = [];
    for (let c = 0; c < ${CLIENTS}; c++) {
      const ob = new outbound('key-of-client-' + c, { baseUrl: ${JSON.stringify(keyed.url)} });
      for (let n = 0; n < ${CALLS}; n++) calls.push(ob.track('user-' + n, 'Many Clients', { client: c, n }));
    }
    ${reportOutcomes('calls')}`, { fileLimit: 1024 });
  assert.equal(code, 0, output.slice(0, 2000));
  const report = reported(output);
  t.diagnostic(JSON.stringify({ ...report, requests: seen.length, peakConnections: keyed.stats.peak }));
  assert.equal(report.resolved, CLIENTS * CALLS, report.firstFailure);
  assert.deepEqual(seen.filter((call) => call.key !== `key-of-client-${call.client}`), []);
  assert.equal(new Set(seen.map((call) => `${call.client}/${call.n}`)).size, CLIENTS * CALLS);
});

test('a call waiting for its turn is not timed out: its timeout starts with its request', { timeout: 120000 }, async (t) => {
  // One request at a time, each answered after 300 ms: the last of 20 calls waits about 6 s, twice
  // its timeout, and still each request takes a tenth of it.
  const slow = await countingServer(async (req, res) => {
    await bodyOf(req);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 300);
  });
  t.after(slow.close);
  const { default: outbound } = await import('outbound-wasm');
  const ob = new outbound('slow-key', { baseUrl: slow.url, maxInFlight: 1, timeout: 3000, retries: 0 });
  const outcomes = await Promise.allSettled(Array.from({ length: 20 }, (_, n) => ob.track(`user-${n}`, 'Slow', { n })));
  assert.deepEqual(outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason.message), []);
  assert.equal(slow.stats.peak, 1);
});
