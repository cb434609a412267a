// Whether an output is whole (complete-output.ts), for TIFF by its structure: a TIFF the CLI writes,
// cut after its header, mid-data, mid-IFD or in the values its IFD points to, is not complete, and a
// batch rerun makes it again; hand-made TIFFs in both byte orders, classic and BigTIFF, with the IFDs
// before the data, a chain, SubIFDs and strip arrays longer than a read, are complete only whole;
// hostile structures (loops, 10^5 IFDs, 10^8 tiles) are answered at once.

import assert from 'node:assert/strict';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fixturePath } from '../../testing/fixtures';
import { STRUCTURE_CASES, writeHostileStructure } from '../../testing/hostile';
import { sharedSlide } from '../../testing/paths';
import { runCli } from '../../testing/run-cli';
import { isCompleteImage, TIFF_MAX_ENTRIES, TIFF_MAX_IFDS } from './complete-output';
import type { ReportLine } from './report';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-complete-'));
});
after(() => rm(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => runCli(args);

/** A copy of `file` cut to `length` bytes. */
async function cutCopy(file: string, length: number, name: string): Promise<string> {
  const path = join(dir, name);
  await copyFile(file, path);
  await truncate(path, length);
  return path;
}

// A test-only TIFF writer that puts every IFD (and the values it points to) before the data, unlike
// the CLI's (libvips: data, then the IFD), so that a cut in the data leaves the IFDs whole.
interface TestImage {
  blocks: Uint8Array[];
  tiled: boolean;
  /** Index of an image that is this one's SubIFD (not in the chain). */
  subIfd?: number;
  /** In the IFD chain (default true). */
  chained?: boolean;
}
type Value = { type: 2 | 3 | 4 | 5 | 16; values: number[] } | { type: 2; bytes: Uint8Array };

const SIZE = { 2: 1, 3: 2, 4: 4, 5: 8, 16: 8 } as const;

function buildTiff(images: TestImage[], little: boolean, big: boolean): Uint8Array {
  const headerSize = big ? 16 : 8;
  const entrySize = big ? 20 : 12;
  const inline = big ? 8 : 4;
  const offsetType = big ? 16 : 4;
  const tagsOf = (image: TestImage, blockOffsets: number[], subIfdAt: number | null): Array<[number, Value]> => {
    const tags: Array<[number, Value]> = [
      [256, { type: 4, values: [64] }],
      [257, { type: 4, values: [64] }],
      [258, { type: 3, values: [8, 8, 8] }],
      [259, { type: 3, values: [1] }],
      [262, { type: 3, values: [2] }],
      [270, { type: 2, bytes: new TextEncoder().encode('a test image, its description stored outside its IFD\0') }],
      [image.tiled ? 324 : 273, { type: offsetType, values: blockOffsets }],
      [282, { type: 5, values: [72, 1] }],
      [image.tiled ? 325 : 279, { type: 4, values: image.blocks.map((b) => b.length) }],
    ];
    if (image.tiled) tags.push([322, { type: 3, values: [32] }], [323, { type: 3, values: [32] }]);
    if (subIfdAt !== null) tags.push([330, { type: offsetType, values: [subIfdAt] }]);
    return tags.sort((a, b) => a[0] - b[0]);
  };
  const valueBytes = (v: Value) => ('bytes' in v ? v.bytes.length : v.values.length * SIZE[v.type] * (v.type === 5 ? 0.5 : 1));
  // Pass 1: where each IFD goes (its out-of-line values follow it), then the data.
  const ifdAt: number[] = [];
  let at = headerSize;
  for (const image of images) {
    ifdAt.push(at);
    const tags = tagsOf(
      image,
      image.blocks.map(() => 0),
      image.subIfd === undefined ? null : 0,
    );
    at += (big ? 8 : 2) + tags.length * entrySize + inline;
    for (const [, v] of tags) if (valueBytes(v) > inline) at += valueBytes(v) + (valueBytes(v) % 2);
  }
  const dataAt = images.map((image) =>
    image.blocks.map((b) => {
      const start = at;
      at += b.length;
      return start;
    }),
  );
  // Pass 2: write.
  const out = new Uint8Array(at);
  const view = new DataView(out.buffer);
  const put = (p: number, type: number, n: number) => {
    if (type === 3) view.setUint16(p, n, little);
    else if (type === 16) view.setBigUint64(p, BigInt(n), little);
    else view.setUint32(p, n, little);
  };
  out.set(little ? [0x49, 0x49] : [0x4d, 0x4d], 0);
  view.setUint16(2, big ? 43 : 42, little);
  const chain = images.map((image, i) => [image, i] as const).filter(([image]) => image.chained !== false);
  if (big) {
    view.setUint16(4, 8, little);
    put(8, 16, ifdAt[chain[0]![1]]!);
  } else put(4, 4, ifdAt[chain[0]![1]]!);
  images.forEach((image, i) => {
    const tags = tagsOf(image, dataAt[i]!, image.subIfd === undefined ? null : ifdAt[image.subIfd]!);
    let p = ifdAt[i]!;
    put(p, big ? 16 : 3, tags.length);
    p += big ? 8 : 2;
    let extra = p + tags.length * entrySize + inline;
    for (const [tag, v] of tags) {
      const n = 'bytes' in v ? v.bytes.length : v.type === 5 ? v.values.length / 2 : v.values.length;
      view.setUint16(p, tag, little);
      view.setUint16(p + 2, v.type, little);
      put(p + 4, big ? 16 : 4, n);
      const bytes = valueBytes(v);
      let target = p + (big ? 12 : 8);
      if (bytes > inline) {
        put(target, big ? 16 : 4, extra);
        target = extra;
        extra += bytes + (bytes % 2);
      }
      if ('bytes' in v) out.set(v.bytes, target);
      else {
        const width = v.type === 5 ? 4 : SIZE[v.type];
        for (const [k, value] of v.values.entries()) put(target + k * width, v.type === 5 ? 4 : v.type, value);
      }
      p += entrySize;
    }
    const nextInChain = chain.findIndex(([, j]) => j === i);
    const next = nextInChain >= 0 && nextInChain + 1 < chain.length ? ifdAt[chain[nextInChain + 1]![1]]! : 0;
    put(p, big ? 16 : 4, next);
    image.blocks.forEach((b, k) => {
      out.set(b, dataAt[i]![k]!);
    });
  });
  return out;
}

const block = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
const VARIANTS = [
  { name: 'classic little-endian', little: true, big: false },
  { name: 'classic big-endian', little: false, big: false },
  { name: 'BigTIFF little-endian', little: true, big: true },
  { name: 'BigTIFF big-endian', little: false, big: true },
];

describe('a TIFF output is complete only whole', () => {
  test('a TIFF the CLI writes (thumbnail --format tiff): whole it is complete; cut after its header, mid-data, mid-IFD or in its values, not', async () => {
    const run = cli('thumbnail', sharedSlide('CMU-1-Small-Region.svs'), '--size', '300', '--format', 'tiff', '--out', join(dir, 'cli'));
    assert.equal(run.status, 0, run.stderr);
    const file = join(dir, 'cli', 'CMU-1-Small-Region_thumbnail.tif');
    assert.equal(await isCompleteImage(file, 'tiff'), true);
    const bytes = await readFile(file);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    assert.equal(bytes.toString('latin1', 0, 2), 'II');
    const ifd = view.getUint32(4, true);
    const entries = view.getUint16(ifd, true);
    const ifdEnd = ifd + 2 + entries * 12 + 4;
    const cuts = {
      'after the header': 8 + 100,
      'mid-data': Math.floor(ifd / 2),
      'before the IFD': ifd,
      'mid-IFD': ifd + 2 + 6 * entries,
      "before the next IFD's offset": ifdEnd - 2,
      'in the values the IFD points to': Math.floor((ifdEnd + bytes.length) / 2),
      'one byte short': bytes.length - 1,
    };
    for (const [where, length] of Object.entries(cuts)) {
      assert.ok(length > 16 && length < bytes.length, where);
      assert.equal(await isCompleteImage(await cutCopy(file, length, `cli-cut-${length}.tif`), 'tiff'), false, `cut ${where} (${length} bytes)`);
    }
  });

  for (const { name, little, big } of VARIANTS) {
    test(`${name}, IFDs before the data: complete whole (bytes after it too); not when cut at any byte`, async () => {
      // A chain of two images (strips, then 4 tiles), the first with a SubIFD (strips). The data lies
      // in the images' order: the SubIFD's last, or the chain's second image's last, so that a cut
      // just before the last image's data leaves every other image whole: only a walk that reaches
      // that image (through SubIFDs, or along the chain) finds the file short.
      const first = { blocks: [block(300, 1), block(200, 2)], tiled: false };
      const tiles = { blocks: [block(100, 3), block(120, 4), block(80, 5), block(90, 6)], tiled: true };
      const sub = { blocks: [block(150, 7), block(50, 8)], tiled: false, chained: false };
      const layouts: Record<string, { images: TestImage[]; last: number }> = {
        'SubIFD data last': { images: [{ ...first, subIfd: 2 }, tiles, sub], last: 200 },
        'chain data last': { images: [{ ...first, subIfd: 1 }, sub, tiles], last: 390 },
      };
      for (const [layout, { images, last }] of Object.entries(layouts)) {
        const bytes = buildTiff(images, little, big);
        const whole = join(dir, `${name}-${layout}.tif`);
        await writeFile(whole, bytes);
        assert.equal(await isCompleteImage(whole, 'tiff'), true, layout);
        // Every cut (each byte from 0 to the last), made in one reused file.
        const cut = join(dir, `${name}-${layout}-cut.tif`);
        for (let length = 0; length < bytes.length; length++) {
          await writeFile(cut, bytes.subarray(0, length));
          assert.equal(await isCompleteImage(cut, 'tiff'), false, `${layout}: cut to ${length} of ${bytes.length} bytes`);
        }
        await writeFile(cut, bytes.subarray(0, bytes.length - last));
        assert.equal(await isCompleteImage(cut, 'tiff'), false, `${layout}: cut before the last image's data`);
        // Bytes after the last block (padding) are no harm.
        await writeFile(cut, Buffer.concat([bytes, new Uint8Array(8)]));
        assert.equal(await isCompleteImage(cut, 'tiff'), true, `${layout}: bytes after the data`);
      }
    });
  }

  test('strip arrays longer than one read (10 000 strips): each strip is checked, in both byte orders and both kinds', async () => {
    for (const { name, little, big } of VARIANTS) {
      const strips = Array.from({ length: 10_000 }, (_, i) => block(3, i));
      const bytes = buildTiff([{ blocks: strips, tiled: false }], little, big);
      const path = join(dir, `many-${name}.tif`);
      await writeFile(path, bytes);
      assert.equal(await isCompleteImage(path, 'tiff'), true, name);
      // Strip 9 000's offset moved past the file's end (its array lies after the IFD and description).
      const view = new DataView(bytes.buffer);
      const width = big ? 8 : 4;
      const offsetsAt = findStripOffsets(view, little, big);
      const bad = offsetsAt + 9000 * width;
      if (big) view.setBigUint64(bad, BigInt(bytes.length), little);
      else view.setUint32(bad, bytes.length, little);
      await writeFile(path, bytes);
      assert.equal(await isCompleteImage(path, 'tiff'), false, `${name}: a strip past the end`);
    }
  });

  test('hostile structures are not complete, and are answered at once', async () => {
    const cases = [...STRUCTURE_CASES] as string[];
    for (const kind of STRUCTURE_CASES) await writeHostileStructure(join(dir, `${kind}.tif`), kind);
    await copyFile(sharedSlide('libtiff_test_ifd_loop_to_self.tif'), join(dir, 'libtiff-loop.tif'));
    cases.push('libtiff-loop');
    // An IFD of more entries than a walk reads; a BigTIFF IFD claiming 2^40 entries; more IFDs than a walk follows.
    const tooMany = buildTiff([{ blocks: [block(10, 1)], tiled: false }], true, false);
    new DataView(tooMany.buffer).setUint16(8, TIFF_MAX_ENTRIES + 1, true);
    await writeFile(join(dir, 'many-entries.tif'), Buffer.concat([tooMany, new Uint8Array((TIFF_MAX_ENTRIES + 1) * 12)]));
    const huge = buildTiff([{ blocks: [block(10, 1)], tiled: false }], true, true);
    new DataView(huge.buffer).setBigUint64(16, 2n ** 40n, true);
    await writeFile(join(dir, 'huge-count.tif'), huge);
    const chain = buildTiff(
      Array.from({ length: TIFF_MAX_IFDS + 1 }, (_, i) => ({ blocks: [block(4, i)], tiled: false })),
      true,
      false,
    );
    await writeFile(join(dir, 'long-chain.tif'), chain);
    cases.push('many-entries', 'huge-count', 'long-chain');
    for (const name of cases) {
      const started = performance.now();
      assert.equal(await isCompleteImage(join(dir, `${name}.tif`), 'tiff'), false, name);
      assert.ok(performance.now() - started < 1000, `${name}: ${performance.now() - started} ms`);
    }
    // The longest chain a walk follows is complete.
    const longest = buildTiff(
      Array.from({ length: TIFF_MAX_IFDS }, (_, i) => ({ blocks: [block(4, i)], tiled: false })),
      false,
      true,
    );
    await writeFile(join(dir, 'longest-chain.tif'), longest);
    assert.equal(await isCompleteImage(join(dir, 'longest-chain.tif'), 'tiff'), true);
  });

  test('a batch rerun redoes a TIFF output cut after its header and skips the whole ones', async () => {
    const slides = join(dir, 'slides');
    await mkdir(slides);
    for (const name of ['a', 'b', 'c']) await copyFile(await fixturePath('cohort-svs'), join(slides, `${name}.svs`));
    const out = join(dir, 'batch');
    const first = cli('thumbnail', slides, '--size', '64', '--format', 'tiff', '--out', out);
    assert.equal(first.status, 0, first.stderr);
    assert.deepEqual((await readdir(out)).sort(), ['a_thumbnail.tif', 'b_thumbnail.tif', 'c_thumbnail.tif']);
    const file = join(out, 'b_thumbnail.tif');
    const { size } = await stat(file);
    await truncate(file, 8 + 100);
    const report = join(dir, 'batch.jsonl');
    const rerun = cli('thumbnail', slides, '--size', '64', '--format', 'tiff', '--out', out, '--report', report);
    assert.equal(rerun.status, 0, rerun.stderr);
    assert.match(rerun.stderr, /3 slides: 1 written, 2 skipped/);
    const lines = (await readFile(report, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ReportLine);
    assert.deepEqual(
      lines.filter((l) => l.status === 'written').map((l) => relative(slides, l.path)),
      ['b.svs'],
    );
    assert.equal((await stat(file)).size, size);
    assert.equal(await isCompleteImage(file, 'tiff'), true);
  });
});

/** Where the first IFD's StripOffsets values lie (out of line). */
function findStripOffsets(view: DataView, little: boolean, big: boolean): number {
  const ifd = big ? Number(view.getBigUint64(8, little)) : view.getUint32(4, little);
  const n = big ? Number(view.getBigUint64(ifd, little)) : view.getUint16(ifd, little);
  for (let e = 0; e < n; e++) {
    const p = ifd + (big ? 8 : 2) + e * (big ? 20 : 12);
    if (view.getUint16(p, little) === 273) return big ? Number(view.getBigUint64(p + 12, little)) : view.getUint32(p + 8, little);
  }
  throw new Error('no StripOffsets');
}
