// Tests for the local receiver (docs/contract.md, The receiver): its options, their
// defaults and their checks.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { createReceiver, start, DEFAULT_OPTIONS, DEFAULT_FAULTS } from '../receiver/receiver.mjs';
import { KEY, post, assertError, assertCors } from './receiver-helpers.mjs';

describe('receiver options', () => {
  const started = [];
  const startReceiver = async (options) => {
    const receiver = await start(options);
    started.push(receiver);
    return receiver;
  };
  after(() => Promise.all(started.map((receiver) => receiver.close())));

  test('the defaults are frozen and as documented', () => {
    assert.ok(Object.isFrozen(DEFAULT_OPTIONS));
    assert.deepEqual({ ...DEFAULT_OPTIONS }, {
      port: 0, host: '127.0.0.1', keys: null, maxBodyBytes: 1048576, maxRecorded: 1000, faults: DEFAULT_FAULTS,
      headersTimeoutMs: 10000, requestTimeoutMs: 30000, idleTimeoutMs: 5000,
    });
    assert.ok(Object.isFrozen(DEFAULT_FAULTS) && Object.isFrozen(DEFAULT_FAULTS.kinds));
    assert.deepEqual({ ...DEFAULT_FAULTS }, {
      rate: 0, kinds: ['500', '503', '429', 'reset', 'drop', 'hang'], retryAfterSeconds: 1, latencyMs: 0, seed: null,
    });
    assert.ok(Object.isFrozen(createReceiver({ maxRecorded: 5 }).options));
    assert.equal(createReceiver({ maxRecorded: 5 }).options.maxBodyBytes, 1048576);
  });

  test('bad option values throw a TypeError naming the option', () => {
    assert.throws(() => createReceiver({ keys: 'one-key' }), { name: 'TypeError', message: /options\.keys/ });
    assert.throws(() => createReceiver({ maxBodyBytes: 0 }), { name: 'TypeError', message: /options\.maxBodyBytes/ });
    assert.throws(() => createReceiver({ port: 70000 }), { name: 'TypeError', message: /options\.port/ });
  });

  test('an unknown option name is warned about once, not thrown', async () => {
    const warnings = [];
    const collect = (warning) => warnings.push(warning);
    process.on('warning', collect);
    try {
      createReceiver({ maxRecordedCalls: 5 });
      createReceiver({ maxRecordedCalls: 5 });
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', collect);
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0].message, /unknown option "maxRecordedCalls"/);
  });

  test('a configured keys list accepts those keys and answers 401 to any other', async () => {
    const receiver = await startReceiver({ keys: ['key-one', 'key-two'] });
    const body = { user_id: 'u', event: 'e' };
    assert.equal((await post(receiver.url, '/track', body, { key: 'key-two' })).status, 200);
    const refused = await post(receiver.url, '/track', body, { key: 'key-three' });
    const { error } = await assertError(refused, 401, /X-Outbound-Key/);
    assert.ok(!error.includes('key-three'), 'the refused key was echoed back');
    await assertError(await post(receiver.url, '/track', body, { key: null }), 401);
    assert.equal(receiver.calls().length, 1);
  });

  test('a body over maxBodyBytes answers 413 before the key is checked, sized or streamed', async () => {
    const receiver = await startReceiver({ maxBodyBytes: 64 });
    const big = JSON.stringify({ user_id: 'u', event: 'x'.repeat(100) });
    for (const key of [KEY, null]) {
      const response = await post(receiver.url, '/track', big, { raw: true, key });
      await assertError(response, 413, /64 bytes/);
      assertCors(response);
    }
    const streamed = new Blob([big]).stream(); // no Content-Length: counted while reading
    const response = await fetch(`${receiver.url}/track`, {
      method: 'POST', headers: { 'X-Outbound-Key': KEY }, body: streamed, duplex: 'half',
    });
    await assertError(response, 413);
    const fits = JSON.stringify({ user_id: 'u', event: 'x'.repeat(30) });
    assert.equal((await post(receiver.url, '/track', fits, { raw: true })).status, 200);
    assert.equal(receiver.calls().length, 1);
  });

  test('a multi-megabyte body is refused with 413 without breaking the server', async () => {
    const receiver = await startReceiver({ maxBodyBytes: 1000 });
    await assertError(await post(receiver.url, '/track', 'x'.repeat(8_000_000), { raw: true }), 413);
    assert.equal((await post(receiver.url, '/subscribe/all', { user_id: 'u' })).status, 200);
  });

  test('maxRecorded keeps only the newest calls', async () => {
    const receiver = await startReceiver({ maxRecorded: 3 });
    for (let n = 1; n <= 5; n += 1) await post(receiver.url, '/track', { user_id: 'u', event: `e${n}` });
    assert.deepEqual(receiver.calls().map((call) => call.body.event), ['e3', 'e4', 'e5']);
    assert.deepEqual(receiver.calls().map((call) => call.seq), [3, 4, 5]);
  });

  // close() must not wait for what a server would otherwise wait for. The receivers below give each of
  // those ten minutes, so a close() that waited would run into the test's timeout instead of resolving.
  const PATIENT = { headersTimeoutMs: 600_000, requestTimeoutMs: 600_000, idleTimeoutMs: 600_000 };

  test('close() resolves with an idle keep-alive connection open, without waiting for it to time out', { timeout: 30_000 }, async () => {
    const receiver = await start(PATIENT);
    const agent = new http.Agent({ keepAlive: true });
    const status = await new Promise((resolve, reject) => {
      http.get(`${receiver.origin}/calls`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      }).on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(Object.values(agent.freeSockets).flat().length, 1, 'expected an idle keep-alive socket');
    await receiver.close();
    agent.destroy();
  });

  test('close() resolves while a request body is still arriving', { timeout: 30_000 }, async () => {
    const receiver = await start(PATIENT);
    const socket = net.connect(receiver.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.on('error', () => {});
    socket.setEncoding('utf8');
    let reply = '';
    const headReceived = new Promise((resolve) => socket.on('data', (chunk) => {
      reply += chunk;
      if (reply.includes('\r\n\r\n')) resolve();
    }));
    // Expect: 100-continue makes the server say when it has taken the request up; then part of the body.
    socket.write('POST /v2/track HTTP/1.1\r\nHost: x\r\nX-Outbound-Key: k\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n');
    await headReceived;
    assert.match(reply, /^HTTP\/1\.1 100 Continue\r\n/);
    socket.write('{"user_id"');
    await receiver.close();
    socket.destroy();
    assert.deepEqual(receiver.calls(), []);
  });

  test('an oversized body announced with Expect: 100-continue is refused before it is sent', async () => {
    const receiver = await startReceiver({ maxBodyBytes: 100 });
    const request = http.request(`${receiver.url}/track`, {
      method: 'POST',
      headers: { Expect: '100-continue', 'Content-Length': '5000', 'X-Outbound-Key': KEY },
    });
    let continued = false;
    request.on('continue', () => {
      continued = true;
      request.end('x'.repeat(5000));
    });
    request.on('error', () => {});
    request.flushHeaders();
    const [response] = await once(request, 'response');
    response.resume();
    assert.equal(response.statusCode, 413);
    assert.equal(continued, false);
    request.destroy();
  });

  test('close() resolves while a /calls/stream is open, ending the stream', { timeout: 30_000 }, async () => {
    const receiver = await start(PATIENT);
    const response = await fetch(`${receiver.origin}/calls/stream`);
    const reader = response.body.getReader();
    await reader.read(); // the opening comment
    await receiver.close();
    const ending = await reader.read().then(({ done }) => done, () => true);
    assert.equal(ending, true);
  });
});
