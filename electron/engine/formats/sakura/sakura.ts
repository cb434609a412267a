// Sakura (VisionTek) .svslide: an SQLite database (read page by page, sqlite-file.ts) whose
// "unique table" holds the magic bytes, a header (tile size, width, height, focal planes) and every
// tile's colours; levels are the downsamples its tile ids name; metadata comes from the XPO tables.
// As OpenSlide 3.4.1's openslide-vendor-sakura.c reads it, the middle focal plane shown.

import type { Mpp, RgbImage } from '../../../../shared/slide';
import { slideFormat } from '../../../../shared/slide-formats';
import { decodeJpegImage } from '../../codecs/jpeg-image';
import { readJpegFrame } from '../../codecs/jpeg-stream';
import { decodeError, leftOutWarning, SlideError } from '../../errors';
import { MAX_DIMENSION } from '../../tiff/tiff-file';
import type { FormatPlugin } from '../format-plugin';
import { formatDouble, parseDouble } from '../openslide-values';
import type { SlideProbe } from '../slide-probe';
import { doubleOf, SakuraDatabase, textOf } from './sakura-database';
import { type SakuraLevel, SakuraSource, tileId } from './sakura-source';
import { databaseError, SqliteError, SqliteFile, type SqlValue } from './sqlite-file';
import type { Row } from './sqlite-schema';

/** Tiles larger than this are not a scanner's (OpenSlide allocates tile size squared, four times). */
const MAX_TILE_SIZE = 8192;
/**
 * Nor smaller than this (a scanner's are 256, and TIFF's 16 at least): a read asks the database for
 * each tile, present or not, so 1-pixel tiles would make a small slide's thumbnail take minutes.
 */
const MIN_TILE_SIZE = 16;
const MAX_ASSOCIATED_BYTES = 32 * 1024 * 1024;
const MAX_ASSOCIATED_PIXELS = 64 * 1024 * 1024;
const COLOURS = 3;

const TEXT_PROPERTIES: ReadonlyArray<readonly [string, string]> = [
  ['SVSlideDataXPO', 'SlideId'],
  ['SVSlideDataXPO', 'Date'],
  ['SVSlideDataXPO', 'Description'],
  ['SVSlideDataXPO', 'Creator'],
  ['SVSlideDataXPO', 'DiagnosisCode'],
  ['SVSlideDataXPO', 'Keywords'],
  ['SVHRScanDataXPO', 'ScanId'],
  ['SVHRScanDataXPO', 'ResolutionMmPerPix'],
  ['SVHRScanDataXPO', 'NominalLensMagnification'],
  ['SVHRScanDataXPO', 'FocussingMethod'],
];
const FLOAT_PROPERTIES = new Set(['ResolutionMmPerPix', 'NominalLensMagnification']);

/** Databases opened by detect(), kept for open() on the same probe. */
const opened = new WeakMap<SlideProbe, Promise<SakuraDatabase | null>>();

function databaseOf(probe: SlideProbe): Promise<SakuraDatabase | null> {
  let got = opened.get(probe);
  if (!got) {
    got =
      probe.isTiff || !SqliteFile.isSqlite(probe.head)
        ? Promise.resolve(null)
        : SqliteFile.open(probe.file)
            .then((db) => SakuraDatabase.open(db))
            .catch((error: unknown) => {
              // A database this reader refuses is still SQLite's: open() says why.
              if (error instanceof SqliteError) throw databaseError(error, probe.path);
              throw error;
            });
    opened.set(probe, got);
  }
  return got;
}

export const sakuraFormat: FormatPlugin = {
  info: slideFormat('sakura'),
  async detect(probe) {
    return (await databaseOf(probe).catch(() => true)) !== null;
  },
  async open(probe) {
    const path = probe.path;
    try {
      const db = await databaseOf(probe);
      if (!db) throw new SlideError('NOT_A_SLIDE', 'This SQLite database is not a Sakura slide.', path);
      return await openSakura(probe, db);
    } catch (error) {
      throw databaseError(error, path);
    }
  },
};

/** A tile id's level and focal plane (null for ids that are not tiles); malformed ones are refused, as OpenSlide refuses them. */
function parseTileId(id: string): { downsample: number; focalPlane: number } | null {
  if (!id.startsWith('T;') || id.endsWith('#')) return null;
  const fields = id.split(/[;|]/);
  const bad = () => new SqliteError(`a tile id (${id.slice(0, 80)}) is not one`);
  if (fields.length !== 6) throw bad();
  const numbers = fields.slice(1).map((f) => (/^\d+$/.test(f) ? Number(f) : Number.NaN));
  const [x, y, downsample, colour, focalPlane] = numbers as [number, number, number, number, number];
  if (numbers.some((n) => !Number.isSafeInteger(n)) || downsample < 1 || colour >= COLOURS) throw bad();
  // No leading zeros: the id must be the one OpenSlide would make.
  if (tileId(x, y, downsample, colour, focalPlane) !== id) throw bad();
  return { downsample, focalPlane };
}

async function openSakura(probe: SlideProbe, db: SakuraDatabase): Promise<SakuraSource> {
  const path = probe.path;
  const header = await db.data('Header', 4096);
  const bytes = header instanceof Uint8Array ? header : new TextEncoder().encode(textOf(header ?? null) ?? '');
  if (bytes.length < 20) throw new SqliteError(`its header is ${bytes.length} bytes, too short for the tile size, size and focal planes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tileSize = view.getUint32(0, true);
  const width = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  const focalPlanes = view.getUint32(16, true);
  if (tileSize === 0 || tileSize > 0x7fffffff) throw new SqliteError(`Invalid tile size: ${tileSize}`);
  if (tileSize < MIN_TILE_SIZE)
    throw new SqliteError(`its tiles of ${tileSize} x ${tileSize} pixels are smaller than any scanner's (${MIN_TILE_SIZE} x ${MIN_TILE_SIZE} at least)`);
  if (tileSize > MAX_TILE_SIZE || width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new SlideError('TOO_LARGE', `This Sakura slide declares ${width} x ${height} pixels in tiles of ${tileSize}.`, path);
  }
  // The middle focal plane, as OpenSlide picks it.
  const focalPlane = Math.trunc(focalPlanes / 2) + (focalPlanes % 2) - 1;

  const downsamples = new Set<number>();
  for await (const id of db.ids()) {
    const tile = parseTileId(id);
    if (tile?.focalPlane !== 0) continue;
    const ds = tile.downsample;
    if (!downsamples.has(ds) && (ds & (ds - 1)) !== 0) throw new SqliteError(`Invalid downsample ${ds}`);
    downsamples.add(ds);
  }
  if (downsamples.size === 0) throw new SqliteError("Couldn't find any tiles");
  const levels: SakuraLevel[] = [...downsamples]
    .sort((a, b) => a - b)
    .map((downsample) => ({ downsample, width: Math.floor(width / downsample), height: Math.floor(height / downsample) }));
  if (levels.some((l) => l.width < 1 || l.height < 1)) throw new SqliteError(`a level of downsample ${levels.at(-1)!.downsample} has no pixels`);

  const { properties, mpp, objectivePower } = await sakuraProperties(db, levels, tileSize);
  const { associated, leftOut } = await associatedImages(db, path);
  return new SakuraSource(probe.file, db, { tileSize, focalPlane, levels, mpp, objectivePower, properties, associated, leftOut });
}

/** The first row of the slide's HR scan joined to its slide (ParentSlide = OID), as SQLite's nested loop finds it. */
async function slideAndScan(db: SakuraDatabase, slideColumns: readonly string[], scanColumns: readonly string[]): Promise<{ slide: Row; scan: Row } | null> {
  const slides = await db.rows('SVSlideDataXPO', ['OID', ...slideColumns]);
  const scans = await db.rows('SVHRScanDataXPO', ['ParentSlide', ...scanColumns]);
  for (const slide of slides) {
    const scan = scans.find((s) => s.parentslide !== null && s.parentslide === slide.oid);
    if (scan) return { slide, scan };
  }
  return null;
}

async function sakuraProperties(
  db: SakuraDatabase,
  levels: readonly SakuraLevel[],
  tileSize: number,
): Promise<{ properties: Record<string, string>; mpp: Mpp | null; objectivePower: number | null }> {
  const properties: Record<string, string> = { 'openslide.vendor': 'sakura', 'openslide.level-count': String(levels.length) };
  levels.forEach((l, i) => {
    properties[`openslide.level[${i}].width`] = String(l.width);
    properties[`openslide.level[${i}].height`] = String(l.height);
    properties[`openslide.level[${i}].downsample`] = formatDouble(l.downsample);
    properties[`openslide.level[${i}].tile-width`] = String(tileSize);
    properties[`openslide.level[${i}].tile-height`] = String(tileSize);
  });
  const slideColumns = TEXT_PROPERTIES.filter(([t]) => t === 'SVSlideDataXPO').map(([, c]) => c);
  const scanColumns = TEXT_PROPERTIES.filter(([t]) => t === 'SVHRScanDataXPO').map(([, c]) => c);
  const joined = await slideAndScan(db, slideColumns, scanColumns);
  let mpp: Mpp | null = null;
  if (joined) {
    for (const [table, column] of TEXT_PROPERTIES) {
      const value: SqlValue = (table === 'SVSlideDataXPO' ? joined.slide : joined.scan)[column.toLowerCase()] ?? null;
      if (FLOAT_PROPERTIES.has(column)) properties[`sakura.${column}`] = formatDouble(doubleOf(value));
      else if (textOf(value)) properties[`sakura.${column}`] = textOf(value)!;
    }
    const micronsPerPixel = doubleOf(joined.scan.resolutionmmperpix ?? null) * 1000;
    properties['openslide.mpp-x'] = formatDouble(micronsPerPixel);
    properties['openslide.mpp-y'] = formatDouble(micronsPerPixel);
    if (micronsPerPixel > 0) mpp = { x: micronsPerPixel, y: micronsPerPixel };
  }
  const lens = properties['sakura.NominalLensMagnification'] === undefined ? Number.NaN : parseDouble(properties['sakura.NominalLensMagnification']);
  if (!Number.isNaN(lens)) properties['openslide.objective-power'] = formatDouble(lens);
  const version = await db.data('++VersionBytes', 4096);
  if (version !== undefined && textOf(version) !== null) properties['sakura.VersionBytes'] = textOf(version)!;
  return { properties, mpp, objectivePower: lens > 0 ? lens : null };
}

/**
 * The label, macro and thumbnail: each a JPEG the slide's row points at, kept only when the query
 * finds exactly one and its header reads (OpenSlide ignores the rest). One whose header does not read
 * is damaged: it is said (`leftOut`).
 */
async function associatedImages(db: SakuraDatabase, path: string): Promise<{ associated: Map<string, () => Promise<RgbImage>>; leftOut: string[] }> {
  const images = await db.rows('SVScannedImageDataXPO', ['OID', 'Image']).catch(() => []);
  const slides = await db.rows('SVSlideDataXPO', ['OID', 'm_labelScan', 'm_overviewScan']).catch(() => []);
  const scans = await db.rows('SVHRScanDataXPO', ['ParentSlide', 'ThumbnailImage']).catch(() => []);
  const found = new Map<string, SqlValue[]>([
    ['label', slides.flatMap((s) => images.filter((i) => s.m_labelscan !== null && i.oid === s.m_labelscan).map((i) => i.image ?? null))],
    ['macro', slides.flatMap((s) => images.filter((i) => s.m_overviewscan !== null && i.oid === s.m_overviewscan).map((i) => i.image ?? null))],
    ['thumbnail', slides.flatMap((s) => scans.filter((c) => c.parentslide !== null && c.parentslide === s.oid).map((c) => c.thumbnailimage ?? null))],
  ]);
  const out = new Map<string, () => Promise<RgbImage>>();
  const leftOut: string[] = [];
  for (const [name, values] of found) {
    const [jpeg] = values;
    // None, several, an empty value or one too large is no image of the slide; one whose header does not read is damaged.
    if (values.length !== 1 || !(jpeg instanceof Uint8Array) || jpeg.length === 0 || jpeg.length > MAX_ASSOCIATED_BYTES) continue;
    const frame = readJpegFrame(jpeg);
    if (typeof frame === 'string') {
      leftOut.push(leftOutWarning({ code: 'CORRUPT_DATA', message: `The ${name} image is damaged (${frame})` })!);
      continue;
    }
    out.set(name, async () => {
      try {
        return await decodeJpegImage(jpeg, null, null, MAX_ASSOCIATED_PIXELS);
      } catch (error) {
        throw decodeError(error, `The ${name} image`, path);
      }
    });
  }
  return { associated: out, leftOut };
}
