// The durable queue in Chromium (docs/delivery.md): calls not yet delivered survive a reload
// in the middle of delivery on a bad network; two tabs never send the same stored call twice;
// offline holds delivery and `online` resumes it; blocked storage falls back to memory.
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { start as startReceiver } from '../receiver/receiver.mjs';
import {
  closeServer, launchChromium, listen, readDist, scriptTagPage, skipWithoutBrowser, watchPage,
} from './browser-helpers.mjs';

const KEY = 'durable-test-key-7Hq2';
// A hang must fail the run, not stall it: generous, over ten times what a test and the whole suite
// take on a busy machine.
const TIMEOUT = { timeout: 90000 };
const SUITE_TIMEOUT = { timeout: 600000 };

let receiver;
let pageServer;
let origin;
let browser;

// The page a user would write: the script tag, the client on the next line, and a helper the test
// calls to make numbered track calls. A hung request is given up after 5 s, well beyond what a
// healthy one takes on a busy machine (a healthy request given up after the receiver recorded it
// would be sent twice).
function page(receiverUrl) {
  // The URL's fragment may give the timeout instead.
  return scriptTagPage('durable', `var ob = new outbound(${JSON.stringify(KEY)}, { baseUrl: ${JSON.stringify(receiverUrl)}, retries: 10, timeout: Number(location.hash.slice(1)) || 5000 });
window.failures = [];
window.trackRange = function (from, to) {
  for (var n = from; n < to; n++) {
    ob.track('user-' + (n % 5), 'Durable', { n: n }).catch(function (error) { window.failures.push(error.message); });
  }
};`);
}

before(async () => {
  receiver = await startReceiver({ maxRecorded: 100000 });
  const html = page(receiver.url);
  const files = { '/dist/outbound.js': readDist('outbound.js'), '/dist/outbound.wasm': readDist('outbound.wasm') };
  pageServer = http.createServer((req, res) => {
    if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(html);
    const file = files[req.url];
    if (!file) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': req.url.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' }).end(file);
  });
  origin = await listen(pageServer);
  if (!skipWithoutBrowser) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await receiver.close();
  await closeServer(pageServer);
});

/** A fresh page (its own tab) in `context`, with the library loaded and ready. */
async function openPage(context, fragment = '') {
  const tab = await context.newPage();
  const seen = watchPage(tab);
  await tab.goto(`${origin}/${fragment}`);
  await tab.evaluate(() => ob.flush());  // resolves once the WebAssembly module is ready
  return { tab, seen };
}

function recordedNumbers() {
  return receiver.calls().flatMap((call) => (Array.isArray(call.body) ? call.body : [call.body])).map((b) => b.properties.n);
}

/**
 * Resolves with the recorded numbers once `count` different ones have arrived, looking every 100 ms.
 * No deadline of its own: delivery comes at whatever speed the machine has, and the test's timeout
 * stops a wait that never ends (a lost call).
 */
async function waitForNumbers(count) {
  while (new Set(recordedNumbers()).size < count) await new Promise((r) => setTimeout(r, 100));
  return recordedNumbers();
}

/** Resolves once `condition()` holds, looking every 20 ms; the test's timeout stops a wait that never ends. */
async function waitFor(condition) {
  while (!condition()) await new Promise((r) => setTimeout(r, 20));
}

function assertEach(numbers, count, { exactlyOnce }) {
  const unique = new Set(numbers);
  const missing = Array.from({ length: count }, (_, n) => n).filter((n) => !unique.has(n));
  assert.deepEqual(missing, [], `lost: ${missing.join(', ')}`);
  if (exactlyOnce) assert.equal(numbers.length, count, `sent twice: ${numbers.filter((n, i) => numbers.indexOf(n) !== i).join(', ')}`);
  return { calls: count, delivered: unique.size, duplicates: numbers.length - unique.size, lost: missing.length };
}

describe('the durable queue in Chromium', { ...SUITE_TIMEOUT, skip: skipWithoutBrowser }, () => {
  test('a reload in the middle of delivery, with faults on, loses nothing', TIMEOUT, async (t) => {
    receiver.clear();
    receiver.resetFaults();
    receiver.setFaults({ rate: 0.5, kinds: ['503', '429', 'drop', 'hang'], retryAfterSeconds: 1, seed: 11 });
    const context = await browser.newContext();
    t.after(() => context.close());
    const { tab } = await openPage(context);
    await tab.evaluate(() => trackRange(0, 60));
    await waitForNumbers(1);  // delivery is under way
    const beforeReload = new Set(recordedNumbers()).size;
    await tab.reload();
    await tab.evaluate(() => ob.flush());
    receiver.setFaults({ rate: 0 });
    const report = assertEach(await waitForNumbers(60), 60, { exactlyOnce: false });
    t.diagnostic(JSON.stringify({ ...report, deliveredBeforeReload: beforeReload, faulted: receiver.faultStats().faulted }));
    console.log(`reload test: ${JSON.stringify({ ...report, deliveredBeforeReload: beforeReload })}`);
    assert.ok(beforeReload < 60, 'the reload came in the middle of delivery');
    assert.deepEqual(await tab.evaluate(() => window.failures), []);
  });

  test('two tabs opened after a page was left send each stored call exactly once', TIMEOUT, async (t) => {
    receiver.clear();
    receiver.resetFaults();
    receiver.setFaults({ rate: 1, kinds: ['503'], retryAfterSeconds: 60 });  // nothing gets through
    const context = await browser.newContext();
    t.after(() => context.close());
    const { tab: first } = await openPage(context);
    await first.evaluate(() => trackRange(0, 40));
    // Every call was tried once and refused; the next tries wait a minute (Retry-After), so from
    // here on only the page's keepalive copy, sent as it goes away, reaches the receiver.
    await waitFor(() => receiver.faultStats().faulted['503'] >= 40);
    await first.waitForFunction(() => localStorage.length > 0);  // the queue has been saved
    const leftQueue = await first.evaluate(() => localStorage.key(0));
    assert.match(leftQueue, /^outbound:[0-9a-f]{16}:q:/);
    const requestsBefore = receiver.faultStats().requests;
    await first.goto('about:blank');  // leaves the page: pagehide releases its stored queue
    // Its keepalive copies are refused too (503), and must be, before anything may get through.
    await waitFor(() => receiver.faultStats().requests > requestsBefore);
    assert.equal(receiver.calls().length, 0);
    receiver.setFaults({ rate: 0 });
    const [a, b] = await Promise.all([openPage(context), openPage(context)]);
    await waitForNumbers(40);
    // Once a tab sees neither the left page's queue nor a claim on it, it takes nothing over any more;
    // once each has settled what it took over, a second copy of a call would have arrived.
    const takeoverSettled = (tab) => tab.waitForFunction((key) => localStorage.getItem(key) === null
      && !Object.keys(localStorage).some((name) => name.endsWith(':claim')), leftQueue);
    await Promise.all([takeoverSettled(a.tab), takeoverSettled(b.tab)]);
    await Promise.all([a.tab.evaluate(() => ob.flush()), b.tab.evaluate(() => ob.flush())]);
    const report = assertEach(recordedNumbers(), 40, { exactlyOnce: true });
    console.log(`two-tab test: ${JSON.stringify(report)}`);
    assert.deepEqual([...a.seen.errors, ...b.seen.errors], []);
  });

  test('offline holds delivery and the online event resumes it', TIMEOUT, async (t) => {
    receiver.clear();
    receiver.resetFaults();
    const context = await browser.newContext();
    t.after(() => context.close());
    const { tab } = await openPage(context);
    await context.setOffline(true);
    assert.equal(await tab.evaluate(() => navigator.onLine), false);
    await tab.evaluate(() => trackRange(0, 10));
    // A while for anything wrongly sent or failed to show; a slow machine can only shorten what it sees.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(receiver.calls().length, 0, 'nothing is sent while offline');
    assert.deepEqual(await tab.evaluate(() => window.failures), [], 'offline is not a failure');
    await context.setOffline(false);
    assertEach(await waitForNumbers(10), 10, { exactlyOnce: true });
  });

  test('what is stored is namespaced by a hash of the key and never holds the key', TIMEOUT, async (t) => {
    receiver.clear();
    receiver.resetFaults();
    receiver.setFaults({ rate: 1, kinds: ['503'], retryAfterSeconds: 60 });
    const context = await browser.newContext();
    t.after(() => context.close());
    const { tab } = await openPage(context);
    await tab.evaluate(() => trackRange(0, 3));
    await tab.waitForFunction(() => Object.keys(localStorage).length > 0);  // the queue has been saved
    const stored = await tab.evaluate(() => Object.keys(localStorage).map((k) => [k, localStorage.getItem(k)]));
    assert.equal(stored.length, 1, JSON.stringify(stored));
    const [name, value] = stored[0];
    assert.match(name, /^outbound:[0-9a-f]{16}:q:/);
    assert.ok(!name.includes(KEY) && !value.includes(KEY), 'the key is stored');
    assert.deepEqual(JSON.parse(value).calls.map((c) => JSON.parse(c.b).properties.n), [0, 1, 2]);
    receiver.setFaults({ rate: 0 });
    // Closing the page sends its calls as keepalive requests: they arrive before the next test. The
    // tab is closed, not its context: a closed context may take the keepalive requests with it.
    await tab.close();
    assertEach(await waitForNumbers(3), 3, { exactlyOnce: false });
  });

  test('where localStorage throws, calls are delivered from memory and nothing is thrown', TIMEOUT, async (t) => {
    receiver.clear();
    receiver.resetFaults();
    const context = await browser.newContext();
    t.after(() => context.close());
    await context.addInitScript(() => {
      Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } });
    });
    const { tab, seen } = await openPage(context);
    await tab.evaluate(() => trackRange(0, 5));
    assertEach(await waitForNumbers(5), 5, { exactlyOnce: true });
    assert.deepEqual(seen.errors, []);
  });

  test('a page closed for good at once: its calls still arrive, as keepalive requests', TIMEOUT, async (t) => {
    const CALLS = 30;
    receiver.clear();
    receiver.resetFaults();
    receiver.setFaults({ latencyMs: 1000 });  // a slow server: nothing is answered before the page is gone
    const context = await browser.newContext();
    t.after(() => context.close());
    const { tab } = await openPage(context, '#20000');
    await tab.evaluate((calls) => trackRange(0, calls), CALLS);
    await tab.close();  // pagehide; no later page of the site is opened
    const closed = assertEach(await waitForNumbers(CALLS), CALLS, { exactlyOnce: false });

    // A user who comes back: the stored copy is delivered again (at least once).
    const { tab: later } = await openPage(context, '#20000');
    await later.evaluate(async () => {
      while (Object.keys(localStorage).some((key) => key.includes(':q:'))) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await ob.flush();
    });
    const report = { afterClose: closed, withLaterPage: assertEach(recordedNumbers(), CALLS, { exactlyOnce: false }) };
    t.diagnostic(JSON.stringify(report));
    console.log(`closed-page test: ${JSON.stringify(report)}`);
    receiver.resetFaults();
  });
});
