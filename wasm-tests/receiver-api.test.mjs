// Tests for the local receiver (docs/contract.md, The receiver): the 11 API paths, CORS,
// keys, bodies and the call log, against a real server on a free port.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { start } from '../receiver/receiver.mjs';
import { KEY, CLIENT, post, jsonOf, assertError, assertCors, PATHS } from './receiver-helpers.mjs';

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
