// Hostile inputs from JavaScript. Every argument of every method —
// and the constructor's apiKey and options — is given each of the values of HOSTILE below (Proxies
// whose traps throw, throwing getters and toJSON, cycles, 100,000-deep nesting, a 50 MB string,
// lone surrogates, exotic objects...), with the other arguments valid. Each call must either
// reject with an Error that names the argument (receivedCall false, a short message, nothing sent)
// or resolve having sent what docs/contract.md says: the expected body is computed from the value
// by an independent model of its validation rules (validation-model.mjs, JSON.stringify semantics)
// and compared with what the receiver recorded.
// Never a synchronous throw, a hang, an abort of the WebAssembly module, an uncaught exception or
// an unhandled rejection; the same client delivers a valid call after each argument's batch; and
// sweeping every hostile value again does not grow the module's linear memory or its handles.
//
// The class is built as js/node.cjs builds it, over a wrapped factory that keeps the Emscripten
// module object, so the tests can read its memory (HEAPU8.buffer) and embind's handle count.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { API_KEY, startReceiver } from './helpers.mjs';
import { METHODS, NOW, callVerdict, constructorVerdict, isObjectJson, setOwn } from './validation-model.mjs';

const require = createRequire(import.meta.url);
const defineOutbound = require('../js/outbound-api.js');
const createModule = require('../dist/outbound-node.cjs');
const execFileAsync = promisify(execFile);

// --- the process must stay clean: watched for the whole file ----------------------------------

const uncaught = [];
const unhandled = [];
const aborts = [];
const onUncaught = (error) => uncaught.push(error);
const onUnhandled = (reason) => unhandled.push(reason);
process.on('uncaughtException', onUncaught);
process.on('unhandledRejection', onUnhandled);

/** A fresh WebAssembly module and the public class over it, as js/node.cjs builds it. */
function instrumentedOutbound() {
  const instrumented = { module: null };
  instrumented.outbound = defineOutbound(Object.assign((moduleObject) => {
    instrumented.module = moduleObject;
    moduleObject.onAbort = (what) => aborts.push(String(what));
    return createModule(moduleObject);
  }, { methods: createModule.methods }));
  instrumented.memoryBytes = () => instrumented.module.HEAPU8.buffer.byteLength;
  instrumented.handles = () => instrumented.module.count_emval_handles();
  return instrumented;
}

// How long a call may take to settle before it counts as a hang: far beyond any healthy call on a
// busy machine (the slowest take well under a second), so only a Promise that never settles meets it.
const CALL_TIMEOUT_MS = 30000;
// How long one call may take before it returns its Promise. Generous, over ten times the slowest
// seen (0.3-0.7 s, a megabyte-sized or 100,000-deep argument, on a 2-core machine busy with other
// work), so a loaded machine stays within it; quadratic work on those arguments does not.
const SYNC_BUDGET_MS = 8000;
const MAX_MESSAGE_LENGTH = 500;  // "a few hundred characters"
// What the method tables saw, reported at the end.
const stats = { refused: 0, sentAsModelled: 0, sentUnchecked: 0, slowest: { ms: 0, what: '' } };

/** Settles `promise` or fails after `ms`: a hang is a failure, not a stuck suite. */
async function settleWithin(promise, ms, what) {
  let timer;
  const timeout = new Promise((resolve) => { timer = setTimeout(() => resolve({ status: 'timeout' }), ms); });
  try {
    const outcome = await Promise.race([
      promise.then((value) => ({ status: 'fulfilled', value }), (reason) => ({ status: 'rejected', reason })),
      timeout,
    ]);
    if (outcome.status === 'timeout') assert.fail(`${what} neither resolved nor rejected within ${ms} ms`);
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}

function shortText(value) {
  try {
    const text = value instanceof Error ? `${value.name}: ${value.message}` : String(value);
    return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} characters)` : text;
  } catch {
    return '(unprintable)';
  }
}

// --- the hostile values -------------------------------------------------------------------------
//
// Each is made afresh per case by make(valid), where `valid` is a valid value of the argument (so a
// Proxy or a frozen copy can wrap a value the library should accept). A value made twice behaves
// the same both times, which lets the model judge a second instance of stateful values.
// Slow ones run on fewer arguments: `large` ones (about a megabyte, ~0.1 s a call) on the arguments
// of `tier` 'large' or 'heavy', `heavy` ones (50 MB, 100,000 levels, 10,000 keys) on the arguments
// of `tier` 'heavy', one of each kind of argument (user ID, event, token, properties, attributes,
// timestamp, events, campaign IDs, apiKey, options). `relaxed` ones may be accepted or refused
// wherever the model would accept them (then what is sent must still match).

const thrower = (what) => () => { throw new Error(what); };
const copyOf = (valid) => (valid !== null && typeof valid === 'object' ? structuredClone(valid) : { a: 1 });
const objectFrom = (valid) => (valid !== null && typeof valid === 'object' && !Array.isArray(valid) ? structuredClone(valid) : { a: 1 });
const withProperty = (valid, key, descriptor) =>
  Object.defineProperty(objectFrom(valid), key, { enumerable: true, configurable: true, ...descriptor });
const allTraps = ['get', 'set', 'has', 'ownKeys', 'getOwnPropertyDescriptor', 'getPrototypeOf', 'defineProperty',
  'deleteProperty', 'isExtensible', 'preventExtensions', 'setPrototypeOf', 'apply', 'construct'];

const cache = {};
const cached = (key, build) => (cache[key] ??= build());
const fiftyMegabytes = () => cached('50MB', () => 'x'.repeat(50 * 1024 * 1024));
const oneMebibyte = () => cached('1MiB', () => 'y'.repeat(1024 * 1024));
function deeplyNested(levels, array) {
  let value = array ? [] : {};
  for (let i = 0; i < levels; i++) value = array ? [value] : { d: value };
  return value;
}

/** A getter whose reads differ: `reads` lists what each read does, the last one repeating. */
function changingGetter(valid, reads) {
  let count = 0;
  return withProperty(valid, 'changing', {
    get() {
      const read = reads[Math.min(count++, reads.length - 1)];
      return typeof read === 'function' ? read() : read;
    },
  });
}

function toJSONCalls(calls) {
  let count = 0;
  return { toJSON() { const call = calls[Math.min(count++, calls.length - 1)]; return call(); } };
}

function argumentsObject() { return arguments; }  // eslint-disable-line prefer-rest-params

class WithPrivateFields {
  #secret = 'hidden';
  plan = 'pro';
  get secretLength() { return this.#secret.length; }
}

const HOSTILE = [
  // Proxies
  { name: 'Proxy whose get trap throws', make: (v) => new Proxy(copyOf(v), { get: thrower('get trap') }) },
  { name: 'Proxy whose ownKeys trap throws', make: (v) => new Proxy(copyOf(v), { ownKeys: thrower('ownKeys trap') }) },
  { name: 'Proxy whose getPrototypeOf trap throws', relaxed: true, make: (v) => new Proxy(copyOf(v), { getPrototypeOf: thrower('getPrototypeOf trap') }) },
  { name: 'Proxy whose has trap throws', relaxed: true, make: (v) => new Proxy(copyOf(v), { has: thrower('has trap') }) },
  { name: 'Proxy whose getOwnPropertyDescriptor trap throws', make: (v) => new Proxy(copyOf(v), { getOwnPropertyDescriptor: thrower('gOPD trap') }) },
  { name: 'Proxy whose every trap throws', make: (v) => new Proxy(copyOf(v), Object.fromEntries(allTraps.map((t) => [t, thrower(`${t} trap`)]))) },
  { name: 'Proxy whose get trap throws a Symbol', make: (v) => new Proxy(copyOf(v), { get() { throw Symbol('thrown'); } }) },
  { name: 'Proxy whose get trap throws an object whose message getter throws', make: (v) => new Proxy(copyOf(v), {
    get() { throw Object.defineProperty({}, 'message', { get: thrower('message getter') }); },
  }) },
  { name: 'Proxy whose ownKeys reports a key that does not exist', relaxed: true, make: (v) => new Proxy(copyOf(v), { ownKeys: () => ['ghost'] }) },
  { name: 'Proxy that is infinitely deep (a new Proxy at every key)', make: () => {
    const endless = () => new Proxy({}, {
      ownKeys: () => ['deeper'],
      getOwnPropertyDescriptor: () => ({ value: undefined, enumerable: true, configurable: true, writable: true }),
      get: (target, key) => (key === 'deeper' ? endless() : undefined),
    });
    return endless();
  } },
  { name: 'revoked Proxy', make: (v) => { const { proxy, revoke } = Proxy.revocable(copyOf(v), {}); revoke(); return proxy; } },
  { name: 'Proxy of a Date', relaxed: true, make: () => new Proxy(new Date(0), {}) },
  // getters
  { name: 'getter that throws', make: (v) => withProperty(v, 'boom', { get: thrower('getter threw') }) },
  { name: 'getter that throws undefined', make: (v) => withProperty(v, 'boom', { get() { throw undefined; } }) },  // eslint-disable-line no-throw-literal
  { name: 'getter that throws an Error with a 1 MB message', size: 'large', make: (v) => withProperty(v, 'boom', { get() { throw new Error('m'.repeat(1 << 20)); } }) },
  { name: 'getter returning a different value on each read', make: (v) => changingGetter(v, ['first', 10n, () => { const c = {}; c.c = c; return c; }]) },
  { name: 'getter that throws on the first read only', make: (v) => changingGetter(v, [thrower('first read'), 'second']) },
  { name: 'getter returning 50 MB, then throwing', size: 'heavy', make: (v) => changingGetter(v, [fiftyMegabytes, thrower('second read')]) },
  { name: 'getter that adds properties to its object while it is read', make: (v) => {
    const grown = objectFrom(v);
    let added = 0;
    return Object.defineProperty(grown, 'grow', { enumerable: true, get() { grown[`added${added++}`] = added; return 'grew'; } });
  } },
  { name: 'array whose element getter throws', make: () => Object.defineProperty([1, 2], '1', { enumerable: true, get: thrower('element getter') }) },
  // toJSON
  { name: 'toJSON that throws', make: () => ({ toJSON: thrower('toJSON threw') }) },
  { name: 'toJSON returning a cycle', make: () => ({ toJSON() { const c = { a: 1 }; c.self = c; return c; } }) },
  { name: 'toJSON returning a Proxy whose traps throw', make: () => ({ toJSON: () => new Proxy({}, { get: thrower('get trap'), ownKeys: thrower('ownKeys trap') }) }) },
  { name: 'toJSON returning undefined', relaxed: true, make: () => ({ toJSON() { return undefined; } }) },
  { name: 'toJSON returning a BigInt', make: () => ({ toJSON: () => 7n }) },
  { name: 'toJSON returning an object', make: () => ({ toJSON: () => ({ plan: 'pro' }) }) },
  { name: 'toJSON returning itself', make: () => ({ k: 1, toJSON() { return this; } }) },
  { name: 'toJSON that throws on its second call', make: () => toJSONCalls([() => ({ plan: 'pro' }), thrower('second call')]) },
  { name: 'toJSON returning 50 MB', size: 'heavy', make: () => ({ toJSON: fiftyMegabytes }) },
  { name: 'toJSON as a getter that throws', make: () => Object.defineProperty({}, 'toJSON', { get: thrower('toJSON getter') }) },
  { name: 'toJSON that is not a function', make: () => ({ toJSON: 5, k: 'v' }) },
  // keys
  { name: 'Symbol keys', make: (v) => Object.assign(objectFrom(v), { [Symbol('s')]: 1 }) },
  { name: '__proto__ key from JSON.parse', make: () => JSON.parse('{"__proto__":{"polluted":true},"plan":"pro"}') },
  { name: '__proto__ key from Object.defineProperty', make: (v) => withProperty(v, '__proto__', { value: { polluted: true }, writable: true }) },
  { name: 'constructor key from JSON.parse', make: () => JSON.parse('{"constructor":{"prototype":{"polluted":true}}}') },
  { name: 'constructor key from Object.defineProperty', make: (v) => withProperty(v, 'constructor', { value: 'not a function', writable: true }) },
  { name: 'keys with quotes, backslashes, newlines and NUL', make: () => ({ '"q"': 1, 'back\\slash': 2, 'new\nline': 3, 'nul\u0000': 4, '</script>': 5 }) },
  { name: 'keys that are lone surrogates', make: () => ({ '\ud800': 1, 'x\udc00': 2 }) },
  { name: 'a 1 MB key holding a BigInt', size: 'large', make: () => ({ ['k'.repeat(1 << 20)]: 1n }) },
  { name: 'an object with 10,000 keys', size: 'heavy', make: () => Object.fromEntries(Array.from({ length: 10000 }, (_, i) => [`k${i}`, i])) },
  // nesting and size
  { name: '100,000-deep objects', size: 'heavy', make: () => cached('deepObject', () => deeplyNested(100000, false)) },
  { name: '100,000-deep arrays', size: 'heavy', make: () => cached('deepArray', () => deeplyNested(100000, true)) },
  { name: 'objects nested 150 levels', make: () => deeplyNested(150, false) },
  { name: 'a 50 MB string', size: 'heavy', make: fiftyMegabytes },
  { name: 'a 1 MiB string', size: 'large', make: oneMebibyte },
  { name: 'a string of 1 MB', size: 'large', make: () => cached('1MB', () => 'z'.repeat(1000 * 1000)) },
  { name: 'an array of 100,000 elements', size: 'large', make: () => Array.from({ length: 100000 }, (_, i) => i) },
  { name: 'an array-like {length: 1e9}', make: () => ({ length: 1e9 }) },
  { name: 'a sparse array', make: () => [, 'x', , 3] },  // eslint-disable-line no-sparse-arrays
  { name: 'an Array subclass instance', make: (v) => { class Items extends Array {} return Items.from(Array.isArray(v) ? v : [1]); } },
  // strings
  { name: 'a lone high surrogate', make: () => 'a\ud800' },
  { name: 'a lone low surrogate', make: () => '\udc00b' },
  { name: 'a reversed surrogate pair', make: () => '\udc00\ud800' },
  { name: 'a string with CR, LF and NUL', make: () => 'a\r\nX-Injected: 1\u0000' },
  { name: 'a non-Latin-1 string', make: () => '日本語 😀' },
  { name: 'a string of JSON-special characters', make: () => '"\\/\b\f\n\r\t\u2028\u2029\u007f</script>' },
  { name: 'lone surrogates inside properties', make: () => ({ s: 'a\ud800b', t: ['\udfff'] }) },
  // numbers
  { name: 'NaN, ±Infinity and -0 inside properties', make: () => ({ nan: NaN, inf: Infinity, ninf: -Infinity, nz: -0 }) },
  { name: '-0', make: () => -0 },
  { name: 'the smallest denormal 5e-324', make: () => 5e-324 },
  { name: '1e308', make: () => 1e308 },
  { name: 'BigInt', make: () => 10n },
  { name: 'a BigInt nested in properties', make: () => ({ cart: { items: [1, 2n] } }) },
  // other kinds of value
  { name: 'Symbol', make: () => Symbol('s') },
  { name: 'function', make: () => function named() {} },
  { name: 'async function', make: () => async () => {} },
  { name: 'class instance with private fields', make: () => new WithPrivateFields() },
  { name: 'Date', make: () => new Date(Date.UTC(2020, 8, 13, 12, 26, 40, 999)) },
  { name: 'invalid Date', make: () => new Date('not a date') },
  // The last valid Date: refusing it is fine (too late for UNIX seconds), calling it invalid is not.
  { name: 'Date in the year 275760', relaxed: true, refusalMustNotSay: /invalid Date/, make: () => new Date(8.64e15) },
  { name: 'Date before 1970', make: () => new Date(-1000) },
  { name: 'Date whose toJSON is overridden', relaxed: true, make: () => Object.assign(new Date(0), { toJSON: () => 'not a date' }) },
  { name: 'object with Date.prototype but no date', make: () => Object.create(Date.prototype) },
  { name: 'RegExp', make: () => /x+/g },
  { name: 'Error', make: () => new Error('an error') },
  { name: 'Promise', make: () => Promise.resolve('p') },
  { name: 'boxed String', make: () => new String('boxed') },  // eslint-disable-line no-new-wrappers
  { name: 'boxed Number', make: () => new Number(7) },  // eslint-disable-line no-new-wrappers
  { name: 'boxed Boolean', make: () => new Boolean(false) },  // eslint-disable-line no-new-wrappers
  { name: 'boxed BigInt', make: () => Object(3n) },
  { name: 'boxed Symbol', make: () => Object(Symbol('b')) },
  { name: 'Uint8Array', make: () => new Uint8Array([1, 2, 3]) },
  { name: 'Float64Array', make: () => new Float64Array([1.5, NaN]) },
  { name: 'ArrayBuffer', make: () => new ArrayBuffer(8) },
  { name: 'DataView', make: () => new DataView(new ArrayBuffer(8)) },
  { name: 'Map', make: () => new Map([['plan', 'pro']]) },
  { name: 'Set', make: () => new Set(['a']) },
  { name: 'WeakMap', make: () => new WeakMap() },
  { name: 'Math (a namespace object)', make: () => Math },
  { name: 'globalThis', make: () => globalThis },
  { name: 'an arguments object', make: () => argumentsObject('a', 'b') },
  { name: 'null-prototype object', make: (v) => Object.assign(Object.create(null), objectFrom(v)) },
  { name: 'Object.prototype itself', make: () => Object.prototype },
  { name: 'frozen value', make: (v) => deepFreeze(copyOf(v)) },
  { name: 'sealed value', make: (v) => Object.seal(copyOf(v)) },
  { name: 'object whose valueOf and toString throw', make: (v) => Object.assign(objectFrom(v), { valueOf: thrower('valueOf'), toString: thrower('toString') }) },
  { name: 'object whose Symbol.toPrimitive throws', make: (v) => Object.assign(objectFrom(v), { [Symbol.toPrimitive]: thrower('toPrimitive') }) },
  { name: 'object with a cycle', make: (v) => { const o = objectFrom(v); o.self = { back: o }; return o; } },
  { name: 'empty object', make: () => ({}) },
  { name: 'empty array', make: () => [] },
];

function deepFreeze(value) {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

// --- the arguments under test -------------------------------------------------------------------
//
// For each: the method, the argument's name (the message must contain it), a valid value, and how
// the call is made with the hostile value in place; the model (validation-model.mjs) gives the path
// and the expected body. Its `tier` says which of the slow values it also gets.

const VALID = {
  userId: 'u-1',
  attributes: { email: 'a@b.co', plan: 'pro' },
  properties: { plan: 'pro', n: 1 },
  events: [{ user_id: 'u-1', event: 'Signed Up', timestamp: 1600000000 }],
  campaignIds: [12, 'welcome'],
};

const userIdSlot = (method, rest, tier = undefined) => ({
  method, arg: 'userId', tier, valid: VALID.userId, args: (value) => [value, ...rest],
});

const tokenMethods = ['registerApnsToken', 'registerGcmToken', 'disableApnsToken', 'disableGcmToken'];

const METHOD_SLOTS = [
  userIdSlot('identify', [VALID.attributes], 'heavy'),
  { method: 'identify', arg: 'attributes', tier: 'heavy', valid: VALID.attributes, args: (value) => ['u-1', value] },
  { method: 'identify', arg: 'attributes', id: 'identify attributes.x (a value inside attributes)', tier: 'large', valid: 1,
    args: (value) => ['u-1', { x: value }] },
  userIdSlot('alias', ['anon-1']),
  { method: 'alias', arg: 'previousId', tier: 'large', valid: 'anon-1', args: (value) => ['u-1', value] },
  userIdSlot('track', ['e', VALID.properties, 1600000000]),
  { method: 'track', arg: 'event', tier: 'heavy', valid: 'Signed Up', args: (value) => ['u-1', value, VALID.properties, 1600000000] },
  { method: 'track', arg: 'properties', tier: 'heavy', valid: VALID.properties, args: (value) => ['u-1', 'e', value, 1600000000] },
  { method: 'track', arg: 'properties', id: 'track properties.x (a value inside properties)', tier: 'large', valid: 1,
    args: (value) => ['u-1', 'e', { x: value }, 1600000000] },
  { method: 'track', arg: 'timestamp', tier: 'heavy', valid: 1600000000, args: (value) => ['u-1', 'e', VALID.properties, value] },
  { method: 'trackBatch', arg: 'events', tier: 'heavy', valid: VALID.events, args: (value) => [value] },
  { method: 'trackBatch', arg: 'events', id: 'trackBatch events[0]', valid: VALID.events[0], args: (value) => [[value]] },
  { method: 'trackBatch', arg: 'events', id: 'trackBatch events[0].user_id', valid: 'u-1',
    args: (value) => [[{ user_id: value, event: 'e', timestamp: 1 }]] },
  { method: 'trackBatch', arg: 'events', id: 'trackBatch events[0].properties', tier: 'large', valid: VALID.properties,
    args: (value) => [[{ user_id: 'u-1', event: 'e', properties: value, timestamp: 1 }]] },
  { method: 'trackBatch', arg: 'events', id: 'trackBatch events[0].timestamp', valid: 1,
    args: (value) => [[{ user_id: 'u-1', event: 'e', timestamp: value }]] },
  ...tokenMethods.flatMap((method, i) => [
    userIdSlot(method, ['tok-1']),
    { method, arg: 'token', tier: i === 0 ? 'heavy' : undefined, valid: 'tok-1', args: (value) => ['u-1', value] },
  ]),
  userIdSlot('disableAllApnsTokens', []),
  userIdSlot('disableAllGcmTokens', []),
  userIdSlot('subscribeAll', []),
  userIdSlot('unsubscribeAll', []),
  ...['subscribeCampaigns', 'unsubscribeCampaigns'].flatMap((method, i) => [
    userIdSlot(method, [VALID.campaignIds]),
    { method, arg: 'campaignIds', tier: i === 0 ? 'heavy' : undefined, valid: VALID.campaignIds, args: (value) => ['u-1', value] },
  ]),
  { method: 'subscribeCampaigns', arg: 'campaignIds', id: 'subscribeCampaigns campaignIds[0]', tier: 'large', valid: 12,
    args: (value) => ['u-1', [value]] },
];
for (const slot of METHOD_SLOTS) slot.id ??= `${slot.method} ${slot.arg}`;

const TIERS = { undefined: [undefined], large: [undefined, 'large'], heavy: [undefined, 'large', 'heavy'] };
const valuesFor = (slot) => HOSTILE.filter((hostile) => TIERS[slot.tier].includes(hostile.size));

// --- the checks ----------------------------------------------------------------------------------

/** The expected outcome, from the model: REJECT or { wire, either }; a `relaxed` value may go either way. */
function expectationFor(slot, hostile) {
  // Each look makes another instance of the value: the library's may be spent.
  const verdict = callVerdict(slot.method, () => slot.args(hostile.make(slot.valid)));
  return !verdict.reject && hostile.relaxed ? { ...verdict, either: true } : verdict;
}

function assertBody(actual, expected) {
  const now = Math.floor(Date.now() / 1000);
  const replaceNow = (wire, sent) => {
    if (wire === NOW) {
      assert.ok(Number.isInteger(sent) && Math.abs(sent - now) <= 5, `timestamp ${sent} is not now`);
      return sent;
    }
    if (Array.isArray(wire)) return wire.map((member, i) => replaceNow(member, sent?.[i]));
    if (isObjectJson(wire)) {
      const out = {};
      for (const [key, member] of Object.entries(wire)) setOwn(out, key, replaceNow(member, sent?.[key]));
      return out;
    }
    return wire;
  };
  const want = replaceNow(expected, actual);
  try {
    assert.deepStrictEqual(actual, want);
  } catch {
    assert.fail(`sent ${shortText(JSON.stringify(actual))}, expected ${shortText(JSON.stringify(want))}`);
  }
}

/** The error of a refused argument: an Error, receivedCall false, a short message naming it. */
function assertRefusal(error, prefix, argName) {
  assert.ok(error instanceof Error, `rejected with a non-Error: ${shortText(error)}`);
  const message = String(error.message);
  assert.equal(error.receivedCall, false, message);
  assert.equal(error.status, undefined, message);
  assert.ok(message.length <= MAX_MESSAGE_LENGTH, `a message of ${message.length} characters: ${shortText(message)}`);
  assert.ok(message.startsWith(prefix), `the message does not start with ${JSON.stringify(prefix)}: ${shortText(message)}`);
  assert.ok(message.includes(argName) || /maxBodyBytes/.test(message),
    `the message does not name ${argName}: ${shortText(message)}`);
  assert.ok(!message.includes(API_KEY) && !String(error.stack).includes(API_KEY), 'the API key appears in the error');
}

let receiver;
let main;    // the module and class the method tables use
let client;  // one client for every method case, as an application would hold it

before(async () => {
  // The clients here make calls with retries: 0 on keep-alive sockets, at whatever pace the machine
  // allows: a socket idle for as long as the receiver's idle timeout could be closed by the server
  // just as a call is sent on it (ECONNRESET, a failed call). Ten minutes is longer than any pause.
  receiver = await startReceiver({ idleTimeoutMs: 600_000 });
  main = instrumentedOutbound();
  client = new main.outbound(API_KEY, { baseUrl: receiver.url, retries: 0 });
});
after(async () => {
  process.off('uncaughtException', onUncaught);
  process.off('unhandledRejection', onUnhandled);
  await receiver.close();
});

/** Makes one call; returns { status, value | reason }. Fails on a synchronous throw, a hang or a long block. */
async function call(target, slot, value) {
  let promise;
  const args = slot.args(value);
  const started = performance.now();
  try {
    promise = target[slot.method](...args);
  } catch (error) {
    assert.fail(`${slot.method} threw synchronously instead of rejecting: ${shortText(error)}`);
  }
  const blocked = performance.now() - started;
  if (blocked > stats.slowest.ms && blocked <= SYNC_BUDGET_MS) {
    stats.slowest = { ms: Math.round(blocked), what: `${slot.id ?? slot.method}: ${shortText(value).slice(0, 40)}` };
  }
  assert.ok(promise instanceof Promise, `${slot.method} returned ${shortText(promise)}, not a Promise`);
  const settled = await settleWithin(promise, CALL_TIMEOUT_MS, `${slot.method}()`);
  assert.ok(blocked <= SYNC_BUDGET_MS, `${slot.method} blocked the event loop for ${Math.round(blocked)} ms`);
  return settled;
}

async function checkMethodCase(slot, hostile) {
  receiver.clear();
  const expected = expectationFor(slot, hostile);
  const settled = await call(client, slot, hostile.make(slot.valid));
  if (settled.status === 'rejected') {
    assertRefusal(settled.reason, `${slot.method}: `, slot.arg);
    if (hostile.refusalMustNotSay) assert.doesNotMatch(settled.reason.message, hostile.refusalMustNotSay);
    assert.equal(receiver.calls().length, 0, 'a refused call reached the receiver');
    assert.ok(expected.reject || expected.either,
      `refused a value the rules accept (it would send ${shortText(JSON.stringify(expected.wire))}): ${shortText(settled.reason.message)}`);
    stats.refused += 1;
    return;
  }
  assert.equal(settled.value, undefined);
  const calls = receiver.calls();
  assert.equal(calls.length, 1, `expected one request, got ${calls.length}`);
  assert.equal(calls[0].path, `/v2${METHODS[slot.method].path}`);
  assert.ok(!expected.reject, `accepted a value it should refuse, and sent ${shortText(JSON.stringify(calls[0].body))}`);
  if (expected.wire !== undefined) assertBody(calls[0].body, expected.wire);
  stats[expected.wire !== undefined ? 'sentAsModelled' : 'sentUnchecked'] += 1;
}

async function assertDelivers(target) {
  receiver.clear();
  const settled = await settleWithin(target.track('u-after', 'Still Works', { n: 1 }, 1600000000), CALL_TIMEOUT_MS, 'track()');
  assert.equal(settled.status, 'fulfilled', `a valid call failed: ${shortText(settled.reason)}`);
  assert.deepEqual(receiver.calls().map((c) => c.body),
    [{ user_id: 'u-after', event: 'Still Works', properties: { n: 1 }, timestamp: 1600000000 }]);
}

describe('every method argument, given each hostile value', () => {
  for (const slot of METHOD_SLOTS) {
    describe(slot.id, () => {
      for (const hostile of valuesFor(slot)) {
        test(hostile.name, () => checkMethodCase(slot, hostile));
      }
      test('afterwards, the same client delivers a valid call', () => assertDelivers(client));
    });
  }
});

// --- memory: the same sweep twice, and many refusals ------------------------------------------
//
// Linear memory never shrinks, so what is measured is its size (the high-water mark of the
// module's allocations) and embind's count of live JavaScript handles. The sweep — every hostile
// value but the heavy ones, on one argument of each kind — runs twice on the same client: the
// first sets the high-water mark (megabyte-sized arguments take several copies at once), the
// second must not grow the memory at all, and neither may leave a handle behind.
//
// The receiver keeps idle keep-alive connections for ten minutes (see `before` above), however long
// the clients here pause between calls.

const SWEEP_SLOTS = METHOD_SLOTS.filter((slot) => slot.tier === 'heavy');
const MIB = 1024 * 1024;

async function sweep(target, slots, values, repeat = 1) {
  const outcomes = { fulfilled: 0, rejected: 0, threw: 0, cases: {} };
  for (const slot of slots) {
    for (const hostile of values(slot)) {
      for (let i = 0; i < repeat; i++) {
        let promise;
        try {
          promise = target[slot.method](...slot.args(hostile.make(slot.valid)));
        } catch {
          outcomes.threw += 1;
          continue;
        }
        const { status } = await settleWithin(promise, CALL_TIMEOUT_MS, `${slot.method}()`);
        outcomes[status] += 1;
        outcomes.cases[`${slot.id}|${hostile.name}`] = status;
      }
    }
  }
  await settleWithin(target.flush(), CALL_TIMEOUT_MS, 'flush()');
  await new Promise((resolve) => setImmediate(resolve));
  return outcomes;
}

// The sweep leaves out the heavy values (refused in JavaScript, they never reach the module).
/**
 * Runs `scenario` against a module of its own in a child process (the public class over the
 * build, as js/node.cjs makes it) and returns what it saw: the errors thrown, embind's handle count
 * before and after, whether a valid call was then delivered, and any uncaught error.
 */
async function inChildProcess(scenario) {
  const script = `
    const defineOutbound = require(${JSON.stringify(require.resolve('../js/outbound-api.js'))});
    const createModule = require(${JSON.stringify(require.resolve('../dist/outbound-node.cjs'))});
    const uncaught = [];
    process.on('uncaughtException', (e) => uncaught.push(String(e)));
    process.on('unhandledRejection', (e) => uncaught.push('unhandled: ' + String(e)));
    let module = null;
    const outbound = defineOutbound(Object.assign((m) => { module = m; return createModule(m); },
      { methods: createModule.methods }));
    const options = { baseUrl: process.env.RECEIVER_URL, retries: 0, maxBodyBytes: 100 };
    (async () => {
      const working = new outbound('child-key', options);
      await working.subscribeAll('u-child');
      const handlesBefore = module.count_emval_handles();
      const thrown = {};
      const count = (e) => { const k = e instanceof TypeError ? 'TypeError' : String(e); thrown[k] = (thrown[k] || 0) + 1; };
      for (let i = 0; i < 3000; i++) {
        try {
          if (process.env.SCENARIO === 'constructions') new outbound(i % 2 ? '' : 5);
          else {
            let reads = 0;
            const value = { get big() { if (reads++ === 0) return 'x'.repeat(3000); throw new Error('second read'); } };
            working.track('u-child', 'e', value, 1).catch(() => {});
          }
        } catch (e) { count(e); }
      }
      const handlesAfter = module.count_emval_handles();
      let afterwards;
      try { await working.subscribeAll('u-child'); afterwards = 'delivered'; } catch (e) { afterwards = String(e); }
      if (global.gc) global.gc();
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.stdout.write(JSON.stringify({ thrown, handlesBefore, handlesAfter, afterwards, uncaught }));
      process.exit(0);
    })().catch((e) => { process.stdout.write(JSON.stringify({ crashed: String(e), uncaught })); process.exit(0); });
  `;
  const { stdout } = await execFileAsync(process.execPath, ['--expose-gc', '-e', script], {
    env: { ...process.env, RECEIVER_URL: receiver.url, SCENARIO: scenario }, timeout: 120000, maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout);
}

const sweepValues = (slot) => valuesFor(slot).filter((hostile) => hostile.size !== 'heavy');
const smallValues = (slot) => valuesFor(slot).filter((hostile) => hostile.size === undefined);

describe('memory', () => {
  test('the same hostile sweep twice: the second grows neither the WebAssembly memory nor the handles', async (t) => {
    await settleWithin(client.flush(), CALL_TIMEOUT_MS, 'flush()');
    const warm = { memory: main.memoryBytes(), handles: main.handles() };
    const first = await sweep(client, SWEEP_SLOTS, sweepValues);
    const afterFirst = { memory: main.memoryBytes(), handles: main.handles() };
    const second = await sweep(client, SWEEP_SLOTS, sweepValues);
    const afterSecond = { memory: main.memoryBytes(), handles: main.handles() };
    const report = JSON.stringify({ warm, first: { ...first, cases: undefined }, afterFirst,
      second: { ...second, cases: undefined }, afterSecond });
    t.diagnostic(`WebAssembly memory / live handles: warm ${warm.memory} B / ${warm.handles}, after the first sweep ` +
      `${afterFirst.memory} B / ${afterFirst.handles}, after the second ${afterSecond.memory} B / ${afterSecond.handles}`);
    assert.equal(first.threw + second.threw, 0, report);
    assert.deepEqual(second.cases, first.cases, 'a case settled differently the second time');
    assert.equal(afterSecond.memory, afterFirst.memory, `the second sweep grew the memory: ${report}`);
    // The high-water mark the megabyte-sized arguments leave is bounded too.
    assert.ok(afterSecond.memory <= 32 * MIB, `the memory grew beyond 32 MiB: ${report}`);
    // The first sweep may leave the handles the bindings keep for good (the glue functions, looked up
    // once); a handle left per call would show in the second.
    assert.ok(afterSecond.handles <= afterFirst.handles, `handles left behind: ${report}`);
    await assertDelivers(client);
  });

  test('10 more rounds of the small hostile values grow nothing either', async () => {
    const before = { memory: main.memoryBytes(), handles: main.handles() };
    const outcomes = await sweep(client, SWEEP_SLOTS, smallValues, 10);
    const after = { memory: main.memoryBytes(), handles: main.handles() };
    const report = JSON.stringify({ before, outcomes: { ...outcomes, cases: undefined }, after });
    assert.equal(outcomes.threw, 0, report);
    assert.equal(after.memory, before.memory, `the memory grew: ${report}`);
    assert.ok(after.handles <= before.handles, `handles left behind: ${report}`);
    await assertDelivers(client);
  });

  // These two break the module they run in for good, and a broken module then throws from its
  // callbacks (uncaught RuntimeErrors: "null function or function signature mismatch", "table
  // index is out of bounds"), so each runs in a child process of its own.
  test('3,000 refused constructions leave the module working, with no handle left behind', async () => {
    const outcome = await inChildProcess('constructions');
    assert.deepEqual(outcome.thrown, { TypeError: 3000 }, JSON.stringify(outcome));
    assert.ok(outcome.handlesAfter <= outcome.handlesBefore, JSON.stringify(outcome));
    assert.equal(outcome.afterwards, 'delivered', JSON.stringify(outcome));
    assert.deepEqual(outcome.uncaught, [], JSON.stringify(outcome));
  });

  test('3,000 calls whose argument throws on its second read leave the module working', async () => {
    const outcome = await inChildProcess('second-read');
    assert.deepEqual(outcome.thrown, {}, JSON.stringify(outcome));
    assert.equal(outcome.afterwards, 'delivered', JSON.stringify(outcome));
    assert.deepEqual(outcome.uncaught, [], JSON.stringify(outcome));
  });
});

// --- the constructor -----------------------------------------------------------------------------
//
// new outbound(apiKey, options) may throw a TypeError (its contract) or return a client; a client
// it returns must work: when it points at the receiver, a call is delivered. Each argument's table
// runs on a fresh module, so that one table's refusals cannot affect the next.

/** Whether a client made with `options` (as JSON) is tried: it sends to the receiver with limits a call can meet. */
const triedAt = (options, url) => options.baseUrl === url && !(options.timeout < 1000) && !(options.maxBodyBytes < 1000);

const CONSTRUCTOR_SLOTS = [
  { id: 'new outbound() apiKey', arg: 'apiKey', tier: 'heavy', valid: () => API_KEY,
    args: (value, url) => [value, { baseUrl: url, retries: 0 }] },
  { id: 'new outbound() options', arg: 'options', tier: 'heavy', valid: (url) => ({ baseUrl: url, retries: 0 }),
    args: (value) => [API_KEY, value] },
  ...[['baseUrl', (url) => url], ['timeout', () => 5000], ['maxBodyBytes', () => 1048576], ['retries', () => 1],
    ['batch', () => ({ maxEvents: 10, flushIntervalMs: 20 })], ['persist', () => false]].map(([name, valid]) => ({
    id: `new outbound() options.${name}`, arg: 'options', tier: name === 'batch' ? 'large' : undefined, valid,
    args: (value, url) => [API_KEY, { baseUrl: url, retries: 0, [name]: value }],
  })),
];

async function checkConstructorCase(Outbound, slot, hostile) {
  receiver.clear();
  const url = receiver.url;
  let expected = constructorVerdict(() => slot.args(hostile.make(slot.valid(url)), url));
  if (!expected.reject && hostile.relaxed) expected = { ...expected, either: true };
  const value = hostile.make(slot.valid(url));
  const args = slot.args(value, url);
  let made;
  const started = performance.now();
  try {
    made = new Outbound(...args);
  } catch (error) {
    assert.ok(performance.now() - started <= SYNC_BUDGET_MS, `the constructor took ${Math.round(performance.now() - started)} ms`);
    assert.ok(error instanceof TypeError, `the constructor threw a non-TypeError: ${shortText(error)}`);
    const message = String(error.message);
    assert.ok(message.length <= MAX_MESSAGE_LENGTH, `a message of ${message.length} characters: ${shortText(message)}`);
    assert.ok(message.startsWith('new outbound(): '), `unexpected message: ${shortText(message)}`);
    assert.ok(message.includes(slot.arg), `the message does not name ${slot.arg}: ${shortText(message)}`);
    assert.ok(!message.includes(API_KEY) && !String(error.stack).includes(API_KEY), 'the API key appears in the error');
    if (typeof value === 'string' && value.length >= 4) assert.ok(!message.includes(value), 'the given key appears in the error');
    assert.ok(expected.reject || expected.either, `refused a valid argument: ${shortText(message)}`);
    return;
  }
  assert.ok(performance.now() - started <= SYNC_BUDGET_MS, `the constructor took ${Math.round(performance.now() - started)} ms`);
  assert.ok(!expected.reject, 'accepted an argument it should refuse with a TypeError');
  if (!triedAt(expected.wire, url)) {
    await settleWithin(made.close(), CALL_TIMEOUT_MS, 'close()');
    return;
  }
  const settled = await settleWithin(made.subscribeAll('u-ctor'), CALL_TIMEOUT_MS, 'subscribeAll()');
  assert.equal(settled.status, 'fulfilled', `the client it made cannot send: ${shortText(settled.reason)}`);
  assert.deepEqual(receiver.calls().map((c) => [c.path, c.body]), [['/v2/subscribe/all', { user_id: 'u-ctor' }]]);
  await settleWithin(made.close(), CALL_TIMEOUT_MS, 'close()');
}

describe('the constructor, given each hostile value', () => {
  let warnings = 0;
  const warn = console.warn;
  before(() => { console.warn = () => { warnings += 1; }; });  // unknown options warn once each
  after(() => { console.warn = warn; });

  for (const slot of CONSTRUCTOR_SLOTS) {
    describe(slot.id, () => {
      let fresh;
      before(() => { fresh = instrumentedOutbound(); });
      for (const hostile of valuesFor(slot)) {
        test(hostile.name, () => checkConstructorCase(fresh.outbound, slot, hostile));
      }
      test('afterwards, the module still makes clients that deliver', async () => {
        const made = new fresh.outbound(API_KEY, { baseUrl: receiver.url, retries: 0 });
        await assertDelivers(made);
      });
    });
  }
  test('unknown option names were warned about (counted, not printed)', (t) => {
    t.diagnostic(`${warnings} console.warn calls (one per unknown option name: 10,000 for the object with 10,000 keys)`);
    assert.ok(warnings > 0);
  });
});

describe('the method table', () => {
  test('the model and the sweep cover every parameter of every method of the table', () => {
    assert.deepEqual(Object.keys(METHODS), createModule.methods.map(([name]) => name));
    for (const [name, count] of createModule.methods) {
      assert.equal(METHODS[name].body.length, count, `${name}: the model's parameters`);
      const args = new Set(METHOD_SLOTS.filter((slot) => slot.method === name).map((slot) => slot.arg));
      assert.equal(args.size, count, `${name}: the sweep's arguments ${[...args].join(', ')}`);
    }
  });

  test('the module\'s callApi rejects a method name the table lacks, and sends nothing', async () => {
    receiver.clear();
    const embindClient = new main.module.outbound(API_KEY, { baseUrl: receiver.url, retries: 0, onError: () => {} });
    try {
      for (const name of ['nosuchMethod', 'flush', 'constructor', '']) {
        const settled = await settleWithin(main.module.callApi(embindClient, name, ['u-1']), CALL_TIMEOUT_MS, `call(${JSON.stringify(name)})`);
        assert.equal(settled.status, 'rejected');
        assertRefusal(settled.reason, `${name} is not a method of the API`, '');
      }
    } finally {
      embindClient.delete();
    }
    assert.equal(receiver.calls().length, 0);
  });
});

// Last: nothing escaped during the whole file.
test('no uncaught exception, no unhandled rejection, no abort of the WebAssembly module', (t) => {
  t.diagnostic(`method cases: ${stats.refused} refused, ${stats.sentAsModelled} sent and checked against the model, ` +
    `${stats.sentUnchecked} sent unchecked; slowest call within the budget to return its Promise: ${stats.slowest.ms} ms (${stats.slowest.what})`);
  assert.deepEqual(aborts, []);
  assert.deepEqual(uncaught.map(shortText), []);
  assert.deepEqual(unhandled.map(shortText), []);
});
