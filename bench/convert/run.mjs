// Times the two ways of getting JS arguments into C++ (see convert_bench.cpp).
// Usage: bash bench/run.sh convert [callsPerRound=200000] [rounds=5] (builds the target
// convert_bench of the wasm preset, then runs this).
// Per payload: warm up each case, then ROUNDS rounds of (stringify floor, a, b), median per case.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Module = await require('../../build/wasm/bench/convert/convert_bench.js')();

const CALLS = Number(process.argv[2] ?? 200_000);
const ROUNDS = Number(process.argv[3] ?? 5);
const WARMUP = Math.max(10_000, CALLS / 10);

// The product's own encoder (src/bindings/js_args.js, built in with --pre-js).
const encode = (...args) => Module.encodeArgs(Infinity, args);

const typical = {
  plan: 'pro', source: 'landing page', currency: 'EUR', price: 49.99, quantity: 3,
  trial: false, returning: true,
  device: { os: 'macOS', version: 14, touch: false },
  scores: [1, 2.5, 3],
  coupon: 'SPRING-24',
};
const wide = {};
for (let i = 0; i < 50; i++) {
  wide['property_' + i] = i % 3 === 0 ? 'value number ' + i : i % 3 === 1 ? i * 1.25 : i % 2 === 0;
}
const nested = {
  order: 'A-1001', total: 120.5,
  customer: {
    name: 'Ada', tier: 'gold',
    address: { city: 'Paris', zip: '75001', geo: { lat: 48.86, lng: 2.35, exact: true } },
  },
  tags: ['new', 'web'],
};
const payloads = { 'typical (10 props)': typical, 'wide (50 props)': wide, 'nested (3 levels)': nested };

const userId = 'user-8f3a2c';
const event = 'Purchase Completed';
const ts = '2024-05-01T12:00:00.000Z';

// Both paths must produce the very same body before anything is timed.
for (const [name, props] of Object.entries(payloads)) {
  const a = Module.bodyViaJsonString(encode(userId, event, props, ts));
  const b = Module.bodyViaValWalk(userId, event, props, ts);
  if (a !== b || a === '') throw new Error(`bodies differ for ${name}:\n${a}\n${b}`);
}

let sink = 0;
const cases = {
  floor: (props) => { sink += JSON.stringify([userId, event, props, ts]).length; },
  a: (props) => { sink += Module.viaJsonString(encode(userId, event, props, ts)); },
  b: (props) => { sink += Module.viaValWalk(userId, event, props, ts); },
};

function time(fn, props, calls = CALLS) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) fn(props);
  return Number(process.hrtime.bigint() - start) / calls;
}

const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

const rows = [];
for (const [name, props] of Object.entries(payloads)) {
  for (const fn of Object.values(cases)) time(fn, props, WARMUP);
  const samples = { floor: [], a: [], b: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const [label, fn] of Object.entries(cases)) samples[label].push(time(fn, props));
  }
  const [floor, a, b] = ['floor', 'a', 'b'].map((label) => median(samples[label]));
  const bytes = Module.viaJsonString(encode(userId, event, props, ts));
  rows.push({ payload: name, 'body bytes': bytes, 'stringify ns': floor.toFixed(0),
    '(a) JSON string ns': a.toFixed(0), '(b) val walk ns': b.toFixed(0), 'b/a': (b / a).toFixed(2) });
}

console.log(`node ${process.version}, ${CALLS} calls x ${ROUNDS} interleaved rounds, median ns/call (sink ${sink > 0})`);
console.table(rows);
