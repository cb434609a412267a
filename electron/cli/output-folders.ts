// The output folders a batch makes for its slides (mirroring their folders). Those left empty at its
// end, every slide of theirs failed or abandoned mid-write, are removed: a stopped or failing run
// leaves no empty case folders behind for a person to wonder about.

import { constants } from 'node:fs';
import { access, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SlideError } from '../engine/errors';
import { refusedWrite } from '../engine/export/atomic-file';
import { makeFolder } from '../engine/export/make-folder';
import { abandonedError } from './interrupt';

export class OutputFolders {
  readonly #made: string[] = [];
  readonly #writable = new Set<string>();
  #closed = false;

  /**
   * Makes `folder` and the parents it lacks, as makeFolder does, remembering the ones made here (those
   * made before a deeper one failed too). Refused once the batch has ended: a slide's work given up
   * then (answeredOrGivenUp) that wakes later leaves nothing behind.
   */
  async make(folder: string): Promise<void> {
    if (this.#closed) throw abandonedError(folder);
    await makeFolder(folder, this.#made);
  }

  /**
   * The error writing `path` would meet where its folder (made) refuses writes, or null: asked before a
   * slide is read, so that a folder that refuses them fails its slides at once rather than each after
   * its decode. A folder that took writes is not asked again; one that refused is (its permissions may
   * be mended mid-run). Not on Windows, whose read-only attribute on a folder does not stop writes.
   */
  async refusal(path: string): Promise<SlideError | null> {
    const folder = dirname(path);
    if (process.platform === 'win32' || this.#writable.has(folder)) return null;
    return access(folder, constants.W_OK | constants.X_OK).then(
      () => {
        this.#writable.add(folder);
        return null;
      },
      (error: NodeJS.ErrnoException) => refusedWrite(error.code, path),
    );
  }

  /**
   * Removes the folders made here that are empty, deepest first. One holding a file (an output, another
   * run's) stays: rmdir removes only an empty folder, so nothing but the empty is ever touched.
   */
  async removeEmpty(): Promise<void> {
    this.#closed = true;
    const deepestFirst = [...new Set(this.#made)].sort((a, b) => b.length - a.length);
    for (const dir of deepestFirst) await rmdir(dir).catch(() => undefined);
  }
}
