import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { applyLibvipsSettings, setLibvipsThreads } from './libvips-settings';

describe('libvips settings', () => {
  it('a chosen thread count holds, and is put back after another copy of sharp changes it; no operation cache either way', () => {
    setLibvipsThreads(1);
    assert.equal(sharp.concurrency(), 1);
    sharp.concurrency(3);
    sharp.cache(true);
    applyLibvipsSettings();
    assert.equal(sharp.concurrency(), 1);
    assert.equal(sharp.cache().memory.max, 0);
  });
});
