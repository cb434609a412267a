// A folder and the parents it lacks, as `mkdir -p`. Node's own (`mkdir` with recursive) never returns
// where the system answers ENOENT for a folder whose parent exists (under /proc, some FUSE mounts): it
// makes the parent again and retries, forever. Here each level is looked at and made once, and the
// whole walk done again at most twice when a parent went meanwhile (another shard's clean-up of its
// empty folders). The folders it made (not one another process made meanwhile) are added to `made`
// as they are made, parents first, and answered.

import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const WALKS = 3;

export async function makeFolder(path: string, made: string[] = []): Promise<string[]> {
  for (let walk = 1; ; walk++) {
    try {
      for (const dir of await missingFolders(path)) {
        // Another process may make it meanwhile (shards writing one tree); a link to nowhere exists too.
        const ours = await mkdir(dir).then(
          () => true,
          async (error: NodeJS.ErrnoException) => {
            if (error.code !== 'EEXIST' || !(await stat(dir).catch(() => null))?.isDirectory()) throw error;
            return false;
          },
        );
        if (ours) made.push(dir);
      }
      return made;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || walk === WALKS) throw error;
    }
  }
}

/** The folders of `path` that are not there, parents first. */
async function missingFolders(path: string): Promise<string[]> {
  const missing: string[] = [];
  for (let at = resolve(path); ; ) {
    const found = await stat(at).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return null;
      throw error;
    });
    if (found) {
      // A file where a folder should be: the folder asked for cannot be made.
      if (!found.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', path });
      break;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  return missing.reverse();
}
