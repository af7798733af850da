// 2b. Per-call overhead of the browser build, in headless Chromium: the same `track` calls as
// bench/per-call.mjs times through the Node module, made in a page through dist/outbound.js and the
// .wasm built for size. Reported beside the Node figure (bench/per-call.mjs adds it to its result);
// the old library cannot run in a page as shipped, so the floor here is the page's own
// JSON.stringify of the same body.
//
// One origin serves the page, the library's files and the receiver (receiver/receiver.mjs), so no
// CORS preflight is in the way. In the page: a client with batch {maxEvents: 100, flushIntervalMs:
// 600000}; a timed chunk is 100 back-to-back calls, then, untimed, `await flush()`. As in
// bench/per-call.mjs, two figures: the caller's loop alone, and the loop plus the hand-over of the
// calls to the core (where the 100th starts the batch's request, the browser's fetch()
// included). Rounds alternate ours and the floor; the figure is the median of the per-round
// ns/call, after warm-up rounds.
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { EVENT, PROPERTIES, ROOT, USERS, log, median, runIfMain } from './lib.mjs';

const CHROMIUM = '/usr/bin/chromium';
const ROUNDS = 21;
const WARMUP_ROUNDS = 3;
const CHUNK = 100;
const CHUNKS_PER_ROUND = 5;
const STRINGIFY_PER_ROUND = 10_000;

// Runs in the page: per-round ns/call of ours and of JSON.stringify, interleaved, and how much of
// ours was spent inside the browser's own fetch() (the batch's request, started by the 100th call).
async function roundsInPage({ event, properties, users, rounds, chunk, chunks, stringifyCalls }) {
  const browserFetch = window.fetch;
  let fetchMs = 0;
  window.fetch = function (...args) {
    const started = performance.now();
    try {
      return browserFetch.apply(this, args);
    } finally {
      fetchMs += performance.now() - started;
    }
  };
  const ob = new outbound('bench-key', { baseUrl: location.origin + '/v2', batch: { maxEvents: chunk, flushIntervalMs: 600000 } });
  async function ours() {
    let sync = 0;
    let turn = 0;
    for (let c = 0; c < chunks; c++) {
      const promises = new Array(chunk);
      const started = performance.now();
      for (let i = 0; i < chunk; i++) promises[i] = ob.track(users[i % users.length], event, properties);
      sync += performance.now() - started;
      const flushed = ob.flush();  // hands over at once what the core has not taken yet
      turn += performance.now() - started;
      await flushed;
      await Promise.all(promises);
    }
    return { sync: (sync * 1e6) / (chunk * chunks), turn: (turn * 1e6) / (chunk * chunks) };
  }
  let sink = 0;
  function stringify() {
    const started = performance.now();
    for (let i = 0; i < stringifyCalls; i++) {
      sink += JSON.stringify({ user_id: users[i % users.length], event, properties, timestamp: Math.floor(Date.now() / 1000) }).length;
    }
    return ((performance.now() - started) * 1e6) / stringifyCalls;
  }
  const samples = { ours: [], oursTurn: [], fetch: [], stringify: [] };
  for (let round = 0; round < rounds; round++) {
    fetchMs = 0;
    const { sync, turn } = await ours();
    samples.ours.push(sync);
    samples.oursTurn.push(turn);
    samples.fetch.push((fetchMs * 1e6) / (chunk * chunks));
    samples.stringify.push(stringify());
  }
  await ob.close();
  return { samples, sink };
}

export async function measureInBrowser() {
  if (!existsSync(CHROMIUM)) return { skipped: `Chromium is not installed at ${CHROMIUM}` };
  const { closeServer, launchChromium, listen } = await import('../wasm-tests/browser-helpers.mjs');
  const { createReceiver } = await import('../receiver/receiver.mjs');
  const receiver = createReceiver({ maxRecorded: 10_000 });
  const files = {
    '/outbound.js': ['text/javascript; charset=utf-8', path.join(ROOT, 'dist/outbound.js')],
    '/outbound.wasm': ['application/wasm', path.join(ROOT, 'dist/outbound.wasm')],
  };
  const page = '<!doctype html><meta charset="utf-8"><title>per call</title><script src="/outbound.js"></script>';
  const server = http.createServer((req, res) => {
    const file = files[req.url];
    if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
      res.end(page);
    } else if (file) {
      res.writeHead(200, { 'Content-Type': file[0] });
      res.end(readFileSync(file[1]));
    } else if (!receiver.handle(req, res)) {
      res.writeHead(404);
      res.end();
    }
  });
  const origin = await listen(server);
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage();
    await tab.goto(`${origin}/`);
    const { samples } = await tab.evaluate(roundsInPage, {
      event: EVENT, properties: PROPERTIES, users: USERS, rounds: WARMUP_ROUNDS + ROUNDS,
      chunk: CHUNK, chunks: CHUNKS_PER_ROUND, stringifyCalls: STRINGIFY_PER_ROUND,
    });
    const measured = (name) => samples[name].slice(WARMUP_ROUNDS);
    const ours = median(measured('ours'));
    const oursTurn = median(measured('oursTurn'));
    const fetchNs = median(measured('fetch'));
    const stringify = median(measured('stringify'));
    log(`per-call in Chromium: ours ${ours.toFixed(0)} ns, with the hand-over ${oursTurn.toFixed(0)} ns (fetch() ${fetchNs.toFixed(0)} ns of it), stringify ${stringify.toFixed(0)} ns`);
    return {
      chromiumVersion: browser.version(),
      rounds: ROUNDS,
      ours: { nsPerCall: ours, samples: measured('ours') },
      oursTurn: { nsPerCall: oursTurn, samples: measured('oursTurn') },
      browserFetch: { nsPerCall: fetchNs, samples: measured('fetch') },
      stringify: { nsPerCall: stringify, samples: measured('stringify') },
      oursOverStringify: ours / stringify,
    };
  } finally {
    await browser.close();
    await closeServer(server);
  }
}

await runIfMain(import.meta.url, measureInBrowser);
