// The benchmark: runs every measurement in one go on this machine, prints a table with ratios and
// writes it to bench/results.md (with the machine, the date and the command) and bench/results.json.
//
//   npm run bench                         # builds dist/ if needed (bench/run.sh), then this
//   node bench/run.mjs                    # everything; writes bench/results.md and results.json
//   node bench/run.mjs --only per-call    # one (or a comma list); prints only, unless --write
//
// Each measurement runs in a fresh Node process of its own (bench/<name>.mjs, which can also be run
// directly and prints its figures as JSON), so none inherits another's heap, JIT state or sockets.
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from './lib.mjs';

const MEASUREMENTS = [
  { name: 'page-weight', title: 'Page weight' },
  { name: 'per-call', title: 'Per-call overhead' },
  { name: 'delivery', title: 'Delivery', nodeArgs: ['--expose-gc'] },
  { name: 'startup', title: 'Start-up' },
  { name: 'memory', title: 'Memory', nodeArgs: ['--expose-gc'] },
];

const { values: flags } = parseArgs({
  options: { only: { type: 'string' }, write: { type: 'boolean', default: false } },
});
const only = flags.only ? flags.only.split(',').map((s) => s.trim()) : null;
if (only) {
  const unknown = only.filter((name) => !MEASUREMENTS.some((m) => m.name === name));
  if (unknown.length) {
    console.error(`unknown measurement: ${unknown.join(', ')} (have: ${MEASUREMENTS.map((m) => m.name).join(', ')})`);
    process.exit(2);
  }
}
const selected = MEASUREMENTS.filter((m) => !only || only.includes(m.name));
const writeFiles = !only || flags.write;

// ---------------------------------------------------------------------------------------------
// Running

function runChild(measurement) {
  return new Promise((resolve) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...(measurement.nodeArgs || []), path.join(ROOT, 'bench', `${measurement.name}.mjs`)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.on('close', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const last = out.trim().split('\n').pop();
      try {
        if (code !== 0) throw new Error(`exited with code ${code}`);
        resolve({ ok: true, seconds, result: JSON.parse(last) });
      } catch (error) {
        resolve({ ok: false, seconds, error: error.message });
      }
    });
  });
}

function sh(command, args) {
  try {
    return execFileSync(command, args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function machine() {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = (cpuinfo.match(/^model name\s*:\s*(.+)$/m) || [])[1] || os.cpus()[0]?.model || 'unknown';
  const chromium = (sh('/usr/bin/chromium', ['--version']) || '').match(/Chromium [\d.]+/);
  return {
    nproc: Number(sh('nproc', [])) || os.availableParallelism(),
    cpu: model.trim(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: (readFileSync('/etc/os-release', 'utf8').match(/^PRETTY_NAME="?([^"\n]+)"?$/m) || [])[1] || os.platform(),
    node: process.version,
    chromium: chromium ? chromium[0] : 'not found',
  };
}

function library() {
  const dist = ['dist/outbound.js', 'dist/outbound.wasm', 'dist/outbound-node.cjs'].map((file) => {
    try {
      return { file, bytes: statSync(path.join(ROOT, file)).size, built: statSync(path.join(ROOT, file)).mtime.toISOString() };
    } catch {
      return { file, missing: true };
    }
  });
  const changed = sh('git', ['status', '--porcelain', '--', 'src', 'js', 'CMakeLists.txt', 'scripts']);
  return {
    version: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
    commit: sh('git', ['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: changed ? changed.split('\n').length : 0,
    dist,
  };
}

// ---------------------------------------------------------------------------------------------
// Formatting

const int = (n) => Math.round(n).toLocaleString('en-US');
const fixed = (n, digits = 1) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const bytes = (n) => `${int(n)} B (${fixed(n / 1024)} KB)`;
const ns = (n) => (n >= 10_000 ? `${int(n)} ns (${fixed(n / 1000)} µs)` : `${int(n)} ns`);
const ms = (n) => `${int(n)} ms`;
const ratio = (n) => `${n >= 100 ? int(n) : fixed(n, 2)}×`;
const met = (ok) => (ok === null || ok === undefined ? '—' : ok ? 'yes' : '**no**');
const signedBytes = (n) => `${n >= 0 ? '+' : '−'}${int(Math.abs(n))} B (${n >= 0 ? '+' : '−'}${fixed(Math.abs(n) / 2 ** 20, 2)} MiB)`;
const mib = (n) => `${fixed(n / 2 ** 20, 2)} MiB`;

function table(header, rows) {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => ' --- ').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

const failed = (name, outcome) => `*${name} did not run: ${outcome.error}*`;

function summaryRows(outcomes) {
  const rows = [];
  const get = (name) => (outcomes[name] && outcomes[name].ok ? outcomes[name].result : null);

  const weight = get('page-weight');
  if (weight) {
    weight.peers.forEach((peer, i) => rows.push([
      i === 0 ? 'Page weight (gzip -9, script + wasm)' : '',
      i === 0 ? bytes(weight.ours.gzip) : '',
      peer.name, bytes(peer.gzip), `ours/theirs ${ratio(peer.ratio)}`,
      i === 0 ? `ours ≤ ${int(weight.target.maxBytes)} B` : '', i === 0 ? met(weight.target.met) : '',
    ]));
  }
  const perCall = get('per-call');
  if (perCall) {
    rows.push(['Per-call `track`, synchronous: the caller\'s loop (median)', ns(perCall.ours.nsPerCall), 'outbound@1.3.0, `request` stubbed',
      ns(perCall.old.nsPerCall), `ours/old ${ratio(perCall.ratios.oursOverOld)}`, 'ours ≤ old', met(perCall.targets.oursAtMostOld)]);
    rows.push(['', '', '`JSON.stringify` of the body (floor)', ns(perCall.stringify.nsPerCall),
      `ours/stringify ${ratio(perCall.ratios.oursOverStringify)}`, 'ours ≤ 4× stringify', met(perCall.targets.oursAtMost4xStringify)]);
    rows.push(['… with the hand-over of the calls to the core (all their work before I/O)', ns(perCall.oursTurn.nsPerCall), 'outbound@1.3.0, `request` stubbed',
      ns(perCall.old.nsPerCall), `ours/old ${ratio(perCall.ratios.oursTurnOverOld)}`, '', '']);
    const inPage = perCall.browser;
    if (inPage && !inPage.skipped) {
      rows.push(['Per-call `track`, browser build in Chromium (median)', `${ns(inPage.ours.nsPerCall)}; with the hand-over ${ns(inPage.oursTurn.nsPerCall)}, of which the browser's fetch() ${ns(inPage.browserFetch.nsPerCall)}`,
        '`JSON.stringify` of the body, in the page', ns(inPage.stringify.nsPerCall), `ours/stringify ${ratio(inPage.oursOverStringify)}`, '', '']);
    }
  }
  const delivery = get('delivery');
  if (delivery) {
    const wall = (run) => (run.finished ? ms(run.wallMs) : `unfinished after ${ms(run.wallMs)}`);
    rows.push([`Delivery of ${int(delivery.calls)} tracks, wall time`, `${wall(delivery.oursBatchTrue)} (batch: true)`,
      'outbound@1.3.0, one request per call', wall(delivery.old), `old/ours ${ratio(delivery.oursBatchTrue.speedupOverOld)}`,
      'old/ours ≥ 10×', met(delivery.oursBatchTrue.speedupOverOld >= delivery.targets.speedup)]);
    rows.push(['', `${wall(delivery.oursBatch50)} (maxEvents 100, flushIntervalMs 50)`, '', '',
      `old/ours ${ratio(delivery.oursBatch50.speedupOverOld)}`, '', met(delivery.oursBatch50.speedupOverOld >= delivery.targets.speedup)]);
    rows.push(['Requests per event', `${fixed(delivery.oursBatchTrue.requestsPerEvent, 4)} (batch: true); ${fixed(delivery.oursBatch50.requestsPerEvent, 4)} (50 ms)`,
      'outbound@1.3.0', fixed(delivery.old.requestsPerEvent, 4), '', '≤ 0.011',
      met(delivery.oursBatchTrue.requestsPerEvent <= delivery.targets.requestsPerEvent && delivery.oursBatch50.requestsPerEvent <= delivery.targets.requestsPerEvent)]);
  }
  const startup = get('startup');
  if (startup && !startup.skipped) {
    const cold = startup.ours.cold;
    const old = startup.old.cold;
    rows.push([`Start-up in Chromium: script tag → POST on the wire (cold, median of ${startup.loads})`, cold.ok ? `${fixed(cold.postOnWireMs)} ms` : 'failed',
      'outbound@1.3.0 `<script src>`', old.ok ? `${fixed(old.postOnWireMs)} ms` : `cannot run in a page as shipped (${old.errors[0]})`,
      old.ok && cold.ok ? `ours/old ${ratio(cold.postOnWireMs / old.postOnWireMs)}` : '—', '< 50 ms', cold.ok ? met(cold.postOnWireMs < 50) : '—']);
    const floor = startup.floor && startup.floor.cold;
    if (floor && floor.ok && cold.ok) {
      rows.push(['', '', 'floor: a script of a few hundred bytes that instantiates an empty module, then POSTs', `${fixed(floor.postOnWireMs)} ms`,
        `ours/floor ${ratio(cold.postOnWireMs / floor.postOnWireMs)}`, '', '']);
    }
  } else if (startup && startup.skipped) {
    rows.push(['Start-up in Chromium', startup.skipped, '', '', '', '', '']);
  }
  const memory = get('memory');
  if (memory) {
    rows.push([`Memory: JS heap (heapUsed) after ${int(memory.calls)} delivered calls, flush, gc`, signedBytes(memory.delta.heapUsed),
      '', '', '', 'within 1 MiB of start', met(memory.target.met)]);
    if (memory.waiting) {
      const { perCall, bodyBytes, calls } = memory.waiting;
      rows.push([`Memory per call waiting its turn (${int(calls)} behind maxInFlight, body ${bodyBytes} B)`,
        `${int(perCall.heapUsed)} B JS heap + ${perCall.wasmMemory === null ? 'n/a' : `${int(perCall.wasmMemory)} B`} wasm`, '', '', '', '', '']);
    }
  }
  for (const m of selected) {
    if (outcomes[m.name] && !outcomes[m.name].ok) rows.push([m.title, `did not run: ${outcomes[m.name].error}`, '', '', '', '', '']);
  }
  return rows;
}

function details(outcomes) {
  const sections = [];
  const get = (name) => (outcomes[name] && outcomes[name].ok ? outcomes[name].result : null);

  const weight = get('page-weight');
  if (weight) {
    const rows = [weight.ours, ...weight.peers].map((s) => [s.name, s.files.map((f) => `\`${f.file}\` ${int(f.raw)} → ${int(f.gzip)}`).join('<br>'),
      int(s.raw), int(s.gzip), s.ratio ? ratio(s.ratio) : '—', s.note]);
    const budget = weight.budget ? ` Budget (\`bench/budget.json\`, held by \`npm test\`): ${bytes(weight.budget.maxBytes)}, met: ${met(weight.budget.met)}.` : '';
    sections.push(`### 1. Page weight\n\nEach file gzipped on its own with zlib level 9, as each is downloaded on its own.${budget}\n\n${
      table(['library', 'files: raw → gzip bytes', 'raw bytes', 'gzip -9 bytes', 'ours/theirs', 'what is counted'], rows)}`);
  } else if (outcomes['page-weight']) sections.push(failed('page weight', outcomes['page-weight']));

  const perCall = get('per-call');
  if (perCall) {
    const spread = (s) => `${int(Math.min(...s.samples))}–${int(Math.max(...s.samples))}`;
    const rows = [
      ['ours, batch {maxEvents: 100, flushIntervalMs: 600000}: 100 calls per timed chunk, delivered between chunks', ns(perCall.ours.nsPerCall), spread(perCall.ours), int(perCall.ours.callsPerRound)],
      ['… the same chunks with the hand-over of the calls to the core (the batch\'s request started)', ns(perCall.oursTurn.nsPerCall), spread(perCall.oursTurn), int(perCall.oursTurn.callsPerRound)],
      ['outbound@1.3.0, `request` stubbed (body serialised, 200 on setImmediate)', ns(perCall.old.nsPerCall), spread(perCall.old), int(perCall.old.callsPerRound)],
      ['`JSON.stringify({user_id, event, properties, timestamp})`', ns(perCall.stringify.nsPerCall), spread(perCall.stringify), int(perCall.stringify.callsPerRound)],
      ['ours, 1,000 calls back to back (queue up to 1,000 deep), with the hand-over', ns(perCall.oursBacklog1000.nsPerCall), spread(perCall.oursBacklog1000), '1,000'],
      ['ours, batch off, 100 calls per chunk (each call its own request), with the hand-over', ns(perCall.oursUnbatched.nsPerCall), spread(perCall.oursUnbatched), '100'],
    ];
    const inPage = perCall.browser;
    if (inPage && !inPage.skipped) {
      rows.push(
        [`browser build (\`dist/outbound.js\` + \`.wasm\`, -Oz) in Chromium ${inPage.chromiumVersion}, as the first row`, ns(inPage.ours.nsPerCall), spread(inPage.ours), '500'],
        ['… with the hand-over, as the second row', ns(inPage.oursTurn.nsPerCall), spread(inPage.oursTurn), '500'],
        ['… of which inside the browser\'s own fetch() (the batch\'s request, once per 100 calls)', ns(inPage.browserFetch.nsPerCall), spread(inPage.browserFetch), '500'],
        ['`JSON.stringify` of the body in the same page', ns(inPage.stringify.nsPerCall), spread(inPage.stringify), '10,000'],
      );
    }
    sections.push(`### 2. Per-call overhead\n\n\`track(userId, '${'Upgraded Plan'}', properties)\` with ${perCall.payload.properties} properties (one a nested object), ${perCall.payload.users} users in turn; only the synchronous calls are timed: the caller's loop, and the loop with the hand-over of its calls to the core (\`src/bindings/promises.js\`: the arguments are captured as JSON during the call, the core takes the calls once the caller's code has run; the timing ends when a \`flush()\` that hands over whatever still waits returns). Ours is the Node module (\`dist/outbound-node.cjs\` with \`dist/outbound-node.wasm\`, built for speed; the browser's \`.wasm\` is built for size). Median over ${perCall.rounds} interleaved rounds after warm-up (first four rows); the next two rows are medians of 3; the last four come from a page in headless Chromium (\`bench/per-call-browser.mjs\`), where the old library cannot run as shipped. With the hand-over, ours includes, once per 100 calls, starting the batch's HTTP request. ours/old ${ratio(perCall.ratios.oursOverOld)}, ours/stringify ${ratio(perCall.ratios.oursOverStringify)}.\n\n${
      table(['subject', 'median per call', 'range over rounds (ns)', 'calls per round'], rows)}`);
  } else if (outcomes['per-call']) sections.push(failed('per-call', outcomes['per-call']));

  const delivery = get('delivery');
  if (delivery) {
    const sizes = (run) => {
      const entries = Object.entries(run.batchSizes || {});
      if (!entries.length) return '—';
      return entries.sort((a, b) => Number(b[0]) - Number(a[0])).map(([size, count]) => `${count}×${size}`).join(', ');
    };
    const rows = [delivery.old, delivery.oursBatchTrue, delivery.oursBatch50].map((run) => [
      run.label, run.finished ? ms(run.wallMs) : `unfinished (${ms(run.wallMs)})`, ms(run.syncCallsMs),
      int(run.requests), fixed(run.requestsPerEvent, 4), sizes(run),
      `${int(run.fulfilled ?? 0)} / ${int(run.rejected ?? 0)}`, `${int(run.distinctEvents)} / ${int(run.lost)} / ${int(run.duplicates)}`,
      run.speedupOverOld ? ratio(run.speedupOverOld) : '—',
    ]);
    if (delivery.receiverAlone) {
      const alone = delivery.receiverAlone;
      rows.push([`the receiver alone: our runs' ${int(alone.requests)} batch bodies, built beforehand, POSTed by plain \`node:http\` over ${alone.sockets} sockets (median of ${alone.samples.length})`,
        ms(alone.wallMs), '—', int(alone.requests), '—', '—', '—', '—', '—']);
    }
    sections.push(`### 3. Delivery\n\n${int(delivery.calls)} \`track\` calls made back to back, to the receiver in another process; wall time from the first call until every Promise settled: ${delivery.rounds} rounds after a warm-up burst on each side, each round running every client once in turn (each run's figure is in \`bench/results.json\`); the wall times are the rounds' medians, old/ours the median of the rounds' own ratios. "Calls" is the time the synchronous calls alone took. The last row is the floor of ours: what the receiver takes to answer the same requests with no client work before them.\n\n${
      table(['client', 'wall time', 'calls', 'requests', 'requests/event', 'batch sizes (count×events)', 'resolved / rejected', 'delivered / lost / duplicated', 'old/ours'], rows)}`);
  } else if (outcomes.delivery) sections.push(failed('delivery', outcomes.delivery));

  const startup = get('startup');
  if (startup && !startup.skipped) {
    const row = (label, s) => (s.ok
      ? [label, `${fixed(s.requestStartMs)} ms`, s.preflightOnWireMs === null || Number.isNaN(s.preflightOnWireMs) ? 'none (cached)' : `${fixed(s.preflightOnWireMs)} ms`,
        `${fixed(s.postOnWireMs)} ms`, `${fixed(s.resolvedMs)} ms`, `${s.loads}${s.failedLoads ? ` (+${s.failedLoads} failed)` : ''}`]
      : [label, `cannot run: ${s.errors.join('; ')}`, '', '', '', '0']);
    const rows = [['ours, cold', startup.ours.cold]];
    if (startup.ours.preloaded) rows.push(['ours, cold, the page preloads the .wasm', startup.ours.preloaded]);
    rows.push(['ours, warm', startup.ours.warm]);
    if (startup.floor) rows.push(['floor: fetch + instantiate an empty module, then POST', startup.floor.cold]);
    rows.push(['outbound@1.3.0, cold', startup.old.cold]);
    const phases = (label, s) => (s && s.ok && s.wasmRequestedMs !== undefined
      ? [label, `${fixed(s.scriptDownloadedMs)} ms`, `${fixed(s.wasmRequestedMs)} ms`, `${fixed(s.wasmDownloadedMs)} ms`, `${fixed(s.requestStartMs)} ms`]
      : null);
    const phaseRows = rows.map(([label, s]) => phases(label, s)).filter(Boolean);
    const load = startup.loadAverage ? ` Load average ${startup.loadAverage.before.map((v) => v.toFixed(2)).join(' ')} before, ${startup.loadAverage.after.map((v) => v.toFixed(2)).join(' ')} after.` : '';
    sections.push(`### 4. Start-up (headless Chromium ${startup.chromiumVersion})\n\nFrom the page's first script (\`performance.mark('tag')\`) to: the request being started (Resource Timing startTime of POST /v2/track), the CORS preflight and then the POST reaching the receiver on another origin (receiver clock), and the \`track\` Promise resolving. Medians of ${startup.loads} loads. Cold: a fresh browser context per load (the cold pages load in turn); warm: one context, files from the HTTP cache after a priming load. The floor is the same page with a script of a few hundred bytes that fetches and instantiates an empty WebAssembly module, then sends the same POST.${load}\n\n${
      table(['page', 'request started', 'preflight on the wire', 'POST on the wire', 'Promise resolved', 'loads'], rows.map(([label, s]) => row(label, s)))}${
      phaseRows.length ? `\n\nBefore the request (Resource Timing, medians): the script downloaded, the .wasm requested and downloaded (a negative time is before the tag: the page's preload).\n\n${
        table(['page', 'script downloaded', '.wasm requested', '.wasm downloaded', 'request started'], phaseRows)}` : ''}`);
  } else if (startup && startup.skipped) sections.push(`### 4. Start-up\n\nSkipped: ${startup.skipped}.`);
  else if (outcomes.startup) sections.push(failed('start-up', outcomes.startup));

  const memory = get('memory');
  if (memory) {
    const keys = ['heapUsed', 'heapTotal', 'external', 'arrayBuffers', 'rss', 'wasmMemory'];
    const rows = keys.map((key) => [key === 'wasmMemory' ? 'wasm linear memory' : key,
      ...['start', 'peak', 'after', 'afterClose'].map((when) => (memory[when][key] === null ? 'n/a' : mib(memory[when][key]))),
      memory.delta[key] === null ? 'n/a' : signedBytes(memory.delta[key])]);
    const notCounted = memory.start.wasmMemory !== null && memory.start.arrayBuffers < memory.start.wasmMemory
      ? ` Node does not count the wasm memory in \`arrayBuffers\` here (${mib(memory.start.arrayBuffers)} at start, with ${mib(memory.start.wasmMemory)} of wasm memory).`
      : '';
    sections.push(`### 5. Memory\n\n${int(memory.calls)} \`track\` calls (batch: true) in chunks of ${int(memory.chunk)}, each followed by \`await flush()\`, ${int(memory.delivered.distinct)} events delivered in ${int(memory.delivered.requests)} requests (incl. a ${int(memory.chunk)}-call warm-up), ${int(memory.rejected)} rejected, ${fixed(memory.elapsedMs / 1000)} s. "start" after the warm-up and \`gc()\`; "after" after the last flush and \`gc()\`; "peak" the largest seen between chunks. The wasm memory is read from the module the class was built over (${memory.instrumented}); it can only grow.${notCounted}\n\n${
      table(['process.memoryUsage()', 'start', 'peak', 'after', 'after close()', 'after − start'], rows)}`);
  } else if (outcomes.memory) sections.push(failed('memory', outcomes.memory));

  return sections.join('\n\n');
}

// ---------------------------------------------------------------------------------------------

const startedAt = new Date();
const loadBefore = os.loadavg();
const outcomes = {};
for (const measurement of selected) {
  process.stderr.write(`— ${measurement.title} (bench/${measurement.name}.mjs)\n`);
  outcomes[measurement.name] = await runChild(measurement);
  if (!outcomes[measurement.name].ok) process.stderr.write(`  failed: ${outcomes[measurement.name].error}\n`);
}
const loadAfter = os.loadavg();
const totalSeconds = (Date.now() - startedAt.getTime()) / 1000;

const info = { machine: machine(), library: library() };
const command = only ? `node bench/run.mjs --only ${only.join(',')}` : 'npm run bench';
const summary = table(['measure', 'outbound-wasm', 'compared with', 'theirs', 'ratio', 'target', 'met'], summaryRows(outcomes));
const m = info.machine;
const lib = info.library;
const markdown = `# outbound-wasm benchmark

Run on ${startedAt.toISOString()} with \`${command}\` (${fixed(totalSeconds, 0)} s), one run, all figures from this machine:
${m.nproc} cores (${m.cpu}), ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, ${m.chromium}.
Load average ${loadBefore.map((x) => fixed(x, 2)).join(' ')} before, ${loadAfter.map((x) => fixed(x, 2)).join(' ')} after.
Library: outbound-wasm ${lib.version} at ${lib.commit}${lib.uncommittedChanges ? ` with ${lib.uncommittedChanges} uncommitted change(s) in src/, js/, scripts/ or CMakeLists.txt` : ''}; dist built ${lib.dist.map((d) => (d.missing ? `${d.file} missing` : d.built)).sort().pop()}.
Peers (pinned devDependencies): outbound@1.3.0, @segment/analytics-next@1.84.3, mixpanel-browser@2.83.0.

## Summary

${summary}

## Details

How each figure is made, and why that is fair, is written at the top of its file: \`bench/page-weight.mjs\`,
\`bench/per-call.mjs\`, \`bench/delivery.mjs\`, \`bench/startup.mjs\`, \`bench/memory.mjs\`. Each ran in a fresh Node
process; the receiver (\`receiver/receiver.mjs\`) ran in a process of its own, except for start-up.
Durations: ${Object.entries(outcomes).map(([name, o]) => `${name} ${fixed(o.seconds)} s`).join(', ')}.

${details(outcomes)}
`;

process.stdout.write(`\n${summary}\n\n`);
if (writeFiles) {
  writeFileSync(path.join(ROOT, 'bench/results.md'), markdown);
  const json = {
    date: startedAt.toISOString(),
    command,
    seconds: totalSeconds,
    ...info,
    loadavg: { before: loadBefore, after: loadAfter },
    results: Object.fromEntries(Object.entries(outcomes).map(([name, o]) => [name, o.ok ? o.result : { error: o.error }])),
    durations: Object.fromEntries(Object.entries(outcomes).map(([name, o]) => [name, o.seconds])),
  };
  writeFileSync(path.join(ROOT, 'bench/results.json'), `${JSON.stringify(json, null, 2)}\n`);
  process.stderr.write(`wrote bench/results.md and bench/results.json (${fixed(totalSeconds, 0)} s)\n`);
}
if (Object.values(outcomes).some((o) => !o.ok)) process.exitCode = 1;
