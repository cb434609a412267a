// Small JSON persistence helpers for the main process's own state files (recent files, window
// state): reads never throw (a missing or corrupt file reads as undefined) and writes are atomic
// (write a temp file beside the target, then rename over it), so a crash mid-write leaves either
// the old or the new file, never half of one.

import { randomBytes } from 'node:crypto';
import { open, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { noSpaceError, SlideError } from '../engine/errors';
import { makeFolder } from '../engine/export/make-folder';

export type JsonReadResult = { kind: 'missing' } | { kind: 'corrupt'; error: unknown } | { kind: 'ok'; value: unknown };

/**
 * Past this a state file is not one the app wrote (the largest it can, 500 remembered slides of 256
 * channels with 200-character Hangul names, is ~96 MB): read as corrupt, not loaded whole into main.
 */
export const JSON_FILE_MAX_BYTES = 128 * 1024 * 1024;

export async function readJsonFile(file: string, maxBytes = JSON_FILE_MAX_BYTES): Promise<JsonReadResult> {
  let text: string;
  try {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size > maxBytes)
        return {
          kind: 'corrupt',
          error: new SlideError('TOO_LARGE', `${basename(file)} is ${size} bytes, more than the ${maxBytes} a state file may be.`, file),
        };
      text = await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'missing' };
    return { kind: 'corrupt', error };
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown };
  } catch (error) {
    return { kind: 'corrupt', error };
  }
}

/** Writes `value` as JSON to `file` atomically, creating the directory when needed. */
export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await makeFolder(dirname(file));
    await writeFile(temp, `${JSON.stringify(value, null, 2)}\n`, { encoding: 'utf8', mode: 0o600, flush: true });
    await renameWithRetry(temp, file);
  } catch (error) {
    await rm(temp, { force: true }).catch(() => undefined);
    // A system call's failure is the file's, not a fault in Slidescope (a full disk is NO_SPACE).
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code !== 'string') throw error;
    throw noSpaceError(error, file) ?? new SlideError('IO_ERROR', `Writing ${basename(file)} failed (${code}).`, file);
  }
}

/** Windows refuses a rename over a file another process (an antivirus, an indexer) holds open; retry briefly. */
async function renameWithRetry(from: string, to: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rename(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (attempt >= 4 || (code !== 'EPERM' && code !== 'EACCES' && code !== 'EBUSY')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20 * 2 ** attempt));
    }
  }
}

/** Runs async tasks one after another (writes of one file must not interleave). */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const next = this.tail.then(task, task);
    this.tail = next.catch(() => undefined);
    return next;
  }
}
