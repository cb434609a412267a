// A stitched slide (images or tiles placed where its metadata says, overlapping: MIRAX, Trestle,
// Sakura, Ventana BIF) against OpenSlide 3.4.1: level count, sizes, downsamples, associated images and every property
// (the quickhash aside); regions at every level - origin, middle, across the joints, every edge -
// and deep-zoom tiles, compared over the pixels OpenSlide paints opaque (within the level; it
// paints images reaching past the level's edge too) and, over white, the soft ones.

import assert from 'node:assert/strict';
import type { SlideEngine } from '../electron/engine/engine';
import type { LevelInfo, RgbImage, SlideInfo } from '../shared/slide';
import { openSlide } from './open-slide';
import { type ReferenceInfo, type ReferenceRequest, referenceImage, runOpenSlide } from './openslide-reference';
import { compareRgb, decodeTile, type PixelDiff } from './pixel-compare';

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A region moved by (dx, dy) level-0 pixels: no multiple of the downsample, its origin falls between the level's pixels. */
export function betweenPixels(r: Region, dx: number, dy: number): Region {
  return { ...r, x: r.x + dx, y: r.y + dy, width: r.width - 1, height: r.height - 1 };
}

/** Level-0 regions of a level: origin, middle, across photo joints, the right, bottom and bottom-right edges, two between its pixels. */
function regionsFor(level: { width: number; height: number; downsample: number }, photo: number): Region[] {
  const d = level.downsample;
  // A level whose downsample is no integer has its pixels at few level-0 corners: its origin, and one just past it.
  if (!Number.isInteger(d)) {
    const origin = { x: 0, y: 0, width: Math.min(400, level.width + 40), height: Math.min(300, level.height + 40) };
    return [origin, betweenPixels(origin, 1, 1)];
  }
  const at = (lx: number, ly: number, width: number, height: number): Region => {
    const x = Math.max(0, Math.min(lx, level.width - 1));
    const y = Math.max(0, Math.min(ly, level.height - 1));
    return { x: x * d, y: y * d, width: Math.min(width, level.width - x + 40), height: Math.min(height, level.height - y + 40) };
  };
  const middle = at(Math.floor(level.width / 2) - 123, Math.floor(level.height / 2) - 77, 333, 222);
  // Around the joint of the first four photos.
  const joint = at(Math.floor((photo - 60) / d), Math.floor((photo - 50) / d), 150, 140);
  return [
    at(0, 0, 400, 300),
    middle,
    joint,
    at(level.width - 150, Math.floor(level.height / 3), 300, 200),
    at(Math.floor(level.width / 3), level.height - 100, 300, 200),
    at(level.width - 150, level.height - 100, 300, 200),
    ...(d >= 2 ? [betweenPixels(joint, 1, d - 1), betweenPixels(middle, d - 1, 1)] : []),
  ];
}

function cropRgb(image: RgbImage, width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) data.set(image.data.subarray(y * image.width * 3, (y * image.width + width) * 3), y * width * 3);
  return { data, width, height, channels: 3 };
}

/** OpenSlide's (un-premultiplied) RGBA over white, as the engine shows a slide: gaps and soft seams included. */
export function overWhite(image: { width: number; height: number; channels: number; data: Uint8Array }): RgbImage {
  if (image.channels !== 4) return { ...image, channels: 3 };
  const data = new Uint8Array(image.width * image.height * 3);
  for (let s = 0, d = 0; d < data.length; s += 4, d += 3) {
    const a = image.data[s + 3]!;
    for (let c = 0; c < 3; c++) data[d + c] = Math.round((image.data[s + c]! * a) / 255 + 255 - a);
  }
  return { data, width: image.width, height: image.height, channels: 3 };
}

export interface Figures {
  level: number | null;
  label: string;
  /** Over the pixels OpenSlide paints opaque. */
  diff: PixelDiff;
  /** Over those it paints partly transparent (resampled photos' soft edges), composited over white. */
  soft: PixelDiff;
}

export async function stitchedAgainstOpenSlide(
  engine: SlideEngine,
  path: string,
  vendor: string,
  /**
   * The level-0 regions compared at each level; or how far apart (level-0 pixels) the images meet, for
   * the origin, the middle, a region across the first joint and every edge.
   */
  regions: number | ((level: LevelInfo) => Region[]),
): Promise<{ info: SlideInfo; slideId: string; ref: ReferenceInfo; figures: Figures[] }> {
  const { slideId, info } = await openSlide(engine, path);
  const ref = runOpenSlide([{ kind: 'info', path }])[0] as ReferenceInfo;
  assert.ok(!('error' in ref), JSON.stringify(ref));
  assert.equal(ref.properties['openslide.vendor'], vendor, `OpenSlide reads the slide as ${vendor}`);
  assert.equal(info.vendor, vendor);
  assert.equal(info.levels.length, ref.level_count, 'level count');
  info.levels.forEach((l, i) => {
    assert.deepEqual([l.width, l.height], ref.dimensions[i], `level ${i} size`);
    assert.equal(l.downsample, ref.downsamples[i], `level ${i} downsample`);
  });
  assert.deepEqual([...info.associated].sort(), [...ref.associated].sort(), 'associated images');
  const keys = new Set([...Object.keys(info.properties), ...Object.keys(ref.properties)]);
  keys.delete('openslide.quickhash-1');
  for (const key of keys) assert.equal(info.properties[key], ref.properties[key], `property ${key}`);

  const requests: ReferenceRequest[] = [];
  const ours: Array<Promise<RgbImage>> = [];
  const labels: Array<{ level: number | null; label: string }> = [];
  info.levels.forEach((level, l) => {
    for (const r of typeof regions === 'number' ? regionsFor(level, regions) : regions(level)) {
      requests.push({ kind: 'region', path, level: l, ...r });
      ours.push(engine.readRegion({ slideId, level: l, ...r }));
      labels.push({ level: l, label: `level ${l} ${JSON.stringify(r)}` });
    }
  });
  for (const name of info.associated) {
    requests.push({ kind: 'associated', path, name });
    ours.push(engine.readAssociated({ slideId, name }));
    labels.push({ level: null, label: `associated ${name}` });
  }
  const dz = info.deepZoom;
  const top = dz.levels.length - 1;
  // python-openslide makes a dz tile from a level of another aspect (x and y reduced unlike) with an
  // aspect-keeping thumbnail, another size than the tile: those levels' tiles are not compared.
  const even = info.levels.every((l) => Number.isInteger(l.downsample));
  for (const z of even ? [top, top - 2] : [top]) {
    const { cols, rows } = dz.levels[z]!;
    for (const [col, row] of [
      [0, 0],
      [Math.floor(cols / 2), Math.floor(rows / 2)],
      [cols - 1, rows - 1],
    ] as const) {
      requests.push({ kind: 'dztile', path, tile_size: dz.tileSize, overlap: 0, dz_level: z, col, row });
      ours.push(engine.getTile({ slideId, dzLevel: z, col, row, requestId: 0 }).then(decodeTile));
      labels.push({ level: null, label: `dz tile ${z}/${col}_${row}` });
    }
  }
  // OpenSlide 3.4.1 can leave pixels uninitialised: only those two reads agree on are compared.
  const refs = runOpenSlide(requests);
  const again = runOpenSlide(requests);
  const results = await Promise.all(ours);
  const figures: Figures[] = [];
  for (const [i, { level, label }] of labels.entries()) {
    const a = referenceImage(refs[i]);
    const b = referenceImage(again[i]);
    const request = requests[i]!;
    if (request.kind === 'dztile' && results[i]!.width - a.width === 1) {
      // python-openslide's last dz column can be a pixel narrower: it reads the level (floor-halved)
      // and only ever shrinks the read to the dz tile (ceil-halved).
      results[i] = cropRgb(results[i]!, a.width, a.height);
    }
    const region = request.kind === 'region' ? { ...request, ...info.levels[request.level]! } : null;
    // Compared: within the level (OpenSlide paints photos that reach past its edge), where both reads agree.
    const wanted = (x: number, y: number) => {
      if (region && (region.x / region.downsample + x >= region.width || region.y / region.downsample + y >= region.height)) return false;
      const p = (y * a.width + x) * a.channels;
      for (let c = 0; c < a.channels; c++) if (a.data[p + c] !== b.data[p + c]) return false;
      return true;
    };
    const alpha = (x: number, y: number) => (a.channels === 4 ? a.data[(y * a.width + x) * 4 + 3]! : 255);
    // Both over white: a region between the level's pixels is soft at the photos' edges as OpenSlide's is.
    const mine = overWhite(results[i]!);
    const diff = compareRgb(mine, overWhite(a), 2, (x, y) => wanted(x, y) && alpha(x, y) === 255);
    // python-openslide un-premultiplies soft pixels by truncating division: off by up to 1 there.
    const soft = compareRgb(mine, overWhite(a), 3, (x, y) => wanted(x, y) && alpha(x, y) < 255);
    if (diff.compared + soft.compared === 0) {
      // A region over skipped photos: transparent in OpenSlide, white here.
      const blank = compareRgb(mine, { ...a, data: new Uint8Array(a.data.length).fill(255) }, 0, wanted);
      assert.ok(a.channels === 4 && a.data.every((v, k) => k % 4 !== 3 || v === 0) && blank.maxDiff === 0, `${label}: nothing compared`);
    }
    figures.push({ level, label, diff, soft });
  }
  return { info, slideId, ref, figures };
}

/** Max and mean difference per level, for the report and the assertion messages. */
export function perLevel(figures: Figures[]): string {
  const levels = [...new Set(figures.map((f) => f.level))];
  return levels
    .map((l) => {
      const mine = figures.filter((f) => f.level === l);
      const n = mine.reduce((s, f) => s + f.diff.compared, 0);
      const mean = n ? mine.reduce((s, f) => s + f.diff.meanDiff * f.diff.compared, 0) / n : 0;
      const soft = mine.reduce((s, f) => s + f.soft.compared / 3, 0);
      return `${l === null ? 'associated+dz' : `L${l}`} max ${Math.max(...mine.map((f) => f.diff.maxDiff))} mean ${mean.toFixed(3)} (soft pixels ${soft}: max ${Math.max(...mine.map((f) => f.soft.maxDiff))})`;
    })
    .join('; ');
}
