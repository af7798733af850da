// When the .wasm cannot be had, every call settles: a call made while the module is still loading
// rejects once the load fails, with an error that names the URL tried and what would fix it, and so
// does a call made afterwards. For the script-tag file (dist/outbound.js) and the ES module
// (dist/outbound.mjs, here with neither the .wasm nor its inlined copy beside it), in a page, a
// dedicated worker and a service worker. The server holds the .wasm request until the code has
// made its call, then answers 404.
// Needs dist/ built (bash scripts/build.sh) and Chromium at /usr/bin/chromium.

import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, test } from 'node:test';
import { closeServer, listen, openPage, readDist, skipWithoutBrowser } from './browser-helpers.mjs';

// A hang (a call that never settles) must fail the run, not stall it.
const TIMEOUT = { timeout: 120000 };
const WAIT = { timeout: 60000 };

// What runs in each place: makes a client and a call at once (before the module can be ready),
// says so, then reports how the call settled and how a call made after that settled.
const CALLS = `var ob = new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' });
var early = ob.track('u', 'Early');
tell({ called: true });
function outcome(promise) {
  return promise.then(function () { return 'resolved'; }, function (error) { return 'rejected: ' + error.message; });
}
var settled = outcome(early).then(function (first) {
  return outcome(new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' }).track('u', 'Late')).then(function (later) {
    tell({ early: first, late: later });
  });
});
`;

const loaders = {
  'the script-tag file': { load: "importScripts('/dist/outbound.js');", module: false },
  'the ES module': { load: "import outbound from '/dist/outbound.mjs';", module: true },
};

// Each place's page; `tell` reaches the test through window.told.
const places = {
  page: ({ load, module }) => ({
    '/': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>page</title><link rel="icon" href="data:,"></head><body>
<script>window.told = []; function tell(message) { window.told.push(message); }</script>
${module ? `<script type="module">${load}\n${CALLS}</script>` : `<script src="/dist/outbound.js"></script><script>${CALLS}</script>`}
</body></html>`,
  }),
  'dedicated worker': ({ load, module }) => ({
    '/': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>worker</title><link rel="icon" href="data:,"></head><body><script>
window.told = [];
new Worker('/dist/worker.js'${module ? ", { type: 'module' }" : ''}).onmessage = function (event) { window.told.push(event.data); };
</script></body></html>`,
    '/dist/worker.js': `${load}\nfunction tell(message) { postMessage(message); }\n${CALLS}`,
  }),
  'service worker': ({ load, module }) => ({
    '/': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>service worker</title><link rel="icon" href="data:,"></head><body><script>
window.told = [];
navigator.serviceWorker.onmessage = function (event) { window.told.push(event.data); };
navigator.serviceWorker.register('/sw.js'${module ? ", { type: 'module' }" : ''});
</script></body></html>`,
    // Its calls settle while it installs; it tells every page it may reach.
    '/sw.js': `${load}
function tell(message) {
  self.clients.matchAll({ includeUncontrolled: true }).then(function (pages) {
    pages.forEach(function (page) { page.postMessage(message); });
  });
}
${CALLS}
self.addEventListener('install', function (event) { event.waitUntil(settled); });
`,
  }),
};

/**
 * Serves `pages`, dist/outbound.js and dist/outbound.mjs (but neither outbound.wasm nor
 * outbound-wasm-inline.mjs: 404). The .wasm's 404 waits for release(); `wasmAsked` resolves once it
 * has been asked for.
 */
async function serve(t, pages) {
  const files = {
    ...pages,
    '/dist/outbound.js': readDist('outbound.js'),
    '/dist/outbound.mjs': readDist('outbound.mjs'),
  };
  let release;
  const released = new Promise((resolve) => { release = resolve; });
  let asked;
  const wasmAsked = new Promise((resolve) => { asked = resolve; });
  const server = http.createServer((req, res) => {
    const body = files[req.url];
    if (req.url.endsWith('.wasm')) {
      asked(req.url);
      released.then(() => res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found'));
    } else if (body === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('Not found');
    } else {
      res.writeHead(200, { 'Content-Type': req.url === '/' ? 'text/html; charset=utf-8' : 'text/javascript' }).end(body);
    }
  });
  const origin = await listen(server);
  t.after(() => { release(); return closeServer(server); });
  return { origin, release, wasmAsked };
}

describe('a .wasm that cannot be loaded: every call settles, and says where it looked', { skip: skipWithoutBrowser }, () => {
  for (const [loaderName, loader] of Object.entries(loaders)) {
    for (const [placeName, place] of Object.entries(places)) {
      test(`${loaderName}, in a ${placeName}`, TIMEOUT, async (t) => {
        const { origin, release, wasmAsked } = await serve(t, place(loader));
        const { page } = await openPage(t);
        await page.goto(`${origin}/`);
        // The call is made, and the .wasm asked for, before the server answers it.
        await page.waitForFunction(() => window.told.some((message) => message.called), null, WAIT);
        const wasmUrl = `${origin}${await wasmAsked}`;
        release();
        await page.waitForFunction(() => window.told.some((message) => message.early), null, WAIT);
        const { early, late } = (await page.evaluate(() => window.told)).find((message) => message.early);

        const why = `${wasmUrl}: HTTP 404 (is outbound.wasm served there?)`;
        if (loader.module) {
          // The inlined copy was tried too; in a service worker, import() itself is refused.
          assert.ok(early.startsWith(`rejected: the WebAssembly module could not be loaded: ${why}, and the copy inlined in outbound-wasm-inline.mjs failed too: `), early);
        } else {
          assert.equal(early, `rejected: the WebAssembly module could not be loaded: ${why}`);
        }
        assert.equal(late, early, 'a call made after the failure rejects the same way, at once');
      });
    }
  }
});

describe('a loader that fails at once (here: a page without TextEncoder, as jsdom is)', { skip: skipWithoutBrowser }, () => {
  test('every client, the first and a later one, rejects its calls: none waits for a load that is over', TIMEOUT, async (t) => {
    const { origin, release } = await serve(t, {
      '/': `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>no TextEncoder</title><link rel="icon" href="data:,"></head><body>
<script>delete window.TextEncoder;</script>
<script type="module">
import outbound from '/dist/outbound.mjs';
function outcome(make) {
  try {
    return make().then(function () { return 'resolved'; }, function (error) { return 'rejected: ' + error.message; });
  } catch (error) {
    return Promise.resolve('threw: ' + error.message);
  }
}
const first = await outcome(() => new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' }).track('u', 'First'));
const later = await outcome(() => new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' }).track('u', 'Later'));
window.told = { first, later };
</script></body></html>`,
    });
    release();
    const { page } = await openPage(t);
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => window.told, null, WAIT);
    const { first, later } = await page.evaluate(() => window.told);
    assert.match(first, /^rejected: the WebAssembly module could not be loaded: .*TextEncoder/);
    assert.equal(later, first);
  });
});
