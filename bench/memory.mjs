// 5. Memory: process.memoryUsage() and the WebAssembly module's linear memory before and after
// 100,000 `track` calls delivered in batches to the receiver (in its own process, so its memory is
// not counted here), and what one call costs while it waits for its turn. Run with
// `node --expose-gc bench/memory.mjs` (run.mjs does).
//
// The calls go in chunks of 1,000 made back to back, each chunk followed by `await ob.flush()`: a
// steady producer, not one 100,000-deep backlog (the per-call and delivery figures show what a
// backlog costs). "Start" is taken after a warm-up chunk and two full collections, so that the
// module's instantiation, JIT code and keep-alive sockets are not counted as growth. "After" is
// after the last flush and two full collections; "after close" after `close()` too. "Peak" is the
// largest value seen after any chunk (before collection).
//
// The public class does not expose the module's memory, so the class is built here the way
// js/node.cjs builds it (js/outbound-api.js over dist/outbound-node.cjs), with the factory wrapped
// to keep a reference to the Emscripten module object; its HEAPU8.buffer is the wasm memory. The
// wasm memory also shows in `arrayBuffers`. Linear memory never shrinks, so its "after" is a
// high-water mark, not what is in use.
import { EVENT, PROPERTIES, ROOT, USERS, loadOurs, log, require, runIfMain, startReceiverProcess } from './lib.mjs';
import http from 'node:http';
import path from 'node:path';

export const CALLS = 100_000;
const CHUNK = 1_000;
export const TARGET_HEAP_BYTES = 1024 * 1024;

function loadInstrumented() {
  try {
    const defineOutbound = require(path.join(ROOT, 'js/outbound-api.js'));
    const factory = require(path.join(ROOT, 'dist/outbound-node.cjs'));
    let moduleObject = null;
    const outbound = defineOutbound(Object.assign((m) => {
      moduleObject = m;
      return factory(m);
    }, { methods: factory.methods }));
    const wasmBytes = () => {
      const heap = moduleObject && (moduleObject.HEAPU8 || moduleObject.HEAP8);
      return heap ? heap.buffer.byteLength : null;
    };
    return { outbound, wasmBytes, how: 'js/outbound-api.js over dist/outbound-node.cjs (as js/node.cjs)' };
  } catch (error) {
    log(`memory: cannot instrument the module (${error.message}); wasm memory not reported`);
    return { outbound: loadOurs(), wasmBytes: () => null, how: 'require("outbound-wasm"); wasm memory not exposed' };
  }
}

function collect() {
  global.gc();
  global.gc();
}

function snapshot(wasmBytes) {
  const usage = process.memoryUsage();
  return {
    rss: usage.rss,
    heapTotal: usage.heapTotal,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    wasmMemory: wasmBytes(),
  };
}

async function chunk(ob, from, size) {
  const promises = new Array(size);
  for (let i = 0; i < size; i++) {
    promises[i] = ob.track(USERS[i % USERS.length], EVENT, { ...PROPERTIES, seq: from + i });
  }
  await ob.flush();
  const settled = await Promise.allSettled(promises);
  return settled.filter((s) => s.status !== 'fulfilled').length;
}

// What a call costs while it waits for its turn: WAITING calls to a server that never answers, so
// maxInFlight (6) requests stay in flight and the rest wait in the queue. JS heap and wasm memory
// are read after two full collections, before and after the calls are made.
const WAITING = 20_000;

async function waitingCallCost(outbound, wasmBytes) {
  const server = http.createServer(() => {});
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ob = new outbound('bench-key', {
    baseUrl: `http://127.0.0.1:${server.address().port}/v2`, retries: 0, timeout: 3_600_000, onError() {},
  });
  const first = ob.track(USERS[0], EVENT, PROPERTIES);  // in flight for good: only warms up the path
  collect();
  const before = snapshot(wasmBytes);
  const waiting = new Array(WAITING);
  for (let i = 0; i < WAITING; i++) waiting[i] = ob.track(USERS[i % USERS.length], EVENT, { ...PROPERTIES, seq: i });
  collect();
  const after = snapshot(wasmBytes);
  server.closeAllConnections();
  server.close();
  await Promise.allSettled([first, ...waiting]);
  const bodyBytes = JSON.stringify({ user_id: USERS[0], event: EVENT, properties: { ...PROPERTIES, seq: 0 }, timestamp: 0 }).length;
  const per = (key) => (before[key] === null ? null : Math.round((after[key] - before[key]) / WAITING));
  const cost = { calls: WAITING, bodyBytes, perCall: { heapUsed: per('heapUsed'), wasmMemory: per('wasmMemory') } };
  log(`memory: a waiting call costs ${cost.perCall.heapUsed} B of JS heap and ${cost.perCall.wasmMemory} B of wasm memory (body ${bodyBytes} B)`);
  return cost;
}

export async function measure() {
  if (typeof global.gc !== 'function') throw new Error('run with node --expose-gc bench/memory.mjs');
  const receiver = await startReceiverProcess();
  const { outbound, wasmBytes, how } = loadInstrumented();
  const ob = new outbound('bench-key', { baseUrl: receiver.url, batch: true });

  let rejected = await chunk(ob, -CHUNK, CHUNK); // warm-up, seq < 0
  collect();
  const start = snapshot(wasmBytes);

  const peak = { ...start };
  const started = performance.now();
  for (let from = 0; from < CALLS; from += CHUNK) {
    rejected += await chunk(ob, from, CHUNK);
    const now = snapshot(wasmBytes);
    for (const key of Object.keys(peak)) if (now[key] !== null && now[key] > peak[key]) peak[key] = now[key];
  }
  const elapsedMs = performance.now() - started;
  await ob.flush();
  collect();
  const after = snapshot(wasmBytes);
  await ob.close();
  collect();
  const afterClose = snapshot(wasmBytes);

  const stats = await receiver.stats();
  await receiver.close();
  const waiting = await waitingCallCost(outbound, wasmBytes);
  const delta = Object.fromEntries(Object.keys(start).map((key) =>
    [key, start[key] === null ? null : after[key] - start[key]]));
  log(`memory: ${CALLS} calls in ${(elapsedMs / 1000).toFixed(1)} s; heapUsed ${delta.heapUsed} B, arrayBuffers ${delta.arrayBuffers} B, wasm ${delta.wasmMemory} B, rss ${delta.rss} B`);
  return {
    calls: CALLS,
    chunk: CHUNK,
    instrumented: how,
    elapsedMs,
    rejected,
    delivered: { requests: stats.requests, events: stats.events, distinct: stats.distinctSeq },
    start,
    peak,
    after,
    afterClose,
    delta,
    waiting,
    target: { maxHeapGrowthBytes: TARGET_HEAP_BYTES, met: delta.heapUsed <= TARGET_HEAP_BYTES },
  };
}

await runIfMain(import.meta.url, measure);
