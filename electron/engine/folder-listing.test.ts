import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { folderNames } from './folder-listing';

test('folderNames lists every entry of a folder (files and folders), past one directory read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'listing-'));
  try {
    const names = Array.from({ length: 300 }, (_, i) => `file-${i}.dcm`);
    for (const name of names) writeFileSync(join(dir, name), '');
    mkdirSync(join(dir, 'sub'));
    assert.deepEqual(folderNames(dir, 1000).sort(), [...names, 'sub'].sort());
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('folderNames stops at the most it may list', () => {
  const dir = mkdtempSync(join(tmpdir(), 'listing-'));
  try {
    for (let i = 0; i < 200; i++) writeFileSync(join(dir, `f${i}`), '');
    assert.equal(folderNames(dir, 150).length, 150);
    assert.equal(folderNames(dir, 0).length, 0);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('folderNames throws the system error for a folder that is not there, or a file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'listing-'));
  try {
    assert.throws(() => folderNames(join(dir, 'missing'), 10), { code: 'ENOENT' });
    writeFileSync(join(dir, 'plain'), '');
    assert.throws(() => folderNames(join(dir, 'plain'), 10), { code: 'ENOTDIR' });
  } finally {
    rmSync(dir, { recursive: true });
  }
});
