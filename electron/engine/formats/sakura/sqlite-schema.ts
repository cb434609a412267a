// The tables of an SQLite database (sqlite_master on page 1) with their columns as their CREATE
// TABLE statements declare them, and rows read by column name. An INTEGER PRIMARY KEY column is the
// rowid (its stored value is NULL). Names are matched as SQLite matches them: without case.

import { type Payload, SqliteError, type SqliteFile, type SqlValue } from './sqlite-file';

/** Rows a table may give one query (Sakura's tile table: three per tile). */
export const MAX_ROWS = 10_000_000;

export interface SqliteTable {
  name: string;
  root: number;
  /** Column names, lower-cased, in order. */
  columns: string[];
  /** The INTEGER PRIMARY KEY column (the rowid), or -1. */
  rowidColumn: number;
  /** Index b-tree roots on this table. */
  indexes: number[];
}

export type Row = Record<string, SqlValue>;

export class SqliteSchema {
  private constructor(
    readonly db: SqliteFile,
    private readonly tables: ReadonlyMap<string, SqliteTable>,
  ) {}

  static async read(db: SqliteFile): Promise<SqliteSchema> {
    const tables = new Map<string, SqliteTable>();
    const indexes: Array<{ table: string; root: number }> = [];
    let rows = 0;
    for await (const { payload } of db.scan(1)) {
      if (++rows > 100_000) throw new SqliteError('its schema has more than 100000 entries');
      const [type, name, table, root, sql] = await payload.record();
      if (typeof name !== 'string' || typeof table !== 'string' || typeof root !== 'number') continue;
      if (type === 'table' && typeof sql === 'string') {
        // A table this reader cannot read (WITHOUT ROWID, an odd statement) is none of Sakura's.
        try {
          tables.set(name.toLowerCase(), { name, root, ...tableColumns(sql), indexes: [] });
        } catch (error) {
          if (!(error instanceof SqliteError)) throw error;
        }
      } else if (type === 'index' && root > 0) {
        indexes.push({ table: table.toLowerCase(), root });
      }
    }
    for (const index of indexes) tables.get(index.table)?.indexes.push(index.root);
    return new SqliteSchema(db, tables);
  }

  table(name: string): SqliteTable | undefined {
    return this.tables.get(name.toLowerCase());
  }

  /** A table SQLite would find for this name, or an error saying it has none. */
  require(name: string): SqliteTable {
    const table = this.table(name);
    if (!table) throw new SqliteError(`it has no table ${name}`);
    return table;
  }

  /** Rows of a table in rowid order, as columns by (lower-cased) name; only `columns` are read. */
  async *rows(table: SqliteTable, columns: readonly string[]): AsyncGenerator<Row> {
    const wanted = columns.map((c) => {
      const i = table.columns.indexOf(c.toLowerCase());
      if (i === -1) throw new SqliteError(`its table ${table.name} has no column ${c}`);
      return i;
    });
    let count = 0;
    for await (const { rowid, payload } of this.db.scan(table.root)) {
      if (++count > MAX_ROWS) throw new SqliteError(`its table ${table.name} has more than ${MAX_ROWS} rows`);
      yield rowOf(table, rowid, await payload.record(new Set(wanted)), columns, wanted);
    }
  }

  /** The row with this rowid, or null; a row of more than maxBytes is refused before it is read. */
  async row(table: SqliteTable, rowid: number, columns: readonly string[], maxBytes = Number.POSITIVE_INFINITY): Promise<Row | null> {
    const payload: Payload | null = await this.db.row(table.root, rowid);
    if (!payload) return null;
    if (payload.size > maxBytes) throw new SqliteError(`a row of ${table.name} is ${payload.size} bytes, more than it can hold`);
    const wanted = columns.map((c) => table.columns.indexOf(c.toLowerCase()));
    if (wanted.includes(-1)) throw new SqliteError(`its table ${table.name} has no column ${columns[wanted.indexOf(-1)]}`);
    return rowOf(table, rowid, await payload.record(new Set(wanted)), columns, wanted);
  }
}

function rowOf(table: SqliteTable, rowid: number, values: SqlValue[], columns: readonly string[], wanted: readonly number[]): Row {
  const row: Row = {};
  columns.forEach((c, k) => {
    const i = wanted[k]!;
    // A column missing from a short record has its default: NULL here.
    row[c.toLowerCase()] = i === table.rowidColumn ? rowid : (values[i] ?? null);
  });
  return row;
}

const TABLE_CONSTRAINTS = /^(constraint|primary|unique|check|foreign)\b/i;

/** Column names (lower-cased) and the INTEGER PRIMARY KEY column of a CREATE TABLE statement. */
export function tableColumns(sql: string): { columns: string[]; rowidColumn: number } {
  const open = sql.indexOf('(');
  const close = sql.lastIndexOf(')');
  if (open === -1 || close < open) throw new SqliteError('a table has no column list');
  if (/\)\s*without\s+rowid\s*;?\s*$/i.test(sql)) throw new SqliteError('a table is WITHOUT ROWID, which this reader does not read');
  const body = sql.slice(open + 1, close);
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '[') quote = ']';
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(body.slice(start));
  const columns: string[] = [];
  let rowidColumn = -1;
  const types: string[] = [];
  let tablePrimaryKey: string | null = null;
  for (const raw of parts) {
    const def = raw.trim();
    if (TABLE_CONSTRAINTS.test(def)) {
      const pk = /^(?:constraint\s+\S+\s+)?primary\s+key\s*\(\s*([^,)]+?)\s*\)/i.exec(def);
      if (pk) tablePrimaryKey = unquote(pk[1]!.replace(/\s+(asc|desc)$/i, ''));
      continue;
    }
    const name = /^("(?:[^"]|"")*"|\[[^\]]*\]|`[^`]*`|'[^']*'|\S+)\s*(.*)$/s.exec(def);
    if (!name) continue;
    const type = /^([a-z_]\w*(?:\s+[a-z_]\w*)*)/i.exec(
      name[2]!.replace(/\b(primary|not|null|unique|default|check|references|collate|constraint|generated)\b.*$/is, '').trim(),
    );
    columns.push(unquote(name[1]!));
    types.push((type?.[1] ?? '').toUpperCase());
    if (/\bprimary\s+key\b/i.test(name[2]!) && types.at(-1) === 'INTEGER' && !/\bprimary\s+key\s+desc\b/i.test(name[2]!)) rowidColumn = columns.length - 1;
  }
  if (tablePrimaryKey !== null) {
    const i = columns.indexOf(tablePrimaryKey);
    if (i !== -1 && types[i] === 'INTEGER') rowidColumn = i;
  }
  return { columns, rowidColumn };
}

function unquote(name: string): string {
  const first = name[0];
  const inner = first === '"' || first === '`' || first === "'" ? name.slice(1, -1).replace(/""/g, '"') : first === '[' ? name.slice(1, -1) : name;
  return inner.toLowerCase();
}
