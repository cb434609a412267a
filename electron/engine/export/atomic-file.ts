// Exports never leave a partial file: bytes go to a temporary name beside the target and are moved
// into place complete. Without overwrite, an existing file is refused (EXISTS) - atomically, by
// hard-linking, which fails if the name is taken even when two exports race.

import { link, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { SlideError } from '../errors';

export async function writeFileAtomic(path: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${Date.now()}.partial`);
  try {
    await writeFile(temp, bytes, { flag: 'wx' });
    if (overwrite) {
      await rename(temp, path);
    } else {
      await link(temp, path);
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new SlideError('EXISTS', `${basename(path)} already exists.`, path);
    if (code === 'ENOENT') throw new SlideError('NOT_FOUND', `The folder ${dirname(path)} does not exist.`, path);
    if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
      throw new SlideError('IO_ERROR', `Cannot write to ${dirname(path)} (permission denied).`, path);
    if (code === 'ENOSPC') throw new SlideError('IO_ERROR', 'The disk is full.', path);
    throw new SlideError('IO_ERROR', `Writing ${basename(path)} failed (${code ?? String(error)}).`, path);
  } finally {
    await rm(temp, { force: true });
  }
}
