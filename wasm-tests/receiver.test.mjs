// Tests for the local Outbound-compatible receiver (SPEC section 6), against a real server on a free port.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createReceiver, start, DEFAULT_OPTIONS } from '../web-demo/receiver.mjs';

const RECEIVER_SCRIPT = fileURLToPath(new URL('../web-demo/receiver.mjs', import.meta.url));
const KEY = 'sk_live_Q7x9ZeTa4';
const CLIENT = 'outbound-wasm-test/0.0.0';

function post(baseUrl, path, body, { key = KEY, client = CLIENT, origin, raw = false, contentType = 'application/json' } = {}) {
  const headers = { 'Content-Type': contentType, 'X-Outbound-Client': client };
  if (key !== null) headers['X-Outbound-Key'] = key; // null: send no key at all
  if (origin !== undefined) headers.Origin = origin;
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers, body: raw ? body : JSON.stringify(body) });
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

  test('covers exactly the 11 API paths of SPEC section 2', () => {
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
    assert.deepEqual({ ...DEFAULT_OPTIONS }, { port: 0, host: '127.0.0.1', keys: null, maxBodyBytes: 1048576, maxRecorded: 1000 });
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

  test('close() resolves within a second with an idle keep-alive connection open', { timeout: 3000 }, async () => {
    const receiver = await start();
    const agent = new http.Agent({ keepAlive: true });
    const status = await new Promise((resolve, reject) => {
      http.get(`${receiver.origin}/calls`, { agent }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode));
      }).on('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(Object.values(agent.freeSockets).flat().length, 1, 'expected an idle keep-alive socket');
    const startedAt = performance.now();
    await receiver.close();
    assert.ok(performance.now() - startedAt < 1000);
    agent.destroy();
  });

  test('close() resolves within a second while a request body is still arriving', { timeout: 3000 }, async () => {
    const receiver = await start();
    const socket = net.connect(receiver.port, '127.0.0.1');
    await once(socket, 'connect');
    socket.on('error', () => {});
    socket.write(`POST /v2/track HTTP/1.1\r\nHost: x\r\nX-Outbound-Key: k\r\nContent-Length: 100\r\n\r\n{"user_id"`);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the server start reading the body
    const startedAt = performance.now();
    await receiver.close();
    assert.ok(performance.now() - startedAt < 1000);
    socket.destroy();
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

  test('close() resolves within a second while a /calls/stream is open, ending the stream', { timeout: 3000 }, async () => {
    const receiver = await start();
    const response = await fetch(`${receiver.origin}/calls/stream`);
    const reader = response.body.getReader();
    await reader.read(); // the opening comment
    const startedAt = performance.now();
    await receiver.close();
    assert.ok(performance.now() - startedAt < 1000);
    const ending = await reader.read().then(({ done }) => done, () => true);
    assert.equal(ending, true);
  });
});

describe('createReceiver composed into another server', () => {
  let server;
  let receiver;
  let origin;
  before(async () => {
    receiver = createReceiver();
    server = http.createServer((req, res) => {
      if (receiver.handle(req, res)) return;
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('static file');
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${server.address().port}`;
  });
  after(async () => {
    receiver.endStreams();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('endStreams() ends every open /calls/stream response', { timeout: 5000 }, async () => {
    const response = await fetch(`${origin}/calls/stream`);
    const reader = response.body.getReader();
    await reader.read(); // the opening comment
    receiver.endStreams();
    assert.equal((await reader.read()).done, true);
  });

  test('handle() leaves other paths to the caller and answers /v2 and /calls itself', async () => {
    for (const path of ['/', '/index.html', '/v2x', '/callsign']) {
      const response = await fetch(`${origin}${path}`);
      assert.equal(await response.text(), 'static file', path);
    }
    assert.equal((await post(`${origin}/v2`, '/track', { user_id: 'u', event: 'e' })).status, 200);
    assert.equal((await jsonOf(await fetch(`${origin}/calls`))).calls.length, 1);
    assert.equal(receiver.calls().length, 1);
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
