// The browser build says what the Node build says. Both run the same JavaScript half of the
// bindings (src/bindings/*.js), but the browser's goes through Closure Compiler (CMakeLists.txt),
// which renames every property it is not told to keep: a report key C++ reads, an error's
// receivedCall, a method of an embind object. Each case below is a call whose arguments take those
// paths (arguments JSON cannot represent, a value that throws when read, a text longer than a body
// may be, an option C++ refuses); it is made in Chromium through dist/outbound.js and in Node
// through the package, and the outcomes must be the same. None of them sends anything.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { openPage, readDist, scriptTagPage, serveFiles, skipWithoutBrowser } from './browser-helpers.mjs';

const require = createRequire(import.meta.url);

// Each case is the body of a function of (outbound, baseUrl) returning a Promise, in plain
// JavaScript both Node and the page run as they are.
const CASES = {
  'a BigInt property': "return new outbound('k', { baseUrl }).track('u', 'e', { n: 1n });",
  'a BigInt nested in an array': "return new outbound('k', { baseUrl }).track('u', 'e', { list: [1, { n: 2n }] });",
  'a cycle': "var o = { a: {} }; o.a.back = o; return new outbound('k', { baseUrl }).identify('u', o);",
  'a getter that throws': "return new outbound('k', { baseUrl }).track('u', 'e', { get secret() { throw new Error('no access'); } });",
  'a toJSON that throws': "return new outbound('k', { baseUrl }).track('u', 'e', { when: { toJSON: function () { throw new Error('bad date'); } } });",
  'a Proxy whose traps throw': "return new outbound('k', { baseUrl }).track(new Proxy({}, { get: function () { throw new Error('trap'); }, getPrototypeOf: function () { throw new Error('trap'); } }), 'e');",
  'a Map as properties': "return new outbound('k', { baseUrl }).track('u', 'e', new Map([['a', 1]]));",
  'a symbol as the user ID': "return new outbound('k', { baseUrl }).track(Symbol('u'), 'e');",
  'a function as the event': "return new outbound('k', { baseUrl }).track('u', function () {});",
  'NaN as a timestamp': "return new outbound('k', { baseUrl }).track('u', 'e', {}, NaN);",
  'a text longer than maxBodyBytes allows': "return new outbound('k', { baseUrl, maxBodyBytes: 100 }).track('u', 'e', { text: 'x'.repeat(5000) });",
  'a body over maxBodyBytes': "return new outbound('k', { baseUrl, maxBodyBytes: 100 }).track('u', 'e', { text: 'x'.repeat(80) });",
  'an option out of range': "return new outbound('k', { baseUrl, retries: 99 }).alias('u', 'p');",
  'a batch event with an unknown field': "return new outbound('k', { baseUrl }).trackBatch([{ userId: 'u' }]);",
  'a campaign ID that is an object': "return new outbound('k', { baseUrl }).subscribeCampaigns('u', [{}]);",
};

// Nothing listens there: a case that would send something fails instead of passing by chance.
const BASE_URL = 'http://127.0.0.1:9/v2';

/**
 * How a case's Promise settled, as plain data. A constructor that throws counts as a rejection:
 * before the module is ready (in the page, maybe) the same error rejects the calls instead.
 */
function outcomeScript(body) {
  return `Promise.resolve().then(function () { return (function (outbound, baseUrl) { ${body} })(outbound, ${JSON.stringify(BASE_URL)}); }).then(
    function () { return { state: 'resolved' }; },
    function (e) { return { state: 'rejected', type: e && e.name, message: e && e.message,
      receivedCall: e && e.receivedCall, status: e && e.status }; })`;
}

async function inNode(body) {
  const outbound = require('../js/node.cjs');
  // eslint-disable-next-line no-new-func
  return new Function('outbound', `return ${outcomeScript(body)};`)(outbound);
}

test('the browser build (dist/outbound.js) and the Node build give the same outcome for each call',
  { skip: skipWithoutBrowser, timeout: 120000 }, async (t) => {
    const origin = await serveFiles(t, {
      '/': ['text/html; charset=utf-8', scriptTagPage('parity', 'window.ready = true;')],
      '/dist/outbound.js': ['text/javascript', readDist('outbound.js')],
      '/dist/outbound.wasm': ['application/wasm', readDist('outbound.wasm')],
    });
    const { page, errors } = await openPage(t);
    await page.goto(`${origin}/`);
    for (const [name, body] of Object.entries(CASES)) {
      const browser = await page.evaluate(outcomeScript(body));
      const node = await inNode(body);
      assert.equal(browser.state, 'rejected', `${name}: ${JSON.stringify(browser)}`);
      assert.deepEqual(browser, node, name);
    }
    // The warnings of onError's default (console.warn), not errors.
    assert.deepEqual(errors, []);
  });
