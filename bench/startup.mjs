// 4. Start-up in headless Chromium: milliseconds from the script tag to the first request on the wire.
//
// A page served from origin A (a node:http server here) records `performance.now()` and
// `performance.mark('tag')` in its first script, then loads the library with a plain
// `<script src>` and, on the next line, constructs a client and calls `track` against the receiver
// on origin B (receiver/receiver.mjs's handler inside a server here that stamps each request's
// arrival with performance.timeOrigin + performance.now(), so page and server times compare on the
// wall clock). Three figures, each relative to the tag:
//   - request started: the Resource Timing entry of the POST /v2/track (its startTime: when the
//     library handed the request to the browser, before the CORS preflight);
//   - POST on the wire: when the receiver saw the POST (after the preflight);
//   - resolved: when the track Promise resolved in the page.
// The preflight (OPTIONS) arrival is recorded too, and where the time before the request went, from
// Resource Timing: the script downloaded (responseEnd of dist/outbound.js), the .wasm requested
// (startTime of dist/outbound.wasm: when the script asked for it, or the page's preload did) and
// downloaded (its responseEnd; compiling overlaps the download).
// Median of 20 loads (the machine these figures come from is shared and loaded: 10 left the medians
// of two runs 20 ms apart). Cold: a fresh browser context for each load (empty HTTP cache, empty
// localStorage). Preloaded: cold, on a page whose <head> has what README.md ("In a page") says a page
// can add: `<link rel="preload" href=".../outbound.wasm" as="fetch" crossorigin>`. Warm: one context,
// a priming load, then as many loads served from the HTTP cache (files are sent with
// Cache-Control: max-age=3600).
// The floor, cold: the same page shape with nothing of ours: a script of a few hundred bytes that
// fetches and instantiates an empty WebAssembly module (8 bytes), then POSTs the same body with the
// same headers (so the same CORS preflight) and reads the reply. What this machine and browser take
// for those steps alone.
// outbound@1.3.0 is loaded the same way; as shipped it calls require() at its top, so in a page it
// throws before defining anything: that is reported, and it is skipped.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { ROOT, log, median, runIfMain } from './lib.mjs';

const LOADS = 20;
const LOAD_TIMEOUT_MS = 20_000;
const CHROMIUM = '/usr/bin/chromium';

const MIME = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

const now = () => performance.timeOrigin + performance.now();

function pageHtml(scriptUrl, callCode, head = '') {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>start-up</title>${head}
<script>window.__tag = performance.now(); window.__tagWall = performance.timeOrigin + window.__tag; performance.mark('tag');
window.__errors = []; addEventListener('error', function (e) { window.__errors.push(String(e.message)); });</script>
<script src="${scriptUrl}"></script>
<script>try { ${callCode} } catch (e) { window.__errors.push(String(e && e.message || e)); window.__failed = true; console.log('startup-done'); }</script>
</head><body></body></html>`;
}

const OURS_CALL = (receiverUrl) => `var ob = new outbound('bench-key', { baseUrl: ${JSON.stringify(receiverUrl)} });
ob.track('user-1', 'Signed Up', { plan: 'pro', referrer: { source: 'ad' } }).then(
  function () { window.__resolved = performance.now(); console.log('startup-done'); },
  function (e) { window.__errors.push('track rejected: ' + e.message); window.__failed = true; console.log('startup-done'); });`;
// The floor: fetch and instantiate a WebAssembly module, then POST, with nothing else.
const FLOOR_SCRIPT = `function floorTrack(url) {
  return fetch('/floor/empty.wasm').then(function (r) { return WebAssembly.instantiateStreaming(r, {}); })
    .then(function () {
      return fetch(url + '/track', { method: 'POST', headers: { 'Content-Type': 'application/json',
        'X-Outbound-Key': 'bench-key', 'X-Outbound-Client': 'floor' },
        body: JSON.stringify({ user_id: 'user-1', event: 'Signed Up', properties: { plan: 'pro', referrer: { source: 'ad' } } }) });
    }).then(function (r) { return r.text().then(function () { if (!r.ok) throw new Error('HTTP ' + r.status); }); });
}`;
const EMPTY_WASM = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const FLOOR_CALL = (receiverUrl) => `floorTrack(${JSON.stringify(receiverUrl)}).then(
  function () { window.__resolved = performance.now(); console.log('startup-done'); },
  function (e) { window.__errors.push('floor rejected: ' + e.message); window.__failed = true; console.log('startup-done'); });`;
const PRELOAD = '\n<link rel="preload" href="/dist/outbound.wasm" as="fetch" crossorigin>';

const OLD_CALL = `var ob = new Outbound('bench-key');
ob.track('user-1', 'Signed Up', { plan: 'pro', referrer: { source: 'ad' } }).then(
  function () { window.__resolved = performance.now(); console.log('startup-done'); },
  function (e) { window.__errors.push('track rejected: ' + JSON.stringify(e)); window.__failed = true; console.log('startup-done'); });`;

export async function measure() {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium is not installed at ${CHROMIUM}` };
  const { closeServer, launchChromium, listen } = await import('../wasm-tests/browser-helpers.mjs');
  const { createReceiver } = await import('../receiver/receiver.mjs');

  // Origin B: the receiver, with arrival stamps.
  const receiver = createReceiver({ maxRecorded: 10_000 });
  let arrivals = [];
  const receiverServer = http.createServer((req, res) => {
    if (req.url.startsWith('/v2/')) arrivals.push({ method: req.method, path: req.url, at: now() });
    if (!receiver.handle(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  const receiverOrigin = await listen(receiverServer);
  const receiverUrl = `${receiverOrigin}/v2`;

  // Origin A: the pages and the files they load.
  const files = {
    '/dist/outbound.js': readFileSync(path.join(ROOT, 'dist/outbound.js')),
    '/dist/outbound.wasm': readFileSync(path.join(ROOT, 'dist/outbound.wasm')),
    '/old/outbound.js': readFileSync(path.join(ROOT, 'node_modules/outbound/outbound.js')),
    '/floor/floor.js': Buffer.from(FLOOR_SCRIPT),
    '/floor/empty.wasm': EMPTY_WASM,
  };
  const pages = {
    '/ours.html': pageHtml('/dist/outbound.js', OURS_CALL(receiverUrl)),
    '/ours-preloaded.html': pageHtml('/dist/outbound.js', OURS_CALL(receiverUrl), PRELOAD),
    '/floor.html': pageHtml('/floor/floor.js', FLOOR_CALL(receiverUrl)),
    '/old.html': pageHtml('/old/outbound.js', OLD_CALL),
  };
  const pageServer = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (pages[url.pathname]) {
      res.writeHead(200, { 'Content-Type': MIME['.html'], 'Cache-Control': 'no-store' });
      res.end(pages[url.pathname]);
    } else if (files[url.pathname]) {
      res.writeHead(200, { 'Content-Type': MIME[path.extname(url.pathname)], 'Cache-Control': 'max-age=3600' });
      res.end(files[url.pathname]);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const pageOrigin = await listen(pageServer);

  const loadBefore = os.loadavg();
  const browser = await launchChromium();
  const chromiumVersion = browser.version();

  async function load(context, pagePath) {
    arrivals = [];
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // The page says when it is done on its console: nothing of Playwright runs in the page until
    // then (waiting with page.waitForFunction would evaluate Playwright's own script in the page
    // while the library starts, and delay the track Promise by tens of milliseconds).
    const done = page.waitForEvent('console', { predicate: (message) => message.text() === 'startup-done', timeout: LOAD_TIMEOUT_MS });
    await page.goto(`${pageOrigin}${pagePath}`, { waitUntil: 'commit' });
    const outcome = await done.then(() => 'settled', () => 'timeout');
    const seen = await page.evaluate(() => {
      const resource = (pattern) => performance.getEntriesByType('resource').find((e) => pattern.test(e.name));
      const entry = resource(/\/v2\/track$/);
      const script = resource(/\/(outbound|floor)\.js$/);
      const wasm = resource(/\.wasm$/);
      return {
        scriptDownloaded: script ? script.responseEnd : null,
        wasmRequested: wasm ? wasm.startTime : null,
        wasmDownloaded: wasm ? wasm.responseEnd : null,
        tag: window.__tag,
        tagWall: window.__tagWall,
        resolved: window.__resolved,
        failed: !!window.__failed,
        errors: window.__errors,
        requestStart: entry ? entry.startTime : null,
        responseEnd: entry ? entry.responseEnd : null,
      };
    });
    await page.close();
    const post = arrivals.find((a) => a.method === 'POST' && a.path === '/v2/track');
    const preflight = arrivals.find((a) => a.method === 'OPTIONS' && a.path === '/v2/track');
    const errors = [...new Set([...pageErrors, ...seen.errors])];
    if (outcome !== 'settled' || seen.failed || !post) {
      return { ok: false, outcome, errors };
    }
    const sinceTag = (at) => (at === null ? null : at - seen.tag);
    return {
      ok: true,
      scriptDownloadedMs: sinceTag(seen.scriptDownloaded),
      wasmRequestedMs: sinceTag(seen.wasmRequested),
      wasmDownloadedMs: sinceTag(seen.wasmDownloaded),
      requestStartMs: sinceTag(seen.requestStart),
      preflightOnWireMs: preflight ? preflight.at - seen.tagWall : null,
      postOnWireMs: post.at - seen.tagWall,
      resolvedMs: seen.resolved - seen.tag,
    };
  }

  function summarise(samples) {
    const ok = samples.filter((s) => s.ok);
    if (ok.length === 0) return { ok: false, errors: samples[0] ? samples[0].errors : [], outcome: samples[0] && samples[0].outcome };
    const pick = (key) => {
      const values = ok.map((s) => s[key]).filter((v) => v !== null);
      return values.length ? median(values) : null;
    };
    return {
      ok: true,
      loads: ok.length,
      failedLoads: samples.length - ok.length,
      scriptDownloadedMs: pick('scriptDownloadedMs'),
      wasmRequestedMs: pick('wasmRequestedMs'),
      wasmDownloadedMs: pick('wasmDownloadedMs'),
      requestStartMs: pick('requestStartMs'),
      preflightOnWireMs: pick('preflightOnWireMs'),
      postOnWireMs: pick('postOnWireMs'),
      resolvedMs: pick('resolvedMs'),
      postOnWireSamples: ok.map((s) => s.postOnWireMs),
    };
  }

  async function cold(pagePath, loads) {
    const samples = [];
    for (let i = 0; i < loads; i++) {
      const context = await browser.newContext();
      samples.push(await load(context, pagePath));
      await context.close();
    }
    return samples;
  }

  async function warm(pagePath, loads) {
    const context = await browser.newContext();
    await load(context, pagePath); // priming load: fills the HTTP cache
    const samples = [];
    for (let i = 0; i < loads; i++) samples.push(await load(context, pagePath));
    await context.close();
    return samples;
  }

  let result;
  try {
    await cold('/ours.html', 1); // first-launch effects of the browser process itself, discarded
    // The cold pages in turn, load by load, so that a change in the machine's load falls on each alike.
    const coldPages = ['/ours.html', '/ours-preloaded.html', '/floor.html'];
    const coldSamples = Object.fromEntries(coldPages.map((page) => [page, []]));
    for (let i = 0; i < LOADS; i++) {
      for (const page of coldPages) coldSamples[page].push(...(await cold(page, 1)));
    }
    const oursCold = summarise(coldSamples['/ours.html']);
    const oursPreloaded = summarise(coldSamples['/ours-preloaded.html']);
    const floorCold = summarise(coldSamples['/floor.html']);
    const oursWarm = summarise(await warm('/ours.html', LOADS));
    const oldProbe = await cold('/old.html', 1);
    const oldCold = oldProbe[0].ok ? summarise([...oldProbe, ...(await cold('/old.html', LOADS - 1))]) : summarise(oldProbe);
    log(`startup: ours cold POST on the wire ${oursCold.postOnWireMs?.toFixed(1)} ms, preloaded ${oursPreloaded.postOnWireMs?.toFixed(1)} ms, warm ${oursWarm.postOnWireMs?.toFixed(1)} ms; floor ${floorCold.postOnWireMs?.toFixed(1)} ms; old: ${oldCold.ok ? `${oldCold.postOnWireMs.toFixed(1)} ms` : `cannot run (${oldCold.errors.join('; ')})`}`);
    result = {
      chromiumVersion, loads: LOADS, loadAverage: { before: loadBefore, after: os.loadavg() },
      ours: { cold: oursCold, preloaded: oursPreloaded, warm: oursWarm }, floor: { cold: floorCold }, old: { cold: oldCold },
    };
  } finally {
    await browser.close();
    await closeServer(pageServer);
    receiver.endStreams();
    await closeServer(receiverServer);
  }
  return result;
}

await runIfMain(import.meta.url, measure);
