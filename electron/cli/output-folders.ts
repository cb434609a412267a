// The output folders a batch makes for its slides (mirroring their folders). Those left empty at its
// end, every slide of theirs failed or abandoned mid-write, are removed: a stopped or failing run
// leaves no empty case folders behind for a person to wonder about.

import { rmdir } from 'node:fs/promises';
import { makeFolder } from '../engine/export/make-folder';

export class OutputFolders {
  readonly #made = new Set<string>();

  /** Makes `folder` and the parents it lacks, as makeFolder does, remembering the ones made here. */
  async make(folder: string): Promise<void> {
    for (const dir of await makeFolder(folder)) this.#made.add(dir);
  }

  /**
   * Removes the folders made here that are empty, deepest first. One holding a file (an output, another
   * run's) stays: rmdir removes only an empty folder, so nothing but the empty is ever touched.
   */
  async removeEmpty(): Promise<void> {
    const deepestFirst = [...this.#made].sort((a, b) => b.length - a.length);
    for (const dir of deepestFirst) await rmdir(dir).catch(() => undefined);
    this.#made.clear();
  }
}
