// Shared by the benchmark files: the payload every measurement sends, statistics, the peers
// (outbound@1.3.0 with its `request` dependency replaced), and a receiver in its own process.
import { fork } from 'node:child_process';
import http from 'node:http';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const require = createRequire(import.meta.url);

// A typical `track` payload: 10 properties, one of them a nested object.
export const EVENT = 'Upgraded Plan';
export const PROPERTIES = Object.freeze({
  plan: 'pro',
  previousPlan: 'starter',
  price: 49.99,
  currency: 'USD',
  seats: 5,
  trial: false,
  coupon: 'SPRING24',
  page: '/pricing',
  experiment: 'checkout-b',
  referrer: Object.freeze({ source: 'google', medium: 'cpc', campaign: 'spring-sale' }),
});
// Calls cycle through this many users (the library keeps per-user order, so this matters).
export const USERS = Array.from({ length: 10 }, (_, i) => `user-${i}`);

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const turn = () => new Promise((resolve) => setImmediate(resolve));

/** The package itself, exactly as a Node user gets it. */
export function loadOurs() {
  return require('outbound-wasm');
}

/**
 * outbound@1.3.0, with the `request` module it requires (resolved from its own folder) replaced in
 * require.cache by a function that forwards to `impl(options, callback)`. Nothing of the real
 * `request` runs. `setImpl` swaps the implementation later.
 */
export function loadOld(impl) {
  const oldPath = require.resolve('outbound');
  const requestPath = require.resolve('request', { paths: [path.dirname(oldPath)] });
  let current = impl;
  const stub = new Module(requestPath);
  stub.filename = requestPath;
  stub.loaded = true;
  stub.exports = (options, callback) => current(options, callback);
  require.cache[requestPath] = stub;
  delete require.cache[oldPath];
  const Outbound = require(oldPath);
  return { Outbound, setImpl: (next) => { current = next; } };
}

export const OLD_BASE_URL = 'https://api.outbound.io/v2'; // hardcoded in outbound@1.3.0's module scope

/**
 * A `request` replacement that does what request@2.55 does with `{url, method, headers, json}`, for
 * real, over node:http: sends JSON.stringify(json) with the given headers to the same path under
 * `baseUrl` instead of the hardcoded API, parses a JSON reply, and calls back (err, response, body).
 */
export function forwardingRequest(baseUrl, agent) {
  return (options, callback) => {
    const url = options.url.startsWith(OLD_BASE_URL) ? baseUrl + options.url.slice(OLD_BASE_URL.length) : options.url;
    const body = JSON.stringify(options.json);
    const headers = { accept: 'application/json', ...options.headers, 'content-length': Buffer.byteLength(body) };
    const req = http.request(url, { method: options.method || 'GET', headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('error', (error) => callback(error));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let parsed = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        callback(null, res, parsed);
      });
    });
    req.on('error', (error) => callback(error));
    req.end(body);
  };
}

/**
 * receiver/receiver.mjs started in a child process, so its work neither competes with the measured
 * client on one event loop nor shows in the measured process's memory. `stats()` summarises what it
 * accepted: requests, events (a /track/batch body counts its elements), distinct `properties.seq`
 * values, and requests by path; `clear()` forgets them and collects the process's garbage.
 */
export async function startReceiverProcess(options = {}) {
  const child = fork(fileURLToPath(new URL('./receiver-process.mjs', import.meta.url)), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: ['--expose-gc'],  // clear() collects the garbage of the run before
  });
  let nextId = 1;
  const pending = new Map();
  child.on('message', (message) => {
    const waiter = pending.get(message.id);
    if (!waiter) return;
    pending.delete(message.id);
    if (message.error) waiter.reject(new Error(message.error));
    else waiter.resolve(message.result);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`receiver process exited (${code})`));
    pending.clear();
  });
  const ask = (command, args) => new Promise((resolve, reject) => {
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.send({ id, command, args });
  });
  const url = await ask('start', options);
  return {
    url,
    stats: () => ask('stats'),
    clear: () => ask('clear'),
    close: async () => {
      await ask('close').catch(() => {});
      child.disconnect();
    },
  };
}

/** Runs `main` when the file is run directly: prints its result as JSON on stdout. */
export async function runIfMain(importMetaUrl, main) {
  if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(importMetaUrl)) {
    // Short reports: Node's default one for an error thrown from the minified build prints the
    // whole line of source it came from (hundreds of KB).
    const fail = (error) => {
      log(`${path.basename(process.argv[1])} failed: ${error && error.stack ? error.stack : error}`);
      process.exit(1);
    };
    process.on('uncaughtException', fail);
    process.on('unhandledRejection', fail);
    const result = await main();
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}

export function log(...parts) {
  process.stderr.write(`${parts.join(' ')}\n`);
}
