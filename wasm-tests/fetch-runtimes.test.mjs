// A runtime with fetch and no XMLHttpRequest that resolves the package's `browser` entry, as edge
// runtimes and Deno-like hosts do: Node run with `--conditions=browser`. The bundlers' ES module
// loads its .wasm and delivers through the runtime's fetch (docs/transport.md).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startReceiver } from './helpers.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

let receiver;
before(async () => { receiver = await startReceiver(); });
after(() => receiver.close());

const PROGRAM = `
import outbound, { OutboundError } from 'outbound-wasm';
const report = { entry: import.meta.resolve('outbound-wasm'), xhr: typeof XMLHttpRequest, fetch: typeof fetch };
const ob = new outbound('edge-key', { baseUrl: process.env.RECEIVER, retries: 0 });
await ob.track('edge-user', 'From A Fetch Runtime', { plan: 'pro' });
report.refused = await ob.track('', 'Refused').then(() => 'resolved', (e) => e instanceof OutboundError && e.message);
console.log(JSON.stringify(report));
`;

test('with fetch and without XMLHttpRequest, the browser entry delivers a track', async () => {
  receiver.clear();
  const { stdout } = await run(process.execPath, ['--conditions=browser', '--input-type=module', '-e', PROGRAM], {
    cwd: root, env: { ...process.env, RECEIVER: receiver.url }, timeout: 60000,
  });
  const report = JSON.parse(stdout.trim().split('\n').pop());
  assert.match(report.entry, /\/dist\/outbound\.mjs$/);
  assert.equal(report.xhr, 'undefined');
  assert.equal(report.fetch, 'function');
  assert.match(report.refused, /^track: userId must be/);
  const calls = receiver.calls();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].body.event, 'From A Fetch Runtime');
  assert.deepEqual(calls[0].body.properties, { plan: 'pro' });
});
