// A read-only reader of SQLite 3 database files, page by page, for Sakura's .svslide: a slide can
// be gigabytes, and sql.js (the kept SQLite library) needs the whole database in memory - in every
// engine lane that holds the slide - so only the pages a query needs are read here: the schema,
// the small tables, the tile table, and per tile an index search and the blob's overflow chain.
//
// What is read (https://www.sqlite.org/fileformat2.html): the header (page size, reserved bytes,
// UTF-8 text), table B-trees (scanned in rowid order or searched by rowid), index B-trees searched
// for a text key, records and their overflow pages. Every page number is checked against the file,
// every tree walk is bounded in depth and cut where it loops, and every size is checked before
// anything is allocated for it. WITHOUT ROWID tables and UTF-16 databases are refused.

import { SlideError } from '../../errors';
import type { SlideFile } from '../../slide-file';

export type SqlValue = null | number | string | Uint8Array;

/** A database this reader cannot or will not read: the reason. */
export class SqliteError extends Error {}

const HEADER = 'SQLite format 3\0';
const TABLE_INTERIOR = 5;
const TABLE_LEAF = 13;
const INDEX_INTERIOR = 2;
const INDEX_LEAF = 10;
/** B-trees deeper than this are not real: a 4 KB-page tree of depth 20 holds more rows than any disk. */
const MAX_DEPTH = 20;
/** Interior pages (and page 1) kept decoded; leaves and overflow pages are read as needed. */
const PAGE_CACHE = 512;
/** A record header larger than this is not Sakura's (tables of a few columns). */
const MAX_RECORD_HEADER = 64 * 1024;

interface Cell {
  /** Table b-trees: the rowid (leaf) or the key (interior). */
  rowid: number;
  /** Interior pages: the left child. */
  child: number;
  payload: Payload | null;
}

interface Page {
  type: number;
  cells: Cell[];
  /** Interior pages: the right-most child. */
  right: number;
}

export class SqliteFile {
  private readonly pageSize: number;
  private readonly usable: number;
  private readonly pageCount: number;
  private readonly cache = new Map<number, Promise<Page>>();

  private constructor(
    private readonly file: SlideFile,
    pageSize: number,
    reserved: number,
  ) {
    this.pageSize = pageSize;
    this.usable = pageSize - reserved;
    this.pageCount = Math.floor(file.size / pageSize);
  }

  /** Whether the first bytes are SQLite's header. */
  static isSqlite(head: Uint8Array): boolean {
    return head.length >= 16 && new TextDecoder('latin1').decode(head.subarray(0, 16)) === HEADER;
  }

  static async open(file: SlideFile): Promise<SqliteFile> {
    const head = await file.read(0, Math.min(100, file.size), 'The database header');
    if (head.length < 100 || !SqliteFile.isSqlite(head)) throw new SqliteError('it is not an SQLite 3 database');
    const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
    const raw = view.getUint16(16);
    const pageSize = raw === 1 ? 65536 : raw;
    if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw new SqliteError(`its page size (${raw}) is not one SQLite writes`);
    const reserved = head[20]!;
    if (pageSize - reserved < 480) throw new SqliteError('its pages reserve too many bytes');
    if (view.getUint32(56) > 1) throw new SqliteError('its text is UTF-16; only UTF-8 databases are read');
    return new SqliteFile(file, pageSize, reserved);
  }

  private async rawPage(n: number): Promise<Uint8Array> {
    if (!Number.isInteger(n) || n < 1 || n > this.pageCount) throw new SqliteError(`a page number (${n}) points outside the file's ${this.pageCount} pages`);
    return this.file.read((n - 1) * this.pageSize, this.pageSize, `Database page ${n}`);
  }

  /** A b-tree page, decoded (interior ones cached). */
  private page(n: number): Promise<Page> {
    const cached = this.cache.get(n);
    if (cached) return cached;
    const decoded = this.rawPage(n).then((bytes) => this.decodePage(n, bytes));
    decoded
      .then((page) => {
        if (page.type !== TABLE_INTERIOR && page.type !== INDEX_INTERIOR) this.cache.delete(n);
      })
      .catch(() => this.cache.delete(n));
    this.cache.set(n, decoded);
    if (this.cache.size > PAGE_CACHE) this.cache.delete(this.cache.keys().next().value!);
    return decoded;
  }

  private decodePage(n: number, bytes: Uint8Array): Page {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const base = n === 1 ? 100 : 0;
    const type = bytes[base]!;
    if (type !== TABLE_INTERIOR && type !== TABLE_LEAF && type !== INDEX_INTERIOR && type !== INDEX_LEAF)
      throw new SqliteError(`page ${n} is not a b-tree page (type ${type})`);
    const interior = type === TABLE_INTERIOR || type === INDEX_INTERIOR;
    const count = view.getUint16(base + 3);
    const headerSize = interior ? 12 : 8;
    if (base + headerSize + 2 * count > this.usable) throw new SqliteError(`page ${n} declares ${count} cells, more than it holds`);
    const cells: Cell[] = [];
    for (let i = 0; i < count; i++) {
      let at = view.getUint16(base + headerSize + 2 * i);
      // An interior cell starts with its 4-byte child page number: it too must lie within the page.
      if (at < base + headerSize || at + (interior ? 4 : 1) > this.usable) throw new SqliteError(`a cell of page ${n} lies outside it`);
      let child = 0;
      if (interior) {
        child = view.getUint32(at);
        at += 4;
      }
      if (type === TABLE_INTERIOR) {
        cells.push({ rowid: readVarint(bytes, at, this.usable, n).value, child, payload: null });
        continue;
      }
      const size = readVarint(bytes, at, this.usable, n);
      at = size.next;
      let rowid = 0;
      if (type === TABLE_LEAF) {
        const r = readVarint(bytes, at, this.usable, n);
        rowid = r.value;
        at = r.next;
      }
      cells.push({ rowid, child, payload: this.payload(bytes, at, size.value, type === TABLE_LEAF, n) });
    }
    return { type, cells, right: interior ? view.getUint32(base + 8) : 0 };
  }

  /** A cell's payload: its local bytes, and where the rest begins (SQLite's local-size rule). */
  private payload(bytes: Uint8Array, at: number, size: number, tableLeaf: boolean, n: number): Payload {
    const u = this.usable;
    const maxLocal = tableLeaf ? u - 35 : Math.floor(((u - 12) * 64) / 255) - 23;
    const minLocal = Math.floor(((u - 12) * 32) / 255) - 23;
    let local = size;
    if (size > maxLocal) {
      const k = minLocal + ((size - minLocal) % (u - 4));
      local = k <= maxLocal ? k : minLocal;
    }
    if (at + local + (local < size ? 4 : 0) > u) throw new SqliteError(`a cell of page ${n} runs past the page`);
    const first = local < size ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + local) : 0;
    return new Payload(this, size, bytes.subarray(at, at + local), first);
  }

  /** The content bytes of overflow page `n` and the next page's number (0: none). */
  async overflowPage(n: number): Promise<{ data: Uint8Array; next: number }> {
    const bytes = await this.rawPage(n);
    return { data: bytes.subarray(4, this.usable), next: new DataView(bytes.buffer, bytes.byteOffset).getUint32(0) };
  }

  /** Every row of a table b-tree, in rowid order. */
  async *scan(root: number): AsyncGenerator<{ rowid: number; payload: Payload }> {
    const seen = new Set<number>();
    const walk = async function* (this: SqliteFile, n: number, depth: number): AsyncGenerator<{ rowid: number; payload: Payload }> {
      if (depth > MAX_DEPTH) throw new SqliteError('a table b-tree is deeper than any database');
      if (seen.has(n)) throw new SqliteError(`a table b-tree comes back to page ${n}: it loops`);
      seen.add(n);
      const page = await this.page(n);
      if (page.type === TABLE_LEAF) {
        for (const cell of page.cells) yield { rowid: cell.rowid, payload: cell.payload! };
        return;
      }
      if (page.type !== TABLE_INTERIOR) throw new SqliteError(`page ${n} is not a table b-tree page`);
      for (const cell of page.cells) yield* walk.call(this, cell.child, depth + 1);
      yield* walk.call(this, page.right, depth + 1);
    };
    yield* walk.call(this, root, 0);
  }

  /** The row of a table b-tree with this rowid, or null. */
  async row(root: number, rowid: number): Promise<Payload | null> {
    let n = root;
    for (let depth = 0; depth <= MAX_DEPTH; depth++) {
      const page = await this.page(n);
      if (page.type === TABLE_LEAF) return page.cells.find((c) => c.rowid === rowid)?.payload ?? null;
      if (page.type !== TABLE_INTERIOR) throw new SqliteError(`page ${n} is not a table b-tree page`);
      // The first cell whose key is at least the rowid leads to it; past them all, the right child.
      n = page.cells.find((c) => rowid <= c.rowid)?.child ?? page.right;
    }
    throw new SqliteError('a table b-tree is deeper than any database (or loops)');
  }

  /** Every entry of an index b-tree, in key order (interior pages hold entries too). */
  async *scanIndex(root: number): AsyncGenerator<Payload> {
    const seen = new Set<number>();
    const walk = async function* (this: SqliteFile, n: number, depth: number): AsyncGenerator<Payload> {
      if (depth > MAX_DEPTH) throw new SqliteError('an index b-tree is deeper than any database');
      if (seen.has(n)) throw new SqliteError(`an index b-tree comes back to page ${n}: it loops`);
      seen.add(n);
      const page = await this.page(n);
      if (page.type !== INDEX_LEAF && page.type !== INDEX_INTERIOR) throw new SqliteError(`page ${n} is not an index b-tree page`);
      for (const cell of page.cells) {
        if (page.type === INDEX_INTERIOR) yield* walk.call(this, cell.child, depth + 1);
        yield cell.payload!;
      }
      if (page.type === INDEX_INTERIOR) yield* walk.call(this, page.right, depth + 1);
    };
    yield* walk.call(this, root, 0);
  }

  /** The rowids an index b-tree gives for a text key in its first column (BINARY collation). */
  async indexLookup(root: number, key: string): Promise<number[]> {
    const wanted = new TextEncoder().encode(key);
    const found: number[] = [];
    const seen = new Set<number>();
    const search = async (n: number, depth: number): Promise<void> => {
      if (depth > MAX_DEPTH) throw new SqliteError('an index b-tree is deeper than any database');
      if (seen.has(n)) throw new SqliteError(`an index b-tree comes back to page ${n}: it loops`);
      seen.add(n);
      const page = await this.page(n);
      if (page.type !== INDEX_LEAF && page.type !== INDEX_INTERIOR) throw new SqliteError(`page ${n} is not an index b-tree page`);
      for (const cell of page.cells) {
        const values = await cell.payload!.record();
        const order = compareKey(wanted, values[0] ?? null);
        if (order === 0) found.push(Number(values[values.length - 1]));
        if (order <= 0) {
          if (page.type === INDEX_INTERIOR) await search(cell.child, depth + 1);
          if (order < 0) return;
        }
      }
      if (page.type === INDEX_INTERIOR) await search(page.right, depth + 1);
    };
    await search(root, 0);
    return found;
  }
}

/** Orders a text key against an index's value: numbers before text before blobs (BINARY: bytes). */
function compareKey(key: Uint8Array, value: SqlValue): number {
  if (value === null || typeof value === 'number') return 1;
  if (value instanceof Uint8Array) return -1;
  const other = new TextEncoder().encode(value);
  const n = Math.min(key.length, other.length);
  for (let i = 0; i < n; i++) if (key[i] !== other[i]) return key[i]! - other[i]!;
  return key.length - other.length;
}

function readVarint(bytes: Uint8Array, at: number, end: number, page: number): { value: number; next: number } {
  let value = 0;
  for (let i = 0; i < 9; i++) {
    if (at + i >= end) throw new SqliteError(`a number in page ${page} runs past the page`);
    const b = bytes[at + i]!;
    if (i === 8) return { value: value * 256 + b, next: at + 9 };
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) return { value, next: at + i + 1 };
  }
  throw new SqliteError('unreachable');
}

/** A cell's payload: its local bytes and its overflow chain, read as far as needed. */
export class Payload {
  constructor(
    private readonly db: SqliteFile,
    readonly size: number,
    private readonly local: Uint8Array,
    private readonly firstOverflow: number,
  ) {}

  /** Bytes [start, end) of the payload, following the overflow chain as far as end. */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    if (start < 0 || end > this.size || start > end) throw new SqliteError('a record reaches past its payload');
    if (end <= this.local.length) return this.local.subarray(start, end);
    const out = new Uint8Array(end - start);
    let have = Math.max(0, this.local.length - start);
    if (have > 0) out.set(this.local.subarray(start));
    let offset = this.local.length;
    let page = this.firstOverflow;
    const maxPages = Math.ceil((this.size - this.local.length) / 16) + 1;
    for (let pages = 0; offset < end; pages++) {
      if (page === 0 || pages > maxPages) throw new SqliteError('an overflow chain ends (or loops) before its payload does');
      const { data, next } = await this.db.overflowPage(page);
      const from = Math.max(start, offset);
      const to = Math.min(end, offset + data.length);
      if (to > from) {
        out.set(data.subarray(from - offset, to - offset), have);
        have += to - from;
      }
      offset += data.length;
      page = next;
    }
    return out;
  }

  /** The record's values; `columns` limits which are read (the rest are null). */
  async record(columns?: ReadonlySet<number>): Promise<SqlValue[]> {
    const first = await this.bytes(0, Math.min(this.size, 9));
    const { value: headerSize, next } = readVarint(first, 0, first.length, 0);
    if (headerSize > MAX_RECORD_HEADER || headerSize > this.size || headerSize < next) throw new SqliteError('a record header is not one');
    const header = await this.bytes(0, headerSize);
    const types: number[] = [];
    for (let at = next; at < headerSize; ) {
      const t = readVarint(header, at, headerSize, 0);
      types.push(t.value);
      at = t.next;
    }
    const values: SqlValue[] = [];
    let offset = headerSize;
    for (const [i, type] of types.entries()) {
      const length = serialLength(type);
      if (offset + length > this.size) throw new SqliteError('a record value reaches past its payload');
      values.push(columns && !columns.has(i) ? null : decodeValue(type, await this.bytes(offset, offset + length)));
      offset += length;
    }
    return values;
  }
}

function serialLength(type: number): number {
  if (type >= 12) return Math.floor((type - 12) / 2);
  return [0, 1, 2, 3, 4, 6, 8, 8, 0, 0, 0, 0][type] ?? 0;
}

function decodeValue(type: number, bytes: Uint8Array): SqlValue {
  if (type === 0 || type === 10 || type === 11) return null;
  if (type === 8) return 0;
  if (type === 9) return 1;
  if (type === 7) return new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0);
  if (type <= 6) {
    // A big-endian two's complement integer (exact within 2^53).
    let unsigned = 0;
    for (const b of bytes) unsigned = unsigned * 256 + b;
    return bytes[0]! & 0x80 ? unsigned - 2 ** (8 * bytes.length) : unsigned;
  }
  if (type % 2 === 0) return bytes.slice();
  return new TextDecoder().decode(bytes);
}

/** A database error as the slide's CORRUPT_DATA. */
export function databaseError(error: unknown, path: string): unknown {
  return error instanceof SqliteError ? new SlideError('CORRUPT_DATA', `This Sakura slide's database is unreadable: ${error.message}.`, path) : error;
}
