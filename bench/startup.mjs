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
// The preflight (OPTIONS) arrival is recorded too. Median of 10 loads. Cold: a fresh browser context
// for each load (empty HTTP cache, empty localStorage). Warm: one context, a priming load, then 10
// loads served from the HTTP cache (files are sent with Cache-Control: max-age=3600).
// outbound@1.3.0 is loaded the same way; as shipped it calls require() at its top, so in a page it
// throws before defining anything: that is reported, and it is skipped.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ROOT, log, median, runIfMain } from './lib.mjs';

const LOADS = 10;
const LOAD_TIMEOUT_MS = 20_000;
const CHROMIUM = '/usr/bin/chromium';

const MIME = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm', '.html': 'text/html; charset=utf-8' };

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${server.address().port}`));
  });
}

function closeServer(server) {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

const now = () => performance.timeOrigin + performance.now();

function pageHtml(scriptUrl, callCode) {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>start-up</title>
<script>window.__tag = performance.now(); window.__tagWall = performance.timeOrigin + window.__tag; performance.mark('tag');
window.__errors = []; addEventListener('error', function (e) { window.__errors.push(String(e.message)); });</script>
<script src="${scriptUrl}"></script>
<script>try { ${callCode} } catch (e) { window.__errors.push(String(e && e.message || e)); window.__failed = true; }</script>
</head><body></body></html>`;
}

const OURS_CALL = (receiverUrl) => `var ob = new outbound('bench-key', { baseUrl: ${JSON.stringify(receiverUrl)} });
ob.track('user-1', 'Signed Up', { plan: 'pro', referrer: { source: 'ad' } }).then(
  function () { window.__resolved = performance.now(); },
  function (e) { window.__errors.push('track rejected: ' + e.message); window.__failed = true; });`;
const OLD_CALL = `var ob = new Outbound('bench-key');
ob.track('user-1', 'Signed Up', { plan: 'pro', referrer: { source: 'ad' } }).then(
  function () { window.__resolved = performance.now(); },
  function (e) { window.__errors.push('track rejected: ' + JSON.stringify(e)); window.__failed = true; });`;

export async function measure() {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium is not installed at ${CHROMIUM}` };
  const { launchChromium } = await import('../wasm-tests/browser-helpers.mjs');
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
    '/dist/outbound.js': path.join(ROOT, 'dist/outbound.js'),
    '/dist/outbound.wasm': path.join(ROOT, 'dist/outbound.wasm'),
    '/old/outbound.js': path.join(ROOT, 'node_modules/outbound/outbound.js'),
  };
  const pages = {
    '/ours.html': pageHtml('/dist/outbound.js', OURS_CALL(receiverUrl)),
    '/old.html': pageHtml('/old/outbound.js', OLD_CALL),
  };
  const pageServer = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (pages[url.pathname]) {
      res.writeHead(200, { 'Content-Type': MIME['.html'], 'Cache-Control': 'no-store' });
      res.end(pages[url.pathname]);
    } else if (files[url.pathname]) {
      res.writeHead(200, { 'Content-Type': MIME[path.extname(url.pathname)], 'Cache-Control': 'max-age=3600' });
      res.end(readFileSync(files[url.pathname]));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  const pageOrigin = await listen(pageServer);

  const browser = await launchChromium();
  const chromiumVersion = browser.version();

  async function load(context, pagePath) {
    arrivals = [];
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${pageOrigin}${pagePath}`);
    const outcome = await page.waitForFunction(() => window.__resolved !== undefined || window.__failed,
      null, { timeout: LOAD_TIMEOUT_MS }).then(() => 'settled', () => 'timeout');
    const seen = await page.evaluate(() => {
      const entry = performance.getEntriesByType('resource').find((e) => /\/v2\/track$/.test(e.name));
      return {
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
    return {
      ok: true,
      requestStartMs: seen.requestStart - seen.tag,
      preflightOnWireMs: preflight ? preflight.at - seen.tagWall : null,
      postOnWireMs: post.at - seen.tagWall,
      resolvedMs: seen.resolved - seen.tag,
    };
  }

  function summarise(samples) {
    const ok = samples.filter((s) => s.ok);
    if (ok.length === 0) return { ok: false, errors: samples[0] ? samples[0].errors : [], outcome: samples[0] && samples[0].outcome };
    const pick = (key) => median(ok.map((s) => s[key]).filter((v) => v !== null));
    return {
      ok: true,
      loads: ok.length,
      failedLoads: samples.length - ok.length,
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
    const oursCold = summarise(await cold('/ours.html', LOADS));
    const oursWarm = summarise(await warm('/ours.html', LOADS));
    const oldProbe = await cold('/old.html', 1);
    const oldCold = oldProbe[0].ok ? summarise([...oldProbe, ...(await cold('/old.html', LOADS - 1))]) : summarise(oldProbe);
    log(`startup: ours cold POST on the wire ${oursCold.postOnWireMs?.toFixed(1)} ms, warm ${oursWarm.postOnWireMs?.toFixed(1)} ms; old: ${oldCold.ok ? `${oldCold.postOnWireMs.toFixed(1)} ms` : `cannot run (${oldCold.errors.join('; ')})`}`);
    result = { chromiumVersion, loads: LOADS, ours: { cold: oursCold, warm: oursWarm }, old: { cold: oldCold } };
  } finally {
    await browser.close();
    await closeServer(pageServer);
    receiver.endStreams();
    await closeServer(receiverServer);
  }
  return result;
}

await runIfMain(import.meta.url, measure);
