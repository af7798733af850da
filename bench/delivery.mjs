// 3. Delivery: 10,000 `track` calls made back to back, delivered to the local receiver (in its own
// process). Wall time runs from the first call until every returned Promise has settled; requests
// per event are counted at the receiver (a /v2/track/batch body holds many events). Each event
// carries `properties.seq`, so the receiver can tell delivered, lost and duplicated events apart.
//
// - ours, `batch: true` (maxEvents 100, flushIntervalMs 1000), and `batch: {maxEvents: 100,
//   flushIntervalMs: 50}`.
// - outbound@1.3.0, one request per call: its `request` dependency is replaced by a function that
//   does what request@2.55 does with `{url, method, headers, json}` for real over node:http — the
//   hardcoded https://api.outbound.io/v2 rewritten to the receiver — and calls back
//   (err, response, body). It gets a keep-alive agent with at most 64 sockets: request@2.55 on
//   Node 20 would use the global agent with no socket limit, which here opens one socket per call
//   and is slower, so the limit favours the old library.
// - the receiver alone (receiverAlone below): the floor of our runs.
//
// ROUNDS rounds, after a warm-up of a whole burst on each side (what a server that has been up a
// while sees; a single run after a short warm-up measured the JIT of the receiver's process as much
// as the clients: the same burst took 200-280 ms at first and 100-140 ms from the fifth on). A
// round runs each client once, in turn, both processes' garbage collected before each run, so that
// a change in the machine's speed (it is shared) falls on all of them alike. The wall times are the
// medians of the rounds; old/ours is the median of the rounds' own ratios.
import http from 'node:http';
import { EVENT, PROPERTIES, USERS, forwardingRequest, loadOld, loadOurs, log, median, runIfMain, startReceiverProcess } from './lib.mjs';

export const CALLS = 10_000;
const ROUNDS = 6;
const RECEIVER_ROUNDS = 5;
const SETTLE_LIMIT_MS = 180_000; // a run that takes longer is reported as unfinished
export const TARGET_SPEEDUP = 10;
export const TARGET_REQUESTS_PER_EVENT = 0.011;

async function run(receiver, label, makeCall) {
  await receiver.clear();
  // The garbage of the run before is collected now, not in this one's measured time (run with
  // --expose-gc, as bench/run.mjs does).
  globalThis.gc?.();
  const promises = new Array(CALLS);
  const started = performance.now();
  for (let i = 0; i < CALLS; i++) {
    promises[i] = makeCall(USERS[i % USERS.length], EVENT, { ...PROPERTIES, seq: i });
  }
  const callsDoneMs = performance.now() - started;
  let timer;
  const limit = new Promise((resolve) => { timer = setTimeout(() => resolve(null), SETTLE_LIMIT_MS); });
  const settled = await Promise.race([Promise.allSettled(promises), limit]);
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  const stats = await receiver.stats();
  const result = {
    label,
    calls: CALLS,
    finished: settled !== null,
    wallMs,
    syncCallsMs: callsDoneMs,
    fulfilled: settled ? settled.filter((s) => s.status === 'fulfilled').length : null,
    rejected: settled ? settled.filter((s) => s.status !== 'fulfilled').length : null,
    requests: stats.requests,
    requestsPerEvent: stats.requests / CALLS,
    eventsReceived: stats.events,
    distinctEvents: stats.distinctSeq,
    lost: CALLS - stats.distinctSeq,
    duplicates: stats.events - stats.distinctSeq,
    byPath: stats.byPath,
    batchSizes: stats.batchSizes,
  };
  log(`delivery: ${label}: ${wallMs.toFixed(0)} ms (calls ${callsDoneMs.toFixed(0)} ms), ${stats.requests} requests, ${stats.distinctSeq}/${CALLS} delivered`);
  return result;
}

// The receiver alone: the batch bodies of one run (100 of 100 events, built beforehand), POSTed by
// plain node:http over as many sockets as our client keeps requests in flight (6). What answering
// them costs the receiver's process, which no client can go below. Median of RECEIVER_ROUNDS.
async function receiverAlone(receiver) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
  const batchBody = (first) => JSON.stringify(Array.from({ length: 100 }, (_, i) => ({
    user_id: USERS[(first + i) % USERS.length], event: EVENT, properties: { ...PROPERTIES, seq: first + i },
    timestamp: Math.floor(Date.now() / 1000),
  })));
  const bodies = Array.from({ length: CALLS / 100 }, (_, b) => batchBody(b * 100));
  const post = (body) => new Promise((resolve, reject) => {
    const request = http.request(`${receiver.url}/track/batch`, {
      method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'X-Outbound-Key': 'bench-key' },
    }, (response) => {
      response.resume();
      response.on('end', () => (response.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${response.statusCode}`))));
    });
    request.on('error', reject);
    request.end(body);
  });
  const rounds = [];
  for (let round = 0; round < RECEIVER_ROUNDS; round++) {
    await receiver.clear();
    const started = performance.now();
    await Promise.all(bodies.map(post));
    rounds.push(performance.now() - started);
  }
  agent.destroy();
  log(`delivery: the receiver alone, ${bodies.length} batch bodies over 6 sockets: ${median(rounds).toFixed(0)} ms`);
  return { requests: bodies.length, sockets: 6, wallMs: median(rounds), samples: rounds };
}

// The run of `runs` with the median wall time, with every run's wall time beside it.
function medianRun(runs) {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  return { ...sorted[(sorted.length - 1) >> 1], rounds: runs.length, samplesMs: runs.map((r) => r.wallMs) };
}

export async function measure() {
  const receiver = await startReceiverProcess();
  const outbound = loadOurs();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const { Outbound } = loadOld(forwardingRequest(receiver.url, agent));
  const old = new Outbound('bench-key');

  // Warm-up, so that no run pays for first-use compilation, in the clients or in the receiver's
  // process: a whole burst of the measured runs' own shape (properties with a seq) on each side.
  const warmCall = (client) => Promise.all(Array.from({ length: CALLS },
    (_, i) => client.track(USERS[i % USERS.length], EVENT, { ...PROPERTIES, seq: i })));
  const warm = new outbound('bench-key', { baseUrl: receiver.url, batch: true });
  await warmCall(warm);
  await warm.close();
  await warmCall(old);

  const oldLabel = 'outbound@1.3.0 (one request per call)';
  const configurations = [
    ['ours, batch: true', { batch: true }],
    ['ours, batch: {maxEvents: 100, flushIntervalMs: 50}', { batch: { maxEvents: 100, flushIntervalMs: 50 } }],
  ];
  const oursRuns = configurations.map(() => []);
  const oldRuns = [];
  for (let round = 0; round < ROUNDS; round++) {
    // The first burst of ours after the old library's 10,000 requests measured a quarter slower
    // than the next, whichever configuration it was: an untimed one goes first.
    if (round > 0) {
      const rewarm = new outbound('bench-key', { baseUrl: receiver.url, batch: true });
      await warmCall(rewarm);
      await rewarm.close();
    }
    // Which of ours comes first alternates from round to round.
    const order = round % 2 ? [1, 0] : [0, 1];
    for (const index of order) {
      const [label, options] = configurations[index];
      const client = new outbound('bench-key', { baseUrl: receiver.url, ...options });
      oursRuns[index].push(await run(receiver, label, (u, e, p) => client.track(u, e, p)));
      await client.close();
    }
    oldRuns.push(await run(receiver, oldLabel, (u, e, p) => old.track(u, e, p)));
  }

  agent.destroy();
  const receiverFloor = await receiverAlone(receiver);
  await receiver.close();
  const [oursTrue, ours50] = oursRuns.map(medianRun);
  const oldRun = medianRun(oldRuns);
  const roundRatios = oursRuns.map((runs) => runs.map((ours, round) => oldRuns[round].wallMs / ours.wallMs));
  const [speedupTrue, speedup50] = roundRatios.map(median);
  return {
    calls: CALLS,
    rounds: ROUNDS,
    receiverAlone: receiverFloor,
    old: oldRun,
    oursBatchTrue: { ...oursTrue, speedupOverOld: speedupTrue, roundRatios: roundRatios[0] },
    oursBatch50: { ...ours50, speedupOverOld: speedup50, roundRatios: roundRatios[1] },
    targets: {
      speedup: TARGET_SPEEDUP,
      requestsPerEvent: TARGET_REQUESTS_PER_EVENT,
      batchTrueMet: oursTrue.finished && speedupTrue >= TARGET_SPEEDUP && oursTrue.requestsPerEvent <= TARGET_REQUESTS_PER_EVENT,
      batch50Met: ours50.finished && speedup50 >= TARGET_SPEEDUP && ours50.requestsPerEvent <= TARGET_REQUESTS_PER_EVENT,
    },
  };
}

await runIfMain(import.meta.url, measure);
