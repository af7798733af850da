// Shared by the Node suites: a receiver per suite, clients pointed at it, and error assertions.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { start } from '../receiver/receiver.mjs';

// Both public entry points of the package, by its own name, as users load them.
export const requiredOutbound = createRequire(import.meta.url)('outbound-wasm');
export { default as importedOutbound } from 'outbound-wasm';

export const API_KEY = 'sk_live_TEST_9f8e7d6c5b4a';

/** Starts a receiver for a suite; call the returned function in `after`. */
export async function startReceiver(options) {
  return start(options);
}

export function clientFor(receiver, options = {}, Outbound = requiredOutbound) {
  return new Outbound(API_KEY, { baseUrl: receiver.url, ...options });
}

/** The recorded call, asserting it is the only one since the last clear. */
export function onlyCall(receiver) {
  const calls = receiver.calls();
  assert.equal(calls.length, 1, `expected one recorded call, got ${JSON.stringify(calls)}`);
  return calls[0];
}

/** Awaits a rejection and checks it has the shape of docs/contract.md's Errors. Returns the error. */
export async function rejection(promise, { receivedCall, status, message }) {
  let error;
  await promise.then(
    (value) => assert.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (caught) => { error = caught; },
  );
  assert.ok(error instanceof Error, `not an Error: ${error}`);
  assert.equal(error.receivedCall, receivedCall, error.message);
  assert.equal(error.status, status, error.message);
  if (message instanceof RegExp) assert.match(error.message, message);
  else if (message !== undefined) assert.equal(error.message, message);
  assert.ok(!error.message.includes(API_KEY), 'the API key appears in the message');
  assert.ok(!String(error.stack).includes(API_KEY), 'the API key appears in the stack');
  return error;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Asserts `timestamp` is integer seconds within a few seconds of now. */
export function assertRecentTimestamp(timestamp) {
  assert.ok(Number.isInteger(timestamp), `timestamp ${timestamp} is not an integer`);
  assert.ok(Math.abs(timestamp - nowSeconds()) <= 5, `timestamp ${timestamp} is not now`);
}
