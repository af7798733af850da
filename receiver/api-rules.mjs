// The API half of the receiver (docs/contract.md, The receiver): which paths exist under /v2, what
// each one accepts, and whose key is let in. Pure checks of a parsed body or a request's headers, with
// no I/O, so the rest of the receiver can share them without importing a server.

export const API_PREFIX = '/v2';
const MAX_BATCH_EVENTS = 100;

// ---------------------------------------------------------------------------------------------------
// Validation: small rules composed into one table of the 11 API paths.
// A rule takes the parsed body and returns null when it is fine, else a sentence naming the problem.

export function describeValue(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value === '' ? 'an empty string' : 'a string';
  return /^[aeiou]/.test(typeof value) ? `an ${typeof value}` : `a ${typeof value}`;
}

const isUserId = (value) =>
  (typeof value === 'string' && value !== '') || (typeof value === 'number' && Number.isFinite(value));
export const isNonEmptyString = (value) => typeof value === 'string' && value !== '';
export const isPlainObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

// `subject` is undefined for a top-level body, or names the batch element ("body[3]") being checked.
const fieldName = (subject, name) => (subject ? `${subject}.${name}` : name);

function requiredField(name, isValid, expectation) {
  return (body, subject) => {
    const field = fieldName(subject, name);
    if (!(name in body)) return `${field} is missing: it must be ${expectation}`;
    if (!isValid(body[name])) return `${field} must be ${expectation}, got ${describeValue(body[name])}`;
    return null;
  };
}

function optionalField(name, isValid, expectation) {
  const required = requiredField(name, isValid, expectation);
  return (body, subject) => (body[name] === undefined ? null : required(body, subject));
}

const userIdRule = requiredField('user_id', isUserId, 'a non-empty string or a number');
const previousIdRule = optionalField('previous_id', isUserId, 'a non-empty string or a number');
const eventRule = requiredField('event', isNonEmptyString, 'a non-empty string (the event name)');
const tokenRule = requiredField('token', isNonEmptyString, 'a non-empty string (the device token)');

// A disable call names one token, or says `all: true`; anything else would silently disable nothing.
function tokenOrAllRule(body, subject) {
  if (body.token === undefined && body.all === true) return null;
  if (body.token === undefined) {
    return `${fieldName(subject, 'token')} is missing: give a non-empty string token, or all: true to disable every token`;
  }
  return tokenRule(body, subject);
}

const isCampaignId = (id) => isNonEmptyString(id) || (typeof id === 'number' && Number.isFinite(id));

function campaignIdsRule(body, subject) {
  const field = fieldName(subject, 'campaign_ids');
  const ids = body.campaign_ids;
  if (ids === undefined) return `${field} is missing: it must be a non-empty array of campaign IDs`;
  if (!Array.isArray(ids)) return `${field} must be a non-empty array of campaign IDs, got ${describeValue(ids)}`;
  if (ids.length === 0) return `${field} must be a non-empty array of campaign IDs, got an empty array`;
  const badIndex = ids.findIndex((id) => !isCampaignId(id));
  if (badIndex === -1) return null;
  return `${field}[${badIndex}] must be a string or a number, got ${describeValue(ids[badIndex])}`;
}

function objectBody(...rules) {
  return (body, subject) => {
    if (!isPlainObject(body)) return `${subject ?? 'the request body'} must be a JSON object, got ${describeValue(body)}`;
    for (const rule of rules) {
      const problem = rule(body, subject);
      if (problem) return problem;
    }
    return null;
  };
}

const trackBody = objectBody(userIdRule, eventRule);

function trackBatchBody(body) {
  if (!Array.isArray(body)) {
    return `the request body must be a JSON array of 1 to ${MAX_BATCH_EVENTS} track events, got ${describeValue(body)}`;
  }
  if (body.length < 1 || body.length > MAX_BATCH_EVENTS) {
    return `the request body must hold 1 to ${MAX_BATCH_EVENTS} track events, got ${body.length}`;
  }
  for (let index = 0; index < body.length; index += 1) {
    const problem = trackBody(body[index], `body[${index}]`);
    if (problem) return problem;
  }
  return null;
}

/** The API paths (relative to /v2) and how each one's body is validated. */
export const API_ROUTES = new Map([
  ['/identify', objectBody(userIdRule, previousIdRule)],
  ['/track', trackBody],
  ['/track/batch', trackBatchBody],
  ['/apns/register', objectBody(userIdRule, tokenRule)],
  ['/gcm/register', objectBody(userIdRule, tokenRule)],
  ['/apns/disable', objectBody(userIdRule, tokenOrAllRule)],
  ['/gcm/disable', objectBody(userIdRule, tokenOrAllRule)],
  ['/subscribe/all', objectBody(userIdRule)],
  ['/unsubscribe/all', objectBody(userIdRule)],
  ['/subscribe/campaigns', objectBody(userIdRule, campaignIdsRule)],
  ['/unsubscribe/campaigns', objectBody(userIdRule, campaignIdsRule)],
]);

// ---------------------------------------------------------------------------------------------------
// Authentication

export function keyProblem(req, acceptedKeys) {
  const key = req.headers['x-outbound-key'];
  if (key === undefined || key.trim() === '') return 'the X-Outbound-Key header is missing or empty; send your Outbound API key in it';
  if (acceptedKeys && !acceptedKeys.includes(key)) return 'the X-Outbound-Key header does not hold an accepted API key';
  return null;
}
