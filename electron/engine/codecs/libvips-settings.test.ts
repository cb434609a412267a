import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { applyLibvipsSettings, setLibvipsThreads } from './libvips-settings';

describe('libvips settings', () => {
  it("none chosen leaves sharp's thread count as it is; a chosen one holds, and is put back after another copy of sharp changes it; no operation cache either way", () => {
    setLibvipsThreads(null);
    sharp.concurrency(3);
    applyLibvipsSettings();
    assert.equal(sharp.concurrency(), 3);
    setLibvipsThreads(2);
    assert.equal(sharp.concurrency(), 2);
    sharp.concurrency(3);
    sharp.cache(true);
    applyLibvipsSettings();
    assert.equal(sharp.concurrency(), 2);
    assert.equal(sharp.cache().memory.max, 0);
  });
});
