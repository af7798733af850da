// Delivery in Node (docs/delivery.md): retries with backoff and Retry-After, batching through
// /track/batch, per-user order, flush() and close(), over real HTTP.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, beforeEach, describe, test } from 'node:test';
import { API_KEY, clientFor, onlyCall, rejection, requiredOutbound, startReceiver } from './helpers.mjs';

/** A server whose replies follow `script` (status, headers) request by request, then 200. */
async function scriptedServer(script) {
  const seen = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({ at: Date.now(), path: req.url, body: JSON.parse(Buffer.concat(chunks).toString() || 'null') });
      const [status, headers = {}] = script[seen.length - 1] ?? [200];
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(status < 300 ? '{}' : `{"error":"scripted ${status}"}`);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/v2`,
    seen,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(resolve); }),
  };
}

describe('retries', () => {
  test('a call that meets 503, 500 and no answer... then 200 resolves, after 3 retries', async (t) => {
    const server = await scriptedServer([[503], [500], [502]]);
    t.after(server.close);
    const client = new requiredOutbound(API_KEY, { baseUrl: server.url });
    assert.equal(await client.track('u', 'e', {}, 1), undefined);
    assert.equal(server.seen.length, 4);
    assert.deepEqual(new Set(server.seen.map((r) => JSON.stringify(r.body))).size, 1, 'every attempt sends the same body');
  });

  test('the final failure says how many attempts were made', async (t) => {
    const server = await scriptedServer([[500], [500], [500], [500]]);
    t.after(server.close);
    const client = new requiredOutbound(API_KEY, { baseUrl: server.url, retries: 2 });
    await rejection(client.subscribeAll('u'), {
      receivedCall: true, status: 500,
      message: 'subscribeAll: the server answered 500 to POST /subscribe/all: {"error":"scripted 500"} (after 3 attempts)',
    });
    assert.equal(server.seen.length, 3);
  });

  for (const status of [400, 401, 404, 413, 422]) {
    test(`${status} is never retried`, async (t) => {
      const server = await scriptedServer([[status], [status]]);
      t.after(server.close);
      await rejection(new requiredOutbound(API_KEY, { baseUrl: server.url }).subscribeAll('u'), { receivedCall: true, status });
      assert.equal(server.seen.length, 1);
    });
  }

  test('retries: 0 makes one attempt', async (t) => {
    const server = await scriptedServer([[503], [503]]);
    t.after(server.close);
    await rejection(new requiredOutbound(API_KEY, { baseUrl: server.url, retries: 0 }).subscribeAll('u'), {
      receivedCall: true, status: 503, message: 'subscribeAll: the server answered 503 to POST /subscribe/all: {"error":"scripted 503"}',
    });
    assert.equal(server.seen.length, 1);
  });

  // Honouring means waiting at least that long: the backoff without Retry-After is under 500 ms.
  test('Retry-After in seconds is honoured', { timeout: 30_000 }, async (t) => {
    const server = await scriptedServer([[429, { 'Retry-After': '1' }]]);
    t.after(server.close);
    await new requiredOutbound(API_KEY, { baseUrl: server.url }).subscribeAll('u');
    const waited = server.seen[1].at - server.seen[0].at;
    assert.ok(waited >= 950, `waited ${waited} ms`);
  });

  test('Retry-After as an HTTP date is honoured', async (t) => {
    const when = new Date(Math.ceil(Date.now() / 1000) * 1000 + 2000);
    const server = await scriptedServer([[503, { 'Retry-After': when.toUTCString() }]]);
    t.after(server.close);
    await new requiredOutbound(API_KEY, { baseUrl: server.url }).subscribeAll('u');
    assert.ok(server.seen[1].at >= when.getTime() - 50, `retried ${when.getTime() - server.seen[1].at} ms early`);
  });

  test('a refused connection is retried, and its final error counts the attempts', async () => {
    const client = new requiredOutbound(API_KEY, { baseUrl: 'http://127.0.0.1:9/v2', retries: 1 });
    await rejection(client.track('u', 'e'), {
      receivedCall: false, status: undefined,
      message: 'track: could not reach http://127.0.0.1:9/v2/track: connect ECONNREFUSED 127.0.0.1:9 (after 2 attempts)',
    });
  });
});

describe('batching', () => {
  let receiver;
  before(async () => { receiver = await startReceiver(); });
  after(() => receiver.close());
  beforeEach(() => receiver.clear());

  test('250 tracks go as batches of 100, 100 and 50, and every Promise resolves', async () => {
    const client = clientFor(receiver, { batch: { maxEvents: 100, flushIntervalMs: 1000 } });
    const outcomes = await Promise.all(Array.from({ length: 250 }, (_, i) => client.track(`u${i}`, 'Batched', { i }, 1)));
    assert.ok(outcomes.every((outcome) => outcome === undefined));
    const calls = receiver.calls();
    assert.deepEqual(calls.map((call) => call.path), Array(3).fill('/v2/track/batch'));
    assert.deepEqual(calls.map((call) => call.body.length), [100, 100, 50]);
    assert.deepEqual(calls.flatMap((call) => call.body.map((event) => event.properties.i)), Array.from({ length: 250 }, (_, i) => i));
    assert.deepEqual(calls[0].body[0], { user_id: 'u0', event: 'Batched', properties: { i: 0 }, timestamp: 1 });
  });

  test('batch: true gathers tracks for up to a second', async () => {
    const client = clientFor(receiver, { batch: true });
    const started = Date.now();
    await client.track('u', 'e');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900, `the track went after ${elapsed} ms`);
    assert.deepEqual(receiver.calls().map((call) => call.path), ['/v2/track/batch']);
  });

  test('other methods go at once, while tracks gather', { timeout: 60_000 }, async () => {
    // The tracks gather for ten minutes, so the subscription cannot have waited for them.
    const client = clientFor(receiver, { batch: { flushIntervalMs: 600000 } });
    const tracked = client.track('u', 'e');
    await client.subscribeAll('other-user');
    assert.deepEqual(receiver.calls().map((call) => call.path), ['/v2/subscribe/all'], 'the subscription went alone');
    await client.flush();
    await tracked;
    assert.deepEqual(receiver.calls().map((call) => call.path), ['/v2/subscribe/all', '/v2/track/batch']);
  });

  test('an identify made before a track of the same user reaches the server first', async () => {
    const client = clientFor(receiver, { batch: { flushIntervalMs: 20 } });
    await Promise.all([client.track('ada', 'before identify'), client.identify('ada', { email: 'a@b.co' }),
      client.track('ada', 'after identify'), client.track('bob', 'unrelated')]);
    const order = receiver.calls().map((call) => (call.path === '/v2/identify' ? 'identify' : call.body.map((e) => e.event).join('+')));
    assert.equal(order.indexOf('identify') > order.findIndex((o) => o.includes('before identify')), true, order.join(' | '));
    assert.equal(order.indexOf('identify') < order.findIndex((o) => o.includes('after identify')), true, order.join(' | '));
  });

  test('each track settles with its batch: a batch refused with 400 rejects all of its calls', async (t) => {
    const server = await scriptedServer([[400]]);
    t.after(server.close);
    const client = new requiredOutbound(API_KEY, { baseUrl: server.url, batch: { flushIntervalMs: 10 } });
    const results = await Promise.allSettled([client.track('a', 'x'), client.track('b', 'y')]);
    assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
    assert.equal(results[0].reason.status, 400);
    assert.match(results[0].reason.message, /^track: the server answered 400 to POST \/track\/batch: /);
    assert.equal(server.seen.length, 1);
  });
});

describe('flush and close', () => {
  let receiver;
  before(async () => { receiver = await startReceiver(); });
  after(() => receiver.close());
  beforeEach(() => receiver.clear());

  // The batch gathers for ten minutes: a flush() that waited for it would run into the test's timeout.
  test('flush() sends gathering batches at once and resolves when everything has settled', { timeout: 60_000 }, async () => {
    const client = clientFor(receiver, { batch: { flushIntervalMs: 600000 } });
    const tracked = [client.track('u', 'one'), client.track('u', 'two')];
    await client.flush();
    assert.equal(receiver.calls().length, 1);
    assert.deepEqual(await Promise.all(tracked), [undefined, undefined]);
  });

  test('flush() on an idle client resolves at once', async () => {
    const client = clientFor(receiver);
    assert.equal(await client.flush(), undefined);
  });

  test('close() delivers what is queued, then every call rejects', async () => {
    const client = clientFor(receiver, { batch: { flushIntervalMs: 600000 } });
    const tracked = client.track('u', 'last words');
    await client.close();
    await tracked;
    assert.equal(onlyCall(receiver).body[0].event, 'last words');
    await rejection(client.track('u', 'too late'), {
      receivedCall: false, status: undefined, message: 'track: close() was called on this client; it sends nothing more',
    });
    assert.equal(receiver.calls().length, 1);
  });
});

// A call's arguments are captured as it is made, as text in the module's memory; the core takes
// the waiting calls once the caller's code has run, a burst of many in parts, a task each
// (src/bindings/promises.js, docs/architecture.md).
describe('bursts of calls', () => {
  let receiver;
  before(async () => { receiver = await startReceiver({ maxRecorded: 10_000 }); });
  after(() => receiver.close());
  beforeEach(() => receiver.clear());

  test('what a call was given is sent as it was then, even if the caller changes it later in the same turn', async () => {
    const client = clientFor(receiver);
    const properties = { plan: 'pro', seats: 3, owner: { name: 'Ada' } };
    const tracked = client.track('u-1', 'Upgraded', properties);
    properties.plan = 'free';
    properties.owner.name = 'Bob';
    delete properties.seats;
    await tracked;
    assert.deepEqual(onlyCall(receiver).body.properties, { plan: 'pro', seats: 3, owner: { name: 'Ada' } });
  });

  test('1,200 calls of 1 KB each in one turn (taken in several parts, their texts in several chunks of memory): all delivered, a user\'s identify calls in call order', { timeout: 120_000 }, async () => {
    const client = clientFor(receiver, { maxInFlight: 4 });
    const padding = 'x'.repeat(1000);
    const calls = [];
    for (let n = 0; n < 1200; n++) {
      calls.push(n % 2 ? client.track('u-1', 'Step', { n, padding }) : client.identify('u-1', { n, padding }));
    }
    await Promise.all(calls);
    const identified = receiver.calls().filter((call) => call.path.endsWith('/identify')).map((call) => call.body.attributes.n);
    assert.deepEqual(identified, Array.from({ length: 600 }, (_, i) => 2 * i));
    assert.equal(receiver.calls().length, 1200);
  });

  test('a call made while a burst is still being taken goes after the whole burst', { timeout: 120_000 }, async () => {
    const client = clientFor(receiver);
    const calls = [];
    for (let n = 0; n < 1500; n++) calls.push(client.identify('u-1', { n }));
    await null;  // the first part of the burst has been taken, not the rest
    calls.push(client.identify('u-1', { n: 1500 }));
    await Promise.all(calls);
    assert.deepEqual(receiver.calls().map((call) => call.body.attributes.n), Array.from({ length: 1501 }, (_, i) => i));
  });

  test('flush() right after a burst waits for every call of it', { timeout: 120_000 }, async () => {
    const client = clientFor(receiver, { batch: { maxEvents: 100, flushIntervalMs: 600_000 } });
    const settled = [];
    for (let n = 0; n < 1250; n++) client.track(`u-${n % 7}`, 'Step', { n }).then(() => settled.push(n));
    await client.flush();
    const delivered = receiver.calls().flatMap((call) => call.body.map((event) => event.properties.n));
    assert.deepEqual(delivered.sort((a, b) => a - b), Array.from({ length: 1250 }, (_, i) => i));
    await null;
    assert.equal(settled.length, 1250);
  });

  test('texts of every length and script arrive as they were given: longer than a chunk of memory, multi-byte, across chunk boundaries', { timeout: 120_000 }, async () => {
    const client = clientFor(receiver);
    const texts = [
      'é'.repeat(70_000),  // 140,000 bytes of UTF-8: more than a chunk holds
      ...Array.from({ length: 400 }, (_, n) => `${'ü'.repeat(n * 7)}😀${'a'.repeat(n)}`),
      'x'.repeat(200_000),
    ];
    await Promise.all(texts.map((text, n) => client.identify(`u-${n}`, { text })));
    const received = new Map(receiver.calls().map((call) => [call.body.user_id, call.body.attributes.text]));
    texts.forEach((text, n) => assert.equal(received.get(`u-${n}`), text, `the text of call ${n}`));
  });

  test('a refused call among others of its turn rejects with its own message; the others are delivered', async () => {
    const client = clientFor(receiver);
    const results = await Promise.allSettled([
      client.track('u-1', 'first'),
      client.track('u-1', ''),
      client.track('u-1', 'third'),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
    assert.match(results[1].reason.message, /^track: event must be a non-empty string/);
    assert.deepEqual(receiver.calls().map((call) => call.body.event).sort(), ['first', 'third']);
  });
});
