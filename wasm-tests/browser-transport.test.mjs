// The browser's transport (fetch) in Chromium, against servers that misbehave: a redirect the
// browser follows by itself counts as not delivered (docs/transport.md says why), a huge reply is
// read no further than needed, and a failure that the browser does not explain says so.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start as startReceiver } from '../receiver/receiver.mjs';
import { openPage, readDist, scriptTagPage, serveFiles, skipWithoutBrowser } from './browser-helpers.mjs';
import { bodyOf, countingServer, streamMegabytes } from './node-processes.mjs';

const TIMEOUT = { timeout: 60000 };
const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST',
  'access-control-allow-headers': 'Content-Type, X-Outbound-Key, X-Outbound-Client',
};

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

/** Runs `call` (source text using `ob`, a client of `baseUrl`) in a page; resolves its outcome. */
async function outcomeInPage(t, baseUrl, call) {
  const origin = await serveFiles(t, {
    '/': ['text/html', scriptTagPage('transport', `var ob = new outbound('transport-key', { baseUrl: ${JSON.stringify(baseUrl)}, retries: 0, onError: function () {} });
window.outcome = ${call}.then(function () { return { state: 'resolved' }; },
  function (e) { return { state: 'rejected', message: e.message, receivedCall: e.receivedCall, status: e.status }; });`)],
    '/dist/outbound.js': ['text/javascript', readDist('outbound.js')],
    '/dist/outbound.wasm': ['application/wasm', readDist('outbound.wasm')],
  });
  const { page, errors } = await openPage(t);
  await page.goto(`${origin}/`);
  return { outcome: await page.evaluate(() => window.outcome), errors };
}

/** A server answering preflights, and every POST with `answer(req, res)`. */
function corsServer(answer) {
  return countingServer(async (req, res) => {
    await bodyOf(req);
    if (req.method === 'OPTIONS') return res.writeHead(204, CORS).end();
    answer(req, res);
  });
}

describe('the browser transport in Chromium', { ...TIMEOUT, skip: skipWithoutBrowser }, () => {
  test('a 308 the browser follows reaches the receiver, but the call rejects naming where it went', async (t) => {
    receiver.clear();
    const moved = await corsServer((req, res) => res.writeHead(308, { ...CORS, location: `${receiver.url}${req.url.slice(3)}` }).end());
    t.after(moved.close);
    const { outcome, errors } = await outcomeInPage(t, moved.url, "ob.track('u', 'Moved')");
    assert.equal(outcome.state, 'rejected');
    assert.equal(outcome.receivedCall, true);
    assert.equal(outcome.status, 200);
    assert.ok(outcome.message.startsWith(`track: POST /track was redirected to ${receiver.url}/track, which answered 200, but fetch does not say`), outcome.message);
    // What differs from Node: the browser did repeat the POST here (308), and cannot tell us so.
    assert.equal(receiver.calls().length, 1);
    assert.deepEqual(errors, []);
  });

  test('a 50 MB reply: the call resolves, and a failure quotes only its start', async (t) => {
    const huge = await corsServer((req, res) => {
      res.writeHead(req.url.endsWith('/track') ? 200 : 500, { ...CORS, 'content-type': 'application/json' });
      streamMegabytes(res, 50, 'y');
    });
    t.after(huge.close);
    const delivered = await outcomeInPage(t, huge.url, "ob.track('u', 'Huge')");
    assert.equal(delivered.outcome.state, 'resolved');
    const failed = await outcomeInPage(t, huge.url, "ob.subscribeAll('u')");
    assert.equal(failed.outcome.state, 'rejected');
    assert.match(failed.outcome.message, /^subscribeAll: the server answered 500 to POST \/subscribe\/all: y{500}…/);
    assert.ok(failed.outcome.message.length < 700);
  });

  test('a 200 whose body never ends resolves once the timeout passes, and is not sent again', async (t) => {
    let posts = 0;
    const slow = await corsServer((req, res) => {
      posts += 1;
      res.writeHead(200, { ...CORS, 'content-type': 'application/json' });
      res.write('{');
      const trickle = setInterval(() => res.write(' '), 50);
      res.on('close', () => clearInterval(trickle));
    });
    t.after(slow.close);
    // Retries on: a timeout would send the call again.
    const { outcome } = await outcomeInPage(t, slow.url,
      `new outbound('k', { baseUrl: ${JSON.stringify(slow.url)}, timeout: 1000, onError: function () {} }).track('u', 'Slow')`);
    assert.equal(outcome.state, 'resolved', outcome.message);
    assert.equal(posts, 1);
  });

  test('a refused connection: the browser does not say why, and the message says so', async (t) => {
    const { outcome } = await outcomeInPage(t, 'http://127.0.0.1:1/v2', "ob.track('u', 'x')");
    assert.equal(outcome.state, 'rejected');
    assert.equal(outcome.receivedCall, false);
    assert.equal(outcome.message, 'track: could not reach http://127.0.0.1:1/v2/track: network error, or refused by CORS (a browser does not say which)');
  });
});
