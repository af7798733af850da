// Workers in Chromium: the script-tag file loaded by importScripts into a service worker and into
// a dedicated worker finds its .wasm beside itself (not beside the worker's script) and delivers
// through fetch, which is all a worker has (docs/transport.md).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { start as startReceiver } from '../receiver/receiver.mjs';
import { openPage, readDist, serveFiles, skipWithoutBrowser } from './browser-helpers.mjs';

const TIMEOUT = { timeout: 60000 };

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

/**
 * A worker's script, at the site's root as users place it: it imports the library from
 * /vendor/, and answers a message {baseUrl, event} with the outcome of one track().
 */
const WORKER = `importScripts('/vendor/outbound.js');
function trackFor(data) {
  var ob = new outbound('worker-key', { baseUrl: data.baseUrl, retries: 0, onError: function () {} });
  return ob.track('worker-user', data.event, { from: data.event }).then(function () { return { state: 'resolved' }; },
    function (e) { return { state: 'rejected', message: e.message }; });
}
self.addEventListener('message', function (event) {
  var reply = trackFor(event.data).then(function (outcome) {
    (event.ports[0] || self).postMessage(outcome);
  });
  if (event.waitUntil) event.waitUntil(reply);
});`;

const PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>workers</title>
<link rel="icon" href="data:,"></head><body></body></html>`;

/** The site: the page, the worker's script at the root, the library's two files under /vendor/. */
function site(t) {
  return serveFiles(t, {
    '/': ['text/html', PAGE],
    '/worker.js': ['text/javascript', WORKER],
    '/vendor/outbound.js': ['text/javascript', readDist('outbound.js')],
    '/vendor/outbound.wasm': ['application/wasm', readDist('outbound.wasm')],
  });
}

describe('workers in Chromium', { ...TIMEOUT, skip: skipWithoutBrowser }, () => {
  test('a service worker delivers a track', async (t) => {
    receiver.clear();
    const origin = await site(t);
    const { page, errors } = await openPage(t);
    await page.goto(`${origin}/`);
    const outcome = await page.evaluate(async (baseUrl) => {
      const registration = await navigator.serviceWorker.register('/worker.js');
      const worker = registration.installing || registration.waiting || registration.active;
      if (worker.state !== 'activated') {
        await new Promise((resolve) => worker.addEventListener('statechange', () => worker.state === 'activated' && resolve()));
      }
      const channel = new MessageChannel();
      const replied = new Promise((resolve) => { channel.port1.onmessage = (event) => resolve(event.data); });
      worker.postMessage({ baseUrl, event: 'From A Service Worker' }, [channel.port2]);
      return replied;
    }, receiver.url);
    assert.deepEqual(outcome, { state: 'resolved' });
    const calls = receiver.calls();
    assert.equal(calls.length, 1);
    assert.equal(calls[0].body.user_id, 'worker-user');
    assert.equal(calls[0].body.event, 'From A Service Worker');
    assert.deepEqual(errors, []);
  });

  test('a dedicated worker delivers a track', async (t) => {
    receiver.clear();
    const origin = await site(t);
    const { page, errors } = await openPage(t);
    await page.goto(`${origin}/`);
    const outcome = await page.evaluate((baseUrl) => new Promise((resolve) => {
      const worker = new Worker('/worker.js');
      worker.onmessage = (event) => resolve(event.data);
      worker.postMessage({ baseUrl, event: 'From A Worker' });
    }), receiver.url);
    assert.deepEqual(outcome, { state: 'resolved' });
    assert.equal(receiver.calls().length, 1);
    assert.equal(receiver.calls()[0].body.event, 'From A Worker');
    assert.deepEqual(errors, []);
  });
});
