// The package as users get it: `npm pack`, install the tarball into an empty folder without the
// network, then `require` and `import` it and send real calls to the receiver.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, test } from 'node:test';
import { startReceiver } from './helpers.mjs';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
let receiver;
let workdir;
let tarball;
let files;

before(async () => {
  receiver = await startReceiver();
  workdir = mkdtempSync(join(tmpdir(), 'outbound-pack-'));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workdir], { cwd: root, maxBuffer: 1 << 24 });
  const [packed] = JSON.parse(stdout.slice(stdout.indexOf('[')));
  tarball = join(workdir, packed.filename);
  files = packed.files.map((file) => file.path).sort();
  const app = join(workdir, 'app');
  await run('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'empty-app', version: '1.0.0', private: true }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', tarball], { cwd: app });
});
after(async () => {
  await receiver.close();
  rmSync(workdir, { recursive: true, force: true });
});

test('the tarball holds the built files and nothing of the sources or tests', () => {
  for (const needed of ['package.json', 'README.md', 'LICENSE', 'dist/outbound.js', 'dist/outbound.mjs', 'dist/outbound-wasm-inline.mjs',
    'dist/outbound.cjs', 'dist/outbound.wasm', 'dist/outbound-node.cjs', 'dist/outbound-node.wasm', 'js/node.cjs', 'js/node.mjs',
    'js/outbound-api.js', 'js/outbound.d.ts', 'js/browser.d.ts']) {
    assert.ok(files.includes(needed), `${needed} is missing from ${files.join(', ')}`);
  }
  for (const file of files) assert.doesNotMatch(file, /^(src|wasm-tests|web-demo|build|scripts)\//);
});

test('every file the exports name is in the tarball', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const named = (target) => (typeof target === 'string' ? [target] : Object.values(target).flatMap(named));
  for (const file of named(manifest.exports)) assert.ok(files.includes(file.replace(/^\.\//, '')), `${file} is not packed`);
});

test('only the script-tag file is marked as having side effects: a bundle that imports the package and never uses it drops it', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.deepEqual(manifest.sideEffects, ['./dist/outbound.js']);
  assert.equal(manifest.exports['./browser'].default, manifest.sideEffects[0]);
});

for (const [how, file, source] of [
  ['require', 'use.cjs', "const outbound = require('outbound-wasm');"],
  ['import', 'use.mjs', "import outbound from 'outbound-wasm';"],
]) {
  test(`${how} in an empty app sends identify and track`, async () => {
    receiver.clear();
    const script = join(workdir, 'app', file);
    writeFileSync(script, `${source}
const ob = new outbound('pack-key', { baseUrl: process.env.RECEIVER });
await_all();
async function await_all() {
  await ob.identify('packed-user', { email: 'p@example.com', city: 'San Francisco' });
  await ob.track('packed-user', 'Installed From Tarball', { how: '${how}' });
  console.log('done');
}
`);
    // A minute, far more than the second or so the script needs, so only a script that hangs is stopped.
    const { stdout } = await run(process.execPath, [script], { cwd: join(workdir, 'app'), env: { ...process.env, RECEIVER: receiver.url }, timeout: 60000 });
    assert.equal(stdout.trim(), 'done');
    const calls = receiver.calls();
    assert.deepEqual(calls.map((call) => call.path), ['/v2/identify', '/v2/track']);
    assert.deepEqual(calls[0].body, { user_id: 'packed-user', email: 'p@example.com', attributes: { city: 'San Francisco' } });
    assert.equal(calls[1].body.event, 'Installed From Tarball');
    assert.deepEqual(calls[1].body.properties, { how });
  });
}

test('the installed package\'s exported paths resolve: the script-tag file, and the .wasm under both names', async () => {
  const { stdout } = await run(process.execPath, ['-e', `console.log(JSON.stringify(['outbound-wasm/browser',
    'outbound-wasm/outbound.wasm', 'outbound-wasm/dist/outbound.wasm'].map((name) => require.resolve(name))))`],
  { cwd: join(workdir, 'app') });
  const installed = join(workdir, 'app', 'node_modules', 'outbound-wasm');
  assert.deepEqual(JSON.parse(stdout), ['dist/outbound.js', 'dist/outbound.wasm', 'dist/outbound.wasm'].map((file) => join(installed, file)));
});
