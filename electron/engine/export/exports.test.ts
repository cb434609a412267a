// What an export may read is bounded before it reads: a comparison's panels together, a field's panels;
// what it writes is named within the disk's limits.

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { validateRequest } from '../../../shared/operations';
import { fixturePath } from '../../../testing/fixtures';
import { openSlide } from '../../../testing/open-slide';
import { sharedSlide } from '../../../testing/paths';
import { SlideEngine } from '../engine';

describe('comparison exports are bounded', () => {
  const engine = new SlideEngine();
  let out: string;
  before(async () => {
    out = await mkdtemp(join(tmpdir(), 'slidescope-exports-'));
  });
  after(async () => {
    await engine.closeAll();
    await rm(out, { recursive: true, force: true });
  });

  test('panels that would hold more than 64 megapixels together are refused before anything is read or written', async () => {
    const { slideId, info } = await openSlide(engine, await fixturePath('aperio-jpeg-rgb'));
    assert.equal(info.objectivePower, 20);
    const started = Date.now();
    // Each 20x panel of a 9000 x 7000 slide is 63 MP: one is a thumbnail that may be made, four are not.
    await assert.rejects(
      engine.writeComparison({ slideId, powers: [20, 20, 20, 20], mode: { kind: 'slide' }, folder: out, format: 'png', overwrite: false }),
      (error: { code?: string; message?: string }) => error.code === 'TOO_LARGE' && /240 megapixels, more than the 64/.test(error.message ?? ''),
    );
    assert.ok(Date.now() - started < 1000, 'refused without reading');
    assert.deepEqual(await readdir(out), []);
    // Four field panels at the largest side are exactly the bound, and are made.
    const field = { kind: 'field' as const, centerX: 4500, centerY: 3500, panelWidth: 4096, panelHeight: 4096 };
    const written = await engine.writeComparison({ slideId, powers: [1.25, 2.5, 5, 10], mode: field, folder: out, format: 'jpeg', overwrite: false });
    assert.equal(written.files.length, 5);
  });

  test("a field panel's side is at most 4096 pixels", () => {
    const field = { kind: 'field', centerX: 0, centerY: 0, panelWidth: 4097, panelHeight: 512 };
    const checked = validateRequest('export:comparison', { slideId: 's', powers: [1], mode: field, format: 'png' });
    assert.equal(!checked.ok && checked.error.code, 'INVALID_ARGUMENT');
    assert.match(!checked.ok ? checked.error.message : '', /panelWidth must be at most 4096/);
  });
});

test('a slide whose name is near 255 bytes (Hangul) exports its magnification set, each name within 255 bytes', async () => {
  const engine = new SlideEngine();
  const out = await mkdtemp(join(tmpdir(), 'slidescope-long-names-'));
  try {
    // 80 syllables, 240 bytes, and .svs: as long as a name on this disk may be, less its suffixes.
    const slide = join(out, `${'위생검검체'.repeat(16)}.svs`);
    await copyFile(sharedSlide('CMU-1-Small-Region.svs'), slide);
    const { slideId } = await openSlide(engine, slide);
    const folder = join(out, 'set');
    await mkdir(folder);
    const written = await engine.writeComparison({ slideId, powers: [1.25, 2.5, 5, 10], mode: { kind: 'slide' }, folder, format: 'png', overwrite: false });
    assert.equal(written.files.length, 5);
    for (const name of await readdir(folder)) assert.ok(Buffer.byteLength(name) <= 255, name);
  } finally {
    await engine.closeAll();
    await rm(out, { recursive: true, force: true });
  }
});
