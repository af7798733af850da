// The page-weight budget of bench/budget.json: what a page downloads to use the library through a
// script tag (gzip -9 of dist/outbound.js + dist/outbound.wasm, each on its own, measured as
// bench/page-weight.mjs does) stays within it. The budget is lowered as the weight comes down.
import assert from 'node:assert/strict';
import test from 'node:test';
import { BUDGET_BYTES, ourPageWeight } from '../bench/page-weight.mjs';

test(`the page weight is within the budget of bench/budget.json (${BUDGET_BYTES} B gzip -9)`, (t) => {
  const weight = ourPageWeight();
  const parts = weight.files.map((file) => `${file.file} ${file.gzip} B`).join(' + ');
  t.diagnostic(`page weight ${weight.gzip} B gzip -9 (${parts}), budget ${BUDGET_BYTES} B`);
  assert.ok(weight.gzip <= BUDGET_BYTES,
    `the page weight is ${weight.gzip} B gzip -9 (${parts}), ${weight.gzip - BUDGET_BYTES} B over the budget of ` +
    `${BUDGET_BYTES} B in bench/budget.json: bring it back under, or raise the budget and say why in the commit`);
});
