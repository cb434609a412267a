// A slide's identity, the same wherever it is mounted or copied: what the app keys a read-only
// folder's annotations by, and what a batch's outputs record of the slide they were made from.

import { createHash, type Hash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SlideError } from './errors';
import { dataFolderOf, EXTENSION as MIRAX_EXTENSION } from './formats/mirax/mirax-files';
import { readFully } from './read-fully';

/** How much of a slide's start identifies it: headers and the first directory of every format we read. */
const IDENTITY_BYTES = 64 * 1024;

/** Files a system or a file browser adds to a folder (.DS_Store, Thumbs.db): not the slide's. */
const SYSTEM_FILES = /^(\..*|thumbs\.db|desktop\.ini)$/i;

/**
 * A slide's identity, the same wherever it is: a file's size and the SHA-256 of its first and last
 * 64 KB (a TIFF may keep its directories at either end; a MIRAX key file's with its data folder's, a
 * VMS one's with the names and sizes of the files it names);
 * a folder that is one slide (a DICOM series), its DICOM files' names and sizes and its first file's
 * start. Other files in a slide's folder (a note, a backup) are not the slide's, and leave it alone.
 */
export async function slideIdentity(slidePath: string): Promise<string> {
  const unreadable = (error: NodeJS.ErrnoException): never => {
    const missing = error.code === 'ENOENT' || error.code === 'ENOTDIR';
    throw new SlideError(missing ? 'NOT_FOUND' : 'IO_ERROR', `${basename(slidePath)} cannot be read (${error.code ?? error.message}).`, slidePath);
  };
  const hash = createHash('sha256');
  let size: number;
  if ((await stat(slidePath).catch(unreadable)).isDirectory()) {
    size = await folderDigest(slidePath, DICOM_FILE, hash).catch(unreadable);
  } else {
    const file = await fileDigest(slidePath, hash, true).catch(unreadable);
    size = file.size;
    // MIRAX and VMS key files are small and much alike from slide to slide: the pixels are in the
    // folder beside a MIRAX one, and in the JPEG files a VMS one (whole in its first 64 KB, as the reader takes it) names.
    const lower = slidePath.toLowerCase();
    if (lower.endsWith(MIRAX_EXTENSION)) size += await folderDigest(dataFolderOf(slidePath), MIRAX_FILE, hash).catch(unreadable);
    if (lower.endsWith('.vms')) size += await namedFilesDigest(slidePath, file.head, hash);
  }
  return `${size}-${hash.digest('hex').slice(0, 32)}`;
}

/** A DICOM series' files: .dcm, or no extension at all (as scanners and PACS exports name them). */
const DICOM_FILE = /^[^.]+$|\.dcm$/i;
/** A MIRAX data folder's own files: its index and data files, its Slidedat.ini. */
const MIRAX_FILE = /\.(dat|ini)$/i;

/** Adds a folder's slide files (`keep`: names and sizes) and the first one's start to `hash`; answers their total size. */
async function folderDigest(folder: string, keep: RegExp, hash: Hash): Promise<number> {
  const files: Array<{ name: string; size: number }> = [];
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isFile() && !SYSTEM_FILES.test(entry.name) && keep.test(entry.name))
      files.push({ name: entry.name, size: (await stat(join(folder, entry.name))).size });
  }
  for (const { name, size } of files) hash.update(`${name}\0${size}\n`);
  if (files[0]) await fileDigest(join(folder, files[0].name), hash, false);
  return files.reduce((sum, f) => sum + f.size, 0);
}

/**
 * A VMS key file's image and map files (`ImageFile(x,y)=name`, `MapFile=name`), at most this many. A
 * line match, not the reader's key-file parser: the CLI's bundle, which works out identities, holds
 * no format reader (cli-bundle.test.ts).
 */
const VMS_FILE_LINE = /^[ \t]*(?:ImageFile[^=\n]*|MapFile)[ \t]*=[ \t]*([^\r\n]+?)[ \t]*$/gm;
const MAX_NAMED_FILES = 10_000;

/** Adds the names and sizes of the files a VMS key file (`content`, whole) names (beside it; -1 for one not there) to `hash`; answers their total size. */
async function namedFilesDigest(keyFile: string, content: Uint8Array, hash: Hash): Promise<number> {
  const names = [...Buffer.from(content.buffer, content.byteOffset, content.byteLength).toString('latin1').matchAll(VMS_FILE_LINE)]
    .slice(0, MAX_NAMED_FILES)
    .map((m) => m[1]!);
  let total = 0;
  for (const name of names) {
    const size = (await stat(join(dirname(keyFile), basename(name))).catch(() => null))?.size ?? -1;
    hash.update(`${name}\0${size}\n`);
    total += Math.max(0, size);
  }
  return total;
}

/** Adds a file's first IDENTITY_BYTES (and, `ends`, its last) to `hash`, read to the end of them; answers its size and those first bytes. */
async function fileDigest(path: string, hash: Hash, ends: boolean): Promise<{ size: number; head: Uint8Array }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Math.min(size, IDENTITY_BYTES);
    const tail = ends ? Math.min(size - head, IDENTITY_BYTES) : 0;
    const bytes = Buffer.alloc(head + tail);
    // A file cut shorter since its stat leaves zeros: its identity then differs, as it should.
    await readFully(handle, bytes, head, 0);
    await readFully(handle, bytes.subarray(head), tail, size - tail);
    hash.update(bytes);
    return { size, head: bytes.subarray(0, head) };
  } finally {
    await handle.close();
  }
}
