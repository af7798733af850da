// The TypeScript declarations that ship in the package describe the whole API: a strict compile
// of a file using every method passes, the marked mistakes are refused, and the declared methods
// are the class's, whose API methods come from the C++ method table.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { requiredOutbound } from './helpers.mjs';

const require = createRequire(import.meta.url);
const tsc = require.resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));

test('js/outbound.d.ts compiles against a use of every method under --strict', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', project]).catch((error) => error);
  assert.equal(stdout.trim(), '', stdout);
});

/** The methods js/outbound.d.ts declares on the class, each with its parameters' names. */
async function declaredMethods() {
  const declarations = await readFile(new URL('../js/outbound.d.ts', import.meta.url), 'utf8');
  return [...declarations.matchAll(/^ {2}(\w+)\((.*)\)/gm)]
    .filter((match) => match[1] !== 'constructor')
    .map((match) => ({ name: match[1], params: [...match[2].matchAll(/(\w+)\??:/g)].map((param) => param[1]) }));
}

const ownMethods = (prototype) => Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');

test('every method of the class is declared, and only those', async () => {
  const declared = (await declaredMethods()).map((method) => method.name).sort();
  const methods = ownMethods(requiredOutbound.prototype).sort();
  assert.equal(methods.length, 16);
  assert.deepEqual(declared, methods);
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
