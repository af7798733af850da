// The TypeScript declarations that ship in the package, as a consumer's project meets them: small
// projects that import the package as installed (node_modules/outbound-wasm, resolved through the
// package's `exports`) compile strictly with the resolutions TypeScript users have — a bundler's,
// and Node's node16 as an ES module and as CommonJS — their marked mistakes are refused, and the
// compiled code runs against the receiver: the named exports exist and a rejection is an
// OutboundError. Also: the declared methods are the class's, whose API methods come from the C++
// method table.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { assertRecentTimestamp, requiredOutbound, startReceiver } from './helpers.mjs';

const require = createRequire(import.meta.url);
const run = promisify(execFile);
const tsc = require.resolve('typescript/bin/tsc');
const root = fileURLToPath(new URL('..', import.meta.url));
const fixtures = fileURLToPath(new URL('./types/', import.meta.url));

const strict = { strict: true, target: 'ES2022', outDir: 'out', skipLibCheck: false, types: [] };
// Each project: its package.json's module type, its compiler options, and the fixture files it compiles.
const PROJECTS = {
  'a bundler (moduleResolution bundler, with the DOM lib and the script-tag global)': {
    type: 'module',
    options: { ...strict, module: 'ESNext', moduleResolution: 'bundler' },
    files: ['usage.ts', 'page.ts', 'dom.ts', 'dom-env.d.ts'],
  },
  'Node, an ES module (node16)': {
    type: 'module',
    options: { ...strict, module: 'node16', moduleResolution: 'node16', lib: ['ES2022'] },
    files: ['usage.ts', 'node-env.d.ts'],
  },
  'Node, CommonJS (node16, esModuleInterop)': {
    type: 'commonjs',
    options: { ...strict, module: 'node16', moduleResolution: 'node16', lib: ['ES2022'], esModuleInterop: true },
    files: ['usage.ts', 'node-env.d.ts'],
  },
};

const GOOD_KEY = 'types-fixture-key';

/** A consumer's project in a temporary folder, with the package installed as a link to this repository. */
function makeProject(folder, { type, options, files }) {
  mkdirSync(join(folder, 'node_modules'), { recursive: true });
  symlinkSync(root, join(folder, 'node_modules', 'outbound-wasm'), 'dir');
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type }));
  writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files }));
  for (const file of files) copyFileSync(join(fixtures, file), join(folder, file));
}

/** tsc's complaints about a project, or '' when it compiles. */
async function compile(folder) {
  const { stdout } = await run(process.execPath, [tsc, '-p', folder]).catch((error) => error);
  return stdout.trim();
}

describe('a consumer\'s TypeScript project, strict, importing the package as installed', () => {
  let receiver;
  let workdir;
  before(async () => {
    receiver = await startReceiver({ port: 0, keys: [GOOD_KEY] });
    workdir = mkdtempSync(join(tmpdir(), 'outbound-types-'));
  });
  after(async () => {
    await receiver?.close();
    if (workdir) rmSync(workdir, { recursive: true, force: true });
  });

  for (const [name, project] of Object.entries(PROJECTS)) {
    test(`${name}: compiles, refuses the marked mistakes, and runs`, async () => {
      const folder = join(workdir, project.type + '-' + project.options.moduleResolution);
      makeProject(folder, project);
      assert.equal(await compile(folder), '');

      receiver.clear();
      const { stdout, stderr } = await run(process.execPath, [join(folder, 'out', 'usage.js')], {
        env: { ...process.env, OUTBOUND_BASE_URL: receiver.url, OUTBOUND_KEY: GOOD_KEY },
      });
      assert.equal(stdout, [
        'same class: true',
        'refused: true true false',
        'answered: OutboundError true 401',
        'old promise methods: error false, success, otherwise true, ensure, nodify 0',
        '',
      ].join('\n'), stderr);
      // everyMethod's calls, in order, then those of the old promise methods that were valid.
      const calls = receiver.calls();
      assert.deepEqual(calls.map((call) => call.path.slice('/v2/'.length)), [
        'identify', 'identify', 'identify', 'identify', 'track', 'track', 'track', 'track/batch',
        'apns/register', 'gcm/register', 'apns/disable', 'gcm/disable', 'apns/disable', 'gcm/disable',
        'subscribe/all', 'unsubscribe/all', 'subscribe/campaigns', 'unsubscribe/campaigns',
        'track', 'identify', 'identify',
      ]);
      const [withPlan, withDate, withIsoText, withNull] = calls[7].body;
      assert.deepEqual([withPlan, withDate, withIsoText], [
        { user_id: 'u', event: 'e', properties: { plan: 'pro', seats: 3 }, timestamp: 5 },
        { user_id: '1', event: 'e', properties: {}, timestamp: 1700000000 },
        { user_id: 'u', event: 'e', properties: {}, timestamp: 1700000000 },
      ]);
      assertRecentTimestamp(withNull.timestamp);
      // An interface-typed value and class instances, sent as JSON.stringify sends them.
      assert.deepEqual(calls[0].body, { user_id: 'user-1', email: 'ada@example.com', first_name: 'Ada', attributes: { city: 'San Francisco' } });
      assert.deepEqual(calls[5].body.properties, { source: 'ad', campaign: 'spring' });
      assert.deepEqual(calls[1].body.attributes, { source: 'ad' });
      assert.deepEqual(calls[1].body.group_attributes, { plan: 'pro', seats: 3 });
    });
  }
});

test('the mistakes are caught: a project whose declarations accept everything fails to compile', async (t) => {
  // The check above is only as good as tsc's refusal of an unused @ts-expect-error.
  const folder = mkdtempSync(join(tmpdir(), 'outbound-types-loose-'));
  t.after(() => rmSync(folder, { recursive: true, force: true }));
  mkdirSync(join(folder, 'node_modules', 'outbound-wasm'), { recursive: true });
  writeFileSync(join(folder, 'node_modules', 'outbound-wasm', 'package.json'), JSON.stringify({ name: 'outbound-wasm', types: 'index.d.ts' }));
  writeFileSync(join(folder, 'node_modules', 'outbound-wasm', 'index.d.ts'), 'declare const loose: any;\nexport = loose;\n');
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  const files = PROJECTS['Node, an ES module (node16)'].files;
  writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ compilerOptions: { ...PROJECTS['Node, an ES module (node16)'].options, noEmit: true }, files }));
  for (const file of files) copyFileSync(join(fixtures, file), join(folder, file));
  assert.match(await compile(folder), /error TS2578: Unused '@ts-expect-error' directive/);
});

/** The methods js/outbound.d.ts declares on the class, each with its parameters' names. */
async function declaredMethods() {
  const declarations = await readFile(new URL('../js/outbound.d.ts', import.meta.url), 'utf8');
  return [...declarations.matchAll(/^ {2}(\w+)\((.*)\)/gm)]
    .filter((match) => match[1] !== 'constructor')
    .map((match) => ({ name: match[1], params: [...match[2].matchAll(/(\w+)\??:/g)].map((param) => param[1]) }));
}

const ownMethods = (prototype) => Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');

test('every method of the class is declared, and only those, each with a doc comment and an example', async () => {
  const declared = (await declaredMethods()).map((method) => method.name).sort();
  const methods = ownMethods(requiredOutbound.prototype).sort();
  assert.equal(methods.length, 16);
  assert.deepEqual(declared, methods);
  const declarations = await readFile(new URL('../js/outbound.d.ts', import.meta.url), 'utf8');
  for (const name of methods) {
    assert.match(declarations, new RegExp(`/\\*\\*\\n(   \\* .*\\n)*   \\* @example .*\\n   \\*/\\n  ${name}\\(`), name);
  }
});

// scripts/bundle.mjs writes the C++ method table into dist/, and the class makes its API methods
// from it: a row added to the table without its declaration fails here.
test('the API methods are the method table\'s rows, in its order, each taking its parameters', async () => {
  const table = require('../dist/outbound-node.cjs').methods;
  const apiMethods = ownMethods(requiredOutbound.prototype).filter((name) => name !== 'flush' && name !== 'close');
  assert.deepEqual(apiMethods, table.map(([name]) => name));
  const declared = new Map((await declaredMethods()).map((method) => [method.name, method.params]));
  for (const [name, count] of table) {
    assert.equal(requiredOutbound.prototype[name].length, count, `${name}: parameters of the class's method`);
    assert.equal(declared.get(name).length, count, `${name}: parameters in js/outbound.d.ts`);
  }
  for (const entry of ['../dist/outbound.js', '../dist/outbound.mjs']) {
    const text = await readFile(new URL(entry, import.meta.url), 'utf8');
    assert.ok(text.includes(JSON.stringify(table)), `${entry} carries the same table`);
  }
});
