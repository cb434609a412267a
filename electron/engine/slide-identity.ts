// A slide's identity, the same wherever it is mounted or copied: what the app keys a read-only
// folder's annotations by, and what a batch's outputs record of the slide they were made from.

import { createHash, type Hash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SlideError } from './errors';
import { dataFolderOf, EXTENSION as MIRAX_EXTENSION } from './formats/mirax/mirax-files';

/** How much of a slide's start identifies it: headers and the first directory of every format we read. */
const IDENTITY_BYTES = 64 * 1024;

/** Files a system or a file browser adds to a folder (.DS_Store, Thumbs.db): not the slide's. */
const SYSTEM_FILES = /^(\..*|thumbs\.db|desktop\.ini)$/i;

/**
 * A slide's identity, the same wherever it is: a file's size and the SHA-256 of its first 64 KB (a
 * MIRAX key file's with its data folder's); a folder that is one slide (a DICOM series), its files'
 * names and sizes and its first file's start.
 */
export async function slideIdentity(slidePath: string): Promise<string> {
  const unreadable = (error: NodeJS.ErrnoException): never => {
    const missing = error.code === 'ENOENT' || error.code === 'ENOTDIR';
    throw new SlideError(missing ? 'NOT_FOUND' : 'IO_ERROR', `${basename(slidePath)} cannot be read (${error.code ?? error.message}).`, slidePath);
  };
  const hash = createHash('sha256');
  let size: number;
  if ((await stat(slidePath).catch(unreadable)).isDirectory()) {
    size = await folderDigest(slidePath, hash).catch(unreadable);
  } else {
    const start = await fileStart(slidePath).catch(unreadable);
    hash.update(start.head);
    size = start.size;
    // A MIRAX key file is small and much alike from slide to slide: its pixels are in the folder beside it.
    if (slidePath.toLowerCase().endsWith(MIRAX_EXTENSION)) size += await folderDigest(dataFolderOf(slidePath), hash).catch(unreadable);
  }
  return `${size}-${hash.digest('hex').slice(0, 32)}`;
}

/** Adds a folder's files (names and sizes, system files aside) and its first file's start to `hash`; answers their total size. */
async function folderDigest(folder: string, hash: Hash): Promise<number> {
  const files: Array<{ name: string; size: number }> = [];
  for (const entry of (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isFile() && !SYSTEM_FILES.test(entry.name)) files.push({ name: entry.name, size: (await stat(join(folder, entry.name))).size });
  }
  for (const { name, size } of files) hash.update(`${name}\0${size}\n`);
  if (files[0]) hash.update((await fileStart(join(folder, files[0].name))).head);
  return files.reduce((sum, f) => sum + f.size, 0);
}

/** A file's size and its first IDENTITY_BYTES, read to the end of them (a network file system may answer a read short). */
async function fileStart(path: string): Promise<{ size: number; head: Buffer }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, IDENTITY_BYTES));
    for (let done = 0; done < head.length; ) {
      const { bytesRead } = await handle.read(head, done, head.length - done, done);
      if (bytesRead === 0) return { size, head: head.subarray(0, done) };
      done += bytesRead;
    }
    return { size, head };
  } finally {
    await handle.close();
  }
}
