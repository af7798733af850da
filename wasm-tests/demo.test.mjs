// The demo of `npm start` (web-demo/): its page in Debian's headless Chromium, driven by
// playwright-core — every one of the 14 forms sends and shows its outcome while the receiver records
// the exact body; bad input shows the library's own error and sends nothing; what the receiver got
// renders as text, never markup — and its server over HTTP (files, types, traversal refused).
// Each run saves wasm-tests/artifacts/demo.png (1280 wide) and demo-phone.png (375 wide).
// Needs dist/ built (bash scripts/build.sh) and Chromium at /usr/bin/chromium.

import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdirSync } from 'node:fs';
import {
  ARTIFACTS, RECENT, assertBody, assertRecent, launchChromium, nowSeconds, readDist, skipWithoutBrowser as skip,
  watchPage,
} from './browser-helpers.mjs';
import { startDemo } from '../web-demo/server.mjs';

// A hang (a Promise never settled, a stream never closed) must fail the run, not stall it. Each is
// generous, well over ten times what a suite, a test and a wait take on a busy machine.
const SUITE_TIMEOUT = { timeout: 600000 };
const TEST_TIMEOUT = { timeout: 120000 };
const WAIT = { timeout: 60000 };
const XSS = '<img src=x onerror=alert(1)>';
const RESOLVED = '\u2713 Resolved with undefined: the receiver accepted the call.';
// ---------------------------------------------------------------------------------------------------
// The tables: each form filled (by its labels), the exact call the page must show, and the exact request.

const FORM_CASES = [
  {
    name: 'identify, with every common attribute and free-form JSON attributes',
    method: 'identify',
    fill: { userId: 'user-test-1', firstName: 'Grace', lastName: 'Hopper', email: 'grace@example.com',
      phoneNumber: '+14155550199', timezone: 'America/New_York',
      'attributes (JSON)': '{"city": "San Francisco", "plan": "Pro", "tags": ["beta"]}' },
    call: 'ob.identify("user-test-1", { firstName: "Grace", lastName: "Hopper", email: "grace@example.com", '
      + 'phoneNumber: "+14155550199", timezone: "America/New_York", '
      + 'attributes: { city: "San Francisco", plan: "Pro", tags: ["beta"] } })',
    path: '/v2/identify',
    body: { user_id: 'user-test-1', first_name: 'Grace', last_name: 'Hopper', email: 'grace@example.com',
      phone_number: '+14155550199', timezone: 'America/New_York',
      attributes: { city: 'San Francisco', plan: 'Pro', tags: ['beta'] } },
  },
  {
    name: 'identify, empty attribute fields left out',
    method: 'identify',
    fill: { userId: 'user-test-2', firstName: 'Linus', lastName: '', email: '', phoneNumber: '', timezone: '',
      'attributes (JSON)': '' },
    call: 'ob.identify("user-test-2", { firstName: "Linus" })',
    path: '/v2/identify',
    body: { user_id: 'user-test-2', first_name: 'Linus' },
  },
  {
    method: 'alias',
    fill: { userId: 'user-test-3', previousId: 'anonymous-42' },
    call: 'ob.alias("user-test-3", "anonymous-42")',
    path: '/v2/identify',
    body: { user_id: 'user-test-3', previous_id: 'anonymous-42' },
  },
  {
    name: 'track, without a timestamp (now)',
    method: 'track',
    fill: { userId: 'user-test-4', event: 'Uploaded Picture', 'properties (JSON)': '{"sizeKb": 812, "format": "jpeg"}',
      timestamp: '' },
    call: 'ob.track("user-test-4", "Uploaded Picture", { sizeKb: 812, format: "jpeg" })',
    path: '/v2/track',
    body: { user_id: 'user-test-4', event: 'Uploaded Picture', properties: { sizeKb: 812, format: 'jpeg' }, timestamp: RECENT },
  },
  {
    name: 'track, with a timestamp and no properties',
    method: 'track',
    fill: { userId: 'user-test-5', event: 'Signed Up', 'properties (JSON)': '', timestamp: '1700000000' },
    call: 'ob.track("user-test-5", "Signed Up", undefined, 1700000000)',
    path: '/v2/track',
    body: { user_id: 'user-test-5', event: 'Signed Up', properties: {}, timestamp: 1700000000 },
  },
  {
    method: 'trackBatch',
    fill: { 'events (JSON)': '[{"user_id": "user-test-6", "event": "Viewed Page", "properties": {"path": "/pricing"}, '
      + '"timestamp": 1700000000}, {"user_id": 7, "event": "Signed Up", "timestamp": 1700000060}]' },
    call: 'ob.trackBatch([{ user_id: "user-test-6", event: "Viewed Page", properties: { path: "/pricing" }, '
      + 'timestamp: 1700000000 }, { user_id: 7, event: "Signed Up", timestamp: 1700000060 }])',
    path: '/v2/track/batch',
    body: [
      { user_id: 'user-test-6', event: 'Viewed Page', properties: { path: '/pricing' }, timestamp: 1700000000 },
      { user_id: '7', event: 'Signed Up', properties: {}, timestamp: 1700000060 },
    ],
  },
  ...[
    ['registerApnsToken', '/v2/apns/register', 'user-test-8', 'apns-token-8'],
    ['registerGcmToken', '/v2/gcm/register', 'user-test-9', 'gcm-token-9'],
    ['disableApnsToken', '/v2/apns/disable', 'user-test-10', 'apns-token-10'],
    ['disableGcmToken', '/v2/gcm/disable', 'user-test-11', 'gcm-token-11'],
  ].map(([method, path, userId, token]) => ({
    method,
    fill: { userId, token },
    call: `ob.${method}("${userId}", "${token}")`,
    path,
    body: { user_id: userId, token },
  })),
  ...[
    ['disableAllApnsTokens', '/v2/apns/disable', 'user-test-12', { all: true }],
    ['disableAllGcmTokens', '/v2/gcm/disable', 'user-test-13', { all: true }],
    ['subscribeAll', '/v2/subscribe/all', 'user-test-14', {}],
    ['unsubscribeAll', '/v2/unsubscribe/all', 'user-test-15', {}],
  ].map(([method, path, userId, extra]) => ({
    method,
    fill: { userId },
    call: `ob.${method}("${userId}")`,
    path,
    body: { user_id: userId, ...extra },
  })),
  {
    method: 'subscribeCampaigns',
    fill: { userId: 'user-test-16', 'campaignIds (JSON)': '[7, "spring-sale"]' },
    call: 'ob.subscribeCampaigns("user-test-16", [7, "spring-sale"])',
    path: '/v2/subscribe/campaigns',
    body: { user_id: 'user-test-16', campaign_ids: [7, 'spring-sale'] },
  },
  {
    method: 'unsubscribeCampaigns',
    fill: { userId: 'user-test-17', 'campaignIds (JSON)': '["welcome-series"]' },
    call: 'ob.unsubscribeCampaigns("user-test-17", ["welcome-series"])',
    path: '/v2/unsubscribe/campaigns',
    body: { user_id: 'user-test-17', campaign_ids: ['welcome-series'] },
  },
];

// Bad input: a JSON syntax error stops the page before the library is called ("not-sent", the field
// named); everything else reaches the library, whose own message must show ("rejected").
const INVALID_CASES = [
  { name: 'track properties with a JSON syntax error', method: 'track', fill: { 'properties (JSON)': '{"plan": Pro}' },
    state: 'not-sent', text: /Not sent: the properties field is not valid JSON\./, invalid: 'properties (JSON)' },
  { name: 'identify attributes with a JSON syntax error', method: 'identify', fill: { 'attributes (JSON)': '{city: "SF"}' },
    state: 'not-sent', text: /Not sent: the attributes field is not valid JSON\./, invalid: 'attributes (JSON)' },
  { name: 'trackBatch events with a JSON syntax error', method: 'trackBatch', fill: { 'events (JSON)': '[{"user_id": "u1",]' },
    state: 'not-sent', text: /Not sent: the events field is not valid JSON\./, invalid: 'events (JSON)' },
  { name: 'campaignIds with a JSON syntax error', method: 'subscribeCampaigns', fill: { 'campaignIds (JSON)': '[12,' },
    state: 'not-sent', text: /Not sent: the campaignIds field is not valid JSON\./, invalid: 'campaignIds (JSON)' },
  { name: 'an empty user ID in track', method: 'track', fill: { userId: '' }, state: 'rejected',
    text: 'track: userId must be a non-empty string or a finite number (got an empty string)' },
  { name: 'an empty user ID in identify', method: 'identify', fill: { userId: '' }, state: 'rejected',
    text: 'identify: userId must be a non-empty string or a finite number (got an empty string)' },
  { name: 'an empty event name', method: 'track', fill: { event: '' }, state: 'rejected',
    text: 'track: event must be a non-empty string (got an empty string)' },
  { name: 'properties that are valid JSON but not an object', method: 'track', fill: { 'properties (JSON)': '[1, 2]' },
    state: 'rejected', text: 'track: properties must be a plain object, undefined or null (got an array)' },
  { name: 'a timestamp that is not a number', method: 'track', fill: { timestamp: 'yesterday' }, state: 'rejected',
    text: 'track: timestamp must be a non-negative number of UNIX seconds or a Date (got NaN)' },
  { name: 'an empty token', method: 'registerApnsToken', fill: { token: '' }, state: 'rejected',
    text: 'registerApnsToken: token must be a non-empty string (got an empty string)' },
  { name: 'an empty batch', method: 'trackBatch', fill: { 'events (JSON)': '[]' }, state: 'rejected',
    text: /^trackBatch: events must be an array of 1 to 100 events/ },
];

// ---------------------------------------------------------------------------------------------------
// Driving the page

function form(page, method) {
  return page.locator(`form[data-method="${method}"]`);
}

async function fillForm(page, method, fill) {
  for (const [label, value] of Object.entries(fill)) {
    await form(page, method).getByLabel(label, { exact: true }).fill(value);
  }
}

/** The name → value pairs of a <dl> whose rows are <div><dt/><dd/></div>. */
function readDefinitions(list) {
  return list.evaluate((element) => Object.fromEntries([...element.querySelectorAll(':scope > div')]
    .map((row) => [row.querySelector('dt').textContent, row.querySelector('dd').textContent])));
}

/**
 * What an outcome area shows: { state, call, verdict, note, error } — `call` the JavaScript call made,
 * `error` the Error's fields as displayed (receivedCall, status, message).
 */
async function readOutcome(outcome) {
  const text = async (selector) => ((await outcome.locator(selector).count()) ? outcome.locator(selector).textContent() : undefined);
  return {
    state: await outcome.getAttribute('data-state'),
    call: await text('.call-text'),
    verdict: await text('.verdict'),
    note: await text('.note'),
    error: (await outcome.locator('dl').count()) ? await readDefinitions(outcome.locator('dl')) : undefined,
  };
}

/**
 * Submits a form from the keyboard (Enter in its user ID field, or on its button where it has no
 * single-line field) and waits for the outcome to settle. Returns what the outcome shows (readOutcome).
 */
async function submit(page, method) {
  const outcomeId = `${method}-outcome`;
  const attempt = Number(await page.locator(`#${outcomeId}`).getAttribute('data-attempt'));
  const userId = form(page, method).getByLabel('userId', { exact: true });
  if (await userId.count()) await userId.press('Enter');
  else await form(page, method).getByRole('button').press('Enter');
  await page.waitForFunction(([id, previous]) => {
    const outcome = document.getElementById(id);
    return Number(outcome.dataset.attempt) > previous && outcome.dataset.state !== 'sending';
  }, [outcomeId, attempt], WAIT);
  return readOutcome(page.locator(`#${outcomeId}`));
}

/** Puts every form back to its pre-filled example. */
async function resetForms(page) {
  await page.evaluate(() => document.querySelectorAll('form').forEach((element) => element.reset()));
}

async function recordedCalls(origin) {
  const response = await fetch(`${origin}/calls`);
  assert.equal(response.status, 200);
  return (await response.json()).calls;
}

async function clearCalls(origin) {
  assert.equal((await fetch(`${origin}/calls`, { method: 'DELETE' })).status, 200);
}

/** Waits for the live panel to show the call with this seq; returns its path, headers and body as shown. */
async function panelEntry(page, seq) {
  const item = page.locator(`#calls li[data-seq="${seq}"]`);
  await item.waitFor(WAIT);
  return {
    path: await item.locator('.call-path').textContent(),
    headers: await readDefinitions(item.locator('.call-headers')),
    body: await item.locator('.call-body').textContent(),
  };
}

/**
 * Proves nothing was sent by the call under test, which has settled already (so any request it made has
 * been answered, and recorded): a valid call made next must be the only recorded call.
 */
async function assertNothingElseRecorded(page, origin) {
  await fillForm(page, 'subscribeAll', { userId: 'user-after-invalid' });
  assert.equal((await submit(page, 'subscribeAll')).state, 'resolved');
  const calls = await recordedCalls(origin);
  assert.deepEqual(calls.map((call) => [call.path, call.body]), [['/v2/subscribe/all', { user_id: 'user-after-invalid' }]]);
}

// ---------------------------------------------------------------------------------------------------

describe('the demo page (npm start) in Chromium', { ...SUITE_TIMEOUT, skip }, () => {
  let demo;
  let origin;
  let browser;
  let page;
  let seen;

  before(async () => {
    readDist('outbound.js'); // fail with the build hint, not a confusing 404
    demo = await startDemo({ port: 0 });
    origin = new URL(demo.url).origin;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    seen = watchPage(page);
    await page.goto(demo.url);
    await page.locator('#live-status[data-state="live"]').waitFor(WAIT);
  });

  after(async () => {
    await browser?.close();
    await demo?.close();
  });

  test('loads the library by a plain script tag with `new outbound(...)` on the very next line', TEST_TIMEOUT, async () => {
    const html = await (await fetch(demo.url)).text();
    const lines = html.split('\n');
    const tag = lines.findIndex((line) => line.trim() === '<script src="/dist/outbound.js"></script>');
    assert.ok(tag >= 0, 'the page loads /dist/outbound.js with a plain script tag');
    assert.match(lines[tag + 1], /^\s*<script>var ob = new outbound\('demo-key', \{ baseUrl: location\.origin \+ '\/v2' \}\);<\/script>$/);
    assert.match(lines[tag + 2], /^\s*<script src="demo\.js"><\/script>$/);
    assert.equal(await page.evaluate(() => typeof outbound === 'function' && ob instanceof outbound), true);
  });

  test('offers every method of the class, each a labelled form with a live outcome area', TEST_TIMEOUT, async () => {
    // The class's API methods, in the order of the method table they are made from.
    const apiMethods = await page.evaluate(() => Object.getOwnPropertyNames(outbound.prototype)
      .filter((name) => !['constructor', 'flush', 'close'].includes(name)));
    const forms = await page.locator('form[data-method]').evaluateAll((elements) => elements.map((element) => ({
      method: element.dataset.method,
      name: document.getElementById(element.getAttribute('aria-labelledby')).textContent,
      unlabelled: [...element.querySelectorAll('input, textarea')]
        .filter((input) => input.labels.length !== 1 || input.labels[0].textContent.trim() === '')
        .map((input) => input.id),
      submit: [...element.querySelectorAll('button')].map((button) => [button.type, button.textContent]),
      outcome: [element.querySelector('.outcome').getAttribute('role'), element.querySelector('.outcome').getAttribute('aria-live')],
    })));
    assert.deepEqual(forms.map((entry) => entry.method), apiMethods);
    assert.deepEqual(new Set(FORM_CASES.map((row) => row.method)), new Set(apiMethods), 'the table covers every method');
    for (const entry of forms) {
      assert.match(entry.name, new RegExp(`^ob\\.${entry.method}\\(`));
      assert.deepEqual(entry.unlabelled, [], `${entry.method}: every field has a label`);
      assert.deepEqual(entry.submit, [['submit', `Send ${entry.method}`]]);
      assert.deepEqual(entry.outcome, ['status', 'polite']);
    }
    // Pre-filled with the seed example.
    assert.equal(await form(page, 'identify').getByLabel('userId', { exact: true }).inputValue(), 'user-sf-1');
    assert.equal(await form(page, 'track').getByLabel('event', { exact: true }).inputValue(), 'Signed Up');
    assert.deepEqual(JSON.parse(await form(page, 'identify').getByLabel('attributes (JSON)', { exact: true }).inputValue()),
      { city: 'San Francisco' });
    // No clickable non-buttons: every control that acts is a <button>.
    assert.equal(await page.locator('[onclick], div[role="button"], span[role="button"], a:not([href])').count(), 0);
    assert.doesNotMatch(await page.locator('body').innerText(), /demo-key/, 'the API key is never displayed');
  });

  test('the story runs from the keyboard: identify, Signed Up, Uploaded Picture arrive in order', TEST_TIMEOUT, async () => {
    await clearCalls(origin);
    const since = nowSeconds();
    // From the skip link (the first stop on the page), Tab to the story button past the intro's two links.
    await page.locator('.skip-link').focus();
    let focused = '';
    for (let presses = 0; presses < 6 && focused !== 'story-button'; presses += 1) {
      await page.keyboard.press('Tab');
      focused = await page.evaluate(() => document.activeElement.id);
    }
    assert.equal(focused, 'story-button', 'the story button is reached with Tab');
    const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.notEqual(outline, 'none', 'keyboard focus is visible');
    await page.keyboard.press('Enter');
    await page.locator('#story-outcome[data-state="done"]').waitFor(WAIT);

    const steps = [];
    for (const item of await page.locator('#story-outcome li').all()) steps.push(await readOutcome(item));
    assert.deepEqual(steps.map((step) => step.call), [
      'ob.identify("user-sf-1", { firstName: "Ada", lastName: "Lovelace", email: "ada@example.com", attributes: { city: "San Francisco" } })',
      'ob.track("user-sf-1", "Signed Up", { plan: "Pro", referrer: "demo page" })',
      'ob.track("user-sf-1", "Uploaded Picture", { sizeKb: 812, format: "jpeg" })',
    ]);
    for (const step of steps) {
      assert.equal(step.state, 'resolved');
      assert.equal(step.verdict, RESOLVED);
    }

    const calls = await recordedCalls(origin);
    assert.deepEqual(calls.map((call) => call.path), ['/v2/identify', '/v2/track', '/v2/track']);
    assertBody(calls[0].body, { user_id: 'user-sf-1', first_name: 'Ada', last_name: 'Lovelace', email: 'ada@example.com',
      attributes: { city: 'San Francisco' } }, since);
    assertBody(calls[1].body, { user_id: 'user-sf-1', event: 'Signed Up', properties: { plan: 'Pro', referrer: 'demo page' },
      timestamp: RECENT }, since);
    assertBody(calls[2].body, { user_id: 'user-sf-1', event: 'Uploaded Picture', properties: { sizeKb: 812, format: 'jpeg' },
      timestamp: RECENT }, since);

    // The live panel: newest first, each with its path, masked headers and pretty-printed body.
    for (const call of calls) {
      const entry = await panelEntry(page, call.seq);
      assert.equal(entry.path, call.path);
      assert.equal(entry.body, JSON.stringify(call.body, null, 2));
      assert.deepEqual(entry.headers, call.headers);
      assert.equal(entry.headers['x-outbound-key'], '****');
    }
    const order = await page.locator('#calls li').evaluateAll((items) => items.slice(0, 3).map((item) => Number(item.dataset.seq)));
    assert.deepEqual(order, calls.map((call) => call.seq).reverse(), 'newest first');

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: `${ARTIFACTS}demo.png` });
  });

  for (const row of FORM_CASES) {
    test(`form: ${row.name ?? row.method} sends, shows success, and the receiver recorded the exact body`, TEST_TIMEOUT, async () => {
      await clearCalls(origin);
      const since = nowSeconds();
      await fillForm(page, row.method, row.fill);
      const outcome = await submit(page, row.method);
      assert.deepEqual(outcome, { state: 'resolved', call: row.call, verdict: RESOLVED, note: undefined, error: undefined });

      const calls = await recordedCalls(origin);
      assert.equal(calls.length, 1, `one call recorded, got ${JSON.stringify(calls)}`);
      const [call] = calls;
      assert.equal(call.method, 'POST');
      assert.equal(call.path, row.path);
      assertBody(call.body, row.body, since);
      assert.match(call.headers['content-type'], /^application\/json/);
      assert.equal(call.headers['x-outbound-key'], '****');
      assert.match(call.headers['x-outbound-client'], /^outbound-wasm\/\S+$/);
      assert.equal(call.headers.origin, origin);

      const entry = await panelEntry(page, call.seq);
      assert.equal(entry.path, row.path);
      assert.deepEqual(entry.headers, call.headers);
      assert.equal(entry.body, JSON.stringify(call.body, null, 2));
    });
  }

  for (const row of INVALID_CASES) {
    test(`bad input: ${row.name} shows the error and sends nothing`, TEST_TIMEOUT, async () => {
      await resetForms(page);
      await clearCalls(origin);
      await fillForm(page, row.method, row.fill);
      const outcome = await submit(page, row.method);
      assert.equal(outcome.state, row.state, JSON.stringify(outcome));
      if (row.state === 'not-sent') {
        assert.equal(outcome.call, undefined, 'no call is shown: none was made');
        assert.match(outcome.verdict, row.text);
        assert.equal(outcome.note, `ob.${row.method}() was not called, so nothing went to the receiver.`);
        const field = form(page, row.method).getByLabel(row.invalid, { exact: true });
        assert.equal(await field.getAttribute('aria-invalid'), 'true');
        assert.equal(await field.evaluate((element) => element === document.activeElement), true, 'the bad field has focus');
      } else {
        // The library's OutboundError, field by field: receivedCall false, no status, its own message.
        assert.match(outcome.call, new RegExp(`^ob\\.${row.method}\\(`));
        assert.equal(outcome.verdict, '\u2717 Rejected with an OutboundError:');
        assert.equal(outcome.error.receivedCall, 'false');
        assert.equal(outcome.error.status, 'undefined');
        if (row.text instanceof RegExp) assert.match(outcome.error.message, row.text);
        else assert.equal(outcome.error.message, row.text);
      }
      await assertNothingElseRecorded(page, origin);
      await resetForms(page);
    });
  }

  test('what the receiver got renders as text: an <img onerror> payload shows literally and runs nothing', TEST_TIMEOUT, async () => {
    await resetForms(page);
    await clearCalls(origin);
    await fillForm(page, 'identify', { userId: 'user-xss', firstName: XSS, 'attributes (JSON)': JSON.stringify({ bio: XSS }) });
    assert.equal((await submit(page, 'identify')).state, 'resolved');
    await fillForm(page, 'track', { userId: 'user-xss', event: '<script>alert(2)</script>',
      'properties (JSON)': JSON.stringify({ caption: XSS }) });
    const tracked = await submit(page, 'track');
    assert.equal(tracked.state, 'resolved');
    assert.equal(tracked.call, `ob.track("user-xss", "<script>alert(2)</script>", { caption: "${XSS}" })`, 'the call is shown as text');

    const calls = await recordedCalls(origin);
    assert.equal(calls.length, 2);
    assert.equal(calls[0].body.first_name, XSS);
    assert.equal(calls[1].body.properties.caption, XSS);
    for (const call of calls) await panelEntry(page, call.seq);
    const panelText = await page.locator('#calls').innerText();
    assert.ok(panelText.includes(`"first_name": "${XSS}"`), 'identify payload shown literally');
    assert.ok(panelText.includes(`"caption": "${XSS}"`), 'track payload shown literally');
    assert.ok(panelText.includes('"event": "<script>alert(2)</script>"'));
    assert.equal(await page.locator('#calls img, #calls script').count(), 0, 'no element was created from the payload');
    assert.equal(await page.locator('img').count(), 0, 'no <img> anywhere on the page');
    await page.waitForTimeout(300); // an onerror would fire once the image failed to load
    assert.deepEqual(seen.dialogs, []);
    await resetForms(page);
  });

  test('Clear empties the panel and the receiver', TEST_TIMEOUT, async () => {
    assert.ok(await page.locator('#calls li').count() > 0);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('#calls-empty').waitFor({ state: 'visible', ...WAIT });
    assert.equal(await page.locator('#calls li').count(), 0);
    assert.deepEqual(await recordedCalls(origin), []);
  });

  test('a server failure shows receivedCall true and the status', TEST_TIMEOUT, async () => {
    // The library sends campaign IDs as given; this receiver refuses an empty one with 400.
    const failing = await browser.newPage();
    const failingSeen = watchPage(failing);
    await failing.goto(demo.url);
    await fillForm(failing, 'subscribeCampaigns', { 'campaignIds (JSON)': '[""]' });
    const outcome = await submit(failing, 'subscribeCampaigns');
    assert.equal(outcome.state, 'rejected');
    assert.equal(outcome.call, 'ob.subscribeCampaigns("user-sf-1", [""])');
    assert.equal(outcome.error.receivedCall, 'true');
    assert.equal(outcome.error.status, '400');
    assert.match(outcome.error.message, /^subscribeCampaigns: the server answered 400 to POST \/subscribe\/campaigns: \{"error":"campaign_ids\[0\] must be/);
    // Chromium logs every failed request; that one line is expected, nothing else.
    assert.deepEqual(failingSeen.errors, ['console.error: Failed to load resource: the server responded with a status of 400 (Bad Request)']);
    await failing.close();
  });

  test('calls recorded before the page opened appear on load (the catch-up after connecting)', TEST_TIMEOUT, async () => {
    await clearCalls(origin);
    const posted = await fetch(`${demo.receiverUrl}/track`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Outbound-Key': 'another-key' },
      body: JSON.stringify({ user_id: 'user-earlier', event: 'Before The Page' }),
    });
    assert.equal(posted.status, 200);
    const [call] = await recordedCalls(origin);
    const fresh = await browser.newPage();
    const freshSeen = watchPage(fresh);
    await fresh.goto(demo.url);
    const entry = await panelEntry(fresh, call.seq);
    assert.equal(entry.body, JSON.stringify({ user_id: 'user-earlier', event: 'Before The Page' }, null, 2));
    assert.doesNotMatch(await fresh.locator('body').innerText(), /another-key/);
    assert.deepEqual(freshSeen.errors, []);
    await fresh.close();
  });

  test('calls made before the WebAssembly module is ready are queued and arrive', TEST_TIMEOUT, async () => {
    await clearCalls(origin);
    const since = nowSeconds();
    const held = await browser.newPage();
    const heldSeen = watchPage(held);
    let release;
    const released = new Promise((resolve) => { release = resolve; });
    let wasmRequested;
    const requested = new Promise((resolve) => { wasmRequested = resolve; });
    await held.route('**/dist/outbound.wasm', async (route) => {
      wasmRequested();
      await released;
      await route.continue();
    });
    await held.goto(demo.url, { waitUntil: 'domcontentloaded' });
    await requested;
    await held.getByRole('button', { name: 'Run the story' }).click();
    await fillForm(held, 'subscribeAll', { userId: 'user-early' });
    await form(held, 'subscribeAll').getByRole('button').click();
    await held.locator('#story-outcome li:first-child[data-state="sending"]').waitFor(WAIT);
    await held.locator('#subscribeAll-outcome[data-state="sending"]').waitFor(WAIT);
    assert.deepEqual(await recordedCalls(origin), [], 'nothing can be sent before the module is ready');

    release();
    await held.locator('#story-outcome[data-state="done"]').waitFor(WAIT);
    await held.locator('#subscribeAll-outcome[data-state="resolved"]').waitFor(WAIT);
    const calls = await recordedCalls(origin);
    // The two calls queued before the module was ready go out together, so either may arrive first;
    // the story's tracks follow its identify.
    const summary = (call) => [call.path, call.body.user_id, call.body.event];
    assert.deepEqual(calls.slice(0, 2).map(summary).sort(), [
      ['/v2/identify', 'user-sf-1', undefined],
      ['/v2/subscribe/all', 'user-early', undefined],
    ]);
    assert.deepEqual(calls.slice(2).map(summary), [
      ['/v2/track', 'user-sf-1', 'Signed Up'],
      ['/v2/track', 'user-sf-1', 'Uploaded Picture'],
    ]);
    assertRecent(calls[2].body.timestamp, since);
    assert.deepEqual(heldSeen.errors, []);
    await held.close();
  });

  test('on a 375 px phone screen the layout stacks, nothing scrolls sideways', TEST_TIMEOUT, async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    const phoneSeen = watchPage(phone);
    await phone.goto(demo.url);
    await phone.locator('#live-status[data-state="live"]').waitFor(WAIT);
    await phone.getByRole('button', { name: 'Run the story' }).click();
    await phone.locator('#story-outcome[data-state="done"]').waitFor(WAIT);
    const layout = await phone.evaluate(() => {
      const box = (selector) => document.querySelector(selector).getBoundingClientRect();
      const forms = [...document.querySelectorAll('form[data-method]')].map((element) => element.getBoundingClientRect());
      return {
        scrollWidth: document.documentElement.scrollWidth,
        intro: box('.intro'),
        live: box('.live'),
        methods: box('.methods'),
        formLefts: [...new Set(forms.map((rect) => Math.round(rect.left)))],
        widestForm: Math.max(...forms.map((rect) => rect.right)),
      };
    });
    assert.ok(layout.scrollWidth <= 375, `no horizontal scrolling (scrollWidth ${layout.scrollWidth})`);
    assert.ok(layout.live.top >= layout.intro.bottom, 'the live panel comes below the intro');
    assert.ok(layout.methods.top >= layout.live.bottom, 'the forms come below the live panel');
    assert.equal(layout.formLefts.length, 1, 'one column of forms');
    assert.ok(layout.widestForm <= 375);
    mkdirSync(ARTIFACTS, { recursive: true });
    await phone.screenshot({ path: `${ARTIFACTS}demo-phone.png`, fullPage: true });
    assert.deepEqual(phoneSeen.errors, []);
    await phone.close();
  });

  test('no console errors, no page errors and no dialogs on the demo page', () => {
    assert.deepEqual(seen.errors, []);
    assert.deepEqual(seen.dialogs, []);
  });
});

// ---------------------------------------------------------------------------------------------------
// The script-tag contract on its own, without the demo: the page's server holds the .wasm back until
// the test releases it, so the calls made on the line after the script tag are certainly made before
// the module can be ready. They must all be kept, and sent once it is.

/** A GET whose path is sent exactly as given (fetch would normalise "/../" away before sending). */
function rawGet(origin, path) {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    http.get({ hostname, port, path }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString() }));
    }).on('error', reject);
  });
}

describe('the demo server (npm start)', SUITE_TIMEOUT, () => {
  let demo;
  let origin;

  before(async () => {
    readDist('outbound.js'); // fail with the build hint, not a confusing 404
    demo = await startDemo({ port: 0 });
    origin = new URL(demo.url).origin;
  });

  after(async () => {
    await demo?.close();
  });

  test('serves the page, the browser build with the right types, and refuses traversal', async () => {
    assert.equal(demo.receiverUrl, `${origin}/v2`);

    const page = await fetch(demo.url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type'), /^text\/html/);
    assert.match(await page.text(), /<script src="\/dist\/outbound\.js"><\/script>/);

    const script = await fetch(`${origin}/dist/outbound.js`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type'), /^text\/javascript/);
    assert.equal(await script.text(), readDist('outbound.js').toString());

    const wasm = await fetch(`${origin}/dist/outbound.wasm`);
    assert.equal(wasm.status, 200);
    assert.equal(wasm.headers.get('content-type'), 'application/wasm');
    assert.deepEqual(Buffer.from(await wasm.arrayBuffer()), readDist('outbound.wasm'));

    for (const path of ['/../package.json', '/dist/../package.json', '/%2e%2e/package.json',
      '/dist/..%2f..%2fpackage.json', '/..%5cpackage.json', '/.git/config']) {
      const reply = await rawGet(origin, path);
      assert.equal(reply.status, 403, `${path} must be refused`);
      assert.doesNotMatch(reply.body, /devDependencies|\[core\]/, `${path} leaked a file`);
    }
    for (const path of ['/server.mjs', '/no-such-file.html', '/dist/']) {
      assert.equal((await rawGet(origin, path)).status, 404, `${path} must not be served`);
    }

    // The receiver answers on the same port.
    const calls = await fetch(`${origin}/calls`);
    assert.equal(calls.status, 200);
    assert.deepEqual(await calls.json(), { calls: [] });
  });
});
