import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileHalveRgb } from '../../../scripts/make-halve-rgb-wasm';
import { HALVE_RGB_WASM_BASE64 } from './halve-rgb-wasm';

test('the stored kernel is its source compiled: halve-rgb-wasm.ts is regenerated after every edit of halve-rgb.wat', async () => {
  assert.equal(Buffer.from(await compileHalveRgb()).toString('base64'), HALVE_RGB_WASM_BASE64);
});
