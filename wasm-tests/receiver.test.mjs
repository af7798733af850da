// Tests for the local Outbound-compatible receiver (docs/contract.md, The receiver), against a real
// server on a free port.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createReceiver, start, DEFAULT_OPTIONS, DEFAULT_FAULTS, FAULT_KINDS } from '../receiver/receiver.mjs';

const RECEIVER_SCRIPT = fileURLToPath(new URL('../receiver/cli.mjs', import.meta.url));
const KEY = 'sk_live_Q7x9ZeTa4';
const CLIENT = 'outbound-wasm-test/0.0.0';

function post(baseUrl, path, body, { key = KEY, client = CLIENT, origin, raw = false, contentType = 'application/json', signal } = {}) {
  const headers = { 'Content-Type': contentType, 'X-Outbound-Client': client };
  if (key !== null) headers['X-Outbound-Key'] = key; // null: send no key at all
  if (origin !== undefined) headers.Origin = origin;
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: raw ? body : JSON.stringify(body), signal });
}

async function jsonOf(response) {
  assert.equal(response.headers.get('content-type'), 'application/json');
  return response.json();
}

async function assertError(response, status, messagePattern) {
  assert.equal(response.status, status);
  const payload = await jsonOf(response);
  assert.deepEqual(Object.keys(payload), ['error']);
  assert.equal(typeof payload.error, 'string');
  if (messagePattern) assert.match(payload.error, messagePattern);
  return payload;
}

function assertCors(response, origin = '*') {
  assert.equal(response.headers.get('access-control-allow-origin'), origin);
  assert.equal(response.headers.get('access-control-expose-headers'), 'Retry-After');
}

// One valid body per API path, and the invalid forms each path must refuse with 400 (and the field named).
const PATHS = [
  {
    path: '/identify',
    valid: { user_id: 'u1', previous_id: 7, first_name: 'Ada', attributes: { plan: 'pro' } },
    invalid: [
      [{}, /user_id is missing/],
      [{ user_id: '' }, /user_id must be/],
      [{ user_id: true }, /user_id must be .*boolean/],
      [{ user_id: null }, /user_id must be .*null/],
      [{ user_id: { id: 1 } }, /user_id must be .*object/],
      [{ user_id: 'u1', previous_id: [] }, /previous_id must be .*array/],
      [['u1'], /request body must be a JSON object/],
      ['u1', /request body must be a JSON object/],
    ],
  },
  {
    path: '/track',
    valid: { user_id: 42, event: 'Signed up', properties: { plan: 'pro' }, timestamp: 1700000000 },
    invalid: [
      [{ event: 'e' }, /user_id is missing/],
      [{ user_id: 'u1' }, /event is missing/],
      [{ user_id: 'u1', event: 5 }, /event must be .*number/],
      [{ user_id: 'u1', event: '' }, /event must be/],
      [null, /request body must be a JSON object, got null/],
    ],
  },
  {
    path: '/track/batch',
    valid: [
      { user_id: 'u1', event: 'a', properties: {}, timestamp: 1 },
      { user_id: 2, event: 'b' },
    ],
    invalid: [
      [[], /1 to 100 .* got 0/],
      [Array.from({ length: 101 }, () => ({ user_id: 'u', event: 'e' })), /1 to 100 .* got 101/],
      [{ user_id: 'u1', event: 'e' }, /JSON array .* got an object/],
      [[{ user_id: 'u1', event: 'a' }, 5], /body\[1\] must be a JSON object/],
      [[{ user_id: 'u1', event: 'a' }, { user_id: 'u2' }], /body\[1\]\.event is missing/],
      [[{ event: 'a' }], /body\[0\]\.user_id is missing/],
    ],
  },
  ...['apns', 'gcm'].flatMap((service) => [
    {
      path: `/${service}/register`,
      valid: { user_id: 'u1', token: 'device-token' },
      invalid: [
        [{ token: 't' }, /user_id is missing/],
        [{ user_id: 'u1' }, /token is missing/],
        [{ user_id: 'u1', token: 12 }, /token must be .*number/],
        [{ user_id: 'u1', all: true }, /token is missing/],
      ],
    },
    {
      path: `/${service}/disable`,
      valid: { user_id: 'u1', token: 'device-token' },
      alsoValid: [{ user_id: 'u1', all: true }],
      invalid: [
        [{ user_id: 'u1' }, /token is missing.*all: true/],
        [{ user_id: 'u1', all: false }, /token is missing/],
        [{ user_id: 'u1', all: 'true' }, /token is missing/],
        [{ user_id: 'u1', token: '' }, /token must be/],
        [{ all: true }, /user_id is missing/],
      ],
    },
  ]),
  ...['subscribe', 'unsubscribe'].flatMap((verb) => [
    {
      path: `/${verb}/all`,
      valid: { user_id: 'u1' },
      invalid: [
        [{}, /user_id is missing/],
        [{ user_id: [] }, /user_id must be .*array/],
      ],
    },
    {
      path: `/${verb}/campaigns`,
      valid: { user_id: 'u1', campaign_ids: [1, 'two'] },
      invalid: [
        [{ user_id: 'u1' }, /campaign_ids is missing/],
        [{ user_id: 'u1', campaign_ids: [] }, /campaign_ids must be a non-empty array/],
        [{ user_id: 'u1', campaign_ids: 3 }, /campaign_ids must be .*number/],
        [{ user_id: 'u1', campaign_ids: [1, null] }, /campaign_ids\[1\] must be/],
        [{ campaign_ids: [1] }, /user_id is missing/],
      ],
    },
  ]),
];

describe('receiver on its own server', () => {
  let receiver;
  before(async () => {
    receiver = await start();
  });
  after(() => receiver.close());
  beforeEach(() => receiver.clear());

  test('covers exactly the 11 API paths', () => {
    assert.equal(PATHS.length, 11);
    assert.equal(new Set(PATHS.map(({ path }) => path)).size, 11);
  });

  test('url and origin name the listening port on 127.0.0.1', () => {
    assert.ok(receiver.port > 0);
    assert.equal(receiver.origin, `http://127.0.0.1:${receiver.port}`);
    assert.equal(receiver.url, `${receiver.origin}/v2`);
  });

  for (const { path, valid, alsoValid = [] } of PATHS) {
    for (const body of [valid, ...alsoValid]) {
      test(`POST ${path} with a valid body answers 200 {} and records it exactly`, async () => {
        const response = await post(receiver.url, path, body);
        assert.equal(response.status, 200);
        assert.deepEqual(await jsonOf(response), {});
        assertCors(response);
        const [call, ...rest] = receiver.calls();
        assert.deepEqual(rest, []);
        const { seq, receivedAt, ...recorded } = call;
        assert.ok(Number.isInteger(seq) && seq > 0);
        assert.equal(new Date(receivedAt).toISOString(), receivedAt);
        assert.deepEqual(recorded, {
          method: 'POST',
          path: `/v2${path}`,
          headers: { 'content-type': 'application/json', 'x-outbound-key': '****', 'x-outbound-client': CLIENT },
          body,
        });
      });
    }
  }

  for (const { path, invalid } of PATHS) {
    for (const [body, message] of invalid) {
      test(`POST ${path} with ${JSON.stringify(body).slice(0, 60)} answers 400 naming the problem`, async () => {
        const response = await post(receiver.url, path, body);
        await assertError(response, 400, message);
        assertCors(response);
        assert.deepEqual(receiver.calls(), []);
      });
    }
  }

  test('a user_id given as a number or a string is accepted', async () => {
    assert.equal((await post(receiver.url, '/subscribe/all', { user_id: 0 })).status, 200);
    assert.equal((await post(receiver.url, '/subscribe/all', { user_id: 'x' })).status, 200);
    assert.equal(receiver.calls().length, 2);
  });

  for (const [label, body] of [
    ['malformed JSON', '{"user_id": "u1",'],
    ['an empty body', ''],
    ['a body that is not UTF-8', new Uint8Array([0x7b, 0x22, 0x75, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d])],
  ]) {
    test(`${label} answers 500 like the real API, and is not recorded`, async () => {
      const response = await post(receiver.url, '/track', body, { raw: true });
      await assertError(response, 500);
      assertCors(response);
      assert.deepEqual(receiver.calls(), []);
    });
  }

  test('a missing or empty X-Outbound-Key answers 401 before the body is looked at', async () => {
    for (const key of [null, '']) {
      const response = await post(receiver.url, '/track', '{not json', { key, raw: true });
      await assertError(response, 401, /X-Outbound-Key/);
      assertCors(response);
    }
    assert.deepEqual(receiver.calls(), []);
  });

  test('malformed JSON answers 500 before any field is validated', async () => {
    await assertError(await post(receiver.url, '/track', '[', { raw: true }), 500, /JSON/);
  });

  test('an unknown path under /v2 answers 404 with a JSON error, for any method', async () => {
    for (const [path, method] of [['/v2/nope', 'POST'], ['/v2', 'POST'], ['/v2/track/extra', 'POST'], ['/v2/nope', 'GET']]) {
      const response = await fetch(`${receiver.origin}${path}`, { method, headers: { 'X-Outbound-Key': KEY } });
      await assertError(response, 404, /no Outbound API endpoint/);
      assertCors(response);
    }
  });

  test('a path outside /v2 and /calls answers 404 JSON from the standalone server', async () => {
    const response = await fetch(`${receiver.origin}/index.html`);
    await assertError(response, 404);
    assertCors(response);
  });

  test('another method on an API path answers 405 with Allow', async () => {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const response = await fetch(`${receiver.url}/track`, { method, headers: { 'X-Outbound-Key': KEY } });
      await assertError(response, 405, new RegExp(method));
      assert.equal(response.headers.get('allow'), 'POST, OPTIONS');
      assertCors(response);
    }
  });

  test('an OPTIONS preflight anywhere under /v2 answers 204 with the exact CORS headers', async () => {
    for (const [path, origin] of [['/track', 'http://localhost:5173'], ['/track/batch', undefined], ['/unknown', 'null']]) {
      const headers = { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type,x-outbound-key' };
      if (origin) headers.Origin = origin;
      const response = await fetch(`${receiver.url}${path}`, { method: 'OPTIONS', headers });
      assert.equal(response.status, 204);
      assert.equal(await response.text(), '');
      assert.equal(response.headers.get('access-control-allow-origin'), origin ?? '*');
      assert.equal(response.headers.get('access-control-allow-methods'), 'POST');
      assert.equal(response.headers.get('access-control-allow-headers'), 'Content-Type, X-Outbound-Key, X-Outbound-Client');
      assert.equal(response.headers.get('access-control-expose-headers'), 'Retry-After');
      assert.match(response.headers.get('access-control-max-age'), /^\d+$/);
      assert.equal(response.headers.get('content-type'), 'application/json');
    }
  });

  test('a request Origin is echoed in Allow-Origin on successes and on errors', async () => {
    const origin = 'http://demo.example:8080';
    assertCors(await post(receiver.url, '/track', { user_id: 1, event: 'e' }, { origin }), origin);
    assertCors(await post(receiver.url, '/track', { user_id: 1 }, { origin }), origin);
    assertCors(await post(receiver.url, '/track', {}, { origin, key: null }), origin);
    assert.equal(receiver.calls()[0].headers.origin, origin);
  });

  test("the key's characters never appear in recorded calls or in /calls output", async () => {
    await post(receiver.url, '/identify', { user_id: 'u1' });
    await post(receiver.url, '/track', { user_id: 'u1', event: 'e' });
    const text = await (await fetch(`${receiver.origin}/calls`)).text();
    assert.ok(!text.includes(KEY), 'the key leaked into GET /calls');
    assert.equal(JSON.parse(text).calls.length, 2);
    assert.ok(JSON.parse(text).calls.every((call) => call.headers['x-outbound-key'] === '****'));
    assert.ok(!JSON.stringify(receiver.calls()).includes(KEY));
  });

  test('GET /calls lists calls oldest first, and since= returns only later ones', async () => {
    for (const event of ['first', 'second', 'third']) await post(receiver.url, '/track', { user_id: 'u', event });
    const all = (await jsonOf(await fetch(`${receiver.origin}/calls`))).calls;
    assert.deepEqual(all.map((call) => call.body.event), ['first', 'second', 'third']);
    const afterFirst = await fetch(`${receiver.origin}/calls?since=${all[0].seq}`);
    assert.equal(afterFirst.status, 200);
    assertCors(afterFirst);
    assert.deepEqual((await jsonOf(afterFirst)).calls, all.slice(1));
    const none = await jsonOf(await fetch(`${receiver.origin}/calls?since=${all[2].seq}`));
    assert.deepEqual(none, { calls: [] });
  });

  test('GET /calls?since= with something other than a number answers 400', async () => {
    await assertError(await fetch(`${receiver.origin}/calls?since=abc`), 400, /since/);
  });

  test('DELETE /calls clears the log and says how many were cleared; seq keeps counting', async () => {
    await post(receiver.url, '/subscribe/all', { user_id: 'u' });
    await post(receiver.url, '/unsubscribe/all', { user_id: 'u' });
    const lastSeq = receiver.calls().at(-1).seq;
    const response = await fetch(`${receiver.origin}/calls`, { method: 'DELETE' });
    assert.equal(response.status, 200);
    assertCors(response);
    assert.deepEqual(await jsonOf(response), { cleared: 2 });
    assert.deepEqual(await jsonOf(await fetch(`${receiver.origin}/calls`)), { calls: [] });
    await post(receiver.url, '/subscribe/all', { user_id: 'u' });
    assert.equal(receiver.calls()[0].seq, lastSeq + 1);
  });

  test('/calls answers 405 to another method and 404 below it', async () => {
    const put = await fetch(`${receiver.origin}/calls`, { method: 'PUT' });
    await assertError(put, 405);
    assert.equal(put.headers.get('allow'), 'GET, DELETE, OPTIONS');
    await assertError(await fetch(`${receiver.origin}/calls/elsewhere`), 404);
  });

  test('calls() hands out copies, so changing them does not change the log', async () => {
    await post(receiver.url, '/track', { user_id: 'u', event: 'e' });
    receiver.calls()[0].body.event = 'changed';
    assert.equal(receiver.calls()[0].body.event, 'e');
  });

  test('GET /calls/stream delivers a newly accepted call as a server-sent event', { timeout: 5000 }, async () => {
    const controller = new AbortController();
    const response = await fetch(`${receiver.origin}/calls/stream`, { signal: controller.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^text\/event-stream/);
    assertCors(response);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    await post(receiver.url, '/track', { user_id: 'u1' }); // rejected: must not be streamed
    await post(receiver.url, '/track', { user_id: 'u1', event: 'streamed' });
    let text = '';
    while (!/^data: .*\n\n/m.test(text)) {
      const { value, done } = await reader.read();
      assert.equal(done, false, 'stream ended before delivering the call');
      text += value;
    }
    controller.abort();
    const dataLines = text.split('\n').filter((line) => line.startsWith('data: '));
    assert.equal(dataLines.length, 1);
    assert.deepEqual(JSON.parse(dataLines[0].slice('data: '.length)), receiver.calls()[0]);
  });
});

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

/**
 * A receiver composed into another server, as web-demo/server.mjs composes it with static files,
 * for the tests of the enclosing describe: its fields are set before they run.
 */
function useComposedServer() {
  const composed = {};
  before(async () => Object.assign(composed, await composedServer()));
  after(() => composed.close());
  return composed;
}

async function composedServer() {
  const receiver = createReceiver();
  const server = http.createServer((req, res) => {
    if (receiver.handle(req, res)) return;
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end('static file');
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    receiver,
    origin: `http://127.0.0.1:${server.address().port}`,
    async close() {
      receiver.endStreams();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('createReceiver composed into another server', () => {
  const composed = useComposedServer();

  test('endStreams() ends every open /calls/stream response', { timeout: 5000 }, async () => {
    const response = await fetch(`${composed.origin}/calls/stream`);
    const reader = response.body.getReader();
    await reader.read(); // the opening comment
    composed.receiver.endStreams();
    assert.equal((await reader.read()).done, true);
  });

  test('handle() leaves other paths to the caller and answers /v2 and /calls itself', async () => {
    for (const path of ['/', '/index.html', '/v2x', '/callsign']) {
      const response = await fetch(`${composed.origin}${path}`);
      assert.equal(await response.text(), 'static file', path);
    }
    assert.equal((await post(`${composed.origin}/v2`, '/track', { user_id: 'u', event: 'e' })).status, 200);
    assert.equal((await jsonOf(await fetch(`${composed.origin}/calls`))).calls.length, 1);
    assert.equal(composed.receiver.calls().length, 1);
  });
});

describe('command line', () => {
  test('starts with --port 0 --key, prints its URL, accepts only that key, and exits on SIGTERM', async () => {
    const child = spawn(process.execPath, [RECEIVER_SCRIPT, '--port', '0', '--key', 'cli-key'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    try {
      const url = await new Promise((resolve, reject) => {
        let output = '';
        child.stdout.setEncoding('utf8');
        child.stdout.on('data', (chunk) => {
          output += chunk;
          const match = output.match(/^Outbound receiver listening on (http:\/\/127\.0\.0\.1:\d+\/v2)$/m);
          if (match) resolve(match[1]);
        });
        child.once('exit', () => reject(new Error(`receiver exited before listening: ${output}`)));
      });
      assert.equal((await post(url, '/track', { user_id: 'u', event: 'e' }, { key: 'cli-key' })).status, 200);
      await assertError(await post(url, '/track', { user_id: 'u', event: 'e' }, { key: 'other' }), 401);
      child.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null });
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Fault modes: the receiver making the network bad on purpose.

const TRACK = { user_id: 'u1', event: 'e' };

/** The fault counts with every kind at 0 except those given. */
function statsWith({ requests = 0, recorded = 0, ...faulted }) {
  return { requests, faulted: { ...Object.fromEntries(FAULT_KINDS.map((kind) => [kind, 0])), ...faulted }, recorded };
}

/**
 * POSTs with node:http on a connection of its own (no keep-alive pool to blur what happened to it), with no
 * deadline: resolves { status, headers, body }, or { error } when the connection failed or `signal` aborted it.
 */
function rawPost(url, body, { signal } = {}) {
  return new Promise((resolve) => {
    const payload = JSON.stringify(body);
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      signal,
      headers: { 'Content-Type': 'application/json', 'X-Outbound-Key': KEY, 'Content-Length': Buffer.byteLength(payload) },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body: text }));
      response.on('error', (error) => resolve({ error }));
    });
    request.on('error', (error) => resolve({ error }));
    request.end(payload);
  });
}

/**
 * POSTs TRACK announcing Expect: 100-continue, and resolves once the server has taken the request up
 * (its 100 Continue came back) and the body is sent, with { outcome }: a Promise of what rawPost resolves.
 */
function postTakenUp(url) {
  return new Promise((resolveTakenUp) => {
    const payload = JSON.stringify(TRACK);
    let settle;
    const outcome = new Promise((resolve) => { settle = resolve; });
    const request = http.request(url, {
      method: 'POST',
      agent: false,
      headers: {
        'Content-Type': 'application/json', 'X-Outbound-Key': KEY, 'Content-Length': Buffer.byteLength(payload),
        Expect: '100-continue',
      },
    }, (response) => {
      response.resume();
      response.on('end', () => settle({ status: response.statusCode }));
      response.on('error', (error) => settle({ error }));
    });
    request.on('error', (error) => settle({ error }));
    request.on('continue', () => request.end(payload, () => resolveTakenUp({ outcome })));
    request.flushHeaders();
  });
}

function assertConnectionFailed(outcome) {
  assert.ok(outcome.error, `expected the connection to fail, got ${JSON.stringify(outcome)}`);
  assert.match(`${outcome.error.code} ${outcome.error.message}`, /ECONNRESET|socket hang up/);
}

/**
 * Resolves once `condition()` holds, looking every few milliseconds. No deadline of its own: what it
 * waits for comes at whatever speed the machine has, and the test's timeout stops a wait that never ends.
 */
async function waitFor(condition) {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

const putFaults = (origin, body) => fetch(`${origin}/faults`, {
  method: 'PUT',
  headers: { 'Content-Type': 'application/json' },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('fault injection', () => {
  let receiver;
  before(async () => {
    receiver = await start();
  });
  after(() => receiver.close());
  beforeEach(() => {
    receiver.resetFaults();
    receiver.clear();
  });

  for (const kind of ['500', '503', '429']) {
    const retryAfter = kind === '500' ? null : '7';
    test(`'${kind}' at rate 1 answers ${kind} with a JSON error${retryAfter ? ' and Retry-After' : ''}, with CORS, recording nothing`, async () => {
      receiver.setFaults({ rate: 1, kinds: [kind], retryAfterSeconds: 7 });
      const origin = 'http://demo.example:8080';
      const response = await post(receiver.url, '/track', TRACK, { origin });
      await assertError(response, Number(kind), new RegExp(`^injected fault: ${kind} `));
      assertCors(response, origin);
      assert.equal(response.headers.get('retry-after'), retryAfter);
      assert.deepEqual(receiver.calls(), []);
      assert.deepEqual(receiver.faultStats(), statsWith({ requests: 1, [kind]: 1 }));
    });
  }

  test("'reset' records the call, then resets the connection without a reply, so a retry duplicates it", async () => {
    receiver.setFaults({ rate: 1, kinds: ['reset'] });
    assertConnectionFailed(await rawPost(`${receiver.url}/track`, TRACK));
    assert.equal(receiver.calls().length, 1, 'the server processed the call before the reply was lost');
    await assert.rejects(post(receiver.url, '/track', TRACK), TypeError, 'fetch should fail too');
    receiver.setFaults({ rate: 0 });
    assert.equal((await rawPost(`${receiver.url}/track`, TRACK)).status, 200);
    const calls = receiver.calls();
    assert.equal(calls.length, 3);
    assert.ok(calls.every((call) => call.path === '/v2/track' && call.body.event === 'e'), 'the same call, three times');
    assert.deepEqual(receiver.faultStats(), statsWith({ requests: 3, reset: 2, recorded: 3 }));
  });

  test("'drop' closes the connection without a reply and records nothing", async () => {
    receiver.setFaults({ rate: 1, kinds: ['drop'] });
    assertConnectionFailed(await rawPost(`${receiver.url}/identify`, { user_id: 'u1' }));
    await assert.rejects(post(receiver.url, '/identify', { user_id: 'u1' }), TypeError);
    assert.deepEqual(receiver.calls(), []);
    assert.deepEqual(receiver.faultStats(), statsWith({ requests: 2, drop: 2 }));
  });

  test("'hang' never answers and records nothing, while other requests are still answered", { timeout: 30_000 }, async () => {
    receiver.setFaults({ rate: 1, kinds: ['hang'] });
    const controller = new AbortController();
    const startedAt = performance.now();
    const hanging = fetch(`${receiver.url}/track`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Outbound-Key': KEY },
      body: JSON.stringify(TRACK),
      signal: controller.signal,
    });
    await waitFor(() => receiver.faultStats().faulted.hang === 1);
    receiver.setFaults({ rate: 0 });
    assert.equal((await post(receiver.url, '/track', TRACK)).status, 200, 'the receiver kept answering');
    setTimeout(() => controller.abort(), 300);
    await assert.rejects(hanging, { name: 'AbortError' });
    assert.ok(performance.now() - startedAt >= 290, 'it was the client giving up that ended it');
    assert.equal(receiver.calls().length, 1, 'only the unfaulted call was recorded');
    assert.deepEqual(receiver.faultStats(), statsWith({ requests: 2, hang: 1, recorded: 1 }));
  });

  test('a seeded rate of 0.3 over 1,000 requests faults 24-36% of them, draws every kind, and replays exactly', { timeout: 120_000 }, async () => {
    // 50 requests at a time, none given a deadline: on a loaded machine a slow 200 is still a 200. A request
    // under a 'hang' fault is never answered, and the receiver counts each one it holds, so the count says
    // how many of the requests still unanswered are held: they give up their place among the 50, and the
    // run is over once every request has either settled or is held. Those are then aborted.
    async function run() {
      receiver.resetFaults();
      receiver.clear();
      receiver.setFaults({ rate: 0.3, seed: 42 }); // every kind, by default
      const held = () => receiver.faultStats().faulted.hang;
      const controller = new AbortController();
      const seen = {};
      const outcomes = [];
      let sent = 0;
      let settled = 0;
      let over = false;
      while (settled + held() < 1000) {
        while (sent < 1000 && sent - settled - held() < 50) {
          sent += 1;
          outcomes.push(rawPost(`${receiver.url}/track`, TRACK, { signal: controller.signal }).then((outcome) => {
            if (over) return outcome;
            settled += 1;
            const label = outcome.status ?? 'connectionFailed';
            seen[label] = (seen[label] ?? 0) + 1;
            return null;
          }));
        }
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      over = true;
      seen.unanswered = sent - settled;
      controller.abort();
      const abandoned = (await Promise.all(outcomes)).filter((outcome) => outcome !== null);
      assert.equal(abandoned.length, seen.unanswered);
      for (const { error } of abandoned) assert.equal(error?.name, 'AbortError', 'a held request was answered after all');
      return { stats: receiver.faultStats(), recorded: receiver.calls().length, seen };
    }
    const first = await run();
    const { requests, faulted, recorded } = first.stats;
    const total = Object.values(faulted).reduce((sum, count) => sum + count, 0);
    assert.equal(requests, 1000);
    assert.ok(total >= 240 && total <= 360, `${total} of 1000 faulted`);
    for (const kind of FAULT_KINDS) assert.ok(faulted[kind] > 0, `no '${kind}' was drawn`);
    // What the clients saw agrees with what the receiver counted, and with what it recorded.
    assert.deepEqual(first.seen, {
      200: 1000 - total,
      500: faulted['500'],
      503: faulted['503'],
      429: faulted['429'],
      connectionFailed: faulted.reset + faulted.drop,
      unanswered: faulted.hang,
    });
    assert.equal(first.recorded, 1000 - total + faulted.reset);
    assert.equal(recorded, first.recorded);
    assert.deepEqual((await run()).stats, first.stats, 'the same seed gave different faults');
  });

  test('giving the seed again restarts the same sequence; another seed gives another', async () => {
    const statuses = async () => {
      const seen = [];
      for (let n = 0; n < 40; n += 1) seen.push((await post(receiver.url, '/subscribe/all', { user_id: n })).status);
      return seen.join(',');
    };
    receiver.setFaults({ rate: 0.5, kinds: ['500', '429'], seed: 42 });
    const first = await statuses();
    assert.match(first, /200/);
    assert.match(first, /500/);
    assert.match(first, /429/);
    receiver.setFaults({ seed: 42 });
    assert.equal(await statuses(), first);
    receiver.setFaults({ seed: 43 });
    assert.notEqual(await statuses(), first);
  });

  test('latencyMs delays every API answer by at least its minimum: accepted, refused, or faulted', async () => {
    const timed = async (path, body, options) => {
      const startedAt = performance.now();
      const response = await post(receiver.url, path, body, options);
      await response.arrayBuffer();
      return { status: response.status, elapsed: performance.now() - startedAt };
    };
    receiver.setFaults({ latencyMs: [120, 160] });
    for (const [body, options, status] of [[TRACK, {}, 200], [{ user_id: 'u1' }, {}, 400], [TRACK, { key: null }, 401]]) {
      const { status: got, elapsed } = await timed('/track', body, options);
      assert.equal(got, status);
      assert.ok(elapsed >= 119, `a ${status} came back after ${elapsed.toFixed(1)} ms`);
    }
    receiver.setFaults({ latencyMs: 80, rate: 1, kinds: ['503'] });
    const { status, elapsed } = await timed('/track', TRACK);
    assert.equal(status, 503);
    assert.ok(elapsed >= 79, `the fault came back after ${elapsed.toFixed(1)} ms`);
  });

  test('a client that gives up during the added latency leaves nothing recorded', { timeout: 60_000 }, async () => {
    // The receiver is composed into a server of the test's own, which sees when the receiver has read a
    // body (its latency starts then) and when it has seen the client go. The second request, sent after
    // the first client went, has the same latency, so its timer runs out after the first one's: once it
    // is answered, the receiver has already decided what to do with the first request.
    for (let latencyMs = 200; ; latencyMs *= 2) {
      const composed = createReceiver({ faults: { latencyMs } });
      const arrivals = [];
      const server = http.createServer((req, res) => {
        const arrival = { bodyRead: once(req, 'end'), gone: once(res, 'close') };
        arrival.bodyRead.catch(() => {});
        arrivals.push(arrival);
        composed.handle(req, res);
      });
      await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
      const base = `http://127.0.0.1:${server.address().port}/v2`;
      try {
        const controller = new AbortController();
        const givingUp = post(base, '/track', { ...TRACK, event: 'given up' }, { signal: controller.signal });
        givingUp.catch(() => {});
        await waitFor(() => arrivals.length === 1);
        await arrivals[0].bodyRead;
        controller.abort();
        await assert.rejects(givingUp, { name: 'AbortError' });
        await arrivals[0].gone;
        // On a machine slow enough for the latency to run out before the receiver saw the client go, the
        // request went through as it should: that is not the case under test, so try a longer latency.
        if (composed.faultStats().requests !== 0) continue;
        const kept = await post(base, '/track', { ...TRACK, event: 'kept' });
        assert.equal(kept.status, 200);
        assert.deepEqual(composed.calls().map((call) => call.body.event), ['kept']);
        assert.equal(composed.faultStats().requests, 1);
        return;
      } finally {
        composed.endStreams();
        server.closeAllConnections();
        await new Promise((resolve) => server.close(resolve));
      }
    }
  });

  test('faults and latency never touch OPTIONS preflights, /calls or /faults', { timeout: 30_000 }, async () => {
    // A minute of latency on any of them would run into the test's timeout.
    receiver.setFaults({ rate: 1, kinds: ['drop'], latencyMs: 60_000 });
    const preflight = await fetch(`${receiver.url}/track`, { method: 'OPTIONS', headers: { Origin: 'http://x.example' } });
    assert.equal(preflight.status, 204);
    assert.equal((await fetch(`${receiver.origin}/calls`)).status, 200);
    assert.equal((await fetch(`${receiver.origin}/calls`, { method: 'DELETE' })).status, 200);
    assert.equal((await fetch(`${receiver.origin}/faults`)).status, 200);
    assert.deepEqual(receiver.faultStats(), statsWith({}));
  });

  test('a request that fails its checks gets its usual answer, never a fault', async () => {
    receiver.setFaults({ rate: 1, kinds: ['drop'] });
    await assertError(await post(receiver.url, '/track', TRACK, { key: null }), 401, /X-Outbound-Key/);
    await assertError(await post(receiver.url, '/track', { user_id: 'u1' }), 400, /event is missing/);
    await assertError(await post(receiver.url, '/track', '{', { raw: true }), 500, /not well-formed JSON/);
    await assertError(await post(receiver.url, '/nope', TRACK), 404);
    assert.deepEqual(receiver.faultStats(), statsWith({}));
    assertConnectionFailed(await rawPost(`${receiver.url}/track`, TRACK)); // and a good one is faulted
  });

  test('GET /faults reports settings and counts; PUT changes part of them; DELETE turns them off and zeroes counts', async () => {
    const noFaults = { faults: { ...DEFAULT_FAULTS }, stats: statsWith({}) };
    let response = await fetch(`${receiver.origin}/faults`);
    assert.equal(response.status, 200);
    assertCors(response);
    assert.deepEqual(await jsonOf(response), noFaults);

    response = await putFaults(receiver.origin, { rate: 1, kinds: ['503'], retryAfterSeconds: 2 });
    assert.equal(response.status, 200);
    assertCors(response);
    const on = { ...DEFAULT_FAULTS, rate: 1, kinds: ['503'], retryAfterSeconds: 2 };
    assert.deepEqual(await jsonOf(response), { faults: on });
    const faulted = await post(receiver.url, '/track', TRACK);
    await assertError(faulted, 503, /injected fault/);
    assert.equal(faulted.headers.get('retry-after'), '2');

    response = await putFaults(receiver.origin, { rate: 0 }); // off; the rest is kept
    assert.deepEqual(await jsonOf(response), { faults: { ...on, rate: 0 } });
    assert.equal((await post(receiver.url, '/track', TRACK)).status, 200);
    assert.deepEqual(await jsonOf(await fetch(`${receiver.origin}/faults`)), {
      faults: { ...on, rate: 0 },
      stats: statsWith({ requests: 2, 503: 1, recorded: 1 }),
    });

    response = await fetch(`${receiver.origin}/faults`, { method: 'DELETE' });
    assert.equal(response.status, 200);
    assertCors(response);
    assert.deepEqual(await jsonOf(response), noFaults);
    assert.deepEqual(receiver.faultStats(), statsWith({}));
  });

  test('PUT /faults refuses a bad body with 400 naming the field, changing nothing', async () => {
    const before = receiver.setFaults({ rate: 0.5, kinds: ['500'], seed: 3 });
    for (const [body, message] of [
      ['{"rate":', /not well-formed JSON/],
      ['', /empty/],
      ['[{"rate": 1}]', /^faults must be an object of fault settings, got an array/],
      ['{"rate": 2}', /^faults\.rate must be a number from 0 to 1, got 2$/],
      ['{"rate": "0.5"}', /^faults\.rate must be a number/],
      ['{"kinds": []}', /^faults\.kinds must be a non-empty array/],
      ['{"kinds": "500"}', /^faults\.kinds must be a non-empty array/],
      ['{"kinds": ["500", "timeout"]}', /^faults\.kinds\[1\] must be one of 500, 503, 429, reset, drop, hang, got "timeout"/],
      ['{"kinds": [500]}', /^faults\.kinds\[0\] must be one of/],
      ['{"kinds": ["500", "500"]}', /^faults\.kinds must not name a kind twice/],
      ['{"retryAfterSeconds": 1.5}', /^faults\.retryAfterSeconds must be a non-negative integer/],
      ['{"retryAfterSeconds": -1}', /^faults\.retryAfterSeconds/],
      ['{"latencyMs": [200, 100]}', /^faults\.latencyMs must be .*got \[200,100\]/],
      ['{"latencyMs": [5]}', /^faults\.latencyMs/],
      ['{"latencyMs": -1}', /^faults\.latencyMs/],
      ['{"latencyMs": 600000}', /^faults\.latencyMs/],
      ['{"seed": 1.5}', /^faults\.seed must be an integer/],
      ['{"rate": 1, "ratio": 0.1}', /^faults\.ratio is not a fault setting; use rate, kinds, retryAfterSeconds, latencyMs, seed$/],
    ]) {
      const response = await putFaults(receiver.origin, body);
      await assertError(response, 400, message);
      assertCors(response);
    }
    assert.deepEqual(receiver.setFaults({}), before, 'a refused PUT changed the settings');
  });

  test('/faults answers a preflight for GET, PUT and DELETE, 405 to another method, and 404 below it', async () => {
    const preflight = await fetch(`${receiver.origin}/faults`, { method: 'OPTIONS', headers: { Origin: 'http://x.example' } });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET, PUT, DELETE');
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://x.example');
    const postResponse = await fetch(`${receiver.origin}/faults`, { method: 'POST', body: '{}' });
    await assertError(postResponse, 405);
    assert.equal(postResponse.headers.get('allow'), 'GET, PUT, DELETE, OPTIONS');
    await assertError(await fetch(`${receiver.origin}/faults/rate`), 404);
  });

  test('the faults option is merged over DEFAULT_FAULTS; a bad one throws a TypeError naming the field', () => {
    assert.deepEqual(createReceiver({ faults: { rate: 0.25, latencyMs: [1, 2] } }).options.faults, {
      ...DEFAULT_FAULTS, rate: 0.25, latencyMs: [1, 2],
    });
    for (const [faults, message] of [
      ['on', /^options\.faults must be an object/],
      [{ rate: 1.5 }, /^options\.faults\.rate/],
      [{ rate: Number.NaN }, /^options\.faults\.rate/],
      [{ kinds: ['timeout'] }, /^options\.faults\.kinds\[0\]/],
      [{ retryAfterSeconds: '1' }, /^options\.faults\.retryAfterSeconds/],
      [{ latencyMs: [1, 2, 3] }, /^options\.faults\.latencyMs/],
      [{ seed: 'abc' }, /^options\.faults\.seed/],
      [{ rates: 0.1 }, /^options\.faults\.rates is not a fault setting/],
    ]) {
      assert.throws(() => createReceiver({ faults }), { name: 'TypeError', message }, JSON.stringify(faults));
    }
    const receiver = createReceiver({ faults: { rate: 0.5 } });
    assert.throws(() => receiver.setFaults({ rate: -1 }), { name: 'TypeError', message: /^faults\.rate/ });
    assert.throws(() => receiver.setFaults(null), { name: 'TypeError', message: /^faults must be an object/ });
    assert.equal(receiver.setFaults({}).rate, 0.5);
    assert.deepEqual(receiver.resetFaults(), DEFAULT_FAULTS);
  });

  test('close() resolves while a hang fault and a delayed request are open', { timeout: 30_000 }, async () => {
    // The delayed request waits a minute, past the test's timeout, so close() must not wait for it.
    const faulty = await start({ faults: { rate: 1, kinds: ['hang'] } });
    const hanging = rawPost(`${faulty.url}/track`, TRACK);
    await waitFor(() => faulty.faultStats().faulted.hang === 1);
    faulty.setFaults({ rate: 0, latencyMs: 60_000 });
    const { outcome: delayed } = await postTakenUp(`${faulty.url}/track`);
    await faulty.close();
    assertConnectionFailed(await hanging);
    assertConnectionFailed(await delayed);
    assert.deepEqual(faulty.calls(), []);
  });
});

describe('fault injection composed into another server', () => {
  const composed = useComposedServer();

  test('handle() answers /faults, and endStreams() destroys requests a hang fault holds open', { timeout: 30_000 }, async () => {
    assert.equal(await (await fetch(`${composed.origin}/faultsx`)).text(), 'static file');
    assert.equal((await putFaults(composed.origin, { rate: 1, kinds: ['hang'] })).status, 200);
    const hanging = rawPost(`${composed.origin}/v2/track`, TRACK);
    await waitFor(() => composed.receiver.faultStats().faulted.hang === 1);
    composed.receiver.endStreams();
    assertConnectionFailed(await hanging);
    assert.deepEqual(composed.receiver.calls(), []);
  });
});

describe('fault flags on the command line', () => {
  function runCli(args) {
    const child = spawn(process.execPath, [RECEIVER_SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, output })));
    const listening = new Promise((resolve, reject) => {
      child.stdout.on('data', () => {
        const match = output.match(/^Outbound receiver listening on (http:\/\/127\.0\.0\.1:\d+)\/v2$/m);
        if (match && output.includes('\n', match.index + match[0].length)) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`receiver exited before listening: ${output}`)));
    });
    listening.catch(() => {});
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    return { child, listening, exited, kill, output: () => output };
  }

  test('--fault-rate --faults --retry-after --latency --seed set the faults, and say so', { timeout: 30_000 }, async () => {
    const cli = runCli(['--port', '0', '--fault-rate', '1', '--faults', '429,503', '--retry-after=3', '--latency', '10-20', '--seed', '7']);
    try {
      const origin = await cli.listening;
      const expected = { rate: 1, kinds: ['429', '503'], retryAfterSeconds: 3, latencyMs: [10, 20], seed: 7 };
      assert.deepEqual((await jsonOf(await fetch(`${origin}/faults`))).faults, expected);
      const response = await post(`${origin}/v2`, '/track', TRACK);
      assert.ok([429, 503].includes(response.status), `got ${response.status}`);
      assert.equal(response.headers.get('retry-after'), '3');
      await waitFor(() => /^Injecting faults: /m.test(cli.output()));
      cli.child.kill('SIGTERM');
      assert.deepEqual(await cli.exited.then(({ code, signal }) => ({ code, signal })), { code: 0, signal: null });
    } finally {
      cli.kill();
    }
  });

  test('a bad fault flag exits with status 2 and names the flag or the setting', async () => {
    for (const [args, message] of [
      [['--fault-rate', 'lots'], /--fault-rate needs a number, got "lots"/],
      [['--fault-rate', '2'], /options\.faults\.rate must be a number from 0 to 1, got 2/],
      [['--faults', '500,oops'], /options\.faults\.kinds\[1\] must be one of/],
      [['--latency', '50-20'], /options\.faults\.latencyMs/],
      [['--latency', '1-2-3'], /--latency needs milliseconds/],
      [['--seed', '4.5'], /options\.faults\.seed/],
    ]) {
      const cli = runCli(['--port', '0', ...args]);
      try {
        const { code, output } = await cli.exited;
        assert.equal(code, 2, `${args.join(' ')}: ${output}`);
        assert.match(output, message);
      } finally {
        cli.kill();
      }
    }
  });
});

describe('a receiver that holds up against slow and malformed clients', () => {
  // Short timeouts, for clients that are slow on purpose (no request of theirs could ever complete), and
  // a short idle timeout with the default headers and request timeouts, for clients that are not.
  let impatient;
  let idleCloser;
  before(async () => {
    impatient = await start({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    idleCloser = await start({ idleTimeoutMs: 200 });
  });
  after(() => Promise.all([impatient.close(), idleCloser.close()]));

  /**
   * Writes `chunks` to a raw socket, `pauseMs` apart, and resolves with all it got back once the server
   * has closed the connection: the client never does, so each test waits for the server to do it.
   */
  function rawExchange(receiver, chunks, { pauseMs = 0 } = {}) {
    return new Promise((resolve) => {
      const socket = net.connect(receiver.port, '127.0.0.1');
      let reply = '';
      socket.on('data', (data) => { reply += data; });
      socket.on('error', () => {});
      socket.on('close', () => resolve({ reply }));
      let i = 0;
      const next = () => {
        if (i >= chunks.length || socket.destroyed) return;
        socket.write(chunks[i++]);
        if (i < chunks.length) setTimeout(next, pauseMs);
      };
      socket.on('connect', next);
    });
  }

  test('a client that never finishes its headers is answered 408 and cut off', { timeout: 30_000 }, async () => {
    const { reply } = await rawExchange(impatient, ['POST /v2/track HTTP/1.1\r\nHost: x\r\n']);
    assert.match(reply, /^HTTP\/1\.1 408 /);
    assert.match(reply, /"error":"the request was not received in time"/);
  });

  test('a client that sends its body too slowly is cut off', { timeout: 30_000 }, async () => {
    const head = 'POST /v2/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Outbound-Key: k\r\nContent-Length: 100\r\n\r\n';
    await rawExchange(impatient, [head, '{"user_id":', '"u"'], { pauseMs: 400 });
    assert.equal(impatient.calls().length, 0);
  });

  test('an idle keep-alive connection is closed', { timeout: 30_000 }, async () => {
    const { reply } = await rawExchange(idleCloser, ['GET /calls HTTP/1.1\r\nHost: x\r\n\r\n']);
    assert.match(reply, /^HTTP\/1\.1 200 /);
    assert.match(reply, /^Connection: keep-alive\r$/mi, 'the reply kept the connection open: the close came later');
    // The server was given the configured idle timeout (announced in whole seconds: 200 ms is 0), not
    // Node's default of 5 s, which would close the connection too.
    assert.match(reply, /^Keep-Alive: timeout=0\r$/mi);
  });

  for (const [what, bytes, status] of [
    ['a request line that is not HTTP', 'HELLO THERE\r\n\r\n', 400],
    ['a malformed header', 'POST /v2/track HTTP/1.1\r\nHost x\r\n\r\n', 400],
    ['headers beyond the limit', `GET /calls HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20000)}\r\n\r\n`, 431],
  ]) {
    test(`${what} is answered ${status} with a JSON error`, { timeout: 30_000 }, async () => {
      const { reply } = await rawExchange(idleCloser, [bytes]);
      assert.match(reply, new RegExp(`^HTTP/1\\.1 ${status} `));
      assert.match(reply, /Content-Type: application\/json/);
      const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4));
      assert.equal(typeof body.error, 'string');
    });
  }

  test('bad timeouts are refused with a TypeError naming the option', () => {
    assert.throws(() => createReceiver({ headersTimeoutMs: 0 }), /options\.headersTimeoutMs must be a positive integer/);
  });
});
