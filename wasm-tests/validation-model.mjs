// A model of the library's argument rules: given the arguments of a method call or of the
// constructor, it says whether the library must refuse them, may do either, or must send — and, for
// a method, the exact body. It follows docs/contract.md, section API (the constructor, and the table
// of the 14 methods with their paths and bodies) and section Validation and mapping (user IDs, event
// names and tokens, campaign IDs, properties and attributes, timestamps, identify attributes,
// trackBatch, size), with the limits README.md states (Options; What is accepted, and what is sent:
// 100 levels of nesting, lone surrogates sent as U+FFFD, timestamps up to 10^11).
//
// It is an oracle for wasm-tests/hostile.test.mjs, so it is written from those documents, never
// from src/ or js/: it judges a value by what JSON.stringify makes of it, in plain JavaScript that
// shares nothing with the library's decoding, checks or mapping. A mistake there then shows as a
// disagreement with this model rather than being copied into what the tests expect. Where the
// documents leave the answer open (a toJSON that returns undefined, a Date later than 10^11
// seconds, an option given as null, a key no header can carry) the verdict allows either.
//
// A verdict is REJECT, { wire } (accepted, and `wire` is what is sent) or { wire, either: true }
// (accepting and refusing are both fine; if accepted, `wire` is what must be sent). A `wire` of
// undefined means accepted but not modelled; NOW stands for a timestamp of the current time.

const REJECT = Object.freeze({ reject: true });
export const NOW = Symbol('now');
const ok = (wire) => ({ wire });
const either = (wire) => ({ wire, either: true });

/** The default of maxBodyBytes (README.md, Options). */
const DEFAULT_MAX_BODY_BYTES = 1048576;
const MAX_DEPTH = 100;                  // levels of nesting an argument may have
const MAX_SECONDS = 1e11;               // a larger timestamp can only be milliseconds
const MAX_BATCH_EVENTS = 100;
const BATCH_EVENT_FIELDS = ['user_id', 'event', 'properties', 'timestamp'];

/** Lone surrogates as U+FFFD (String.prototype.toWellFormed, which Node 18 lacks). */
const toWellFormed = (text) => text.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');

/** Sets an own enumerable member, even one named __proto__. */
export const setOwn = (object, key, value) =>
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });

export const isObjectJson = (json) => json !== null && typeof json === 'object' && !Array.isArray(json);

// --- what JSON.stringify makes of a value ----------------------------------------------------------

/** What JSON.stringify sends for `value`, lone surrogates as U+FFFD; FAILS when it throws. */
const FAILS = Symbol('fails');
function jsonOf(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch {
    return FAILS;
  }
  return text === undefined ? undefined : wellFormed(JSON.parse(text));
}

function wellFormed(value) {
  if (typeof value === 'string') return toWellFormed(value);
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(wellFormed);
  const out = {};
  for (const [key, child] of Object.entries(value)) setOwn(out, toWellFormed(key), wellFormed(child));
  return out;
}

function depthOf(value) {
  if (value === null || typeof value !== 'object') return 0;
  let deepest = 0;
  for (const child of Object.values(value)) deepest = Math.max(deepest, depthOf(child));
  return deepest + 1;
}

const tooDeep = (value) => {
  const json = jsonOf(value);
  return json !== FAILS && depthOf(json) > MAX_DEPTH;
};

/** 'yes' for an object the rules call plain (or a class instance), 'no' else, 'unreadable'. */
function plainness(value) {
  try {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'no';
    return Object.prototype.toString.call(value) === '[object Object]' ? 'yes' : 'no';
  } catch {
    return 'unreadable';
  }
}

// --- one argument ------------------------------------------------------------------------------------

function userIdArg(value) {
  if (typeof value === 'string') return value === '' ? REJECT : ok(toWellFormed(value));
  if (typeof value === 'number') return Number.isFinite(value) ? ok(String(value)) : REJECT;
  return REJECT;
}

function nonEmptyStringArg(value) {
  return typeof value === 'string' && value !== '' ? ok(toWellFormed(value)) : REJECT;
}

/** properties and attributes: a plain object, undefined or null; values as JSON.stringify sends them. */
function objectArg(value) {
  if (value === undefined || value === null) return ok(null);
  if (plainness(value) !== 'yes') return REJECT;
  const json = jsonOf(value);
  if (json === FAILS) return REJECT;
  if (json === undefined) return either(null);  // its toJSON returned undefined
  return isObjectJson(json) ? ok(json) : REJECT;
}

function propertiesArg(value) {
  const verdict = objectArg(value);
  return verdict.reject ? verdict : { ...verdict, wire: verdict.wire ?? {} };
}

const IDENTIFY_FIELDS = {
  first_name: 'first_name', firstName: 'first_name', last_name: 'last_name', lastName: 'last_name', email: 'email',
  phone_number: 'phone_number', phoneNumber: 'phone_number', timezone: 'timezone', group_id: 'group_id', groupId: 'group_id',
};
// Known names with rules of their own (token lists, objects, a user ID), which this model leaves unmodelled.
const IDENTIFY_UNMODELLED = ['apns', 'apnsTokens', 'gcm', 'gcmTokens', 'group_attributes', 'groupAttributes', 'previous_id',
  'previousId', 'attributes'];

/** identify's attributes as the top-level fields of the body (the string-valued known names, and `attributes`). */
function identifyFieldsArg(value) {
  const verdict = objectArg(value);
  if (verdict.reject) return verdict;
  const fields = {};
  const attributes = {};
  for (const [key, member] of Object.entries(verdict.wire ?? {})) {
    const field = Object.hasOwn(IDENTIFY_FIELDS, key) ? IDENTIFY_FIELDS[key] : undefined;
    if (field) {
      if (field === key || !(field in (verdict.wire ?? {}))) setOwn(fields, field, member);
    } else if (IDENTIFY_UNMODELLED.includes(key)) {
      return either(undefined);
    } else {
      setOwn(attributes, key, member);
    }
  }
  if (Object.keys(attributes).length > 0) fields.attributes = attributes;
  return { ...verdict, wire: fields };
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function timestampArg(value) {
  if (value === undefined || value === null) return ok(NOW);
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 && value <= MAX_SECONDS ? ok(Math.floor(value) + 0) : REJECT;
  let isDate;
  try {
    isDate = Object.prototype.toString.call(value) === '[object Date]';
  } catch {
    return REJECT;
  }
  if (isDate) {
    const ms = Date.prototype.getTime.call(value);
    if (Number.isNaN(ms) || ms < 0) return REJECT;
    const seconds = Math.floor(ms / 1000);
    return seconds <= MAX_SECONDS ? ok(seconds) : either(seconds);
  }
  return REJECT;
}

/** A batch event's timestamp, as JSON (a Date arrives as its ISO string). */
function jsonTimestamp(json) {
  if (json === undefined || json === null) return ok(NOW);
  if (typeof json === 'number') return json >= 0 && json <= MAX_SECONDS ? ok(Math.floor(json) + 0) : REJECT;
  if (typeof json === 'string' && ISO_DATE.test(json)) {
    const ms = Date.parse(json);
    return ms >= 0 ? ok(Math.floor(ms / 1000)) : REJECT;
  }
  if (typeof json === 'string' && /^[+-]\d{6}-/.test(json)) return either(Math.floor(Date.parse(json) / 1000));
  return REJECT;
}

function batchEvent(json) {
  if (!isObjectJson(json)) return REJECT;
  if (Object.keys(json).some((key) => !BATCH_EVENT_FIELDS.includes(key))) return REJECT;
  const userId = typeof json.user_id === 'string' || typeof json.user_id === 'number' ? userIdArg(json.user_id) : REJECT;
  const event = nonEmptyStringArg(json.event);
  const properties = json.properties === undefined || json.properties === null ? ok({})
    : isObjectJson(json.properties) ? ok(json.properties) : REJECT;
  return combine({ user_id: userId, event, properties, timestamp: jsonTimestamp(json.timestamp) });
}

/** An array argument as JSON; FAILS when it is no array (or cannot say, as a revoked Proxy) or JSON.stringify throws. */
function arrayJsonOf(value) {
  try {
    if (!Array.isArray(value)) return FAILS;
  } catch {
    return FAILS;
  }
  return jsonOf(value);
}

function eventsArg(value) {
  const json = arrayJsonOf(value);
  if (json === FAILS || !Array.isArray(json) || json.length < 1 || json.length > MAX_BATCH_EVENTS) return REJECT;
  return combineList(json.map(batchEvent));
}

function campaignIdsArg(value) {
  const json = arrayJsonOf(value);
  if (json === FAILS || json.length < 1) return REJECT;
  return json.every((id) => typeof id === 'string' || typeof id === 'number') ? ok(json) : REJECT;
}

/** A body from the verdicts of its fields: REJECT if any rejects, `either` if any may go both ways. */
function combine(fields) {
  const wire = {};
  let loose = false;
  for (const [key, verdict] of Object.entries(fields)) {
    if (verdict.reject) return REJECT;
    loose ||= Boolean(verdict.either);
    if (key === '...') Object.assign(wire, verdict.wire);
    else if (verdict.wire !== null && verdict.wire !== undefined) wire[key] = verdict.wire;
  }
  return { wire, either: loose };
}

function combineList(verdicts) {
  if (verdicts.some((verdict) => verdict.reject)) return REJECT;
  return { wire: verdicts.map((verdict) => verdict.wire), either: verdicts.some((verdict) => verdict.either) };
}

// --- the methods ---------------------------------------------------------------------------------------

const tokenMethod = (path) => ({
  path, body: (userId, token) => combine({ user_id: userIdArg(userId), token: nonEmptyStringArg(token) }),
});
const disableAllMethod = (path) => ({ path, body: (userId) => combine({ user_id: userIdArg(userId), all: ok(true) }) });
const userOnlyMethod = (path) => ({ path, body: (userId) => combine({ user_id: userIdArg(userId) }) });
const campaignsMethod = (path) => ({
  path, body: (userId, campaignIds) => combine({ user_id: userIdArg(userId), campaign_ids: campaignIdsArg(campaignIds) }),
});

/** The 14 methods (docs/contract.md, API): each one's path under baseUrl, and its arguments' verdict as a body. */
export const METHODS = Object.freeze({
  identify: { path: '/identify', body: (userId, attributes) => combine({ user_id: userIdArg(userId), '...': identifyFieldsArg(attributes) }) },
  alias: { path: '/identify', body: (userId, previousId) => combine({ user_id: userIdArg(userId), previous_id: userIdArg(previousId) }) },
  track: {
    path: '/track',
    body: (userId, event, properties, timestamp) => combine({
      user_id: userIdArg(userId), event: nonEmptyStringArg(event), properties: propertiesArg(properties), timestamp: timestampArg(timestamp),
    }),
  },
  trackBatch: { path: '/track/batch', body: (events) => eventsArg(events) },
  registerApnsToken: tokenMethod('/apns/register'),
  registerGcmToken: tokenMethod('/gcm/register'),
  disableApnsToken: tokenMethod('/apns/disable'),
  disableGcmToken: tokenMethod('/gcm/disable'),
  disableAllApnsTokens: disableAllMethod('/apns/disable'),
  disableAllGcmTokens: disableAllMethod('/gcm/disable'),
  subscribeAll: userOnlyMethod('/subscribe/all'),
  unsubscribeAll: userOnlyMethod('/unsubscribe/all'),
  subscribeCampaigns: campaignsMethod('/subscribe/campaigns'),
  unsubscribeCampaigns: campaignsMethod('/unsubscribe/campaigns'),
});

/** True when the JSON text of `args` could not fit in any body: such arguments are refused before anything else. */
function farTooLong(args, maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {
  try {
    return JSON.stringify(args).length > 2 * maxBodyBytes + 1024;
  } catch {
    return false;
  }
}

/**
 * The verdict on `method(...makeArgs())`, a body over `maxBodyBytes` or an argument nested too deep
 * refused. `makeArgs` makes the arguments afresh each time it is called: one look at a value (a
 * getter, a toJSON) may change what the next one sees, and the library's look must not be spent.
 */
export function callVerdict(method, makeArgs, maxBodyBytes = DEFAULT_MAX_BODY_BYTES) {
  if (farTooLong(makeArgs(), maxBodyBytes)) return REJECT;
  const verdict = METHODS[method].body(...makeArgs());
  if (verdict.reject) return verdict;
  if (verdict.wire !== undefined) {
    const text = JSON.stringify(verdict.wire, (key, member) => (member === NOW ? 0 : member));
    if (text.length > maxBodyBytes || Buffer.byteLength(text) > maxBodyBytes) return REJECT;
  }
  return makeArgs().some(tooDeep) ? REJECT : verdict;
}

// --- the constructor ------------------------------------------------------------------------------

const HEADER_SAFE = /^[\x21-\x7e]*$/;  // what a header can carry: visible ASCII

function apiKeyVerdict(value) {
  if (typeof value !== 'string' || value === '') return REJECT;
  if (!HEADER_SAFE.test(value) || value.length > 8192) return either(true);  // unsendable: refusing it is better
  return ok(true);
}

/** One option's verdict (README.md, Options), from its JSON value. */
function optionVerdict(name, json) {
  if (json === undefined) return ok(true);
  if (json === null) return either(true);
  switch (name) {
    case 'baseUrl': return typeof json === 'string' && /^https?:\/\/\S+$/.test(json) ? ok(true) : REJECT;
    case 'timeout': return Number.isInteger(json) && json >= 1 && json <= 3600000 ? ok(true) : REJECT;
    case 'maxBodyBytes': return Number.isInteger(json) && json >= 1 && json <= 1e9 ? ok(true) : REJECT;
    case 'retries': return Number.isInteger(json) && json >= 0 && json <= 10 ? ok(true) : REJECT;
    case 'batch': return typeof json === 'boolean' ? ok(true) : isObjectJson(json) ? either(true) : REJECT;
    case 'persist': return typeof json === 'boolean' ? ok(true) : REJECT;
    default: return ok(true);  // unknown: ignored with a warning
  }
}

/** The verdict on an options argument; its `wire` is the options the client is made with, as JSON. */
function optionsVerdict(value) {
  if (value === undefined || value === null) return ok({});
  if (plainness(value) !== 'yes') return REJECT;
  const json = jsonOf(value);
  if (json === FAILS) return REJECT;
  if (json === undefined) return either({});
  if (!isObjectJson(json)) return REJECT;
  if (depthOf(json) > MAX_DEPTH) return REJECT;
  const verdicts = Object.entries(json).map(([name, member]) => optionVerdict(name, member));
  if (verdicts.some((verdict) => verdict.reject)) return REJECT;
  return { wire: json, either: verdicts.some((verdict) => verdict.either) };
}

/**
 * The verdict on `new outbound(...makeArgs())`: REJECT (a TypeError), or its `wire` is the options the
 * client is made with, as JSON. `makeArgs` makes the arguments afresh on each call, as for callVerdict.
 */
export function constructorVerdict(makeArgs) {
  if (farTooLong(makeArgs())) return REJECT;
  const [apiKey, options] = makeArgs();
  const key = apiKeyVerdict(apiKey);
  const made = optionsVerdict(options);
  if (key.reject || made.reject) return REJECT;
  return { wire: made.wire, either: Boolean(key.either || made.either) };
}
