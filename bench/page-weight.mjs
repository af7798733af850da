// 1. Page weight: gzip -9 (zlib level 9) bytes of everything a page downloads to use each library
// through a script tag. Each file is compressed on its own, as it travels on its own.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { ROOT, runIfMain } from './lib.mjs';

// What we hold ourselves to: 45 KB in a page (40 KB is the goal beyond it).
export const TARGET_BYTES = 45_000;
// The budget npm test holds the build to (wasm-tests/page-weight-budget.test.mjs).
export const BUDGET_BYTES = JSON.parse(readFileSync(path.join(ROOT, 'bench/budget.json'), 'utf8')).pageWeightBytes;

const gzip9 = (file) => zlib.gzipSync(readFileSync(file), { level: 9 }).length;

function subject(name, files, note) {
  const parts = files.map((relative) => {
    const file = path.join(ROOT, relative);
    if (!existsSync(file)) throw new Error(`${relative} is missing`);
    return { file: relative, raw: readFileSync(file).length, gzip: gzip9(file) };
  });
  return {
    name,
    files: parts,
    raw: parts.reduce((sum, part) => sum + part.raw, 0),
    gzip: parts.reduce((sum, part) => sum + part.gzip, 0),
    note,
  };
}

/** What a page downloads to use outbound-wasm through a script tag: the script and its .wasm. */
export function ourPageWeight() {
  return subject('outbound-wasm (ours)', ['dist/outbound.js', 'dist/outbound.wasm'], 'the script and the .wasm it fetches');
}

export async function measure() {
  const segmentDir = 'node_modules/@segment/analytics-next/dist/umd';
  const lazyChunks = readdirSync(path.join(ROOT, segmentDir)).filter((name) => /\.bundle\.[0-9a-f]+\.js$/.test(name));
  const ours = ourPageWeight();
  const peers = [
    subject('outbound@1.3.0', ['node_modules/outbound/outbound.js'],
      'as shipped it cannot run in a page (it calls require() at the top); its size is the floor of a JS-only client'),
    subject('@segment/analytics-next@1.84.3 standalone', [`${segmentDir}/standalone.js`],
      `the standalone loader only; at run time it also fetches its CDN settings and, when used, lazy chunks (${lazyChunks.length} in dist/umd, not counted)`),
    subject('mixpanel-browser@2.83.0 minified', ['node_modules/mixpanel-browser/dist/mixpanel.min.js'],
      'dist/mixpanel.min.js, the build the CDN snippet loads (no session recorder, which loads on demand)'),
  ];
  return {
    ours,
    peers: peers.map((peer) => ({ ...peer, ratio: ours.gzip / peer.gzip })),
    target: { maxBytes: TARGET_BYTES, met: ours.gzip <= TARGET_BYTES },
    budget: { maxBytes: BUDGET_BYTES, met: ours.gzip <= BUDGET_BYTES },
  };
}

await runIfMain(import.meta.url, measure);
