// A test-only writer of 3DHistech MIRAX slides as the Pannoramic scanners lay them out, and as
// OpenSlide 3.4.1 reads them (src/openslide-vendor-mirax.c):
//
// - `<name>.mrxs`, an opaque key file, and beside it the folder `<name>/` holding Slidedat.ini (a
//   GKeyFile: the slide's geometry, its zoom levels' sections, its data files), Index.dat (the
//   records that say where each image is) and Data*.dat (the images, back to back);
// - the camera takes photos on a grid, each nominally (photo - overlap) apart but really where the
//   stage stopped (a position buffer records it, per photo); each photo is stored cut into
//   divisions x divisions images of DIGITIZER_WIDTH x DIGITIZER_HEIGHT;
// - a lower zoom level's image is 2x2 images of the level above it reduced 2x (per image, not per
//   photo: overlaps are not removed), so its photos keep their own places, reduced;
// - Index.dat: "01.02", the slide id, then a pointer to the hierarchical (per zoom level) table and
//   one to the non-hierarchical (associated images, positions) table; each zoom level's records
//   (image index, offset, length, data file) in chained pages.
//
// Each photo is painted from the tissue painter at its place on the glass, with an edge of its own
// colour, so which photo a reader draws on top in an overlap shows in the pixels.

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { deflate } from 'node:zlib';
import sharp from 'sharp';
import { dataFolderOf } from '../../electron/engine/formats/mirax/mirax-files';
import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { createImage, type RgbImage, resizeArea } from '../../electron/synth/image-ops';
import { reduceBox } from '../../electron/synth/pyramid';
import { hash2 } from '../../electron/synth/random';
import type { WrittenSlide } from '../../electron/synth/slides';
import { TissuePainter } from '../../electron/synth/tissue';

const deflateAsync = promisify(deflate);

export type MiraxImageFormat = 'JPEG' | 'PNG' | 'BMP24';

export interface MiraxOptions {
  /** Camera photos across and down. */
  photosX: number;
  photosY: number;
  /** CameraImageDivisionsPerSide: each photo is stored as divisions x divisions images (1: the key is left out). */
  divisions: number;
  /** DIGITIZER_WIDTH and DIGITIZER_HEIGHT: every stored image's size, at every level. */
  imageWidth: number;
  imageHeight: number;
  /** Zoom levels, 2x apart. */
  levels: number;
  /** OVERLAP_X and OVERLAP_Y of level 0: how much neighbouring photos share, nominally. */
  overlapX: number;
  overlapY: number;
  /** Where photo positions are recorded: a VIMSLIDE_POSITION_BUFFER, a compressed StitchingIntensityLayer, or nowhere (nominal). */
  positions: 'vimslide' | 'stitching' | 'none';
  /** How far (level-0 pixels, at most) each photo really lies from its nominal place. */
  jitter: number;
  format: MiraxImageFormat;
  /** Images are spread over this many data files. */
  dataFiles: number;
  /** Photos (column, row) the scanner skipped: no images, position (0, 0). */
  skipped?: ReadonlyArray<readonly [number, number]>;
  /** Records per page of Index.dat's lists. */
  pageSize?: number;
  /** Macro, label and thumbnail (JPEG). */
  associated?: boolean;
  /** IMAGE_FILL_COLOR_BGR, as RGB. */
  fill?: readonly [number, number, number];
  objective?: number;
  mpp?: number;
  quality?: number;
  seed?: number;
  /** Hostile files only (not part of fixture keys): rewrites Slidedat.ini, and Index.dat, before they are written. */
  rewriteSlidedat?: (ini: string) => string;
  rewriteIndex?: (index: Uint8Array, layout: IndexLayout) => Uint8Array;
  /** Hostile files only: where each photo (column, row) is recorded, instead of its jittered place. */
  placePhoto?: (px: number, py: number) => { x: number; y: number };
}

/** Where Index.dat keeps what, for hostile rewrites. */
export interface IndexLayout {
  hierRoot: number;
  nonhierRoot: number;
  /** Per zoom level, the offsets of its pages. */
  pages: number[][];
  /** The first page's "next" pointer of level 0 is at pages[0][0] + 4. */
  nonhierRecords: number[];
}

interface StoredImage {
  index: number;
  fileno: number;
  offset: number;
  length: number;
}

/** A photo's place on the glass, in level-0 pixels; (0, 0) for a skipped one (as the scanner records it). */
function photoPosition(options: MiraxOptions, px: number, py: number, seed: number): { x: number; y: number } {
  const photoW = options.imageWidth * options.divisions;
  const photoH = options.imageHeight * options.divisions;
  const spread = 2 * options.jitter + 1;
  // The first column and row only ever further in: the glass's edge is not crossed.
  const jx = px === 0 ? hash2(px, py, seed) % (options.jitter + 1) : (hash2(px, py, seed) % spread) - options.jitter;
  const jy = py === 0 ? hash2(py + 1000, px, seed) % (options.jitter + 1) : (hash2(py + 1000, px, seed) % spread) - options.jitter;
  return { x: px * (photoW - options.overlapX) + jx, y: py * (photoH - options.overlapY) + jy };
}

export async function writeMirax(path: string, options: MiraxOptions): Promise<WrittenSlide> {
  const seed = options.seed ?? 1;
  const { imageWidth: iw, imageHeight: ih, divisions: div, photosX, photosY } = options;
  const imagesX = photosX * div;
  const imagesY = photosY * div;
  const fill = options.fill ?? [255, 255, 255];
  const skipped = new Set((options.skipped ?? []).map(([c, r]) => `${c},${r}`));
  const active = (px: number, py: number) => !skipped.has(`${px},${py}`);
  const positions = Array.from({ length: photosX * photosY }, (_, i) => {
    const px = i % photosX;
    const py = Math.floor(i / photosX);
    if (!active(px, py)) return { x: 0, y: 0 };
    return options.placePhoto ? options.placePhoto(px, py) : photoPosition(options, px, py, seed);
  });
  const stageW = Math.max(...positions.map((p) => p.x)) + iw * div;
  const stageH = Math.max(...positions.map((p) => p.y)) + ih * div;
  const painter = new TissuePainter({ width: stageW, height: stageH, seed });

  // Level 0's images side by side (what lower levels reduce), each cut from its photo.
  const mosaic = createImage(imagesX * iw, imagesY * ih, fill);
  const stride = mosaic.width * 3;
  for (let py = 0; py < photosY; py++) {
    for (let px = 0; px < photosX; px++) {
      if (!active(px, py)) continue;
      const { x, y } = positions[py * photosX + px]!;
      const photo = painter.render(x, y, iw * div, ih * div);
      photoEdge(photo, iw * div, ih * div, hash2(px, py, seed ^ 0x5a5a));
      for (let r = 0; r < ih * div; r++) {
        mosaic.data.set(photo.subarray(r * iw * div * 3, (r + 1) * iw * div * 3), (py * ih * div + r) * stride + px * iw * div * 3);
      }
    }
  }
  const levelMosaics: RgbImage[] = [mosaic];
  for (let k = 1; k < options.levels; k++) levelMosaics.push(reduceBox(levelMosaics[k - 1]!.data, levelMosaics[k - 1]!.width, levelMosaics[k - 1]!.height, 2));

  const folder = dataFolderOf(path);
  await rm(folder, { recursive: true, force: true });
  await mkdir(folder, { recursive: true });
  const data: Uint8Array[][] = Array.from({ length: options.dataFiles }, () => []);
  const sizes = new Array<number>(options.dataFiles).fill(0);
  let next = 0;
  /** Appends bytes to a data file (round robin), answering where they went. */
  const store = (bytes: Uint8Array): { fileno: number; offset: number; length: number } => {
    const fileno = next++ % options.dataFiles;
    const offset = sizes[fileno]!;
    data[fileno]!.push(bytes);
    sizes[fileno] = offset + bytes.length;
    return { fileno, offset, length: bytes.length };
  };

  const levelImages: StoredImage[][] = [];
  for (let k = 0; k < options.levels; k++) {
    const concat = 2 ** k;
    const m = levelMosaics[k]!;
    const stored: StoredImage[] = [];
    for (let y = 0; y < imagesY; y += concat) {
      for (let x = 0; x < imagesX; x += concat) {
        // An image exists where any photo it holds was scanned.
        let any = false;
        for (let yy = y; yy < Math.min(imagesY, y + concat) && !any; yy++) {
          for (let xx = x; xx < Math.min(imagesX, x + concat) && !any; xx++) any = active(Math.floor(xx / div), Math.floor(yy / div));
        }
        if (!any) continue;
        const img = createImage(iw, ih, fill);
        const x0 = (x / concat) * iw;
        const y0 = (y / concat) * ih;
        for (let r = 0; r < ih && y0 + r < m.height; r++) {
          const w = Math.min(iw, m.width - x0);
          if (w > 0) img.data.set(m.data.subarray(((y0 + r) * m.width + x0) * 3, ((y0 + r) * m.width + x0 + w) * 3), r * iw * 3);
        }
        stored.push({ index: y * imagesX + x, ...store(await encodeImage(img, options.format, options.quality ?? 90)) });
      }
    }
    levelImages.push(stored);
  }

  // Positions: flag, x, y per photo (level-0 pixels over level 0's concatenation, which is 1).
  let positionRecord: { fileno: number; offset: number; length: number } | null = null;
  if (options.positions !== 'none') {
    const buffer = new Uint8Array(9 * positions.length);
    const view = new DataView(buffer.buffer);
    positions.forEach((p, i) => {
      buffer[9 * i] = active(i % photosX, Math.floor(i / photosX)) ? 1 : 0;
      view.setInt32(9 * i + 1, p.x, true);
      view.setInt32(9 * i + 5, p.y, true);
    });
    positionRecord = store(options.positions === 'stitching' ? new Uint8Array(await deflateAsync(buffer)) : buffer);
  }

  // Associated images, JPEG.
  const overview = resizeArea(
    { data: painter.render(0, 0, stageW, stageH), width: stageW, height: stageH },
    400,
    Math.max(1, Math.round((400 * stageH) / stageW)),
  );
  const label = makeLabel({ seed, lines: ['MIRAX', 'SYNTHETIC', `SEED ${seed}`] });
  const associated =
    options.associated === false
      ? null
      : {
          macro: store(
            await encodeImage(
              makeMacro({ width: 800, height: 270, overview, slideWidth: stageW, slideHeight: stageH, mpp: options.mpp ?? 0.25, label }),
              'JPEG',
              85,
            ),
          ),
          label: store(await encodeImage(resizeArea(label, 300, 280), 'JPEG', 85)),
          thumbnail: store(await encodeImage(overview, 'JPEG', 85)),
        };

  const slideId = `synthetic-${seed}-${photosX}x${photosY}-${options.format.toLowerCase()}`;
  const nonhier: Array<{
    name: string;
    values: Array<{ value: string; section: string; keys: Record<string, string>; record: { fileno: number; offset: number; length: number } | null }>;
  }> = [];
  if (associated) {
    nonhier.push({
      name: 'Scan data layer',
      values: [
        { value: 'ScanDataLayer_SlideThumbnail', section: 'NONHIERLAYER_0_VAL_0_SECTION', keys: { THUMBNAIL_IMAGE_TYPE: 'JPEG' }, record: associated.macro },
        { value: 'ScanDataLayer_SlideBarcode', section: 'NONHIERLAYER_0_VAL_1_SECTION', keys: { BARCODE_IMAGE_TYPE: 'JPEG' }, record: associated.label },
        { value: 'ScanDataLayer_SlidePreview', section: 'NONHIERLAYER_0_VAL_2_SECTION', keys: { PREVIEW_IMAGE_TYPE: 'JPEG' }, record: associated.thumbnail },
      ],
    });
  }
  if (positionRecord) {
    const n = nonhier.length;
    nonhier.push({
      name: options.positions === 'stitching' ? 'StitchingIntensityLayer' : 'VIMSLIDE_POSITION_BUFFER',
      values: [
        { value: 'default', section: `NONHIERLAYER_${n}_VAL_0_SECTION`, keys: { VIMSLIDE_POSITION_DATA_FORMAT_VERSION: '257' }, record: positionRecord },
      ],
    });
  }

  const ini = slidedat({ options, slideId, imagesX, imagesY, nonhier, fill });
  const { bytes: index, layout } = indexDat(
    slideId,
    levelImages,
    nonhier.flatMap((n) => n.values.map((v) => v.record)),
    options.pageSize ?? 8,
  );

  const dataNames = Array.from({ length: options.dataFiles }, (_, i) => `Data${String(i).padStart(4, '0')}.dat`);
  await writeFile(
    join(folder, 'Slidedat.ini'),
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from((options.rewriteSlidedat ?? ((s) => s))(ini), 'utf8')]),
  );
  await writeFile(join(folder, 'Index.dat'), (options.rewriteIndex ?? ((b) => b))(index, layout));
  for (const [i, name] of dataNames.entries()) await writeFile(join(folder, name), Buffer.concat(data[i]!));
  // The key file last: its presence says the slide is complete.
  await writeFile(path, Buffer.from(`MIRAX ${slideId}\n`));

  const levels = levelMosaics.map((_, k) => ({
    width: Math.floor(baseSize(imagesX, iw, div, options.overlapX) / 2 ** k),
    height: Math.floor(baseSize(imagesY, ih, div, options.overlapY) / 2 ** k),
  }));
  return {
    path,
    width: levels[0]!.width,
    height: levels[0]!.height,
    levels,
    associated: {},
    fileSize: sizes.reduce((a, b) => a + b, 0),
  };
}

/** OpenSlide's level-0 size: every image's width, less the overlap at each photo's last image but the slide's last. */
function baseSize(images: number, size: number, div: number, overlap: number): number {
  let total = 0;
  for (let i = 0; i < images; i++) total += i % div !== div - 1 || i === images - 1 ? size : size - overlap;
  return total;
}

async function encodeImage(img: RgbImage, format: MiraxImageFormat, quality: number): Promise<Uint8Array> {
  const raw = sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } });
  if (format === 'JPEG') return new Uint8Array(await raw.jpeg({ quality, chromaSubsampling: '4:2:0', optimiseCoding: false }).toBuffer());
  if (format === 'PNG') return new Uint8Array(await raw.png({ compressionLevel: 6 }).toBuffer());
  return bmp24(img);
}

/** A bottom-up 24-bit BMP (BITMAPINFOHEADER), rows padded to 4 bytes. */
function bmp24(img: RgbImage): Uint8Array {
  const rowBytes = (img.width * 3 + 3) & ~3;
  const size = 54 + rowBytes * img.height;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out[0] = 0x42;
  out[1] = 0x4d;
  view.setUint32(2, size, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, img.width, true);
  view.setInt32(22, img.height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  view.setUint32(34, rowBytes * img.height, true);
  view.setInt32(38, 2835, true);
  view.setInt32(42, 2835, true);
  for (let y = 0; y < img.height; y++) {
    const row = 54 + (img.height - 1 - y) * rowBytes;
    for (let x = 0; x < img.width; x++) {
      const s = (y * img.width + x) * 3;
      out[row + x * 3] = img.data[s + 2]!;
      out[row + x * 3 + 1] = img.data[s + 1]!;
      out[row + x * 3 + 2] = img.data[s]!;
    }
  }
  return out;
}

/** A photo's 2-pixel edge in a colour of its own. */
function photoEdge(data: Uint8Array, w: number, h: number, hash: number): void {
  const colour = [64 + (hash & 127), 64 + ((hash >>> 8) & 127), 64 + ((hash >>> 16) & 127)];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (x >= 2 && y >= 2 && x < w - 2 && y < h - 2) continue;
      data.set(colour, (y * w + x) * 3);
    }
  }
}

interface SlidedatInput {
  options: MiraxOptions;
  slideId: string;
  imagesX: number;
  imagesY: number;
  nonhier: Array<{ name: string; values: Array<{ value: string; section: string; keys: Record<string, string> }> }>;
  fill: readonly [number, number, number];
}

/** Slidedat.ini, CRLF line ends as the scanner writes them. */
function slidedat({ options, slideId, imagesX, imagesY, nonhier, fill }: SlidedatInput): string {
  const lines: string[] = [];
  const group = (name: string, keys: Record<string, string | number>) => {
    lines.push(`[${name}]`);
    for (const [k, v] of Object.entries(keys)) lines.push(`${k} = ${v}`);
    lines.push('');
  };
  group('GENERAL', {
    SLIDE_VERSION: '01.03',
    SLIDE_ID: slideId,
    SLIDE_NAME: `synthetic ${options.seed ?? 1}`,
    PROJECT_NAME: 'Slidescope',
    SLIDE_CREATIONDATETIME: '20240102 030405',
    IMAGENUMBER_X: imagesX,
    IMAGENUMBER_Y: imagesY,
    OBJECTIVE_MAGNIFICATION: options.objective ?? 20,
    ...(options.divisions !== 1 ? { CameraImageDivisionsPerSide: options.divisions } : {}),
    VIMSLIDE_SLIDE_NAME: 'Pannoramic synthetic',
  });
  const zoomSections = Array.from({ length: options.levels }, (_, k) => `LAYER_0_LEVEL_${k}_SECTION`);
  const hier: Record<string, string | number> = { HIER_COUNT: 2, NONHIER_COUNT: nonhier.length, INDEXFILE: 'Index.dat' };
  hier.HIER_0_NAME = 'Slide zoom level';
  hier.HIER_0_COUNT = options.levels;
  zoomSections.forEach((section, k) => {
    hier[`HIER_0_VAL_${k}`] = `ZoomLevel_${k}`;
    hier[`HIER_0_VAL_${k}_SECTION`] = section;
  });
  hier.HIER_1_NAME = 'Slide filter level';
  hier.HIER_1_COUNT = 1;
  hier.HIER_1_VAL_0 = 'FilterLevel_0';
  hier.HIER_1_VAL_0_SECTION = 'LAYER_1_LEVEL_0_SECTION';
  nonhier.forEach((n, i) => {
    hier[`NONHIER_${i}_NAME`] = n.name;
    hier[`NONHIER_${i}_COUNT`] = n.values.length;
    n.values.forEach((v, j) => {
      hier[`NONHIER_${i}_VAL_${j}`] = v.value;
      hier[`NONHIER_${i}_VAL_${j}_SECTION`] = v.section;
    });
  });
  group('HIERARCHICAL', hier);
  group('DATAFILE', {
    FILE_COUNT: options.dataFiles,
    ...Object.fromEntries(Array.from({ length: options.dataFiles }, (_, i) => [`FILE_${i}`, `Data${String(i).padStart(4, '0')}.dat`])),
  });
  const bgr = (fill[2] << 16) | (fill[1] << 8) | fill[0];
  const mpp = options.mpp ?? 0.25;
  zoomSections.forEach((section, k) => {
    group(section, {
      OVERLAP_X: options.overlapX / 2 ** k,
      OVERLAP_Y: options.overlapY / 2 ** k,
      MICROMETER_PER_PIXEL_X: mpp * 2 ** k,
      MICROMETER_PER_PIXEL_Y: mpp * 2 ** k,
      IMAGE_FORMAT: options.format,
      IMAGE_QUALITY: options.quality ?? 90,
      IMAGE_FILL_COLOR_BGR: bgr,
      DIGITIZER_WIDTH: options.imageWidth,
      DIGITIZER_HEIGHT: options.imageHeight,
      IMAGE_CONCAT_FACTOR: k === 0 ? 0 : 1,
    });
  });
  group('LAYER_1_LEVEL_0_SECTION', { FILTER_NAME: 'default' });
  for (const n of nonhier) for (const v of n.values) group(v.section, v.keys);
  return lines.join('\r\n');
}

/** Index.dat: header, the two roots, the hierarchical table and pages, the non-hierarchical records. */
function indexDat(
  slideId: string,
  levels: StoredImage[][],
  records: ReadonlyArray<{ fileno: number; offset: number; length: number } | null>,
  pageSize: number,
): { bytes: Uint8Array; layout: IndexLayout } {
  const words: number[] = [];
  const header = Buffer.from(`01.02${slideId}`, 'latin1');
  const base = header.length;
  // Everything after the header is 32-bit words; a word's file offset is base + 4 * its index.
  const at = () => base + 4 * words.length;
  const hierRoot = at();
  words.push(0, 0); // hier root, nonhier root
  const hierTable = at();
  words[0] = hierTable;
  const levelPtrs = words.length;
  for (let k = 0; k < levels.length + 1; k++) words.push(0); // zoom levels, and the filter level's list
  const nonhierTable = at();
  words[1] = nonhierTable;
  const recordPtrs = words.length;
  for (let i = 0; i < records.length; i++) words.push(0);
  const pages: number[][] = [];
  levels.forEach((stored, k) => {
    words[levelPtrs + k] = at();
    words.push(0, 0);
    const headNext = words.length - 1;
    const mine: number[] = [];
    let prevNext = headNext;
    for (let i = 0; i < stored.length; i += pageSize) {
      const chunk = stored.slice(i, i + pageSize);
      words[prevNext] = at();
      mine.push(at());
      words.push(chunk.length, 0);
      prevNext = words.length - 1;
      for (const s of chunk) words.push(s.index, s.offset, s.length, s.fileno);
    }
    pages.push(mine);
  });
  // The filter level's list: empty.
  words[levelPtrs + levels.length] = at();
  words.push(0, at() + 8, 0, 0);
  const nonhierRecords: number[] = [];
  records.forEach((r, i) => {
    words[recordPtrs + i] = at();
    nonhierRecords.push(at());
    words.push(0, at() + 8);
    words.push(1, 0, 0, 0, r?.offset ?? 0, r?.length ?? 0, r?.fileno ?? 0);
  });
  const bytes = new Uint8Array(base + 4 * words.length);
  bytes.set(header, 0);
  const view = new DataView(bytes.buffer);
  for (const [i, w] of words.entries()) view.setInt32(base + 4 * i, w, true);
  return { bytes, layout: { hierRoot, nonhierRoot: hierRoot + 4, pages, nonhierRecords } };
}
