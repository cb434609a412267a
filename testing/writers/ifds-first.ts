// A classic little-endian TIFF rewritten with its directories (IFDs and their out-of-line values)
// before its image data, as writers that lay out a directory ahead of its tiles do (tifffile). Cut
// short, such a file keeps every directory and loses tiles: a copy that stopped inside its image data.
// The project's TIFF writer puts every directory at the end, where a cut loses them first.

const TYPE_SIZES: Readonly<Record<number, number>> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4 };
const OFFSET_TAGS = new Set([273, 324]);

/** `bytes` (a classic little-endian TIFF whose directories all follow its image data) with the directories moved to the front. */
export function withDirectoriesFirst(bytes: Uint8Array): Buffer {
  const source = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (source.toString('latin1', 0, 2) !== 'II' || source.readUInt16LE(2) !== 42) throw new Error('not a classic little-endian TIFF');
  const entries: Array<{ at: number; type: number; count: number; outOfLine: boolean; tag: number }> = [];
  const ifds: number[] = [];
  for (let at = source.readUInt32LE(4); at !== 0; ) {
    ifds.push(at);
    const n = source.readUInt16LE(at);
    for (let e = 0; e < n; e++) {
      const entry = at + 2 + 12 * e;
      const type = source.readUInt16LE(entry + 2);
      const count = source.readUInt32LE(entry + 4);
      entries.push({ at: entry, type, count, outOfLine: count * (TYPE_SIZES[type] ?? 1) > 4, tag: source.readUInt16LE(entry) });
    }
    at = source.readUInt32LE(at + 2 + 12 * n);
  }
  // Where the directories begin: the first IFD or out-of-line value, all after the image data.
  const start = Math.min(...ifds, ...entries.filter((e) => e.outOfLine).map((e) => source.readUInt32LE(e.at + 8)));
  const structure = (offset: number) => offset - start + 8;
  const data = (offset: number) => offset + (source.length - start);
  const out = Buffer.alloc(source.length);
  source.copy(out, 0, 0, 8);
  source.copy(out, 8, start);
  source.copy(out, 8 + (source.length - start), 8, start);
  out.writeUInt32LE(structure(source.readUInt32LE(4)), 4);
  for (const at of ifds) {
    const next = at + 2 + 12 * source.readUInt16LE(at);
    if (source.readUInt32LE(next) !== 0) out.writeUInt32LE(structure(source.readUInt32LE(next)), structure(next));
  }
  for (const entry of entries) {
    const moved = structure(entry.at);
    const values = entry.outOfLine ? structure(source.readUInt32LE(entry.at + 8)) : moved + 8;
    if (entry.outOfLine) out.writeUInt32LE(values, moved + 8);
    if (!OFFSET_TAGS.has(entry.tag)) continue;
    if (entry.type !== 4) throw new Error(`tag ${entry.tag} is not stored as LONGs`);
    for (let i = 0; i < entry.count; i++) {
      const offset = out.readUInt32LE(values + 4 * i);
      if (offset >= start) throw new Error(`a block of tag ${entry.tag} lies among the directories`);
      if (offset !== 0) out.writeUInt32LE(data(offset), values + 4 * i);
    }
  }
  return out;
}
