// A mutation fuzz of the slide readers (not part of CI): small valid slides of every format, made by
// the test writers (plus the small real ones in ../shared/slides), mutated deterministically from a
// seed and each opened and read in a child process under a time and memory limit.
//
//   node --import tsx testing/fuzz-slides.ts [--minutes 30] [--seed 1] [--formats aperio,ndpi] [--start 0] [--only N]
//
// Outcomes: ok, typed (a SlideError code, its message not a raw JavaScript error), untyped (INTERNAL,
// or a typed message quoting a TypeError/RangeError...), crash (the child died), hang (over 20 s),
// memory (RSS over 1.5 GB). Mutants that are not ok or typed are kept in <work>/defects/ with a
// line in <work>/report.jsonl; `--only N` runs mutant N alone again (same seed, same mutation).

import { type ChildProcess, fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorInfo } from '../shared/errors';
import { sharedSlide } from './paths';

const HERE = fileURLToPath(import.meta.url);
const TIME_LIMIT_MS = 20_000;
const RSS_LIMIT = 1.5 * 2 ** 30;

// ---------------------------------------------------------------------------------------------
// Deterministic randomness.

export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  next(): number {
    // mulberry32
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
}

// ---------------------------------------------------------------------------------------------
// Seed slides: each in a folder of its own, `entry` the path opened, `files` the ones mutated.

interface Seed {
  name: string;
  format: string;
  dir: string;
  entry: string;
  files: string[];
}

type Maker = (dir: string) => Promise<string>;

async function seedMakers(): Promise<Array<{ name: string; format: string; make: Maker }>> {
  const slides = await import('../electron/synth/slides');
  const { writeSampleLayoutPyramid } = await import('./writers/generic-tiff');
  const { writeNdpi } = await import('./writers/ndpi');
  const { writePhilipsTiff } = await import('./writers/philips');
  const { writeLeicaScn } = await import('./writers/leica');
  const { SMALL_BIF, writeVentanaBif } = await import('./writers/ventana');
  const { writeOmeTiff } = await import('./writers/ome-tiff');
  const { writeDicomFolder } = await import('./writers/dicom');
  const { writeMirax } = await import('./writers/mirax');
  const { writeVms } = await import('./writers/hamamatsu-vms');
  const { writeTrestle } = await import('./writers/trestle');
  const { writeSakura } = await import('./writers/sakura');
  const ome = (name: string, options: Parameters<typeof writeOmeTiff>[1]) => ({
    name,
    format: 'ome-tiff',
    make: async (dir: string) => (await writeOmeTiff(join(dir, 's.ome.tif'), options)).path,
  });
  const real = (name: string): Maker => {
    return async (dir) => {
      cpSync(sharedSlide(name), join(dir, name));
      return join(dir, name);
    };
  };
  return [
    {
      name: 'aperio-jpeg',
      format: 'aperio',
      make: async (d) =>
        (await slides.writeAperioSvs(join(d, 's.svs'), { width: 1100, height: 900, levels: 2, compression: 'jpeg', photometric: 'rgb', quality: 70, seed: 1 }))
          .path,
    },
    {
      name: 'aperio-j2k',
      format: 'aperio',
      make: async (d) => (await slides.writeAperioSvs(join(d, 's.svs'), { width: 700, height: 500, levels: 2, compression: 'jpeg2000-33003', seed: 2 })).path,
    },
    {
      name: 'generic-lzw',
      format: 'generic-tiff',
      make: async (d) => (await slides.writeGenericPyramid(join(d, 's.tif'), { width: 900, height: 700, tileSize: 256, compression: 'lzw', seed: 3 })).path,
    },
    {
      name: 'bigtiff-jpeg',
      format: 'generic-tiff',
      make: async (d) =>
        (
          await slides.writeGenericPyramid(join(d, 's.tif'), {
            width: 900,
            height: 700,
            tileSize: 256,
            compression: 'jpeg',
            bigTiff: true,
            mppMicrons: 0.25,
            seed: 4,
          })
        ).path,
    },
    {
      name: 'planar16-be',
      format: 'generic-tiff',
      make: async (d) =>
        (
          await writeSampleLayoutPyramid(join(d, 's.tif'), {
            width: 400,
            height: 300,
            tileSize: 128,
            levels: 2,
            compression: 'deflate',
            colour: 'rgb',
            bitsPerSample: 16,
            separatePlanes: true,
            byteOrder: 'big',
            seed: 5,
          })
        ).path,
    },
    {
      name: 'ndpi',
      format: 'ndpi',
      make: async (d) =>
        (
          await writeNdpi(join(d, 's.ndpi'), {
            width: 1024,
            height: 768,
            storedHalvings: [0, 2],
            chroma: '4:2:2',
            quality: 70,
            restartInterval: 16,
            recordMcuStarts: true,
            sourceLens: 20,
            mpp: 0.46,
            macro: true,
            seed: 6,
          })
        ).path,
    },
    {
      name: 'philips',
      format: 'philips',
      make: async (d) =>
        (
          await writePhilipsTiff(join(d, 's.tiff'), {
            width: 900,
            height: 600,
            tileSize: 256,
            levels: 2,
            unscanned: { x: 256, y: 256, width: 256, height: 256 },
            seed: 7,
          })
        ).path,
    },
    {
      name: 'philips-dirs',
      format: 'philips',
      make: async (d) =>
        (await writePhilipsTiff(join(d, 's.tiff'), { width: 700, height: 500, tileSize: 256, levels: 2, bigTiff: true, associated: 'directories', seed: 8 }))
          .path,
    },
    {
      name: 'leica',
      format: 'leica',
      make: async (d) =>
        (
          await writeLeicaScn(join(d, 's.scn'), {
            collectionNm: [400_000, 300_000],
            nmPerPixel: 500,
            main: [{ width: 600, height: 400, offsetNm: [50_000, 40_000] }],
            levels: 2,
            macro: { width: 200, height: 150 },
            seed: 9,
          })
        ).path,
    },
    {
      name: 'ventana',
      format: 'ventana',
      make: async (d) => (await writeVentanaBif(join(d, 's.bif'), SMALL_BIF)).path,
    },
    ome('ome', { kind: 'rgb', width: 600, height: 400, levels: 2, compression: 'jpeg', objective: 20, associated: true, seed: 11 }),
    ome('ome-colour-planes', { kind: 'rgb', width: 300, height: 200, levels: 2, compression: 'deflate', rgbLayout: 'channel-planes', zSlices: 2, seed: 15 }),
    ome('ome-zstack-jpeg', { kind: 'rgb', width: 300, height: 200, levels: 2, compression: 'jpeg', zSlices: 2, seed: 16 }),
    ome('ome-fluo', { kind: 'fluorescence', width: 300, height: 200, levels: 2, channels: 2, significantBits: 12, seed: 12 }),
    {
      name: 'dicom',
      format: 'dicom',
      make: async (d) => {
        const svs = join(tmpdir(), `slidescope-fuzz-svs-${process.pid}.svs`);
        await slides.writeAperioSvs(svs, { width: 700, height: 500, levels: 2, compression: 'jpeg', photometric: 'rgb', quality: 70, seed: 13 });
        await writeDicomFolder(join(d, 'dicom'), svs, [{ seed: 1, codec: 'jpeg', associated: true, offsetTable: 'extended' }]);
        rmSync(svs, { force: true });
        return join(d, 'dicom');
      },
    },
    {
      name: 'dicom-native',
      format: 'dicom',
      make: async (d) => {
        const svs = join(tmpdir(), `slidescope-fuzz-svs-${process.pid}.svs`);
        await slides.writeAperioSvs(svs, { width: 500, height: 300, levels: 1, compression: 'jpeg', photometric: 'rgb', quality: 70, seed: 14 });
        await writeDicomFolder(join(d, 'dicom'), svs, [{ seed: 2, codec: 'native', levels: 1, implicitVr: true }]);
        rmSync(svs, { force: true });
        return join(d, 'dicom');
      },
    },
    {
      name: 'mirax',
      format: 'mirax',
      make: async (d) =>
        (
          await writeMirax(join(d, 's.mrxs'), {
            photosX: 3,
            photosY: 2,
            divisions: 2,
            imageWidth: 128,
            imageHeight: 128,
            levels: 3,
            overlapX: 10,
            overlapY: 8,
            positions: 'vimslide',
            jitter: 2,
            format: 'JPEG',
            dataFiles: 2,
            seed: 15,
          })
        ).path,
    },
    {
      name: 'mirax-png',
      format: 'mirax',
      make: async (d) =>
        (
          await writeMirax(join(d, 's.mrxs'), {
            photosX: 2,
            photosY: 2,
            divisions: 2,
            imageWidth: 64,
            imageHeight: 64,
            levels: 3,
            overlapX: 6,
            overlapY: 6,
            positions: 'stitching',
            jitter: 2,
            format: 'PNG',
            dataFiles: 1,
            pageSize: 3,
            seed: 16,
          })
        ).path,
    },
    {
      name: 'vms',
      format: 'hamamatsu-vms',
      make: async (d) =>
        (
          await writeVms(join(d, 's.vms'), {
            kind: 'vms',
            columns: 2,
            rows: 1,
            fileWidth: 512,
            fileHeight: 384,
            lastFileWidth: 256,
            mapWidth: 128,
            mapHeight: 64,
            chroma: '4:2:2',
            quality: 70,
            restartInterval: 8,
            imageKeys: 'xy',
            macro: true,
            sourceLens: 20,
            physicalWidth: 300000,
            physicalHeight: 150000,
            seed: 17,
          })
        ).path,
    },
    {
      name: 'vmu',
      format: 'hamamatsu-vms',
      make: async (d) =>
        (
          await writeVms(join(d, 's.vmu'), {
            kind: 'vmu',
            columns: 1,
            rows: 1,
            fileWidth: 300,
            fileHeight: 200,
            mapWidth: 100,
            mapHeight: 60,
            chroma: '4:4:4',
            quality: 90,
            restartInterval: 8,
            imageKeys: 'xy',
            columnWidth: 100,
            macro: false,
            sourceLens: 20,
            physicalWidth: 150000,
            physicalHeight: 100000,
            seed: 18,
          })
        ).path,
    },
    {
      name: 'trestle',
      format: 'trestle',
      make: async (d) =>
        (
          await writeTrestle(join(d, 's.tif'), {
            tilesAcross: 3,
            tilesDown: 2,
            tileSize: 256,
            overlaps: [
              [24, 16],
              [12, 8],
            ],
            trimX: 40,
            trimY: 30,
            objectivePower: 20,
            mpp: 0.25,
            background: 'F0E0D0',
            macro: true,
            seed: 19,
          })
        ).path,
    },
    {
      name: 'sakura',
      format: 'sakura',
      make: async (d) =>
        (
          await writeSakura(join(d, 's.svslide'), {
            width: 500,
            height: 400,
            tileSize: 256,
            levels: 2,
            focalPlanes: 1,
            pageSize: 1024,
            quality: 70,
            associated: true,
            seed: 20,
          })
        ).path,
    },
    { name: 'real-small-svs', format: 'aperio', make: real('openslide-python_small.svs') },
    { name: 'real-cmu-svs', format: 'aperio', make: real('CMU-1-Small-Region.svs') },
    { name: 'real-boxes', format: 'generic-tiff', make: real('openslide-python_boxes.tiff') },
    { name: 'real-dcm-jpeg', format: 'dicom', make: real('wsi2dcm_jpeg.dcm') },
    { name: 'real-dcm-j2k', format: 'dicom', make: real('wsi2dcm_jpeg2000.dcm') },
    { name: 'real-ndpi', format: 'ndpi', make: real('slideio_test3-DAPI-2-387.ndpi') },
  ];
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out.sort();
}

async function makeSeeds(root: string, only: Set<string> | null): Promise<Seed[]> {
  const seeds: Seed[] = [];
  for (const { name, format, make } of await seedMakers()) {
    if (only && !only.has(format) && !only.has(name)) continue;
    const dir = join(root, name);
    const done = join(dir, '.entry');
    if (!existsSync(done)) {
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true });
      const entry = await make(dir);
      writeFileSync(done, entry.slice(dir.length + 1));
    }
    const entry = join(dir, readFileSync(done, 'utf8'));
    const files = filesUnder(dir)
      .filter((f) => basename(f) !== '.entry')
      .map((f) => f.slice(dir.length + 1));
    seeds.push({ name, format, dir, entry: entry.slice(dir.length + 1), files });
  }
  return seeds;
}

// ---------------------------------------------------------------------------------------------
// Mutations. Each takes the file's bytes and the rng and says what it did.

type Mutation = (bytes: Buffer, rng: Rng) => { bytes: Buffer; what: string } | null;

const EXTREMES32 = [0, 1, 2, 0xffffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0x10000, 0xffff, 0xfff0];

interface TiffEntry {
  at: number; // entry offset
  tag: number;
  type: number;
  count: number;
  valueAt: number; // where the value/offset field is
}

interface TiffLayout {
  le: boolean;
  big: boolean;
  ifds: Array<{ at: number; entries: TiffEntry[]; nextAt: number }>;
}

function parseTiff(b: Buffer): TiffLayout | null {
  if (b.length < 16) return null;
  const le = b[0] === 0x49 && b[1] === 0x49;
  if (!le && !(b[0] === 0x4d && b[1] === 0x4d)) return null;
  const u16 = (o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const magic = u16(2);
  const big = magic === 43;
  if (magic !== 42 && !big) return null;
  let offset = big ? u64(8) : u32(4);
  const ifds: TiffLayout['ifds'] = [];
  const seen = new Set<number>();
  const queue: number[] = [];
  while ((offset > 0 || queue.length > 0) && ifds.length < 200) {
    if (offset === 0 || seen.has(offset)) {
      offset = queue.shift() ?? 0;
      continue;
    }
    seen.add(offset);
    const countSize = big ? 8 : 2;
    const entrySize = big ? 20 : 12;
    if (offset + countSize > b.length) break;
    const count = big ? u64(offset) : u16(offset);
    const end = offset + countSize + count * entrySize;
    if (count === 0 || count > 4096 || end + (big ? 8 : 4) > b.length) break;
    const entries: TiffEntry[] = [];
    for (let i = 0; i < count; i++) {
      const at = offset + countSize + i * entrySize;
      const entry = { at, tag: u16(at), type: u16(at + 2), count: big ? u64(at + 4) : u32(at + 4), valueAt: at + (big ? 12 : 8) };
      entries.push(entry);
      if (entry.tag === 330) {
        // SubIFDs: followed too
        const size = entry.type === 18 || entry.type === 16 ? 8 : 4;
        const inline = entry.count * size <= (big ? 8 : 4);
        const base = inline ? entry.valueAt : big ? u64(entry.valueAt) : u32(entry.valueAt);
        for (let k = 0; k < Math.min(entry.count, 32) && base + (k + 1) * size <= b.length; k++)
          queue.push(size === 8 ? u64(base + k * size) : u32(base + k * size));
      }
    }
    ifds.push({ at: offset, entries, nextAt: end });
    offset = big ? u64(end) : u32(end);
  }
  return ifds.length > 0 ? { le, big, ifds } : null;
}

function writeU(b: Buffer, at: number, value: number, size: number, le: boolean): void {
  if (at < 0 || at + size > b.length) return;
  if (size === 2) le ? b.writeUInt16LE(value & 0xffff, at) : b.writeUInt16BE(value & 0xffff, at);
  else if (size === 4) le ? b.writeUInt32LE(value >>> 0, at) : b.writeUInt32BE(value >>> 0, at);
  else {
    const v = BigInt(Math.max(0, Math.floor(value)));
    le ? b.writeBigUInt64LE(v, at) : b.writeBigUInt64BE(v, at);
  }
}

function readU(b: Buffer, at: number, size: number, le: boolean): number {
  if (at < 0 || at + size > b.length) return 0;
  if (size === 2) return le ? b.readUInt16LE(at) : b.readUInt16BE(at);
  if (size === 4) return le ? b.readUInt32LE(at) : b.readUInt32BE(at);
  return Number(le ? b.readBigUInt64LE(at) : b.readBigUInt64BE(at));
}

const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4, 16: 8, 17: 8, 18: 8 };
/** Tags worth aiming at: sizes, layout, offsets, counts, descriptions, SubIFDs, NDPI's private ones. */
const HOT_TAGS = [
  254, 256, 257, 258, 259, 262, 270, 273, 277, 278, 279, 284, 317, 322, 323, 324, 325, 330, 338, 339, 347, 530, 532, 34675, 65420, 65421, 65422, 65426, 65432,
  65439,
];

function tiffValueExtreme(b: Buffer, _t: TiffLayout, rng: Rng): number {
  const extremes = [...EXTREMES32, b.length, b.length - 1, b.length + 1, Math.floor(b.length / 2)];
  return rng.pick(extremes);
}

const tiffMutations: Record<string, (b: Buffer, t: TiffLayout, rng: Rng) => string | null> = {
  entryCount(b, t, rng) {
    const ifd = rng.pick(t.ifds);
    const e = pickEntry(ifd.entries, rng);
    const v = tiffValueExtreme(b, t, rng);
    writeU(b, e.at + 4, v, t.big ? 8 : 4, t.le);
    return `IFD@${ifd.at} tag ${e.tag} count=${v}`;
  },
  entryValue(b, t, rng) {
    const ifd = rng.pick(t.ifds);
    const e = pickEntry(ifd.entries, rng);
    const v = tiffValueExtreme(b, t, rng);
    const size = TYPE_SIZE[e.type] ?? 4;
    const inline = e.count * size <= (t.big ? 8 : 4);
    if (inline) writeU(b, e.valueAt, v, size >= 8 ? 8 : size === 1 ? 2 : size, t.le);
    else writeU(b, e.valueAt, v, t.big ? 8 : 4, t.le);
    return `IFD@${ifd.at} tag ${e.tag} ${inline ? 'value' : 'offset'}=${v}`;
  },
  arrayElement(b, t, rng) {
    const ifd = rng.pick(t.ifds);
    const arrays = ifd.entries.filter((e) => [273, 279, 324, 325, 330, 258].includes(e.tag) && e.count > 1);
    if (arrays.length === 0) return null;
    const e = rng.pick(arrays);
    const size = TYPE_SIZE[e.type] ?? 4;
    const inline = e.count * size <= (t.big ? 8 : 4);
    const base = inline ? e.valueAt : readU(b, e.valueAt, t.big ? 8 : 4, t.le);
    const k = rng.int(e.count);
    const v = tiffValueExtreme(b, t, rng);
    writeU(b, base + k * size, v, size, t.le);
    return `IFD@${ifd.at} tag ${e.tag}[${k}]=${v}`;
  },
  entryType(b, t, rng) {
    const ifd = rng.pick(t.ifds);
    const e = pickEntry(ifd.entries, rng);
    const type = rng.pick([0, 1, 2, 3, 4, 5, 7, 11, 12, 13, 16, 17, 18, 19, 0xffff]);
    writeU(b, e.at + 2, type, 2, t.le);
    return `IFD@${ifd.at} tag ${e.tag} type=${type}`;
  },
  entryTag(b, t, rng) {
    const ifd = rng.pick(t.ifds);
    const e = rng.pick(ifd.entries);
    const tag = rng.pick(HOT_TAGS);
    writeU(b, e.at, tag, 2, t.le);
    return `IFD@${ifd.at} tag ${e.tag} renamed ${tag}`;
  },
  ifdEntryCount(b, t, rng) {
    const ifd = rng.pick(t.ifds);
    const v = rng.pick([0, 1, 2, 0xffff, 4097, ifd.entries.length + 1, ifd.entries.length - 1]);
    writeU(b, ifd.at, v, t.big ? 8 : 2, t.le);
    return `IFD@${ifd.at} entries=${v}`;
  },
  nextIfd(b, t, rng) {
    const k = rng.int(t.ifds.length);
    const ifd = t.ifds[k]!;
    const choices = [ifd.at, t.ifds[0]!.at, t.ifds[rng.int(t.ifds.length)]!.at, 0xffffffff, b.length, b.length - 2, 1, 7, ifd.at + 2];
    const v = rng.pick(choices);
    writeU(b, ifd.nextAt, v, t.big ? 8 : 4, t.le);
    return `IFD#${k} next=${v}`;
  },
  firstIfd(b, t, rng) {
    const v = rng.pick([0, 1, 8, b.length, 0xffffffff, t.ifds[t.ifds.length - 1]!.at]);
    writeU(b, t.big ? 8 : 4, v, t.big ? 8 : 4, t.le);
    return `first IFD=${v}`;
  },
  swapEntries(b, t, rng) {
    const ifd = rng.pick(t.ifds);
    if (ifd.entries.length < 2) return null;
    const i = rng.int(ifd.entries.length - 1);
    const size = t.big ? 20 : 12;
    const a = Buffer.from(b.subarray(ifd.entries[i]!.at, ifd.entries[i]!.at + size));
    b.copy(b, ifd.entries[i]!.at, ifd.entries[i + 1]!.at, ifd.entries[i + 1]!.at + size);
    a.copy(b, ifd.entries[i + 1]!.at);
    return `IFD@${ifd.at} entries ${i},${i + 1} swapped (out of order)`;
  },
};

function pickEntry(entries: TiffEntry[], rng: Rng): TiffEntry {
  const hot = entries.filter((e) => HOT_TAGS.includes(e.tag));
  return rng.next() < 0.8 && hot.length > 0 ? rng.pick(hot) : rng.pick(entries);
}

function findAll(b: Buffer, needle: number[], limit = 4000): number[] {
  const out: number[] = [];
  const first = needle[0]!;
  for (let i = b.indexOf(first); i >= 0 && i < b.length - needle.length && out.length < limit; i = b.indexOf(first, i + 1)) {
    if (needle.every((v, k) => b[i + k] === v)) out.push(i);
  }
  return out;
}

/** JPEG and JPEG 2000 marker segments: corrupt a length, a size, a table or the marker itself. */
const codecMutation: Mutation = (b, rng) => {
  const kinds = [
    [0xff, 0xc0],
    [0xff, 0xc2],
    [0xff, 0xc4],
    [0xff, 0xdb],
    [0xff, 0xda],
    [0xff, 0xdd],
    [0xff, 0xd8],
    [0xff, 0x51], // J2K SIZ
    [0xff, 0x52], // COD
    [0xff, 0x90], // SOT
  ];
  const kind = rng.pick(kinds);
  const hits = findAll(b, kind);
  if (hits.length === 0) return null;
  const at = rng.pick(hits);
  const choice = rng.int(5);
  if (choice === 0) {
    const v = rng.pick([0, 1, 2, 0xffff, 0x8000]);
    if (at + 4 <= b.length) b.writeUInt16BE(v, at + 2);
    return { bytes: b, what: `marker ${kind[1]!.toString(16)}@${at} length=${v}` };
  }
  if (choice === 1 && (kind[1] === 0xc0 || kind[1] === 0xc2)) {
    // SOF: precision, height, width, components
    const field = rng.pick([4, 5, 7, 9]);
    const v = field === 4 ? rng.pick([0, 1, 12, 16, 255]) : field === 9 ? rng.pick([0, 2, 4, 255]) : rng.pick([0, 1, 0xffff, 8]);
    if (field === 4 || field === 9) b[at + field] = v;
    else if (at + field + 2 <= b.length) b.writeUInt16BE(v, at + field);
    return { bytes: b, what: `SOF@${at} field ${field}=${v}` };
  }
  if (choice === 1 && kind[1] === 0x51) {
    // SIZ: Xsiz Ysiz XOsiz YOsiz XTsiz YTsiz ... Csiz
    const field = rng.pick([6, 10, 14, 18, 22, 26, 38]);
    const v = field === 38 ? rng.pick([0, 1, 0xffff, 16384]) : rng.pick([0, 1, 0xffffffff, 0x7fffffff, 0x10000]);
    if (field === 38 && at + 40 <= b.length) b.writeUInt16BE(v, at + field);
    else if (at + field + 4 <= b.length) b.writeUInt32BE(v >>> 0, at + field);
    return { bytes: b, what: `SIZ@${at} field ${field}=${v}` };
  }
  if (choice === 2 && kind[1] === 0xc0 && at + 12 <= b.length) {
    // sampling factors of a component
    const comp = rng.int(3);
    const v = rng.pick([0x00, 0x11, 0x44, 0xff, 0x12, 0x21, 0x41]);
    if (at + 11 + comp * 3 < b.length) b[at + 11 + comp * 3] = v;
    return { bytes: b, what: `SOF@${at} component ${comp} sampling=${v.toString(16)}` };
  }
  if (choice === 3) {
    // destroy the marker
    b[at + 1] = rng.pick([0x00, 0xff, 0xd9, 0xd8, 0x01]);
    return { bytes: b, what: `marker ${kind[1]!.toString(16)}@${at} -> ${b[at + 1]!.toString(16)}` };
  }
  // scribble over the segment's body
  const n = 1 + rng.int(16);
  for (let i = 0; i < n; i++) {
    const p = at + 4 + rng.int(64);
    if (p < b.length) b[p] = rng.int(256);
  }
  return { bytes: b, what: `${n} bytes scribbled after marker ${kind[1]!.toString(16)}@${at}` };
};

/** Text (XML, ini, key files, JSON in a description): numbers to extremes, lines cut, tags broken. */
const textMutation: Mutation = (b, rng) => {
  // A run of printable text at least 64 bytes long that looks like XML or key=value text.
  const runs: Array<[number, number]> = [];
  let start = -1;
  for (let i = 0; i <= b.length; i++) {
    const c = i < b.length ? b[i]! : 0;
    const printable = (c >= 0x20 && c < 0x7f) || c === 0x0a || c === 0x0d || c === 0x09;
    if (printable && start < 0) start = i;
    if (!printable && start >= 0) {
      if (i - start >= 64) {
        const s = b.toString('latin1', start, Math.min(i, start + 200));
        if (/[<=|]/.test(s)) runs.push([start, i]);
      }
      start = -1;
    }
    if (runs.length > 200) break;
  }
  if (runs.length === 0) return null;
  const [s, e] = rng.pick(runs);
  const text = b.toString('latin1', s, e);
  const choice = rng.int(6);
  let out = text;
  let what = '';
  if (choice <= 1) {
    const numbers = [...text.matchAll(/-?\d+(\.\d+)?/g)];
    if (numbers.length === 0) return null;
    const m = rng.pick(numbers);
    const v = rng.pick(['0', '-1', '4294967295', '99999999999999', '1e308', 'NaN', '-0', '2147483648', '0.0000001', '']);
    out = text.slice(0, m.index) + v + text.slice(m.index! + m[0].length);
    what = `number ${m[0]} -> ${v}`;
  } else if (choice === 2) {
    const cut = rng.int(text.length);
    out = text.slice(0, cut);
    what = `text cut at ${cut} of ${text.length}`;
  } else if (choice === 3) {
    const lines = text.split('\n');
    const k = rng.int(lines.length);
    lines.splice(k, 1);
    out = lines.join('\n');
    what = `line ${k} removed`;
  } else if (choice === 4) {
    const tags = [...text.matchAll(/<\/?[A-Za-z][^>]*>/g)];
    if (tags.length === 0) return null;
    const m = rng.pick(tags);
    const v = rng.pick(['', '<', '<x>', m[0] + m[0], '</>', '<!--', '<![CDATA[', '&bogus;', '<a b="']);
    out = text.slice(0, m.index) + v + text.slice(m.index! + m[0].length);
    what = `tag ${m[0].slice(0, 30)} -> ${v.slice(0, 30)}`;
  } else {
    const keys = [...text.matchAll(/^([A-Za-z_][\w ]*)=(.*)$/gm)];
    if (keys.length === 0) return null;
    const m = rng.pick(keys);
    const v = rng.pick(['', '=', `${m[1]}=${m[2]}\n${m[1]}=${m[2]}`, `${m[1]}=..\\..\\..\\etc\\passwd`, `${m[1]}=${'9'.repeat(40)}`, `[${m[1]}`]);
    out = text.slice(0, m.index) + v + text.slice(m.index! + m[0].length);
    what = `key line ${m[1]} -> ${v.slice(0, 40)}`;
  }
  const bytes = Buffer.concat([b.subarray(0, s), Buffer.from(out, 'latin1'), b.subarray(e)]);
  // Keep the file's length (offsets after the text stay true) when the text got shorter: pad with spaces... or not.
  if (bytes.length < b.length && rng.next() < 0.5) {
    return { bytes: Buffer.concat([b.subarray(0, s), Buffer.from(out.padEnd(e - s, ' '), 'latin1'), b.subarray(e)]), what: `${what} (padded)` };
  }
  return { bytes, what };
};

/** DICOM data elements of the top-level dataset (explicit VR little endian, or implicit). */
const DICOM_HOT = new Set([
  0x00280010, 0x00280011, 0x00280008, 0x00280002, 0x00280100, 0x00280101, 0x00280004, 0x00280006, 0x00480006, 0x00480007, 0x7fe00010, 0x7fe00001, 0x7fe00002,
  0x00020010, 0x00209311, 0x00080008, 0x00280103, 0x00480001, 0x00480002,
]);

function dicomElements(b: Buffer): Array<{ at: number; tag: number; vr: string; lengthAt: number; lengthSize: number; valueAt: number; length: number }> {
  if (b.length < 140 || b.toString('latin1', 128, 132) !== 'DICM') return [];
  const out: ReturnType<typeof dicomElements> = [];
  let at = 132;
  let implicit = false;
  while (at + 8 <= b.length && out.length < 400) {
    const group = b.readUInt16LE(at);
    const tag = ((group << 16) | b.readUInt16LE(at + 2)) >>> 0;
    if (group !== 2 && out.length > 0 && out[out.length - 1]!.tag >>> 16 === 2) {
      // transfer syntax decided: 1.2.840.10008.1.2 is implicit
      const ts = out.find((e) => e.tag === 0x00020010);
      implicit =
        ts !== undefined &&
        b
          .toString('latin1', ts.valueAt, ts.valueAt + ts.length)
          .replace(/\0/g, '')
          .trim() === '1.2.840.10008.1.2';
    }
    let vr = '';
    let lengthAt: number;
    let lengthSize: number;
    let valueAt: number;
    if (implicit && group !== 2) {
      lengthAt = at + 4;
      lengthSize = 4;
      valueAt = at + 8;
    } else {
      vr = b.toString('latin1', at + 4, at + 6);
      if (['OB', 'OW', 'OF', 'SQ', 'UT', 'UN', 'OD', 'OL', 'OV', 'UC', 'UR'].includes(vr)) {
        lengthAt = at + 8;
        lengthSize = 4;
        valueAt = at + 12;
      } else {
        lengthAt = at + 6;
        lengthSize = 2;
        valueAt = at + 8;
      }
    }
    if (valueAt > b.length) break;
    const length = lengthSize === 2 ? b.readUInt16LE(lengthAt) : b.readUInt32LE(lengthAt);
    out.push({ at, tag, vr, lengthAt, lengthSize, valueAt, length });
    if (length === 0xffffffff) break; // undefined length (a sequence or encapsulated pixel data): stop here
    at = valueAt + length;
  }
  return out;
}

const dicomMutation: Mutation = (b, rng) => {
  const elements = dicomElements(b);
  if (elements.length === 0) return null;
  const hot = elements.filter((e) => DICOM_HOT.has(e.tag));
  const e = rng.next() < 0.8 && hot.length > 0 ? rng.pick(hot) : rng.pick(elements);
  const tagText = e.tag.toString(16).padStart(8, '0');
  const choice = rng.int(3);
  if (choice === 0) {
    const v = rng.pick(e.lengthSize === 2 ? [0, 1, 0xffff, e.length + 2, e.length - 1] : [0, 1, 0xffffffff, 0x7fffffff, b.length, e.length + 8]);
    if (e.lengthSize === 2) b.writeUInt16LE(v & 0xffff, e.lengthAt);
    else b.writeUInt32LE(v >>> 0, e.lengthAt);
    return { bytes: b, what: `DICOM ${tagText} length=${v}` };
  }
  if (e.length === 2 && (e.vr === 'US' || e.vr === '')) {
    const v = rng.pick([0, 1, 0xffff, 0x8000, 3]);
    b.writeUInt16LE(v, e.valueAt);
    return { bytes: b, what: `DICOM ${tagText} US=${v}` };
  }
  if (e.length === 4 && (e.vr === 'UL' || e.vr === '')) {
    const v = rng.pick(EXTREMES32);
    b.writeUInt32LE(v >>> 0, e.valueAt);
    return { bytes: b, what: `DICOM ${tagText} UL=${v}` };
  }
  if (['IS', 'DS', 'CS', 'UI', 'LO', 'SH'].includes(e.vr) || e.vr === '') {
    const v = rng.pick(['0', '-1', '99999999', '4294967296', 'NaN', '', 'X', '1e309']);
    const field = Buffer.alloc(e.length, 0x20);
    field.write(v.slice(0, e.length), 'latin1');
    field.copy(b, e.valueAt);
    return { bytes: b, what: `DICOM ${tagText} text=${v}` };
  }
  // values: scribble
  for (let i = 0; i < 4; i++) {
    const p = e.valueAt + rng.int(Math.max(1, Math.min(e.length, 256)));
    if (p < b.length) b[p] = rng.int(256);
  }
  return { bytes: b, what: `DICOM ${tagText} value scribbled` };
};

/** Encapsulated pixel data: the item tags and lengths of the fragments, and the offset tables. */
const dicomItemMutation: Mutation = (b, rng) => {
  const items = findAll(b, [0xfe, 0xff, 0x00, 0xe0]);
  if (items.length === 0) return null;
  const at = rng.pick(items.slice(0, 200));
  const choice = rng.int(3);
  if (choice === 0) {
    const v = rng.pick([0, 1, 0xffffffff, 0x7fffffff, b.length, 3]);
    b.writeUInt32LE(v >>> 0, at + 4);
    return { bytes: b, what: `DICOM item@${at} length=${v}` };
  }
  if (choice === 1) {
    // an offset-table entry (the first item's values)
    const length = b.readUInt32LE(at + 4);
    if (length < 4 || length > 1 << 20) return null;
    const k = rng.int(length / 4);
    const v = rng.pick(EXTREMES32);
    b.writeUInt32LE(v >>> 0, at + 8 + k * 4);
    return { bytes: b, what: `DICOM item@${at} value[${k}]=${v}` };
  }
  const k = at + rng.int(4);
  b[k] = (b[k] ?? 0) ^ 0xff;
  return { bytes: b, what: `DICOM item tag@${at} broken` };
};

/** A 32-bit value at a random aligned place set to an extreme (binary indexes: MIRAX, Sakura's SQLite). */
const int32Mutation: Mutation = (b, rng) => {
  if (b.length < 8) return null;
  const at = rng.int(b.length >>> 2) * 4;
  const v = rng.pick([...EXTREMES32, b.length, 0xffffff00, 0x40000000]);
  b.writeUInt32LE(v >>> 0, at);
  return { bytes: b, what: `u32@${at}=${v}` };
};

const flipMutation: Mutation = (b, rng) => {
  if (b.length === 0) return null;
  const n = 1 + rng.int(rng.next() < 0.7 ? 4 : 64);
  // Mostly near the start (headers, IFDs) or the end (IFDs of writers that put them last).
  const region = rng.int(3);
  for (let i = 0; i < n; i++) {
    const at = region === 0 ? rng.int(Math.min(b.length, 4096)) : region === 1 ? b.length - 1 - rng.int(Math.min(b.length, 8192)) : rng.int(b.length);
    b[at] = rng.next() < 0.5 ? b[at]! ^ (1 << rng.int(8)) : rng.int(256);
  }
  return { bytes: b, what: `${n} bytes flipped (region ${region})` };
};

const truncateMutation: Mutation = (b, rng) => {
  if (b.length < 2) return null;
  const cut = rng.next() < 0.3 ? rng.int(Math.min(b.length, 1024)) : rng.int(b.length);
  return { bytes: b.subarray(0, cut), what: `truncated at ${cut} of ${b.length}` };
};

/** Values a tag can take that are wrong for this file rather than impossible: other codecs, colour spaces, sample layouts. */
const TIFF_PLAUSIBLE: Record<number, number[]> = {
  254: [0, 1, 2, 4, 9],
  256: [1, 2, 255, 65535, 65536, 100_000, 2 ** 31 - 1],
  257: [1, 2, 255, 65535, 65536, 100_000, 2 ** 31 - 1],
  258: [1, 4, 12, 16, 32, 64],
  259: [1, 5, 6, 7, 8, 32773, 33003, 33005, 34712, 34887, 50000, 65000],
  262: [0, 1, 2, 3, 5, 6, 8, 32844, 34892],
  277: [1, 2, 3, 4, 5, 255],
  278: [1, 2, 16, 65535],
  284: [1, 2],
  317: [1, 2, 3],
  322: [1, 15, 16, 17, 240, 4096, 65535, 65536],
  323: [1, 15, 16, 17, 240, 4096, 65535, 65536],
  338: [0, 1, 2],
  339: [1, 2, 3, 4],
  530: [1, 2, 3, 4],
};

/** Every value of a tag set to one plausible but wrong value. */
const tiffPlausibleMutation: Mutation = (b, rng) => {
  const t = parseTiff(b);
  if (!t) return null;
  const ifd = rng.pick(t.ifds);
  const entries = ifd.entries.filter((e) => TIFF_PLAUSIBLE[e.tag] && [1, 3, 4, 16].includes(e.type) && e.count >= 1 && e.count <= 16);
  if (entries.length === 0) return null;
  const e = rng.pick(entries);
  const v = rng.pick(TIFF_PLAUSIBLE[e.tag]!);
  const size = TYPE_SIZE[e.type]!;
  const inline = e.count * size <= (t.big ? 8 : 4);
  const base = inline ? e.valueAt : readU(b, e.valueAt, t.big ? 8 : 4, t.le);
  for (let k = 0; k < e.count; k++) {
    if (size === 1) b[base + k] = v & 0xff;
    else writeU(b, base + k * size, v, size, t.le);
  }
  return { bytes: b, what: `IFD@${ifd.at} tag ${e.tag} (${e.count} values) = ${v}` };
};

/** DICOM values that are valid but wrong for this file: another transfer syntax, colour space, sample layout. */
const DICOM_PLAUSIBLE = new Map<number, ReadonlyArray<string | number>>([
  [
    0x00020010,
    [
      '1.2.840.10008.1.2',
      '1.2.840.10008.1.2.1',
      '1.2.840.10008.1.2.2',
      '1.2.840.10008.1.2.5',
      '1.2.840.10008.1.2.4.50',
      '1.2.840.10008.1.2.4.80',
      '1.2.840.10008.1.2.4.90',
      '1.2.840.10008.1.2.4.91',
    ],
  ],
  [0x00280004, ['RGB', 'YBR_FULL_422', 'YBR_FULL', 'MONOCHROME2', 'MONOCHROME1', 'YBR_ICT', 'YBR_RCT', 'PALETTE COLOR']],
  [0x00280008, ['1', '2', '3', '1000000', '0']],
  [0x00280002, [1, 3, 4]],
  [0x00280100, [1, 8, 12, 16, 32]],
  [0x00280101, [1, 7, 8, 12, 16]],
  [0x00280006, [0, 1, 2]],
  [0x00280010, [1, 16, 255, 257, 4096, 65535]],
  [0x00280011, [1, 16, 255, 257, 4096, 65535]],
  [0x00480006, [1, 255, 100_000, 2 ** 31]],
  [0x00480007, [1, 255, 100_000, 2 ** 31]],
  [0x00209311, ['TILED_FULL', 'TILED_SPARSE', 'NONE']],
  [0x00080008, ['ORIGINAL\\PRIMARY\\VOLUME\\NONE', 'DERIVED\\PRIMARY\\LABEL\\NONE', 'ORIGINAL\\PRIMARY\\OVERVIEW', 'THUMBNAIL']],
]);

const dicomPlausibleMutation: Mutation = (b, rng) => {
  const elements = dicomElements(b).filter((e) => DICOM_PLAUSIBLE.has(e.tag));
  if (elements.length === 0) return null;
  const e = rng.pick(elements);
  const v = rng.pick(DICOM_PLAUSIBLE.get(e.tag)!);
  const tagText = e.tag.toString(16).padStart(8, '0');
  if (typeof v === 'number') {
    if (e.length === 2) b.writeUInt16LE(v & 0xffff, e.valueAt);
    else if (e.length === 4) b.writeUInt32LE(v >>> 0, e.valueAt);
    else return null;
  } else {
    if (v.length > e.length) return null;
    const field = Buffer.alloc(e.length, e.tag === 0x00020010 ? 0 : 0x20);
    field.write(v, 'latin1');
    field.copy(b, e.valueAt);
  }
  return { bytes: b, what: `DICOM ${tagText} = ${v}` };
};

const tiffMutation: Mutation = (b, rng) => {
  const t = parseTiff(b);
  if (!t) return null;
  const names = Object.keys(tiffMutations);
  const name = rng.pick(names);
  const what = tiffMutations[name]!(b, t, rng);
  return what === null ? null : { bytes: b, what: `${name}: ${what}` };
};

const MUTATIONS: Array<[string, Mutation, number]> = [
  ['tiff', tiffMutation, 5],
  ['tiff-plausible', tiffPlausibleMutation, 3],
  ['dicom-plausible', dicomPlausibleMutation, 2],
  ['codec', codecMutation, 3],
  ['text', textMutation, 2],
  ['dicom', dicomMutation, 3],
  ['dicom-item', dicomItemMutation, 2],
  ['int32', int32Mutation, 2],
  ['flip', flipMutation, 3],
  ['truncate', truncateMutation, 2],
];

function mutate(seed: Seed, rng: Rng, dir: string): { file: string; kind: string; what: string } {
  // Multi-file slides: the entry file half the time, else another.
  for (let attempt = 0; attempt < 20; attempt++) {
    const file = seed.files.length === 1 || rng.next() < 0.4 ? (seed.files.includes(seed.entry) ? seed.entry : rng.pick(seed.files)) : rng.pick(seed.files);
    const bytes = Buffer.from(readFileSync(join(seed.dir, file)));
    const total = MUTATIONS.reduce((s, [, , w]) => s + w, 0);
    let r = rng.int(total);
    let chosen = MUTATIONS[0]!;
    for (const m of MUTATIONS) {
      r -= m[2];
      if (r < 0) {
        chosen = m;
        break;
      }
    }
    // Sometimes two mutations in a row.
    let result = chosen[1](bytes, rng);
    if (!result) continue;
    if (rng.next() < 0.15) {
      const second = rng.pick(MUTATIONS);
      const again = second[1](Buffer.from(result.bytes), rng);
      if (again) result = { bytes: again.bytes, what: `${result.what}; ${second[0]}: ${again.what}` };
    }
    writeFileSync(join(dir, file), result.bytes);
    return { file, kind: chosen[0], what: result.what };
  }
  return { file: seed.entry, kind: 'none', what: 'no mutation applied' };
}

// ---------------------------------------------------------------------------------------------
// The child: opens and reads one mutant at a time.

interface Job {
  id: number;
  path: string;
}

interface OpOutcome {
  op: string;
  error?: ErrorInfo;
}

async function child(): Promise<void> {
  const { InProcessEngine } = await import('./in-process-engine');
  const engine = new InProcessEngine();
  process.on('message', async (job: Job) => {
    const outcomes: OpOutcome[] = [];
    const note = (op: string, r: { ok: boolean; error?: ErrorInfo }) => outcomes.push(r.ok ? { op } : { op, error: r.error! });
    try {
      const opened = await engine.open(job.path);
      note('open', opened);
      if (opened.ok) {
        const { slideId, info } = opened.value;
        const dz = info.deepZoom.levels;
        note('thumbnail', await engine.call('engine:thumbnail', { slideId, spec: { kind: 'size', longestSide: 200 } }));
        const levels = [...new Set([dz.length - 1, dz.length - 2, dz.length - 4, Math.floor(dz.length / 2), 8, 0].filter((l) => l >= 0 && l < dz.length))];
        for (const dzLevel of levels) {
          const level = dz[dzLevel]!;
          const cells = [
            [0, 0],
            [level.cols - 1, level.rows - 1],
            [level.cols >> 1, level.rows >> 1],
          ];
          for (const [col, row] of [...new Set(cells.map((c) => c.join(',')))].map((s) => s.split(',').map(Number))) {
            note(`tile ${dzLevel}/${col},${row}`, await engine.call('slide:tile', { slideId, dzLevel, col: col!, row: row!, requestId: 0 }));
          }
        }
        for (let level = 0; level < info.levels.length; level += Math.max(1, info.levels.length - 1)) {
          const l = info.levels[level]!;
          const w = Math.min(300, l.width);
          const h = Math.min(300, l.height);
          const x = Math.floor((info.width - w * l.downsample) / 2);
          const y = Math.floor((info.height - h * l.downsample) / 2);
          note(`region ${level}`, await engine.call('engine:region', { slideId, level, x: Math.max(0, x), y: Math.max(0, y), width: w, height: h }));
        }
        for (const name of info.associated) note(`associated ${name}`, await engine.call('engine:associated-pixels', { slideId, name }));
        note('close', await engine.close(slideId));
      }
    } catch (error) {
      outcomes.push({ op: 'harness', error: { code: 'INTERNAL', message: `thrown past a Result: ${String((error as Error)?.stack ?? error)}` } });
    }
    process.send?.({ id: job.id, outcomes, rss: process.memoryUsage().rss });
  });
  process.send?.({ ready: true });
}

// ---------------------------------------------------------------------------------------------
// The parent: makes seeds and mutants, runs them, classifies and reports.

/** Raw JavaScript errors quoted inside a typed message: a defect however typed it looks. */
const RAW_ERROR =
  /Cannot read prop|Cannot set prop|is not a function|is not iterable|is not defined|undefined|Invalid array length|Invalid typed array length|out of range|Offset is outside|outside the bounds|Array buffer allocation|Maximum call stack|NaN|Infinity|RangeError|TypeError|ERR_[A-Z_]+|Unexpected token|JSON|geotiff|Attempt to access memory|memory access out of bounds|\[object /;

export type Outcome = 'ok' | 'typed' | 'untyped' | 'crash' | 'hang' | 'memory';

function classify(outcomes: OpOutcome[], path: string): { outcome: Outcome; signature: string; detail: string } {
  let worst: { outcome: Outcome; signature: string; detail: string } = { outcome: 'ok', signature: '', detail: '' };
  for (const { op, error } of outcomes) {
    if (!error) continue;
    const message = error.message.split(path).join('<file>').split(dirname(path)).join('<dir>');
    const shape = message.replace(/\d+(\.\d+)?/g, 'N').slice(0, 160);
    const opKind = op.split(' ')[0]!;
    // A value the file gave, quoted ("NaN"), is the message doing its job.
    const untyped = error.code === 'INTERNAL' || RAW_ERROR.test(error.message.replace(/"[^"]*"/g, '""').replace(/undefined entity/g, ''));
    const named = error.path !== undefined;
    if (untyped) return { outcome: 'untyped', signature: `${opKind} ${error.code}: ${shape}`, detail: `${op}: ${error.code} ${message}` };
    if (worst.outcome === 'ok')
      worst = { outcome: 'typed', signature: `${opKind} ${error.code}${named ? '' : ' (no path)'}: ${shape}`, detail: `${op}: ${message}` };
  }
  return worst;
}

interface Args {
  minutes: number;
  seed: number;
  start: number;
  only: number | null;
  formats: Set<string> | null;
  work: string;
}

function parseArgs(): Args {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    minutes: Number(get('minutes') ?? 30),
    seed: Number(get('seed') ?? 1),
    start: Number(get('start') ?? 0),
    only: get('only') === undefined ? null : Number(get('only')),
    formats: get('formats') ? new Set(get('formats')!.split(',')) : null,
    work: get('work') ?? join(tmpdir(), 'slidescope-fuzz'),
  };
}

class Runner {
  private proc: ChildProcess | null = null;
  private pending: ((m: { id: number; outcomes: OpOutcome[]; rss: number } | { died: string }) => void) | null = null;

  private async start(): Promise<ChildProcess> {
    const proc = fork(HERE, ['--child'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    await new Promise<void>((resolve, reject) => {
      proc.once('message', () => resolve());
      proc.once('exit', (code) => reject(new Error(`the fuzz child exited at start (${code}): ${stderr}`)));
    });
    proc.on('message', (m: { id: number; outcomes: OpOutcome[]; rss: number }) => this.pending?.(m));
    proc.on('exit', (code, signal) => {
      this.proc = null;
      this.pending?.({ died: `exit ${code ?? ''} ${signal ?? ''}: ${stderr.slice(-1500)}` });
    });
    this.proc = proc;
    return proc;
  }

  kill(): void {
    const proc = this.proc;
    this.proc = null;
    if (proc?.pid) {
      proc.removeAllListeners('exit');
      proc.kill('SIGKILL');
    }
  }

  async run(job: Job): Promise<{ outcomes?: OpOutcome[]; failure?: Outcome; detail?: string; rss?: number }> {
    const proc = this.proc ?? (await this.start());
    return new Promise((resolve) => {
      let peak = 0;
      const watch = setInterval(() => {
        const rss = rssOf(proc.pid!);
        peak = Math.max(peak, rss);
        if (rss > RSS_LIMIT) finish({ failure: 'memory', detail: `RSS ${Math.round(rss / 2 ** 20)} MB` }, true);
      }, 100);
      const timer = setTimeout(() => finish({ failure: 'hang', detail: `over ${TIME_LIMIT_MS / 1000} s` }, true), TIME_LIMIT_MS);
      const finish = (result: { outcomes?: OpOutcome[]; failure?: Outcome; detail?: string; rss?: number }, kill: boolean) => {
        clearInterval(watch);
        clearTimeout(timer);
        this.pending = null;
        if (kill) this.kill();
        resolve({ ...result, rss: Math.max(peak, result.rss ?? 0) });
      };
      this.pending = (m) => {
        if ('died' in m) finish({ failure: 'crash', detail: m.died }, false);
        else if (m.id === job.id) finish({ outcomes: m.outcomes, rss: m.rss }, false);
      };
      proc.send(job);
    });
  }
}

function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+) kB/.exec(status);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function parent(): Promise<void> {
  const args = parseArgs();
  const seeds = await makeSeeds(join(args.work, 'seeds'), args.formats);
  const mutants = join(args.work, 'mutants');
  const defects = join(args.work, 'defects');
  mkdirSync(defects, { recursive: true });
  const report = join(args.work, 'report.jsonl');
  console.log(
    `${seeds.length} seeds: ${seeds.map((s) => `${s.name} (${Math.round(filesUnder(s.dir).reduce((n, f) => n + statSync(f).size, 0) / 1024)} KB)`).join(', ')}`,
  );
  const runner = new Runner();
  const deadline = Date.now() + args.minutes * 60_000;
  const totals = new Map<string, Map<Outcome, number>>();
  const signatures = new Map<string, { count: number; first: number; detail: string; what: string; seed: string }>();
  const ids = args.only !== null ? [args.only] : null;
  for (let i = args.start; ids ? ids.length > 0 : Date.now() < deadline; i++) {
    const id = ids ? ids.shift()! : i;
    const rng = new Rng((args.seed * 1_000_003 + id * 7919) >>> 0);
    const seed = seeds[id % seeds.length]!;
    const dir = join(mutants, String(id));
    rmSync(dir, { recursive: true, force: true });
    cpSync(seed.dir, dir, { recursive: true });
    const { file, kind, what } = mutate(seed, rng, dir);
    const path = join(dir, seed.entry);
    const result = await runner.run({ id, path });
    let outcome: Outcome;
    let signature: string;
    let detail: string;
    if (result.failure) {
      outcome = result.failure;
      signature = `${result.failure}`;
      detail = result.detail ?? '';
    } else {
      ({ outcome, signature, detail } = classify(result.outcomes!, path));
      if ((result.rss ?? 0) > 1024 * 2 ** 20) runner.kill(); // a fresh child before memory piles up
    }
    const byFormat = totals.get(seed.format) ?? new Map<Outcome, number>();
    byFormat.set(outcome, (byFormat.get(outcome) ?? 0) + 1);
    totals.set(seed.format, byFormat);
    const line = { id, seed: seed.name, file, kind, what, outcome, signature, detail: detail.slice(0, 600), rssMb: Math.round((result.rss ?? 0) / 2 ** 20) };
    if (outcome !== 'ok' && outcome !== 'typed') {
      const key = `${seed.format} ${signature}`;
      const known = signatures.get(key);
      if (known) known.count++;
      else {
        signatures.set(key, { count: 1, first: id, detail, what: `${file}: ${what}`, seed: seed.name });
        cpSync(dir, join(defects, String(id)), { recursive: true });
        console.log(`#${id} ${seed.name} ${outcome}: ${detail.slice(0, 300)}\n    mutation ${kind} ${file}: ${what}`);
      }
      writeFileSync(report, `${JSON.stringify(line)}\n`, { flag: 'a' });
    } else if (outcome === 'typed') {
      const key = `${seed.format} ${signature}`;
      const known = signatures.get(`typed ${key}`);
      if (known) known.count++;
      else signatures.set(`typed ${key}`, { count: 1, first: id, detail, what: `${file}: ${what}`, seed: seed.name });
    }
    if (ids) console.log(JSON.stringify(line, null, 2));
    rmSync(dir, { recursive: true, force: true });
    if (id % 100 === 0 && !ids) console.log(`... ${id - args.start + 1} mutants`);
  }
  runner.kill();
  console.log('\nOutcomes by format:');
  for (const [format, counts] of [...totals].sort()) {
    const n = [...counts.values()].reduce((a, b) => a + b, 0);
    console.log(`  ${format.padEnd(14)} ${String(n).padStart(5)}  ${[...counts].map(([o, c]) => `${o} ${c}`).join(', ')}`);
  }
  console.log('\nDefect signatures:');
  for (const [key, s] of signatures) if (!key.startsWith('typed ')) console.log(`  ${s.count}x ${key}\n      first #${s.first} ${s.seed} ${s.what}`);
  if (ids) return; // a rerun of one mutant leaves the run's summary be
  writeFileSync(
    join(args.work, 'typed-signatures.txt'),
    [...signatures]
      .filter(([k]) => k.startsWith('typed '))
      .map(([k, s]) => `${s.count}x ${k}  (#${s.first})`)
      .join('\n'),
  );
}

if (process.argv.includes('--child')) await child();
else await parent();
