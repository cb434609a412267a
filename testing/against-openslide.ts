// The engine against OpenSlide 3.4.1 on one slide: level count and sizes, associated images,
// regions at every level (edges included), and deep-zoom tiles of the full-resolution level, all
// within a tolerance per channel. Used on the generated fixtures and the real slides alike.

import assert from 'node:assert/strict';
import type { SlideEngine } from '../electron/engine/engine';
import { openSlide } from './open-slide';
import { type ReferenceInfo, type ReferenceRequest, referenceImage, runOpenSlide, vipsPage } from './openslide-reference';
import { compareRgb, decodeTile } from './pixel-compare';

export interface AgainstOpenSlideOptions {
  /** Levels we find where OpenSlide finds fewer (unflagged generic TIFF levels). */
  expectLevels?: number;
  /** Per channel; 2 unless given. */
  tolerance?: number;
  /**
   * Deep-zoom tiles served as stored JPEGs of restart intervals with subsampled chroma blend colour
   * across the intervals' seams (OpenSlide decodes each interval alone): the pixel columns on
   * either side of every `every`-th are not compared there.
   */
  storedSeams?: { every: number };
}

/** Regions to compare at a level: anywhere when the level's downsample is exact, else at the origin
 * (OpenSlide interpolates a region whose origin falls between a level's pixels). */
function regionsFor(level: { width: number; height: number; downsample: number }): Array<{ x: number; y: number; width: number; height: number }> {
  const size = (n: number) => Math.min(n, 400);
  const regions = [{ x: 0, y: 0, width: size(level.width), height: size(level.height) }];
  if (Number.isInteger(level.downsample) && level.width > 600) {
    const lx = Math.floor(level.width / 2) - 123;
    const ly = Math.floor(level.height / 2) - 77;
    regions.push({ x: lx * level.downsample, y: ly * level.downsample, width: 333, height: 222 });
    // Across the bottom-right edge.
    regions.push({ x: (level.width - 150) * level.downsample, y: (level.height - 100) * level.downsample, width: 300, height: 200 });
  }
  return regions;
}

export async function againstOpenSlide(engine: SlideEngine, path: string, options: AgainstOpenSlideOptions = {}) {
  const { slideId, info } = await openSlide(engine, path);
  const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
  assert.ok(!('error' in ref), JSON.stringify(ref));
  assert.equal(info.levels.length, options.expectLevels ?? ref.level_count, 'level count');
  const shared = Math.min(info.levels.length, ref.level_count);
  for (let l = 0; l < shared; l++) assert.deepEqual([info.levels[l]!.width, info.levels[l]!.height], ref.dimensions[l], `level ${l} size`);
  assert.deepEqual([...info.associated].sort(), ref.associated, 'associated images');
  const tolerance = options.tolerance ?? 2;

  const requests: ReferenceRequest[] = [];
  const ours: Array<Promise<{ data: Uint8Array; width: number; height: number; channels: 3 | 4 }>> = [];
  const labels: string[] = [];
  for (let l = 0; l < shared; l++) {
    for (const r of regionsFor(info.levels[l]!)) {
      requests.push({ kind: 'region', path, level: l, ...r });
      ours.push(engine.readRegion({ slideId, level: l, x: r.x, y: r.y, width: r.width, height: r.height }));
      labels.push(`level ${l} ${JSON.stringify(r)}`);
    }
  }
  for (const name of info.associated) {
    requests.push({ kind: 'associated', path, name });
    ours.push(engine.readAssociated({ slideId, name }));
    labels.push(`associated ${name}`);
  }
  // Deep-zoom tiles of the full-resolution level: stored (or decoded) tiles, edges included.
  const dz = info.deepZoom;
  const top = dz.levels.length - 1;
  const picks = [
    [0, 0],
    [Math.floor(dz.levels[top]!.cols / 2), Math.floor(dz.levels[top]!.rows / 2)],
    [dz.levels[top]!.cols - 1, dz.levels[top]!.rows - 1],
  ];
  for (const [col, row] of picks) {
    requests.push({ kind: 'dztile', path, tile_size: dz.tileSize, overlap: 0, dz_level: top, col: col!, row: row! });
    ours.push(engine.getTile({ slideId, dzLevel: top, col: col!, row: row!, requestId: 0 }).then(decodeTile));
    labels.push(`dz tile ${top}/${col}_${row}`);
  }
  // OpenSlide 3.4.1 returns uninitialised pixels on small levels whose tiles are wider than the
  // level: read twice (two processes) and trust only the pixels both reads agree on.
  const refs = runOpenSlide(requests);
  const again = runOpenSlide(requests);
  const results = await Promise.all(ours);
  const vipsFor = new Map<number, Awaited<ReturnType<typeof vipsPage>>>();
  for (const [i, label] of labels.entries()) {
    const level = /^level (\d+)/.exec(label)?.[1];
    const l = level === undefined ? undefined : info.levels[Number(level)];
    if (l && info.vendor === 'generic-tiff' && (l.tileWidth > l.width || l.tileHeight > l.height)) {
      // OpenSlide 3.4.1 gets such levels wrong even identically twice; libvips reads them right.
      if (!vipsFor.has(Number(level))) vipsFor.set(Number(level), await vipsPage(path, Number(level)));
      const page = vipsFor.get(Number(level))!;
      const r = requests[i] as { width: number; height: number };
      const crop = { width: r.width, height: r.height, channels: 3, data: new Uint8Array(r.width * r.height * 3) };
      for (let y = 0; y < r.height; y++) crop.data.set(page.data.subarray(y * page.width * 3, (y * page.width + r.width) * 3), y * r.width * 3);
      const diff = compareRgb(results[i]!, crop, tolerance);
      assert.ok(diff.maxDiff <= tolerance, `${path} ${label} vs libvips: ${JSON.stringify(diff)}`);
      continue;
    }
    const a = referenceImage(refs[i]);
    const b = referenceImage(again[i]);
    const stable = (x: number, y: number) => {
      const p = (y * a.width + x) * a.channels;
      for (let c = 0; c < a.channels; c++) if (a.data[p + c] !== b.data[p + c]) return false;
      return true;
    };
    const seams = options.storedSeams;
    const mask = seams && label.startsWith('dz tile') ? (x: number, y: number) => stable(x, y) && (x + 1) % seams.every > 1 : stable;
    const diff = compareRgb(results[i]!, a, tolerance, mask);
    assert.ok(diff.compared > 0, `${label}: nothing compared`);
    assert.ok(diff.maxDiff <= tolerance, `${path} ${label}: ${JSON.stringify(diff)}`);
  }
  return { slideId, info, path };
}
