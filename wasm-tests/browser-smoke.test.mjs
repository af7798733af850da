// Browser smoke tests: dist/outbound.js loaded by a plain <script src> in Chromium, sending to the local
// receiver on ANOTHER origin (so every call needs a CORS preflight, as on a real site); the same with
// the .wasm held back, so the calls on the line after the tag are certainly made before the module is
// ready; the ES module build; a strict Content-Security-Policy.
// Needs dist/ built (bash scripts/build.sh) and Chromium at /usr/bin/chromium.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { start as startReceiver } from '../receiver/receiver.mjs';
import {
  RECENT, assertBody, closeServer, launchChromium, listen, nowSeconds, openPage, readDist, scriptTagPage,
  serveFiles, skipWithoutBrowser, watchPage,
} from './browser-helpers.mjs';

// A library that hangs (a busy loop in the wasm, a Promise never settled) must fail the run, not stall it.
// Both are generous, well over ten times what a suite and a wait take on a busy machine.
const TIMEOUT = { timeout: 120000 };
const WAIT = { timeout: 60000 };

// The test page: the script tag, then on the very next line the constructor and the calls, made before
// the WebAssembly module can have been fetched and compiled (the library must queue them). Outcomes are
// stored on window for the test to read.
function smokePage(receiverUrl) {
  return scriptTagPage('script-tag smoke', `var ob = new outbound('smoke-key', { baseUrl: ${JSON.stringify(receiverUrl)} });
function settle(promise) {
  var outcome = { state: 'pending' };
  promise.then(function (value) {
    outcome.state = 'resolved';
    outcome.value = value;
  }, function (error) {
    outcome.state = 'rejected';
    outcome.isError = error instanceof Error;
    outcome.isOutboundError = error instanceof outbound.OutboundError;
    outcome.message = error && error.message;
    outcome.receivedCall = error && error.receivedCall;
  });
  return outcome;
}
window.startedAt = Math.floor(Date.now() / 1000);
window.outcomes = {
  identify: settle(ob.identify('user-1', { firstName: 'Ada', email: 'ada@example.com', city: 'San Francisco' })),
  track: settle(ob.track('user-1', 'Signed Up', { plan: 'Pro', seats: 3 })),
  invalid: settle(ob.track('', 'x')),
  // Before the module is ready only the key can be checked synchronously; a bad option then
  // rejects each call with the TypeError the constructor would have thrown.
  badOptions: settle(new outbound('smoke-key', { timeout: -1 }).track('user-1', 'Never Sent'))
};
// outbound@1.3.0's promise methods, on a call made before the module is ready.
var earlyFlush = ob.flush();
window.oldMethods = ['success', 'error', 'otherwise', 'ensure', 'nodify'].filter(function (name) {
  return typeof earlyFlush[name] === 'function';
});
window.sameClass = outbound.Outbound === outbound;
try {
  new outbound('');
  window.emptyKey = 'no error';
} catch (error) {
  window.emptyKey = error.constructor.name + ': ' + error.message;
}`);
}

describe('dist/outbound.js by <script src>, cross-origin to the receiver', { ...TIMEOUT, skip: skipWithoutBrowser }, () => {
  let receiver;
  let pageServer;
  let pageOrigin;
  let browser;
  let page;
  let errors;

  before(async () => {
    const files = { '/dist/outbound.js': readDist('outbound.js'), '/dist/outbound.wasm': readDist('outbound.wasm') };
    receiver = await startReceiver({ port: 0 });
    // The page's own origin: the page and the library, nothing of the receiver.
    const html = smokePage(receiver.url);
    pageServer = http.createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
      } else if (req.url === '/dist/outbound.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(files[req.url]);
      } else if (req.url === '/dist/outbound.wasm') {
        res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(files[req.url]);
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      }
    });
    pageOrigin = await listen(pageServer);
    assert.notEqual(pageOrigin, receiver.origin);

    browser = await launchChromium();
    page = await browser.newPage();
    errors = watchPage(page).errors;
    await page.goto(`${pageOrigin}/`);
    await page.waitForFunction(
      () => Object.values(window.outcomes).every((outcome) => outcome.state !== 'pending'),
      null,
      WAIT,
    );
  });

  after(async () => {
    await browser?.close();
    await receiver?.close();
    if (pageServer) await closeServer(pageServer);
  });

  test('the global carries its named exports; a Promise made before the module is ready has the old library\'s methods', async () => {
    assert.equal(await page.evaluate(() => window.sameClass), true);
    assert.deepEqual(await page.evaluate(() => window.oldMethods), ['success', 'error', 'otherwise', 'ensure', 'nodify']);
  });

  test('calls made on the line after the script tag resolve', async () => {
    const outcomes = await page.evaluate(() => window.outcomes);
    assert.deepEqual(outcomes.identify, { state: 'resolved', value: undefined });
    assert.deepEqual(outcomes.track, { state: 'resolved', value: undefined });
  });

  test('before the module is ready, an empty key throws and a bad option rejects every call', async () => {
    assert.equal(await page.evaluate(() => window.emptyKey), 'TypeError: new outbound(): apiKey must be a non-empty string');
    const { state, isError, isOutboundError, message } = await page.evaluate(() => window.outcomes.badOptions);
    assert.equal(state, 'rejected');
    assert.equal(isError, true);
    assert.equal(isOutboundError, true);
    assert.equal(message, 'new outbound(): options.timeout must be a whole number from 1 to 3600000 (got a number)');
  });

  test('the receiver recorded exactly the two expected bodies, with the page origin', async () => {
    const startedAt = await page.evaluate(() => window.startedAt);
    const calls = receiver.calls();
    assert.deepEqual(calls.map((call) => call.path).sort(), ['/v2/identify', '/v2/track']);

    const identify = calls.find((call) => call.path === '/v2/identify');
    assert.deepEqual(identify.body, {
      user_id: 'user-1',
      first_name: 'Ada',
      email: 'ada@example.com',
      attributes: { city: 'San Francisco' },
    });

    const track = calls.find((call) => call.path === '/v2/track');
    const { timestamp, ...rest } = track.body;
    assert.deepEqual(rest, { user_id: 'user-1', event: 'Signed Up', properties: { plan: 'Pro', seats: 3 } });
    assert.ok(Number.isInteger(timestamp), `timestamp must be integer seconds, got ${timestamp}`);
    const now = Math.floor(Date.now() / 1000);
    assert.ok(timestamp >= startedAt - 2 && timestamp <= now + 2, `timestamp ${timestamp} is not recent (now ${now})`);

    for (const call of calls) {
      assert.equal(call.method, 'POST');
      assert.equal(call.headers.origin, pageOrigin, 'the request came cross-origin from the page');
      assert.match(call.headers['content-type'], /^application\/json/);
      assert.equal(call.headers['x-outbound-key'], '****'); // sent (the receiver masks it when recording)
      assert.match(call.headers['x-outbound-client'] ?? '', /^outbound-wasm\/\S+/);
    }
  });

  test('an invalid argument, before and after the module is ready, rejects with receivedCall false and sends nothing', async () => {
    const early = await page.evaluate(() => window.outcomes.invalid);
    assert.equal(early.state, 'rejected');
    assert.equal(early.isError, true);
    assert.equal(early.isOutboundError, true);
    assert.equal(early.receivedCall, false);
    assert.match(early.message, /user/i, `the message should name the user ID: ${early.message}`);

    const late = await page.evaluate(async () => {
      try {
        await ob.track('', 'x');
        return { state: 'resolved' };
      } catch (error) {
        return { state: 'rejected', isError: error instanceof outbound.OutboundError && error instanceof Error, receivedCall: error.receivedCall, message: error.message };
      }
    });
    assert.equal(late.state, 'rejected');
    assert.equal(late.isError, true);
    assert.equal(late.receivedCall, false, late.message);

    // A valid call after the invalid ones: once it has arrived, it must be the only new call.
    await page.evaluate(() => ob.track('user-1', 'After Invalid'));
    const events = receiver.calls().map((call) => call.body.event ?? call.path);
    assert.deepEqual(events.filter((event) => event !== '/v2/identify'), ['Signed Up', 'After Invalid']);
    assert.equal(events.length, 3);
  });

  test('no console errors and no page errors', () => {
    assert.deepEqual(errors, []);
  });
});

describe('dist/outbound.mjs, the browser export condition for bundlers, as an ES module', { ...TIMEOUT, skip: skipWithoutBrowser }, () => {
  test('import outbound from it in a module script; the .wasm is found beside it', async (t) => {
    const receiver = await startReceiver({ port: 0 });
    t.after(() => receiver.close());
    const files = {
      '/': ['text/html; charset=utf-8', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>esm</title>
<link rel="icon" href="data:,"></head><body><script type="module">
import outbound, { Outbound, OutboundError } from '/lib/outbound.mjs';
const ob = new outbound('esm-key', { baseUrl: ${JSON.stringify(receiver.url)} });
window.result = ob.track('esm-user', 'Imported', { via: 'browser condition' }).then(() => 'resolved', (e) => e.message);
window.refused = ob.track('', 'x').error((e) => [Outbound === outbound, e instanceof OutboundError, e.name, e.receivedCall]);
</script></body></html>`],
      '/lib/outbound.mjs': ['text/javascript', readDist('outbound.mjs')],
      '/lib/outbound.wasm': ['application/wasm', readDist('outbound.wasm')],
    };
    const origin = await serveFiles(t, files);
    const { page, errors } = await openPage(t);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.result !== undefined, null, WAIT);
    assert.equal(await page.evaluate(() => window.result), 'resolved');
    assert.deepEqual(await page.evaluate(() => window.refused), [true, true, 'OutboundError', false]);
    assert.equal(await page.evaluate(() => typeof window.outbound), 'undefined', 'the module installs no global');
    const [call] = receiver.calls();
    assert.deepEqual(call.body.properties, { via: 'browser condition' });
    assert.equal(call.headers.origin, origin);
    assert.deepEqual(errors, []);
  });
});

describe('a page with a strict Content-Security-Policy', { ...TIMEOUT, skip: skipWithoutBrowser }, () => {
  // No 'unsafe-eval' and no inline script: the library needs only to compile its WebAssembly.
  const CSP = "script-src 'self' 'wasm-unsafe-eval'";

  test(`works under ${CSP}, with no violation reported`, async (t) => {
    const receiver = await startReceiver({ port: 0 });
    t.after(() => receiver.close());
    const app = `document.addEventListener('securitypolicyviolation', function (e) { window.violations.push(e.violatedDirective + ' ' + e.blockedURI); });
var ob = new outbound('csp-key', { baseUrl: ${JSON.stringify(receiver.url)} });
window.result = ob.track('csp-user', 'Strict Page', { csp: true }).then(function () { return 'resolved'; }, function (e) { return e.message; });`;
    const files = {
      '/': ['text/html; charset=utf-8', `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>csp</title>
<link rel="icon" href="data:,"><script src="/violations.js"></script></head><body>
<script src="/dist/outbound.js"></script><script src="/app.js"></script></body></html>`],
      '/violations.js': ['text/javascript', 'window.violations = [];'],
      '/app.js': ['text/javascript', app],
      '/dist/outbound.js': ['text/javascript', readDist('outbound.js')],
      '/dist/outbound.wasm': ['application/wasm', readDist('outbound.wasm')],
    };
    const origin = await serveFiles(t, files, { 'Content-Security-Policy': CSP });
    const { page, errors } = await openPage(t);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.result !== undefined, null, WAIT);
    assert.equal(await page.evaluate(() => window.result), 'resolved');
    assert.deepEqual(await page.evaluate(() => window.violations), []);
    assert.deepEqual(errors, []);
    assert.deepEqual(receiver.calls().map((call) => call.body.event), ['Strict Page']);
  });

  test('the same page without wasm-unsafe-eval fails visibly (the test can fail)', async (t) => {
    const files = {
      '/': ['text/html', '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script src="/dist/outbound.js"></script><script src="/app.js"></script></body></html>'],
      '/app.js': ['text/javascript', "window.result = new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' }).track('u', 'e').then(function () { return 'resolved'; }, function (e) { return 'rejected: ' + e.message; });"],
      '/dist/outbound.js': ['text/javascript', readDist('outbound.js')],
      '/dist/outbound.wasm': ['application/wasm', readDist('outbound.wasm')],
    };
    const origin = await serveFiles(t, files, { 'Content-Security-Policy': "script-src 'self'" });
    const { page } = await openPage(t);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.result !== undefined, null, WAIT);
    assert.match(await page.evaluate(() => window.result), /^rejected: the WebAssembly module could not be loaded: http:.*\/dist\/outbound.wasm: .*'unsafe-eval'/);
  });
});

function contractPage(receiverUrl) {
  return scriptTagPage('script-tag contract', `var ob = new outbound('contract-key', { baseUrl: ${JSON.stringify(receiverUrl)} });
window.settled = {};
function note(name, promise) {
  promise.then(function (value) {
    window.settled[name] = { state: 'resolved', valueIsUndefined: value === undefined };
  }, function (error) {
    window.settled[name] = { state: 'rejected', isError: error instanceof Error, receivedCall: error.receivedCall,
      status: error.status, message: error.message };
  });
  return promise;
}
note('identify', ob.identify('user-1', { firstName: 'Ada', city: 'San Francisco' }));
note('signedUp', ob.track('user-1', 'Signed Up', { plan: 'Pro' }, 1700000000));
var invalid = note('invalid', ob.track('', 'Never Sent'));
note('uploaded', ob.track(1, 'Uploaded Picture'));
window.contract = { isClass: typeof outbound === 'function', instance: ob instanceof outbound, returnsPromise: invalid instanceof Promise };`);
}

describe('a minimal page: <script src> then `new outbound(...)` on the next line, module held back', { ...TIMEOUT, skip: skipWithoutBrowser }, () => {
  let receiver;
  let server;
  let browser;
  let release;
  let wasmRequested; // resolves once the page has asked for the .wasm

  before(async () => {
    receiver = await startReceiver({ port: 0 });
    const html = contractPage(receiver.url);
    const script = readDist('outbound.js');
    const wasm = readDist('outbound.wasm');
    const released = new Promise((resolve) => { release = resolve; });
    let markRequested;
    wasmRequested = new Promise((resolve) => { markRequested = resolve; });
    server = http.createServer((req, res) => {
      if (req.url === '/') {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
      } else if (req.url === '/dist/outbound.js') {
        res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
      } else if (req.url === '/dist/outbound.wasm') {
        markRequested();
        released.then(() => res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(wasm));
      } else {
        res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
      }
    });
    server.origin = await listen(server);
    browser = await launchChromium();
  });

  after(async () => {
    release?.();
    await browser?.close();
    await receiver?.close();
    if (server) await closeServer(server);
  });

  test('calls made before the module is ready are kept and arrive with the exact bodies', TIMEOUT, async () => {
    const page = await browser.newPage();
    const pageSeen = watchPage(page);
    const since = nowSeconds();
    await page.goto(`${server.origin}/`, { waitUntil: 'domcontentloaded' });
    await wasmRequested;

    // The module cannot be ready: its .wasm has not been served. Every call is pending, nothing sent.
    assert.deepEqual(await page.evaluate(() => window.contract), { isClass: true, instance: true, returnsPromise: true });
    await page.waitForTimeout(200);
    assert.deepEqual(await page.evaluate(() => window.settled), {});
    assert.deepEqual(receiver.calls(), []);

    release();
    await page.waitForFunction(() => Object.keys(window.settled).length === 4, null, WAIT);
    const settled = await page.evaluate(() => window.settled);
    assert.deepEqual(settled.identify, { state: 'resolved', valueIsUndefined: true });
    assert.deepEqual(settled.signedUp, { state: 'resolved', valueIsUndefined: true });
    assert.deepEqual(settled.uploaded, { state: 'resolved', valueIsUndefined: true });
    assert.deepEqual(settled.invalid, { state: 'rejected', isError: true, receivedCall: false, status: undefined,
      message: 'track: userId must be a non-empty string or a finite number (got an empty string)' });

    // Each call is its own request, sent as soon as the module is ready: they arrive in whatever order
    // the connections deliver them, so they are matched by path and event, not by position.
    const calls = receiver.calls();
    assert.equal(calls.length, 3, JSON.stringify(calls));
    const find = (path, event) => calls.find((call) => call.path === path && call.body.event === event)?.body;
    assert.deepEqual(find('/v2/identify', undefined), { user_id: 'user-1', first_name: 'Ada', attributes: { city: 'San Francisco' } });
    assert.deepEqual(find('/v2/track', 'Signed Up'), { user_id: 'user-1', event: 'Signed Up', properties: { plan: 'Pro' }, timestamp: 1700000000 });
    assertBody(find('/v2/track', 'Uploaded Picture'), { user_id: '1', event: 'Uploaded Picture', properties: {}, timestamp: RECENT }, since);
    for (const call of calls) {
      assert.equal(call.headers.origin, server.origin, 'sent cross-origin from the page');
      assert.equal(call.headers['x-outbound-key'], '****');
      assert.match(call.headers['x-outbound-client'], /^outbound-wasm\/\S+$/);
    }
    assert.deepEqual(pageSeen.errors, []);
    await page.close();
  });
});

describe('how the page fetches dist/outbound.wasm', { ...TIMEOUT, skip: skipWithoutBrowser }, () => {
  /**
   * Serves a page that loads dist/outbound.js (with `head` in its <head>) and tracks one event, the
   * .wasm as `wasmType`; resolves with the call's outcome, how many times the .wasm was asked for and
   * the page's errors.
   */
  async function loadPage(t, { head = '', wasmType = 'application/wasm' } = {}) {
    const receiver = await startReceiver({ port: 0 });
    t.after(() => receiver.close());
    const script = readDist('outbound.js');
    const wasm = readDist('outbound.wasm');
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>wasm fetch</title>
<link rel="icon" href="data:,">${head}</head><body><script src="/dist/outbound.js"></script><script>
window.result = new outbound('fetch-key', { baseUrl: ${JSON.stringify(receiver.url)} }).track('u', 'Loaded')
  .then(function () { return 'resolved'; }, function (e) { return 'rejected: ' + e.message; });
</script></body></html>`;
    const wasmRequests = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/') res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(html);
      else if (req.url === '/dist/outbound.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(script);
      else if (req.url === '/dist/outbound.wasm') {
        wasmRequests.push(req.method);
        res.writeHead(200, { 'Content-Type': wasmType }).end(wasm);
      } else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    });
    const origin = await listen(server);
    t.after(() => closeServer(server));
    const { page, errors } = await openPage(t);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.result !== undefined, null, WAIT);
    const result = await page.evaluate(() => window.result);
    assert.deepEqual(receiver.calls().map((call) => call.body.event), ['Loaded']);
    return { result, wasmRequests, errors };
  }

  test('the .wasm is requested once', async (t) => {
    const { result, wasmRequests, errors } = await loadPage(t);
    assert.equal(result, 'resolved');
    assert.deepEqual(wasmRequests, ['GET']);
    assert.deepEqual(errors, []);
  });

  test('a page that preloads it (README, "In a page") still requests it once: the library takes the preloaded reply', async (t) => {
    const { result, wasmRequests, errors } = await loadPage(t, {
      head: '<link rel="preload" href="/dist/outbound.wasm" as="fetch" crossorigin>',
    });
    assert.equal(result, 'resolved');
    assert.deepEqual(wasmRequests, ['GET']);
    assert.deepEqual(errors, []);
  });

  test('a call made after the .wasm failed to load rejects at once, as do calls made before', async (t) => {
    const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>missing wasm</title>
<link rel="icon" href="data:,"></head><body><script src="/dist/outbound.js"></script><script>
window.early = new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' }).track('u', 'Early')
  .then(function () { return 'resolved'; }, function (e) { return 'rejected: ' + e.message; });
</script></body></html>`;
    const origin = await serveFiles(t, {
      '/': ['text/html; charset=utf-8', html],
      '/dist/outbound.js': ['text/javascript', readDist('outbound.js')],
    });
    const { page } = await openPage(t);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.early instanceof Promise, null, WAIT);
    const early = await page.evaluate(() => window.early);
    assert.equal(early, `rejected: the WebAssembly module could not be loaded: ${origin}/dist/outbound.wasm: HTTP 404 (is outbound.wasm served there?)`);
    // The module has failed for good; a client made now must not wait for it.
    const late = await page.evaluate(() => new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' }).track('u', 'Late')
      .then(() => 'resolved', (e) => 'rejected: ' + e.message));
    assert.equal(late, early);
  });

  test('served without Content-Type application/wasm, it still loads, from one request', async (t) => {
    const { result, wasmRequests, errors } = await loadPage(t, { wasmType: 'application/octet-stream' });
    assert.equal(result, 'resolved');
    assert.deepEqual(wasmRequests, ['GET']);
    assert.deepEqual(errors, []);
  });
});
