// js/missing-web-apis.js, what dist/outbound.cjs uses where jsdom lacks a web API: its UTF-8
// encoder and decoder give exactly what Node's TextEncoder and TextDecoder give, on a table of edge
// cases and on random input; its fetch over jsdom's XMLHttpRequest reaches the receiver and reports
// the answer as fetch would. (The whole file in Jest: bundlers.test.mjs.)

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { runInNewContext } from 'node:vm';
import { after, before, describe, test } from 'node:test';
import { startReceiver } from './helpers.mjs';

const source = readFileSync(new URL('../js/missing-web-apis.js', import.meta.url), 'utf8');
const shims = runInNewContext(`${source}; ({ OutboundUtf8Encoder, OutboundUtf8Decoder })`, { Uint8Array });
const encoder = new shims.OutboundUtf8Encoder();
const decoder = new shims.OutboundUtf8Decoder();

// A deterministic sequence, so that a failure can be replayed.
function random(seed) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

describe('UTF-8 without TextEncoder and TextDecoder', () => {
  const texts = ['', 'plain', 'Zürich', 'Ελληνικά', '日本語', '🚀 rocket', '\u0000\u007f\u0080\u07ff\u0800\uffff',
    '\ud800', 'a\udc00b', '\ud83d', '\ud83d\ude80\ud83d', '\udfff\ud800', 'x'.repeat(1000) + '€'];

  test('encode and encodeInto write what TextEncoder writes (a lone surrogate as U+FFFD)', () => {
    const next = random(7);
    const randomTexts = Array.from({ length: 300 }, () =>
      String.fromCharCode(...Array.from({ length: 1 + Math.floor(next() * 20) }, () =>
        [0x41, 0xe9, 0x20ac, 0xd83d, 0xde80, 0xdc00, 0x7ff, 0x800, 0xffff][Math.floor(next() * 9)])));
    for (const text of [...texts, ...randomTexts]) {
      const expected = new TextEncoder().encode(text);
      assert.deepEqual(Array.from(encoder.encode(text)), Array.from(expected), JSON.stringify(text));
      // Into a space too small: as many whole characters as fit, and how much was read.
      for (const room of [0, 1, 2, 3, 5, expected.length]) {
        const ours = new Uint8Array(room);
        const theirs = new Uint8Array(room);
        assert.deepEqual({ ...encoder.encodeInto(text, ours) }, new TextEncoder().encodeInto(text, theirs), `${JSON.stringify(text)} into ${room}`);
        assert.deepEqual(ours, theirs);
      }
    }
  });

  test('decode reads what TextDecoder reads (each ill-formed sequence as U+FFFD)', () => {
    const table = [[], [0x41], [0xc3, 0xa9], [0xe2, 0x82, 0xac], [0xf0, 0x9f, 0x9a, 0x80], [0x80], [0xbf, 0x41], [0xc0, 0x80],
      [0xc1, 0xbf], [0xc2], [0xe0, 0x80, 0x80], [0xe0, 0xa0], [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xf0, 0x80, 0x80, 0x80],
      [0xf4, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf], [0xf5, 0x41], [0xff], [0xe2, 0x82, 0x41], [0xf0, 0x9f, 0x9a]];
    const next = random(11);
    const interesting = [0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff];
    const randomBytes = Array.from({ length: 2000 }, () =>
      Array.from({ length: 1 + Math.floor(next() * 8) }, () => interesting[Math.floor(next() * interesting.length)]));
    for (const bytes of [...table, ...randomBytes]) {
      assert.equal(decoder.decode(new Uint8Array(bytes)), new TextDecoder().decode(new Uint8Array(bytes)), JSON.stringify(bytes));
    }
  });
});

describe("fetch over jsdom's XMLHttpRequest", () => {
  let receiver;
  let window;
  let fetchOverXhr;

  before(async () => {
    receiver = await startReceiver();
    // jsdom as jest-environment-jsdom makes it (a page at http://localhost/), from that package's own copy.
    const fromJestEnvironment = createRequire(createRequire(import.meta.url).resolve('jest-environment-jsdom'));
    const { JSDOM } = fromJestEnvironment('jsdom');
    ({ window } = new JSDOM('<!doctype html>', { url: 'http://localhost/', runScripts: 'outside-only' }));
    fetchOverXhr = window.eval(`${source}; outboundFetchOverXhr`);
  });
  after(async () => {
    window.close();
    await receiver.close();
  });

  test('a POST arrives with its headers and body; the answer has the status, headers and bytes', async () => {
    receiver.clear();
    const body = new TextEncoder().encode(JSON.stringify({ user_id: 'xhr-user', event: 'Über XHR' }));
    const response = await fetchOverXhr(`${receiver.url}/track`, {
      method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Outbound-Key': 'xhr-key' }, body,
    });
    assert.equal(response.status, 200);
    assert.equal(response.ok, true);
    assert.equal(response.redirected, false);
    assert.equal(response.headers.get('content-type'), response.headers.get('Content-Type'));
    const names = [];
    response.headers.forEach((value, name) => names.push(name));
    // Cross-origin, as through fetch: the headers CORS lets the page see.
    assert.ok(names.includes('content-type'), names.join(', '));
    assert.ok((await response.arrayBuffer()).byteLength >= 0);
    const [call] = receiver.calls();
    assert.equal(call.path, '/v2/track');
    assert.equal(call.headers['x-outbound-key'], '****');
    assert.deepEqual(call.body, { user_id: 'xhr-user', event: 'Über XHR' });
  });

  test('an error status is an answer, not a rejection', async () => {
    const response = await fetchOverXhr(`${receiver.url}/no-such-path`, { method: 'POST', headers: {}, body: '{}' });
    assert.equal(response.ok, false);
    assert.ok(response.status >= 400, String(response.status));
  });

  test('no answer (a refused connection), and an abort, reject with a TypeError, as fetch does', async () => {
    const typeError = (error) => error.name === 'TypeError';  // jsdom's, of its own realm
    await assert.rejects(fetchOverXhr('http://127.0.0.1:9/v2/track', { method: 'POST', headers: {}, body: '{}' }), typeError);
    const controller = new window.AbortController();
    const sent = fetchOverXhr(`${receiver.url}/track`, { method: 'POST', headers: {}, body: '{}', signal: controller.signal });
    controller.abort();
    await assert.rejects(sent, typeError);
  });
});
