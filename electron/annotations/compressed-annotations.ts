// Annotation files compressed: QuPath's "Export objects as GeoJSON" with "Compress data (zip)" writes
// a .zip of one `<name>.geojson` entry (PathObjectIO.exportObjectsToGeoJson, Java's ZipOutputStream:
// deflated, sizes in the central directory), and a notebook may gzip its GeoJSON. Told apart by their
// first bytes, not their names. Inflated with Node's zlib to at most the size an annotation file may
// be (maxOutputLength), so that a small file that would inflate past it (a zip bomb) is refused before
// it is in memory. Only the ZIP a single file needs is read: its central directory's one entry,
// stored or deflated, checked against its CRC-32; anything else in the archive is refused.

import { basename } from 'node:path';
import { crc32, gunzipSync, inflateRawSync } from 'node:zlib';
import { AnnotationFileError } from '../../shared/annotations';
import { LIMITS } from '../../shared/limits';

const isGzip = (bytes: Uint8Array) => bytes[0] === 0x1f && bytes[1] === 0x8b;
// A local file header, or the end of an archive with no entry.
const isZip = (bytes: Uint8Array) => bytes[0] === 0x50 && bytes[1] === 0x4b && ((bytes[2] === 3 && bytes[3] === 4) || (bytes[2] === 5 && bytes[3] === 6));

/**
 * The bytes of an annotation file, inflated when it is a ZIP or gzip file; others as they are. `maxBytes`
 * (default: an annotation file's limit) is how large the inflated file may be.
 */
export function uncompressedAnnotationBytes(bytes: Uint8Array, path: string, maxBytes: number = LIMITS.maxAnnotationFileBytes): Uint8Array {
  if (isGzip(bytes)) return inflated(() => gunzipSync(bytes, { maxOutputLength: maxBytes }), path, 'gzip', maxBytes);
  if (isZip(bytes)) return onlyEntry(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), path, maxBytes);
  return bytes;
}

/** zlib's output, or TOO_LARGE past the limit and CORRUPT_DATA for data zlib cannot inflate. */
function inflated(inflate: () => Buffer, path: string, what: string, maxBytes: number): Buffer {
  try {
    return inflate();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError)
      throw new AnnotationFileError(
        'TOO_LARGE',
        `${basename(path)} would inflate to more than the ${maxBytes} bytes an annotation file may be (or than its ${what} directory says): it is not read.`,
        path,
      );
    throw new AnnotationFileError('CORRUPT_DATA', `${basename(path)} is damaged ${what} data (${code ?? (error as Error).message}).`, path);
  }
}

const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const END_SIGNATURE = 0x06054b50;

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

/** The ZIP's one GeoJSON entry, inflated; CORRUPT_DATA naming what else it holds, or what is wrong with it. */
function onlyEntry(zip: Buffer, path: string, maxBytes: number): Buffer {
  const name = basename(path);
  const fail = (reason: string): never => {
    throw new AnnotationFileError('CORRUPT_DATA', `${name} is a ZIP archive ${reason}.`, path);
  };
  // Folders are no files, nor the resource forks the Mac's Compress adds (__MACOSX/, ._name).
  const entries = centralDirectory(zip, fail).filter((e) => !e.name.endsWith('/') && !e.name.startsWith('__MACOSX/') && !basename(e.name).startsWith('._'));
  const [entry] = entries;
  if (!entry) return fail('with no file in it');
  if (entries.length > 1 || !/\.(geo)?json$/i.test(entry.name))
    fail(`holding ${entries.map((e) => e.name).join(', ')}: an annotation archive must hold one GeoJSON file (.geojson) and nothing else`);
  if (entry.flags & 1) fail(`whose ${entry.name} is encrypted`);
  if (entry.size > maxBytes)
    throw new AnnotationFileError('TOO_LARGE', `${name}'s ${entry.name} is ${entry.size} bytes, more than the ${maxBytes} an annotation file may be.`, path);
  if (entry.localOffset + 30 > zip.length || zip.readUInt32LE(entry.localOffset) !== LOCAL_SIGNATURE)
    fail(`whose ${entry.name} is not where its directory says`);
  const start = entry.localOffset + 30 + zip.readUInt16LE(entry.localOffset + 26) + zip.readUInt16LE(entry.localOffset + 28);
  if (start + entry.compressedSize > zip.length) fail(`cut short in ${entry.name}`);
  const data = zip.subarray(start, start + entry.compressedSize);
  let content: Buffer;
  if (entry.method === 0) content = data;
  else if (entry.method === 8)
    // Bounded by the size the directory gives: an entry that inflates past what it claims is refused there.
    content = inflated(() => inflateRawSync(data, { maxOutputLength: Math.max(1, entry.size) }), path, 'ZIP', maxBytes);
  else return fail(`whose ${entry.name} is compressed in a way other than deflate (method ${entry.method})`);
  if (content.length !== entry.size || crc32(content) !== entry.crc)
    fail(`whose ${entry.name} is damaged (its size or checksum differs from the archive's directory)`);
  return content;
}

/** The entries the archive's central directory lists (found from its end record, as unzip finds it). */
function centralDirectory(zip: Buffer, fail: (reason: string) => never): ZipEntry[] {
  // The end record is the last 22 bytes, or more when the archive has a comment (up to 65,535 bytes).
  let end = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 0xffff); i--) {
    if (zip.readUInt32LE(i) === END_SIGNATURE) {
      end = i;
      break;
    }
  }
  if (end < 0) return fail('without its central directory (cut short?)');
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  const offset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || offset === 0xffffffff) return fail('in ZIP64 form, for files larger than an annotation file may be');
  if (offset + size > end) return fail('whose central directory lies outside it');
  const entries: ZipEntry[] = [];
  for (let p = offset, i = 0; i < count; i++) {
    if (p + 46 > end || zip.readUInt32LE(p) !== CENTRAL_SIGNATURE) return fail('whose central directory is damaged');
    const nameLength = zip.readUInt16LE(p + 28);
    entries.push({
      flags: zip.readUInt16LE(p + 8),
      method: zip.readUInt16LE(p + 10),
      crc: zip.readUInt32LE(p + 16),
      compressedSize: zip.readUInt32LE(p + 20),
      size: zip.readUInt32LE(p + 24),
      localOffset: zip.readUInt32LE(p + 42),
      name: zip.toString('utf8', p + 46, p + 46 + nameLength),
    });
    p += 46 + nameLength + zip.readUInt16LE(p + 30) + zip.readUInt16LE(p + 32);
  }
  return entries;
}
