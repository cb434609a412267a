// MIRAX's Index.dat, read as OpenSlide 3.4.1 reads it: "01.02" and the slide id, then two roots -
// the hierarchical one (a table with a list per zoom level: pages of records, each an image index,
// an offset, a length and a data file number, chained by "next" pointers) and the
// non-hierarchical one (a table of single records: the camera positions, the associated images).
// Every pointer is checked against the file before it is followed, and a chain of pages that comes
// back on itself is refused (OpenSlide would follow it for ever).

const VERSION = '01.02';
const RECORD_BYTES = 16;

/** Where an image (or any record's data) lies: a data file, an offset and a length in it. */
export interface MiraxRecord {
  fileno: number;
  offset: number;
  length: number;
}

/** One image of a zoom level: its index in level 0's grid of images (row-major), and its bytes. */
export interface MiraxImageRecord extends MiraxRecord {
  index: number;
}

/** An index record's fields, as messages name them. */
const INDEX_FIELDS = { index: 'number in the grid', offset: 'offset in its data file', length: 'length', fileno: 'data file number' } as const;

/** An Index.dat OpenSlide refuses, or that points outside itself: the reason. */
export class MiraxIndexError extends Error {}

export class MiraxIndex {
  private readonly view: DataView;

  private constructor(
    private readonly bytes: Uint8Array,
    /** Right after the version and the slide id (counted in bytes, as OpenSlide's strlen does). */
    private readonly hierRoot: number,
    private readonly dataFileCount: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Checks the version and the slide id (as bytes of the id's text, the way OpenSlide compares them). */
  static open(bytes: Uint8Array, slideId: string, dataFileCount: number): MiraxIndex {
    const expected = new TextEncoder().encode(VERSION + slideId);
    const head = bytes.subarray(0, expected.length);
    if (head.length < VERSION.length || !head.subarray(0, VERSION.length).every((b, i) => b === expected[i])) {
      throw new MiraxIndexError("Index.dat doesn't have expected version");
    }
    if (head.length < expected.length || !head.every((b, i) => b === expected[i]))
      throw new MiraxIndexError("Index.dat doesn't have a matching slide identifier");
    return new MiraxIndex(bytes, expected.length, dataFileCount);
  }

  private int32(at: number, what: string): number {
    if (at < 0 || at + 4 > this.bytes.length)
      throw new MiraxIndexError(`${what} lies beyond the end of Index.dat (offset ${at} of ${this.bytes.length} bytes)`);
    return this.view.getInt32(at, true);
  }

  /** A pointer read at `at`: OpenSlide reads -1 as a failed read. */
  private pointer(at: number, what: string): number {
    const p = this.int32(at, what);
    if (p === -1) throw new MiraxIndexError(`Can't read ${what}`);
    return p;
  }

  /**
   * The records of each of the first `levels` zoom levels, in file order. Each record is 16 bytes
   * of the file: more of them, all levels together, than the file can hold means pages overlap.
   */
  zoomLevelRecords(levels: number): MiraxImageRecord[][] {
    const table = this.pointer(this.hierRoot, 'initial pointer');
    const out: MiraxImageRecord[][] = [];
    let budget = Math.floor(this.bytes.length / RECORD_BYTES);
    for (let level = 0; level < levels; level++) {
      const head = this.pointer(table + 4 * level, `zoom level pointer ${level}`);
      if (this.int32(head, `zoom level ${level}'s list`) !== 0) throw new MiraxIndexError('Expected 0 value at beginning of data page');
      let page = this.pointer(head + 4, 'initial data page pointer');
      const records: MiraxImageRecord[] = [];
      const seen = new Set<number>();
      for (;;) {
        if (seen.has(page)) throw new MiraxIndexError(`zoom level ${level}'s pages come back to the page at offset ${page}: the list loops`);
        seen.add(page);
        const count = this.pointer(page, 'page length');
        const next = this.pointer(page + 4, '"next" pointer');
        if (count < 0 || page + 8 + count * RECORD_BYTES > this.bytes.length) {
          throw new MiraxIndexError(`a page of zoom level ${level} declares ${count} records, more than Index.dat holds`);
        }
        budget -= count;
        if (budget < 0) throw new MiraxIndexError('its pages declare more records than Index.dat holds: they overlap');
        for (let i = 0; i < count; i++) {
          const at = page + 8 + i * RECORD_BYTES;
          const record = {
            index: this.view.getInt32(at, true),
            offset: this.view.getInt32(at + 4, true),
            length: this.view.getInt32(at + 8, true),
            fileno: this.view.getInt32(at + 12, true),
          };
          const negative = (['index', 'offset', 'length', 'fileno'] as const).find((field) => record[field] < 0);
          if (negative) throw new MiraxIndexError(`an image's ${INDEX_FIELDS[negative]} is ${record[negative]}, below 0`);
          if (record.fileno >= this.dataFileCount)
            throw new MiraxIndexError(`an image is in data file ${record.fileno}, where Slidedat.ini lists ${this.dataFileCount} (Invalid fileno)`);
          records.push(record);
        }
        if (next === 0) break;
        page = next;
      }
      out.push(records);
    }
    return out;
  }

  /** Non-hierarchical record `n`: one data page of one item. */
  nonhierRecord(n: number): MiraxRecord {
    const table = this.pointer(this.hierRoot + 4, 'initial nonhier pointer');
    const record = this.pointer(table + 4 * n, `nonhier record ${n}`);
    if (this.int32(record, `nonhier record ${n}`) !== 0) throw new MiraxIndexError('Expected 0 value at beginning of data page');
    const page = this.pointer(record + 4, 'initial data page pointer');
    if (this.int32(page, 'data page') !== 1) throw new MiraxIndexError('Expected 1 value');
    // The next-page pointer (sometimes 1253, for reasons unknown), then two zeroes.
    this.int32(page + 4, 'data page');
    if (this.int32(page + 8, 'data page') !== 0) throw new MiraxIndexError('Expected second 0 value');
    if (this.int32(page + 12, 'data page') !== 0) throw new MiraxIndexError('Expected third 0 value');
    const offset = this.pointer(page + 16, 'position');
    const length = this.pointer(page + 20, 'size');
    const fileno = this.pointer(page + 24, 'fileno');
    if (fileno < 0 || fileno >= this.dataFileCount) throw new MiraxIndexError(`Invalid fileno ${fileno}`);
    if (offset < 0 || length < 0) throw new MiraxIndexError(`nonhier record ${n} has offset ${offset} and size ${length}`);
    return { fileno, offset, length };
  }
}
