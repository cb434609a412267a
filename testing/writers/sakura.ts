// A test-only writer of Sakura (VisionTek) .svslide slides - SQLite databases, written with sql.js -
// as OpenSlide 3.4.1 reads them (src/openslide-vendor-sakura.c):
//
// - DataManagerSQLiteConfigXPO names the "unique table" (id TEXT PRIMARY KEY, data BLOB) holding
//   "++MagicBytes" ("SVGigaPixelImage"), "++VersionBytes", the "Header" (tile size, width, height,
//   then at byte 16 the number of focal planes, 32-bit little-endian) and the tiles: each colour of
//   each tile its own greyscale JPEG, under "T;x|y;downsample;colour;focal plane" (x, y the tile's
//   corner in level-0 pixels, colour 0 red, 1 green, 2 blue), with "#"-suffixed hashes beside them;
// - SVSlideDataXPO and SVHRScanDataXPO hold the metadata (sakura.* properties, MPP from
//   ResolutionMmPerPix, the objective), SVScannedImageDataXPO the label and macro JPEGs, and the
//   scan's ThumbnailImage the thumbnail.
//
// With several focal planes the others are painted darker, so a reader showing the wrong one shows.

import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import initSqlJs from 'sql.js';
import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { type RgbImage, resizeArea } from '../../electron/synth/image-ops';
import type { WrittenSlide } from '../../electron/synth/slides';
import { TissuePainter } from '../../electron/synth/tissue';

export interface SakuraOptions {
  width: number;
  height: number;
  tileSize: number;
  /** Levels at downsamples 1, 2, 4, ... */
  levels: number;
  focalPlanes: number;
  /** SQLite page size: small pages make every tile an overflow chain. */
  pageSize: 1024 | 4096;
  quality: number;
  /** Tiles (level, column, row, colour) left out: the tile is blank. */
  missingTiles?: ReadonlyArray<readonly [number, number, number, number]>;
  associated: boolean;
  seed: number;
  /** Hostile files only (not part of fixture keys): SQL run on the finished database. */
  tamper?: string;
}

export const SAKURA_TABLE = 'SVTileData_5f8c2f7e';

export async function writeSakura(path: string, options: SakuraOptions): Promise<WrittenSlide> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  try {
    db.run(`PRAGMA page_size = ${options.pageSize}`);
    db.run('CREATE TABLE DataManagerSQLiteConfigXPO (OID INTEGER PRIMARY KEY, TableName TEXT)');
    db.run(`CREATE TABLE "${SAKURA_TABLE}" (id TEXT PRIMARY KEY, data BLOB)`);
    db.run(
      'CREATE TABLE SVSlideDataXPO (OID INTEGER PRIMARY KEY, SlideId TEXT, Date TEXT, Description TEXT, Creator TEXT, DiagnosisCode TEXT, Keywords TEXT, m_labelScan INTEGER, m_overviewScan INTEGER)',
    );
    db.run(
      'CREATE TABLE SVHRScanDataXPO (OID INTEGER PRIMARY KEY, ParentSlide INTEGER, ScanId TEXT, Date TEXT, Name TEXT, Description TEXT, ResolutionMmPerPix REAL, NominalLensMagnification REAL, FocussingMethod TEXT, ThumbnailImage BLOB)',
    );
    db.run('CREATE TABLE SVScannedImageDataXPO (OID INTEGER PRIMARY KEY, Image BLOB)');
    db.run('INSERT INTO DataManagerSQLiteConfigXPO (TableName) VALUES (?)', [SAKURA_TABLE]);
    const put = (id: string, data: Uint8Array | string) => db.run(`INSERT INTO "${SAKURA_TABLE}" (id, data) VALUES (?, ?)`, [id, data]);
    put('++MagicBytes', 'SVGigaPixelImage');
    put('++VersionBytes', '1.0.0.2');
    const header = new Uint8Array(24);
    const view = new DataView(header.buffer);
    view.setUint32(0, options.tileSize, true);
    view.setUint32(4, options.width, true);
    view.setUint32(8, options.height, true);
    view.setUint32(12, 3, true);
    view.setUint32(16, options.focalPlanes, true);
    put('Header', header);

    const painter = new TissuePainter({ width: options.width, height: options.height, seed: options.seed });
    const whole: RgbImage = { data: painter.render(0, 0, options.width, options.height), width: options.width, height: options.height };
    const ts = options.tileSize;
    const missing = new Set((options.missingTiles ?? []).map((t) => t.join(',')));
    const middle = Math.trunc(options.focalPlanes / 2) + (options.focalPlanes % 2) - 1;
    for (let level = 0; level < options.levels; level++) {
      const ds = 2 ** level;
      const w = Math.floor(options.width / ds);
      const h = Math.floor(options.height / ds);
      const image = level === 0 ? whole : resizeArea(whole, w, h);
      for (let row = 0; row * ts < h; row++) {
        for (let col = 0; col * ts < w; col++) {
          for (let plane = 0; plane < options.focalPlanes; plane++) {
            for (let colour = 0; colour < 3; colour++) {
              if (missing.has(`${level},${col},${row},${colour}`)) continue;
              const plate = new Uint8Array(ts * ts).fill(255);
              for (let y = 0; y < ts && row * ts + y < h; y++) {
                for (let x = 0; x < ts && col * ts + x < w; x++) {
                  const v = image.data[((row * ts + y) * w + col * ts + x) * 3 + colour]!;
                  plate[y * ts + x] = plane === middle ? v : v >> 1;
                }
              }
              const jpeg = await sharp(plate, { raw: { width: ts, height: ts, channels: 1 } })
                .toColourspace('b-w')
                .jpeg({ quality: options.quality })
                .toBuffer();
              const id = `T;${col * ts * ds}|${row * ts * ds};${ds};${colour};${plane}`;
              put(id, new Uint8Array(jpeg));
              put(`${id}#`, createHash('sha1').update(jpeg).digest('hex'));
            }
          }
        }
      }
    }

    const jpeg = async (img: RgbImage) =>
      new Uint8Array(
        await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } })
          .jpeg({ quality: 85 })
          .toBuffer(),
      );
    const overview = resizeArea(whole, 320, Math.max(1, Math.round((320 * options.height) / options.width)));
    let label: number | null = null;
    let macro: number | null = null;
    const lastRowid = () => db.exec('SELECT last_insert_rowid()')[0]!.values[0]![0] as number;
    if (options.associated) {
      const labelImage = makeLabel({ seed: options.seed, lines: ['SAKURA', `SEED ${options.seed}`] });
      db.run('INSERT INTO SVScannedImageDataXPO (Image) VALUES (?)', [await jpeg(resizeArea(labelImage, 240, 200))]);
      label = lastRowid();
      const macroImage = makeMacro({
        width: 600,
        height: 200,
        overview,
        slideWidth: options.width,
        slideHeight: options.height,
        mpp: 0.254,
        label: labelImage,
      });
      db.run('INSERT INTO SVScannedImageDataXPO (Image) VALUES (?)', [await jpeg(macroImage)]);
      macro = lastRowid();
    }
    db.run(
      'INSERT INTO SVSlideDataXPO (SlideId, Date, Description, Creator, DiagnosisCode, Keywords, m_labelScan, m_overviewScan) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [`SLIDE-${options.seed}`, '2024-01-02 03:04:05', 'Synthetic tissue', 'Slidescope', '', 'test;synthetic', label, macro],
    );
    const slide = lastRowid();
    db.run(
      'INSERT INTO SVHRScanDataXPO (ParentSlide, ScanId, Date, Name, Description, ResolutionMmPerPix, NominalLensMagnification, FocussingMethod, ThumbnailImage) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        slide,
        `SCAN-${options.seed}`,
        '2024-01-02 03:04:05',
        'HR scan',
        'High resolution',
        0.000254,
        40,
        'AutoFocus',
        options.associated ? await jpeg(overview) : null,
      ],
    );
    if (options.tamper) db.exec(options.tamper);
    await writeFile(path, db.export());
  } finally {
    db.close();
  }
  return { path, width: options.width, height: options.height, levels: [], associated: {}, fileSize: 0 };
}
