// Sakura SVSLIDE against OpenSlide 3.4.1: generated databases (1 KB pages where every tile is an
// overflow chain, a missing colour; 4 KB pages with three focal planes) compared at every level,
// with the associated images, deep-zoom tiles and every property; the database read page by page;
// hostile databases refused, typed.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { FIXTURES, fixturePath } from '../../../../testing/fixtures';
import { assertOpenRefused, openSlide } from '../../../../testing/open-slide';
import { perLevel, stitchedAgainstOpenSlide } from '../../../../testing/stitched-against-openslide';
import { SAKURA_TABLE, type SakuraOptions, writeSakura } from '../../../../testing/writers/sakura';
import { SlideEngine } from '../../engine';
import { SlideError } from '../../errors';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

describe('Sakura SVSLIDE against OpenSlide 3.4.1', { timeout: 600_000 }, () => {
  test('1 KB pages, a colour missing: every level, associated images, dz tiles, every property', async () => {
    const path = await fixturePath('sakura-small-pages');
    const { info, slideId, figures } = await stitchedAgainstOpenSlide(engine, path, 'sakura', 256);
    console.log(`sakura-small-pages: ${perLevel(figures)}`);
    for (const f of figures) assert.ok(f.diff.maxDiff <= 2, `${f.label}: ${JSON.stringify(f)}`);
    assert.deepEqual([...info.associated].sort(), ['label', 'macro', 'thumbnail']);
    assert.equal(info.properties['sakura.VersionBytes'], '1.0.0.2');
    assert.deepEqual(info.mpp, { x: 0.254, y: 0.254 });
    // Tile (5, 4) of level 0 lacks its green: transparent, as OpenSlide leaves it.
    const blank = await engine.readRegion({ slideId, level: 0, x: 1290, y: 1030, width: 100, height: 60 });
    assert.ok(
      blank.data.every((v) => v === 0),
      'the tile missing a colour is transparent',
    );
  });

  test('three focal planes: the middle one, as OpenSlide shows it', async () => {
    const { figures } = await stitchedAgainstOpenSlide(engine, await fixturePath('sakura-focal-planes'), 'sakura', 256);
    for (const f of figures) assert.ok(f.diff.maxDiff <= 2, `${f.label}: ${JSON.stringify(f)}`);
  });
});

async function withSlide(options: Partial<SakuraOptions>, use: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'slidescope-sakura-'));
  try {
    const path = join(dir, 'slide.svslide');
    await writeSakura(path, {
      ...(FIXTURES['sakura-small-pages'].options as SakuraOptions),
      width: 700,
      height: 500,
      levels: 2,
      associated: false,
      ...options,
    });
    await use(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The root page of a table or index, and the page size, from SQLite itself. */
function rootPage(path: string, name: string): { root: number; pageSize: number } {
  const run = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      `import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute("select rootpage from sqlite_master where name=?", (sys.argv[2],)).fetchone()[0], c.execute("pragma page_size").fetchone()[0])`,
      path,
      name,
    ],
    { encoding: 'utf8' },
  );
  const [root, pageSize] = run.stdout.trim().split(' ').map(Number);
  return { root: root!, pageSize: pageSize! };
}

describe('hostile Sakura databases: typed errors naming the slide, nothing unbounded', { timeout: 300_000 }, () => {
  const sqlCases: Array<{ name: string; sql: string; code: string; message: RegExp }> = [
    {
      name: 'a header too short',
      sql: `UPDATE "${SAKURA_TABLE}" SET data = x'00010000' WHERE id = 'Header'`,
      code: 'CORRUPT_DATA',
      message: /header is 4 bytes/,
    },
    {
      name: 'a tile size of 0',
      sql: `UPDATE "${SAKURA_TABLE}" SET data = x'000000000010000000100000030000000100000000000000' WHERE id = 'Header'`,
      code: 'CORRUPT_DATA',
      message: /Invalid tile size: 0/,
    },
    {
      // Each of a read's tiles is a query, present or not: 1400 x 1000 pixels in 1-pixel tiles took 46 s.
      name: 'a tile size of 1',
      sql: `UPDATE "${SAKURA_TABLE}" SET data = x'010000007805000000e80300000300000001000000000000' WHERE id = 'Header'`,
      code: 'CORRUPT_DATA',
      message: /tiles of 1 x 1 pixels are smaller than any scanner's/,
    },
    {
      name: 'tiles of 2^20 pixels a side',
      sql: `UPDATE "${SAKURA_TABLE}" SET data = x'000010000010000000100000030000000100000000000000' WHERE id = 'Header'`,
      code: 'TOO_LARGE',
      message: /tiles of 1048576/,
    },
    {
      name: 'a tile id of four fields',
      sql: `INSERT INTO "${SAKURA_TABLE}" (id, data) VALUES ('T;1|2;3;0', x'00')`,
      code: 'CORRUPT_DATA',
      message: /tile id \(T;1\|2;3;0\) is not one/,
    },
    {
      name: 'a tile id with a leading zero',
      sql: `INSERT INTO "${SAKURA_TABLE}" (id, data) VALUES ('T;0|0;01;0;0', x'00')`,
      code: 'CORRUPT_DATA',
      message: /is not one/,
    },
    {
      name: 'a downsample of 3',
      sql: `INSERT INTO "${SAKURA_TABLE}" (id, data) VALUES ('T;0|0;3;0;0', x'00')`,
      code: 'CORRUPT_DATA',
      message: /Invalid downsample 3/,
    },
    {
      name: 'two unique tables named',
      sql: "INSERT INTO DataManagerSQLiteConfigXPO (TableName) VALUES ('other')",
      code: 'CORRUPT_DATA',
      message: /Found > 1 unique tables/,
    },
    { name: 'no tiles', sql: `DELETE FROM "${SAKURA_TABLE}" WHERE id LIKE 'T;%'`, code: 'CORRUPT_DATA', message: /Couldn't find any tiles/ },
  ];
  for (const c of sqlCases) {
    test(c.name, () => withSlide({ tamper: c.sql }, (path) => assertOpenRefused(engine, path, c.code, c.message)));
  }

  test('another SQLite database is not a slide', () =>
    withSlide({ tamper: 'DROP TABLE DataManagerSQLiteConfigXPO' }, (path) => assertOpenRefused(engine, path, 'NOT_A_SLIDE', /not a slide/)));

  test('a database cut in half', () =>
    withSlide({}, async (path) => {
      const size = (await readFile(path)).length;
      await truncate(path, Math.floor(size / 2));
      await assert.rejects(
        async () => {
          const { slideId, info } = await openSlide(engine, path);
          // Opening may succeed when the schema and index survive: the tiles then fail, typed.
          await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: info.levels[0]!.width, height: info.levels[0]!.height });
        },
        (error: unknown) => error instanceof SlideError && error.code === 'CORRUPT_DATA',
      );
    }));

  // The unique table's root page, patched (its index too, so that the table must be scanned).
  const pageCases: Array<{ name: string; patch: (page: DataView, root: number) => void; message: RegExp }> = [
    { name: 'a table page whose child is itself (a loop)', patch: (page, root) => page.setUint32(page.getUint16(12), root), message: /loops|deeper than any/ },
    { name: 'a table page whose child lies past the file', patch: (page) => page.setUint32(page.getUint16(12), 0x7fffff00), message: /outside the file/ },
    { name: 'a table page declaring 60000 cells', patch: (page) => page.setUint16(3, 60000), message: /declares 60000 cells/ },
  ];
  for (const c of pageCases) {
    test(c.name, () =>
      withSlide({}, async (path) => {
        const bytes = await readFile(path);
        for (const name of [SAKURA_TABLE, `sqlite_autoindex_${SAKURA_TABLE}_1`]) {
          const { root, pageSize } = rootPage(path, name);
          const page = new DataView(bytes.buffer, bytes.byteOffset + (root - 1) * pageSize, pageSize);
          assert.ok(page.getUint8(0) === 5 || page.getUint8(0) === 2, `the root of ${name} is an interior page`);
          c.patch(page, root);
        }
        await writeFile(path, bytes);
        await assertOpenRefused(engine, path, 'CORRUPT_DATA', c.message);
      }),
    );
  }

  test('a broken index on id: the table is scanned instead', () =>
    withSlide({}, async (path) => {
      const { root, pageSize } = rootPage(path, `sqlite_autoindex_${SAKURA_TABLE}_1`);
      const bytes = await readFile(path);
      new DataView(bytes.buffer, bytes.byteOffset + (root - 1) * pageSize, pageSize).setUint16(3, 60000);
      await writeFile(path, bytes);
      const { slideId } = await openSlide(engine, path);
      await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 300, height: 300 });
    }));
});
