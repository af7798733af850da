// 2. Per-call overhead: the synchronous cost of one `track(userId, event, properties)` through the
// public API, with the network out of the measured loop.
//
// What is fair, and why:
// - Ours: a client with `batch: { maxEvents: 100, flushIntervalMs: 600000 }` sending to a real receiver
//   (in another process). A timed chunk is exactly 100 back-to-back calls. A call captures its
//   arguments as JSON and returns its Promise; the core takes the calls once the caller's code has
//   run (src/bindings/promises.js), validates them, builds their bodies and, as the 100th fills the
//   batch, starts its request (http.request). Two figures: the caller's loop alone (what the caller waits
//   for, the target's figure), and the loop plus that hand-over (all the work of the calls before
//   any I/O, the request's start included, amortised over 100 calls as a user would pay it).
//   Between chunks (untimed) `await ob.flush()` lets the batch be delivered, so every chunk starts
//   from an empty queue: what a steady producer of events sees, not a backlog. A closed port
//   instead of a receiver would measure the same work but fill the run with retries and failure
//   paths, so a real receiver it is; retries never fire.
// - outbound@1.3.0: its `request` dependency is replaced (require.cache) by a stub that does the one
//   thing request@2.55 does synchronously with `json: data` — serialise the body (it uses
//   json-stringify-safe; the stub uses the faster JSON.stringify, which favours the old library) —
//   and calls back with 200 on setImmediate. No socket is opened: the old library gets its network
//   start for free, ours does not.
// - The floor: JSON.stringify of the same track body ({user_id, event, properties, timestamp}).
// Rounds interleave the three subjects (rotating which goes first), after warm-up rounds; the
// figure is the median of the per-round ns/call.
//
// The browser build's figure, in headless Chromium, comes from bench/per-call-browser.mjs.
//
// Two more rows show how the cost moves with the state of the queue: ours with 1,000 calls back to
// back (up to 1,000 undelivered calls queued while calling), and ours with batching off (100 calls
// per chunk, each call its own request, one user's calls waiting for each other); both with the
// hand-over.
import { EVENT, PROPERTIES, USERS, loadOld, loadOurs, log, median, runIfMain, startReceiverProcess, turn } from './lib.mjs';
import { measureInBrowser } from './per-call-browser.mjs';

const ROUNDS = 21;
const WARMUP_ROUNDS = 3;
const OURS_CHUNK = 100; // = maxEvents
const OURS_CHUNKS_PER_ROUND = 5;
const PEER_CALLS_PER_ROUND = 10_000;
const BACKLOG_CALLS = 1_000;
const BACKLOG_ROUNDS = 3;

function nsPerCall(ms, calls) {
  return (ms * 1e6) / calls;
}

// ns/call of `chunks` chunks of `size` back-to-back calls: `sync`, what the caller's loop took;
// `turn`, the same plus the hand-over of the calls to the core (src/bindings/promises.js: the
// calls' arguments are captured as JSON during the call; the core takes them once the caller's
// code has run, a long burst in parts; flush() hands over what still waits at once, so timing
// until it returns counts every part).
async function timeOursChunks(ob, chunks, size) {
  let sync = 0;
  let turn = 0;
  const promises = new Array(size);
  let failures = 0;
  for (let c = 0; c < chunks; c++) {
    const started = performance.now();
    for (let i = 0; i < size; i++) promises[i] = ob.track(USERS[i % USERS.length], EVENT, PROPERTIES);
    sync += performance.now() - started;
    const flushed = ob.flush();
    turn += performance.now() - started;
    const settled = await Promise.allSettled(promises);
    failures += settled.filter((s) => s.status !== 'fulfilled').length;
    await flushed;
  }
  if (failures) throw new Error(`ours: ${failures} track calls failed during the per-call measurement`);
  return { sync: nsPerCall(sync, chunks * size), turn: nsPerCall(turn, chunks * size) };
}

export async function measure() {
  const receiver = await startReceiverProcess();
  const outbound = loadOurs();
  const ours = new outbound('bench-key', { baseUrl: receiver.url, batch: { maxEvents: OURS_CHUNK, flushIntervalMs: 600_000 } });
  const oursUnbatched = new outbound('bench-key', { baseUrl: receiver.url });

  let stubCallbacks = 0;
  const { Outbound } = loadOld((options, callback) => {
    JSON.stringify(options.json); // what request@2.55 does synchronously with `json: data`
    setImmediate(() => {
      stubCallbacks += 1;
      callback(null, { statusCode: 200 }, undefined);
    });
  });
  const old = new Outbound('bench-key');

  async function timeOld() {
    const promises = new Array(PEER_CALLS_PER_ROUND);
    const before = stubCallbacks;
    const started = performance.now();
    for (let i = 0; i < PEER_CALLS_PER_ROUND; i++) promises[i] = old.track(USERS[i % USERS.length], EVENT, PROPERTIES);
    const elapsed = performance.now() - started;
    while (stubCallbacks - before < PEER_CALLS_PER_ROUND) await turn();
    await turn();
    return nsPerCall(elapsed, PEER_CALLS_PER_ROUND);
  }

  let sink = 0;
  function timeStringify() {
    const started = performance.now();
    for (let i = 0; i < PEER_CALLS_PER_ROUND; i++) {
      sink += JSON.stringify({ user_id: USERS[i % USERS.length], event: EVENT, properties: PROPERTIES,
        timestamp: Math.floor(Date.now() / 1000) }).length;
    }
    return nsPerCall(performance.now() - started, PEER_CALLS_PER_ROUND);
  }

  let lastTurn = 0;
  const subjects = {
    ours: async () => {
      const { sync, turn } = await timeOursChunks(ours, OURS_CHUNKS_PER_ROUND, OURS_CHUNK);
      lastTurn = turn;
      return sync;
    },
    old: timeOld,
    stringify: async () => timeStringify(),
  };
  const names = Object.keys(subjects);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  const oursTurn = [];
  for (let round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const ns = await subjects[name]();
      if (round < WARMUP_ROUNDS) continue;
      samples[name].push(ns);
      if (name === 'ours') oursTurn.push(lastTurn);
    }
  }
  log(`per-call: ours ${median(samples.ours).toFixed(0)} ns (with the hand-over ${median(oursTurn).toFixed(0)} ns), old ${median(samples.old).toFixed(0)} ns, stringify ${median(samples.stringify).toFixed(0)} ns`);

  const backlog = [];
  for (let round = 0; round < BACKLOG_ROUNDS; round++) backlog.push((await timeOursChunks(ours, 1, BACKLOG_CALLS)).turn);
  const unbatched = [];
  await timeOursChunks(oursUnbatched, 1, OURS_CHUNK); // warm-up
  for (let round = 0; round < BACKLOG_ROUNDS; round++) unbatched.push((await timeOursChunks(oursUnbatched, 1, OURS_CHUNK)).turn);

  await ours.close();
  await oursUnbatched.close();
  const delivered = await receiver.stats();
  await receiver.close();

  const oursNs = median(samples.ours);
  const oldNs = median(samples.old);
  const stringifyNs = median(samples.stringify);
  return {
    payload: { properties: Object.keys(PROPERTIES).length, users: USERS.length },
    rounds: ROUNDS,
    ours: { nsPerCall: oursNs, samples: samples.ours, callsPerRound: OURS_CHUNK * OURS_CHUNKS_PER_ROUND },
    oursTurn: { nsPerCall: median(oursTurn), samples: oursTurn, callsPerRound: OURS_CHUNK * OURS_CHUNKS_PER_ROUND },
    old: { nsPerCall: oldNs, samples: samples.old, callsPerRound: PEER_CALLS_PER_ROUND },
    stringify: { nsPerCall: stringifyNs, samples: samples.stringify, callsPerRound: PEER_CALLS_PER_ROUND, sink },
    oursBacklog1000: { nsPerCall: median(backlog), samples: backlog },
    oursUnbatched: { nsPerCall: median(unbatched), samples: unbatched },
    receiver: delivered,
    browser: await measureInBrowser(),
    ratios: { oursOverOld: oursNs / oldNs, oursOverStringify: oursNs / stringifyNs, oursTurnOverOld: median(oursTurn) / oldNs },
    targets: {
      oursAtMostOld: oursNs <= oldNs,
      oursAtMost4xStringify: oursNs <= 4 * stringifyNs,
    },
  };
}

await runIfMain(import.meta.url, measure);
