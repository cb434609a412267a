// A slide's identity, the same wherever it is mounted or copied: what the app keys a read-only
// folder's annotations by, and what a batch's outputs record of the slide they were made from.

import { createHash } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { SlideError } from './errors';

/** How much of a slide's start identifies it: headers and the first directory of every format we read. */
const IDENTITY_BYTES = 64 * 1024;

/** Files a system or a file browser adds to a folder (.DS_Store, Thumbs.db): not the slide's. */
const SYSTEM_FILES = /^(\..*|thumbs\.db|desktop\.ini)$/i;

/**
 * A slide's identity, the same wherever it is: a file's size and the SHA-256 of its first 64 KB; a
 * folder that is one slide (a DICOM series), its files' names and sizes and its first file's start.
 */
export async function slideIdentity(slidePath: string): Promise<string> {
  const unreadable = (error: NodeJS.ErrnoException): never => {
    throw new SlideError('NOT_FOUND', `${basename(slidePath)} cannot be read (${error.code ?? error.message}).`, slidePath);
  };
  const kind = await stat(slidePath).catch(unreadable);
  if (!kind.isDirectory()) {
    const { size, head } = await fileStart(slidePath).catch(unreadable);
    return `${size}-${createHash('sha256').update(head).digest('hex').slice(0, 32)}`;
  }
  const files: Array<{ name: string; size: number }> = [];
  for (const entry of (await readdir(slidePath, { withFileTypes: true }).catch(unreadable)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isFile() && !SYSTEM_FILES.test(entry.name))
      files.push({ name: entry.name, size: (await stat(join(slidePath, entry.name)).catch(unreadable)).size });
  }
  const hash = createHash('sha256');
  for (const { name, size } of files) hash.update(`${name}\0${size}\n`);
  if (files[0]) hash.update((await fileStart(join(slidePath, files[0].name)).catch(unreadable)).head);
  return `${files.reduce((sum, f) => sum + f.size, 0)}-${hash.digest('hex').slice(0, 32)}`;
}

async function fileStart(path: string): Promise<{ size: number; head: Buffer }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(size, IDENTITY_BYTES));
    await handle.read(head, 0, head.length, 0);
    return { size, head };
  } finally {
    await handle.close();
  }
}
