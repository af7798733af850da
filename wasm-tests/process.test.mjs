// A Node process that used the library exits by itself once its calls have settled: no timer,
// socket or handler of ours keeps it alive, and importing the package touches no browser global.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { startReceiver } from './helpers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

/**
 * Runs `source` in a child Node (ESM with --input-type=module) and returns its exit code and output.
 * A child still running after a minute is killed: none needs more than a few seconds (a failed call's
 * retries wait 3.5 s at most), so one that has not exited by then never would by itself.
 */
function runNode(source, { type = 'commonjs', killAfterMs = 60000 } = {}) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--input-type=${type}`, '-e', source], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk) => { output += chunk; });
    child.stderr.on('data', (chunk) => { output += chunk; });
    const killer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      resolve({ code, signal, output });
    });
  });
}

test('a CommonJS script exits by itself after identify and track settle', async () => {
  receiver.clear();
  const { code, signal, output } = await runNode(`
    const outbound = require('outbound-wasm');
    const ob = new outbound('exit-key', { baseUrl: ${JSON.stringify(receiver.url)} });
    Promise.all([ob.identify('u1', { email: 'a@b.co' }), ob.track('u1', 'Signed Up')])
      .then(() => console.log('settled'));`);
  assert.equal(signal, null, `killed: it did not exit by itself. Output: ${output}`);
  assert.equal(code, 0, output);
  assert.match(output, /settled/);
  assert.deepEqual(receiver.calls().map((call) => call.path), ['/v2/identify', '/v2/track']);
});

test('an ES module script exits by itself, also after a failed call', async () => {
  const { code, signal, output } = await runNode(`
    import outbound from 'outbound-wasm';
    const ob = new outbound('exit-key', { baseUrl: 'http://127.0.0.1:9/v2', timeout: 2000 });
    await ob.track('u1', 'e').catch((error) => console.log('rejected', error.receivedCall));`, { type: 'module' });
  assert.equal(signal, null, `killed: it did not exit by itself. Output: ${output}`);
  assert.equal(code, 0, output);
  assert.match(output, /rejected false/);
});

test('close() delivers what is queued, and then the process exits by itself', async () => {
  receiver.clear();
  const { code, signal, output } = await runNode(`
    const outbound = require('outbound-wasm');
    const ob = new outbound('exit-key', { baseUrl: ${JSON.stringify(receiver.url)}, batch: { flushIntervalMs: 600000 } });
    for (let n = 0; n < 25; n++) ob.track('u' + (n % 3), 'Queued', { n });
    ob.close().then(() => console.log('closed'));`);
  assert.equal(signal, null, `killed: it did not exit by itself. Output: ${output}`);
  assert.equal(code, 0, output);
  assert.match(output, /closed/);
  const events = receiver.calls().flatMap((call) => call.body);
  assert.equal(events.length, 25);
});

test('importing the package, and using it, touches no browser global', async () => {
  const { code, output } = await runNode(`
    const touched = [];
    for (const name of ['window', 'document', 'localStorage', 'navigator', 'XMLHttpRequest', 'self']) {
      Object.defineProperty(globalThis, name, { configurable: true, get() { touched.push(name); return {}; } });
    }
    const outbound = require('outbound-wasm');
    const ob = new outbound('k', { baseUrl: 'http://127.0.0.1:9/v2' });
    ob.track('u', 'e').catch(() => {}).then(() => console.log(typeof outbound, JSON.stringify(touched)));`);
  assert.equal(code, 0, output);
  assert.equal(output.trim(), 'function []');
});

test('the library installs no process-wide handlers', async () => {
  const { code, output } = await runNode(`
    const before = ['uncaughtException', 'unhandledRejection', 'exit'].map((e) => process.listenerCount(e));
    const outbound = require('outbound-wasm');
    new outbound('k');
    const now = ['uncaughtException', 'unhandledRejection', 'exit'].map((e) => process.listenerCount(e));
    console.log(JSON.stringify(before) === JSON.stringify(now) ? 'same' : 'changed ' + now);`);
  assert.equal(code, 0, output);
  assert.equal(output.trim(), 'same');
});
