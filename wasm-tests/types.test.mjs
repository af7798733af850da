// The TypeScript declarations that ship in the package describe the whole API: a strict compile
// of a file using every method passes, and the marked mistakes are refused.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { test } from 'node:test';
import { requiredOutbound } from './helpers.mjs';

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const project = fileURLToPath(new URL('./types/tsconfig.json', import.meta.url));

test('js/outbound.d.ts compiles against a use of every method under --strict', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [tsc, '-p', project]).catch((error) => error);
  assert.equal(stdout.trim(), '', stdout);
});

test('every method of the class is declared, and only those', async () => {
  const { readFile } = await import('node:fs/promises');
  const declarations = await readFile(new URL('../js/outbound.d.ts', import.meta.url), 'utf8');
  const declared = [...declarations.matchAll(/^ {2}(\w+)\(/gm)].map((match) => match[1]).filter((name) => name !== 'constructor').sort();
  const methods = Object.getOwnPropertyNames(requiredOutbound.prototype).filter((name) => name !== 'constructor').sort();
  assert.equal(methods.length, 16);
  assert.deepEqual(declared, methods);
});
