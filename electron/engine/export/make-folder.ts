// A folder and the parents it lacks, as `mkdir -p`. Node's own (`mkdir` with recursive) never returns
// where the system answers ENOENT for a folder whose parent exists (under /proc, some FUSE mounts): it
// makes the parent again and retries, forever. Here each level is looked at and made once. Answers the
// folders it made, parents first (not one another process made meanwhile).

import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

export async function makeFolder(path: string): Promise<string[]> {
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
  const made: string[] = [];
  for (const dir of missing.reverse()) {
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
}
