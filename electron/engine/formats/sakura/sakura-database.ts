// What OpenSlide 3.4.1 asks of a Sakura database (openslide-vendor-sakura.c), answered from its
// pages: the "unique table" DataManagerSQLiteConfigXPO names (id, data), whose ids are found
// through its index on id (a search per tile rather than SQLite's scan), its magic bytes, its
// header, every id (for the levels), and the metadata tables' rows.

import { SqliteError, type SqliteFile, type SqlValue } from './sqlite-file';
import { type Row, SqliteSchema, type SqliteTable } from './sqlite-schema';

export const SAKURA_MAGIC = 'SVGigaPixelImage';

export class SakuraDatabase {
  private constructor(
    readonly schema: SqliteSchema,
    private readonly unique: SqliteTable,
    /** The unique table's index on id, when it has one (SQLite's for "id TEXT PRIMARY KEY"). */
    private readonly idIndex: number | null,
  ) {}

  /** Finds the unique table and checks its magic bytes (OpenSlide's detect); null when it is not Sakura's. */
  static async open(db: SqliteFile): Promise<SakuraDatabase | null> {
    const schema = await SqliteSchema.read(db);
    const config = schema.table('DataManagerSQLiteConfigXPO');
    if (!config?.columns.includes('tablename')) return null;
    const names: SqlValue[] = [];
    for await (const row of schema.rows(config, ['TableName'])) {
      names.push(row.tablename ?? null);
      if (names.length > 1) throw new SqliteError('Found > 1 unique tables');
    }
    const name = names[0];
    if (typeof name !== 'string') return null;
    const unique = schema.table(name);
    if (!(unique?.columns.includes('id') && unique.columns.includes('data'))) return null;
    // The index on id: the one whose search finds the magic row.
    for (const root of unique.indexes) {
      const probe = new SakuraDatabase(schema, unique, root);
      const magic = await probe.data('++MagicBytes').catch(() => undefined);
      if (magic !== undefined) return textOf(magic) === SAKURA_MAGIC ? probe : null;
    }
    const scanning = new SakuraDatabase(schema, unique, null);
    return textOf((await scanning.data('++MagicBytes')) ?? null) === SAKURA_MAGIC ? scanning : null;
  }

  /** The data of the unique table's first row with this id; undefined when there is none. A row over maxBytes is refused. */
  async data(id: string, maxBytes = Number.POSITIVE_INFINITY): Promise<SqlValue | undefined> {
    if (this.idIndex !== null) {
      for (const rowid of await this.schema.db.indexLookup(this.idIndex, id)) {
        const row = await this.schema.row(this.unique, rowid, ['id', 'data'], maxBytes);
        if (row && row.id === id) return row.data ?? null;
      }
      return undefined;
    }
    for await (const row of this.schema.rows(this.unique, ['id', 'data'])) if (row.id === id) return row.data ?? null;
    return undefined;
  }

  /** Every id of the unique table (from its index when it has one: no tile data is read). */
  async *ids(): AsyncGenerator<string> {
    if (this.idIndex !== null) {
      for await (const entry of this.schema.db.scanIndex(this.idIndex)) {
        const [id] = await entry.record(new Set([0]));
        if (typeof id === 'string') yield id;
      }
      return;
    }
    for await (const row of this.schema.rows(this.unique, ['id'])) if (typeof row.id === 'string') yield row.id;
  }

  /** The rows of a metadata table, or none when the database lacks it. */
  async rows(table: string, columns: readonly string[]): Promise<Row[]> {
    const t = this.schema.table(table);
    if (!t || columns.some((c) => !t.columns.includes(c.toLowerCase()))) return [];
    const out: Row[] = [];
    for await (const row of this.schema.rows(t, columns)) out.push(row);
    return out;
  }
}

/** sqlite3_column_text: a value as text (a blob's bytes up to a NUL, numbers as SQLite prints them). */
export function textOf(value: SqlValue): string | null {
  if (value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  const nul = value.indexOf(0);
  return new TextDecoder().decode(nul === -1 ? value : value.subarray(0, nul));
}

/** sqlite3_column_double: numbers as they are, text read as a number (0 when it is not one). */
export function doubleOf(value: SqlValue): number {
  if (typeof value === 'number') return value;
  const text = value === null ? '' : textOf(value)!;
  const match = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text);
  return match ? Number.parseFloat(match[0]) : 0;
}
