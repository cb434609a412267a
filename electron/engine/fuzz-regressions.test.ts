// Defects the mutation fuzz (testing/fuzz-slides.ts) found, each made again here from a writer at
// test time: the damaged slide gets a typed error in the engine's words, never a JavaScript error's
// message (a RangeError's "Offset is outside the bounds of the DataView") or "undefined".

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { isErrorCode } from '../../shared/errors';
import { openSlide } from '../../testing/open-slide';
import { writeSakura } from '../../testing/writers/sakura';
import { SMALL_BIF, writeVentanaBif } from '../../testing/writers/ventana';
import { SlideEngine } from './engine';
import { SlideError } from './errors';

const engine = new SlideEngine();
const dir = mkdtempSync(join(tmpdir(), 'slidescope-fuzz-regressions-'));
after(async () => {
  await engine.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const RAW = /Offset is outside|out of range|Cannot read prop|is not a function|undefined|NaN|Invalid (typed )?array length|MAX_SAFE_INTEGER/;

/** Opens a slide and reads its thumbnail and every tile of its three smallest deep-zoom levels: the errors met. */
async function errorsOf(path: string): Promise<SlideError[]> {
  const errors: SlideError[] = [];
  const take = (error: unknown) => {
    assert.ok(error instanceof SlideError && isErrorCode(error.code), `not a SlideError: ${String(error)}`);
    errors.push(error);
  };
  try {
    const { slideId, info } = await openSlide(engine, path);
    await engine.thumbnail({ slideId, spec: { kind: 'size', longestSide: 128 } }).catch(take);
    for (const [dzLevel, level] of info.deepZoom.levels.entries()) {
      if (dzLevel < info.deepZoom.levels.length - 3) continue;
      for (let i = 0; i < level.cols * level.rows; i++) {
        await engine.getTile({ slideId, dzLevel, col: i % level.cols, row: Math.floor(i / level.cols), requestId: 0 }).catch(take);
      }
    }
    await engine.close({ slideId });
  } catch (error) {
    take(error);
  }
  for (const error of errors) assert.doesNotMatch(error.message, RAW, `${error.code}: ${error.message}`);
  return errors;
}

describe('Sakura: an interior b-tree cell whose child page number runs past its page', () => {
  test('CORRUPT_DATA saying the cell lies outside its page', async () => {
    const path = join(dir, 'cell.svslide');
    await writeSakura(path, { width: 1500, height: 1100, tileSize: 256, levels: 3, focalPlanes: 1, pageSize: 1024, quality: 70, associated: false, seed: 5 });
    const bytes = readFileSync(path);
    const pageSize = bytes.readUInt16BE(16);
    // Every interior page (table 5, index 2) with a cell: its first cell moved to the page's last 2 bytes.
    let damaged = 0;
    for (let start = 0; start < bytes.length; start += pageSize) {
      const base = start === 0 ? 100 : 0;
      const type = bytes[start + base];
      if ((type === 5 || type === 2) && bytes.readUInt16BE(start + base + 3) > 0) {
        bytes.writeUInt16BE(pageSize - 2, start + base + 12);
        damaged++;
      }
    }
    assert.ok(damaged > 0, 'no interior page');
    writeFileSync(path, bytes);
    const errors = await errorsOf(path);
    assert.ok(errors.length > 0);
    for (const error of errors) {
      assert.equal(error.code, 'CORRUPT_DATA');
      assert.match(error.message, /a cell of page \d+ lies outside it/);
    }
  });
});

describe('Ventana: a TileJointInfo without its Direction attribute', () => {
  test('CORRUPT_DATA naming the missing attribute, not the direction "undefined"', async () => {
    const path = join(dir, 'joint.bif');
    await writeVentanaBif(path, { ...SMALL_BIF, rewriteEncodeInfo: (xml) => xml.replace(/ Direction="[A-Z]+"/, '') });
    const [error, ...more] = await errorsOf(path);
    assert.equal(more.length, 0);
    assert.equal(error?.code, 'CORRUPT_DATA');
    assert.equal(error.message, "The BIF's stitching metadata has no Direction attribute on TileJointInfo.");
  });
});
