// Where an instance's frames are, read past its header in pieces: the per-frame functional groups
// (each item parsed on its own with dicom-parser and dropped, keeping only the frame's position in
// the total pixel matrix), then the pixel data - native frames at fixed strides, or encapsulated
// ones located by the Extended Offset Table, the Basic Offset Table, or a scan of the fragments'
// item headers. Every offset and length is checked against the file's size before it is used.

import { SlideError } from '../../errors';
import type { SlideFile } from '../../slide-file';
import { tagKey } from './dicom-dictionary';
import { readElements } from './dicom-elements';
import { frameOfSpan, ITEM, joined, SEQUENCE_END, tagAt } from './dicom-fragments';
import { type DicomInstance, PER_FRAME_GROUPS, PIXEL_DATA, Tag } from './dicom-instance';
import type { DataSet } from './dicom-parser';

const ITEM_END = 0xfffee00d;
const UNDEFINED = 0xffffffff;
/** A per-frame functional groups item (a frame's description) larger than this is refused. */
const MAX_ITEM_BYTES = 1024 * 1024;
/** Room in a frame's span, past its most bytes, for its items' headers (1024 fragments). */
export const SPAN_HEADERS_BYTES = 8 * 1024;
/** An Extended Offset Table (8 bytes a frame) larger than this is refused. */
const MAX_TABLE_BYTES = 64 * 1024 * 1024;

export interface FrameLayoutRequest {
  /** The frames the header declares. */
  frames: number;
  /** Bytes of one native frame. */
  frameBytes: number;
  /** Most bytes one encapsulated frame may hold. */
  maxFrameBytes: number;
  /** Keep each frame's position (TILED_SPARSE). */
  positions: boolean;
  /** The two bytes that start a frame of this codec (FFD8, FF4F): tells frames apart among fragments. */
  frameStart: readonly [number, number] | null;
}

export interface FrameLayout {
  /** Each frame's top-left pixel in the total pixel matrix (0-based), -1 where the file gives none. */
  positions: { x: Int32Array; y: Int32Array } | null;
  readonly count: number;
  read(index: number): Promise<Uint8Array>;
  /**
   * Where an encapsulated frame's items lie in the file (their headers included), for a reader of
   * its own; null for native frames, and for the last frame when only reading finds its end.
   */
  span(index: number): { offset: number; count: number } | null;
}

export async function readFrameLayout(instance: DicomInstance, request: FrameLayoutRequest): Promise<FrameLayout> {
  const { file, explicit } = instance;
  const corrupt = (message: string) => new SlideError('CORRUPT_DATA', message, file.path);
  let offset = instance.restOffset;
  let positions: FrameLayout['positions'] = null;
  const tables = new Map<number, Uint8Array>();
  // The elements after the header, one at a time: dicom-parser reads OV (the Extended Offset
  // Table's VR) with a 2-byte length, so these few are read here.
  for (;;) {
    const head = await file.source.readChunk(offset, 8);
    if (head.length < 8) throw corrupt('The file ends before its pixel data: it is truncated.');
    const tag = tagAt(head, 0);
    if (tag === PIXEL_DATA) break;
    if (tag === PER_FRAME_GROUPS) {
      const walked = await walkPerFrameGroups(file, offset, explicit, request.frames, request.positions);
      positions = walked.positions;
      offset = walked.end;
      continue;
    }
    const element = await elementHeader(file, offset, explicit);
    if (element.length === UNDEFINED || element.value + element.length > file.size)
      throw corrupt(`Its ${hex(tag)} element, before the pixel data, runs past the end of the file.`);
    if (tag === Tag.ExtendedOffsetTable || tag === Tag.ExtendedOffsetTableLengths) {
      if (element.length > MAX_TABLE_BYTES) throw new SlideError('TOO_LARGE', 'Its Extended Offset Table is larger than 64 MB.', file.path);
      tables.set(tag, await file.read(element.value, element.length, 'The Extended Offset Table'));
    }
    offset = element.value + element.length;
  }
  const pixelData = await elementHeader(file, offset, explicit);
  if (pixelData.length !== UNDEFINED) {
    const end = pixelData.value + request.frames * request.frameBytes;
    if (end > pixelData.value + pixelData.length || end > file.size)
      throw corrupt(`Its pixel data holds fewer bytes than its ${request.frames} frames need: it is truncated.`);
    return {
      positions,
      count: request.frames,
      read: (index) => file.read(pixelData.value + index * request.frameBytes, request.frameBytes, `Frame ${index + 1}`),
      span: () => null,
    };
  }
  const spans = await encapsulatedSpans(file, pixelData.value, request, extendedOffsets(tables, request.frames));
  return { positions, count: request.frames, read: (index) => spans.read(index), span: (index) => spans.span(index) };
}

/** An element's header at `offset`: where its value starts and its length (UNDEFINED for an undefined length). */
async function elementHeader(file: SlideFile, offset: number, explicit: boolean): Promise<{ value: number; length: number }> {
  const h = await file.source.readChunk(offset, 12);
  if (h.length < 12) throw new SlideError('CORRUPT_DATA', 'The file ends inside its pixel data header: it is truncated.', file.path);
  const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
  if (!explicit) return { value: offset + 8, length: view.getUint32(4, true) };
  const vr = String.fromCharCode(h[4]!, h[5]!);
  const long = vr === 'OB' || vr === 'OW' || vr === 'SQ' || vr === 'UN' || vr === 'OV' || vr === 'OL' || vr === 'OD' || vr === 'OF' || vr === 'UT';
  return long ? { value: offset + 12, length: view.getUint32(8, true) } : { value: offset + 8, length: view.getUint16(6, true) };
}

/** Item header at `offset`: its tag and length. */
async function itemHeader(file: SlideFile, offset: number): Promise<{ tag: number; length: number }> {
  const h = await file.source.readChunk(offset, 8);
  if (h.length < 8) throw new SlideError('CORRUPT_DATA', 'The file ends inside its pixel data: it is truncated.', file.path);
  return { tag: tagAt(h, 0), length: new DataView(h.buffer, h.byteOffset, 8).getUint32(4, true) };
}

/**
 * Walks the per-frame functional groups from the sequence's element at `offset`, keeping each
 * frame's Plane Position (Slide) when asked. Returns where the sequence ends.
 */
async function walkPerFrameGroups(
  file: SlideFile,
  offset: number,
  explicit: boolean,
  frames: number,
  keep: boolean,
): Promise<{ end: number; positions: FrameLayout['positions'] }> {
  const corrupt = (message: string) => new SlideError('CORRUPT_DATA', `Its per-frame functional groups are damaged: ${message}.`, file.path);
  const header = await elementHeader(file, offset, explicit);
  const defined = header.length !== UNDEFINED;
  const end = defined ? header.value + header.length : file.size;
  if (end > file.size) throw corrupt('they run past the end of the file');
  if (defined && !keep) return { end, positions: null };
  const positions = keep ? { x: new Int32Array(frames).fill(-1), y: new Int32Array(frames).fill(-1) } : null;
  let at = header.value;
  for (let frame = 0; at < end; frame++) {
    const item = await itemHeader(file, at);
    if (item.tag === SEQUENCE_END) return { end: at + 8, positions };
    if (item.tag !== ITEM) throw corrupt(`a ${hex(item.tag)} element stands where an item should`);
    if (frame >= frames) throw corrupt(`they describe more than its ${frames} frames`);
    const read = await readItem(file, at + 8, item.length, explicit);
    if (!read) throw corrupt(`the item of frame ${frame + 1} is cut short or larger than ${MAX_ITEM_BYTES / 1024} KB`);
    if (positions) {
      const plane = read.dataSet.elements[tagKey(Tag.PlanePositionSlideSequence)]?.items?.[0]?.dataSet;
      const column = plane?.int32(tagKey(Tag.ColumnPositionInTotalImagePixelMatrix));
      const row = plane?.int32(tagKey(Tag.RowPositionInTotalImagePixelMatrix));
      // Positions are 1-based: the first pixel is (1, 1).
      if (column !== undefined && row !== undefined) {
        positions.x[frame] = column - 1;
        positions.y[frame] = row - 1;
      }
    }
    at = read.end;
  }
  if (defined && at !== end) throw corrupt('an item runs past the end of the sequence');
  if (!defined) throw corrupt('the sequence has no end');
  return { end, positions };
}

/** One item's elements, from its value at `start`; null when they do not fit MAX_ITEM_BYTES or the file. */
async function readItem(file: SlideFile, start: number, length: number, explicit: boolean): Promise<{ dataSet: DataSet; end: number } | null> {
  if (length !== UNDEFINED) {
    if (length > MAX_ITEM_BYTES || start + length > file.size) return null;
    const bytes = await file.source.readChunk(start, length);
    const run = readElements(bytes, 0, explicit, () => false);
    return run.kind === 'whole' ? { dataSet: run.dataSet, end: start + length } : null;
  }
  for (let size = 4096; size <= MAX_ITEM_BYTES; size *= 4) {
    const bytes = await file.source.readChunk(start, size);
    const run = readElements(bytes, 0, explicit, (tag) => tag === ITEM_END);
    if (run.kind === 'stopped') return { dataSet: run.dataSet, end: start + run.position + 8 };
    if (bytes.length < size) return null;
  }
  return null;
}

/** Reads encapsulated frames: each one's span of fragments (item headers included) in the file. */
type FrameSpans = Pick<FrameLayout, 'read' | 'span'>;

async function encapsulatedSpans(
  file: SlideFile,
  first: number,
  request: FrameLayoutRequest,
  extended: { offsets: Float64Array; lengths: Float64Array } | null,
): Promise<FrameSpans> {
  const corrupt = (message: string) => new SlideError('CORRUPT_DATA', message, file.path);
  const { frames } = request;
  const bot = await itemHeader(file, first);
  if (bot.tag !== ITEM) throw corrupt('Its encapsulated pixel data does not start with an offset table item.');
  if (bot.length % 4 !== 0 || first + 8 + bot.length > file.size) throw corrupt('Its Basic Offset Table is damaged.');
  const fragments = first + 8 + bot.length;
  const starts = new Float64Array(frames);
  /** Each frame's end, NaN where only reading tells (the last frame located by the Basic Offset Table). */
  const ends = new Float64Array(frames).fill(Number.NaN);

  if (extended) {
    for (let i = 0; i < frames; i++) {
      starts[i] = fragments + extended.offsets[i]!;
      ends[i] = starts[i]! + 8 + extended.lengths[i]!;
    }
    checkSpans(starts, ends, file, 'Extended Offset Table');
  } else if (bot.length > 0 && bot.length / 4 === frames) {
    const table = await file.read(first + 8, bot.length, 'The Basic Offset Table');
    const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
    for (let i = 0; i < frames; i++) starts[i] = fragments + view.getUint32(i * 4, true);
    for (let i = 0; i + 1 < frames; i++) ends[i] = starts[i + 1]!;
    checkSpans(starts, ends, file, 'Basic Offset Table');
    ends[frames - 1] = await lastFrameEnd(file, starts[frames - 1]!, request.maxFrameBytes);
  } else {
    await scanFragments(file, fragments, request, starts, ends);
  }

  return {
    async read(index) {
      const start = starts[index]!;
      const end = ends[index]!;
      const what = `Frame ${index + 1}`;
      if (!Number.isNaN(end)) {
        if (end - start > request.maxFrameBytes + SPAN_HEADERS_BYTES) throw corrupt(`${what} is larger than a frame of its size can be.`);
        return fragmentValues(await file.read(start, end - start, what), what, file);
      }
      // The last frame by the Basic Offset Table: its fragments, up to the sequence's end.
      const parts: Uint8Array[] = [];
      let total = 0;
      for (let at = start; at + 8 <= file.size; ) {
        const item = await itemHeader(file, at);
        if (item.tag !== ITEM) break;
        total += item.length;
        if (total > request.maxFrameBytes) throw corrupt(`${what} is larger than a frame of its size can be.`);
        parts.push(await file.read(at + 8, item.length, what));
        at += 8 + item.length;
      }
      if (parts.length === 0) throw corrupt(`${what} is missing: the file is truncated.`);
      return joined(parts);
    },
    span(index) {
      const start = starts[index]!;
      const end = ends[index]!;
      return Number.isNaN(end) ? null : { offset: start, count: end - start };
    },
  };
}

/** Fragments of the last frame walked to find where it ends; past this, reading it finds its end. */
const MAX_LAST_FRAME_FRAGMENTS = 64;

/**
 * Where the last frame by the Basic Offset Table ends: its items walked to the sequence's end. NaN
 * where that is not plain (reading the frame then finds its end, or says what is wrong).
 */
async function lastFrameEnd(file: SlideFile, start: number, maxFrameBytes: number): Promise<number> {
  let at = start;
  for (let n = 0; n < MAX_LAST_FRAME_FRAGMENTS && at + 8 <= file.size && at - start <= maxFrameBytes; n++) {
    const item = await itemHeader(file, at);
    if (item.tag === SEQUENCE_END) return n > 0 ? at : Number.NaN;
    if (item.tag !== ITEM) return Number.NaN;
    at += 8 + item.length;
  }
  return Number.NaN;
}

/** The Extended Offset Table and its lengths, when both are there for every frame. */
function extendedOffsets(tables: ReadonlyMap<number, Uint8Array>, frames: number): { offsets: Float64Array; lengths: Float64Array } | null {
  const read = (tag: number): Float64Array | null => {
    const bytes = tables.get(tag);
    if (!bytes || bytes.length !== frames * 8) return null;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return Float64Array.from({ length: frames }, (_, i) => Number(view.getBigUint64(i * 8, true)));
  };
  const offsets = read(Tag.ExtendedOffsetTable);
  const lengths = read(Tag.ExtendedOffsetTableLengths);
  return offsets && lengths ? { offsets, lengths } : null;
}

/** Offset-table spans must rise, and lie in the file. */
function checkSpans(starts: Float64Array, ends: Float64Array, file: SlideFile, table: string): void {
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]!;
    const end = ends[i]!;
    if (start + 8 > file.size || end > file.size)
      throw new SlideError('CORRUPT_DATA', `Its ${table} points past the end of the file (frame ${i + 1}): the file is truncated or damaged.`, file.path);
    if (end < start + 8 || (i > 0 && start < starts[i - 1]!))
      throw new SlideError('CORRUPT_DATA', `Its ${table} is damaged (frame ${i + 1} is not after frame ${i}).`, file.path);
  }
}

/**
 * Without an offset table: the fragments' item headers, walked to the sequence's end. One fragment
 * a frame, or all in one frame, or frames told apart by the bytes each frame starts with.
 */
async function scanFragments(file: SlideFile, from: number, request: FrameLayoutRequest, starts: Float64Array, ends: Float64Array): Promise<void> {
  const corrupt = (message: string) => new SlideError('CORRUPT_DATA', message, file.path);
  const { frames } = request;
  const fragmentStarts: number[] = [];
  const opensFrame: boolean[] = [];
  let at = from;
  for (;;) {
    const h = await file.source.readChunk(at, 10);
    if (h.length < 8) throw corrupt('Its encapsulated pixel data has no end: the file is truncated.');
    const tag = tagAt(h, 0);
    if (tag === SEQUENCE_END) break;
    if (tag !== ITEM) throw corrupt(`Its encapsulated pixel data holds a ${hex(tag)} element where a fragment should be.`);
    const length = new DataView(h.buffer, h.byteOffset, 8).getUint32(4, true);
    if (at + 8 + length > file.size) throw corrupt(`Fragment ${fragmentStarts.length + 1} of its pixel data runs past the end of the file: it is truncated.`);
    fragmentStarts.push(at);
    const mark = request.frameStart;
    opensFrame.push(mark !== null && h.length >= 10 && h[8] === mark[0] && h[9] === mark[1]);
    at += 8 + length;
  }
  const count = fragmentStarts.length;
  let frameFragments: number[];
  if (count === frames) frameFragments = fragmentStarts.map((_, i) => i);
  else if (frames === 1 && count > 0) frameFragments = [0];
  else {
    frameFragments = [];
    opensFrame.forEach((opens, i) => {
      if (opens) frameFragments.push(i);
    });
    if (frameFragments.length !== frames || frameFragments[0] !== 0)
      throw corrupt(`Its pixel data holds ${count} fragments for ${frames} frames, and no offset table says which frame each belongs to.`);
  }
  frameFragments.forEach((fragment, i) => {
    starts[i] = fragmentStarts[fragment]!;
    const next = frameFragments[i + 1];
    ends[i] = next === undefined ? at : fragmentStarts[next]!;
  });
}

/** The values of the items in a span, joined: a frame's bytes. */
function fragmentValues(span: Uint8Array, what: string, file: SlideFile): Uint8Array {
  const frame = frameOfSpan(span);
  if (typeof frame === 'string') throw new SlideError('CORRUPT_DATA', `${what} ${frame}.`, file.path);
  return frame;
}

function hex(tag: number): string {
  const h = tag.toString(16).padStart(8, '0').toUpperCase();
  return `(${h.slice(0, 4)},${h.slice(4)})`;
}
