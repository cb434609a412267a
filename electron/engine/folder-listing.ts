// The names in a folder, at most `max` of them, read in this thread: a DICOM slide's folder is
// listed on every open (the series of the folder, or of the file opened), and the promise-per-entry
// walk of an async opendir cost ~160 us for four files against ~20 us here (docs/performance.md).

import { opendirSync } from 'node:fs';
import { blockingCall } from './pool-reads';

/** Entries read per directory read. */
const BATCH = 128;

/** Names of the folder's entries (not "." or ".."), in directory order; throws as opendir does. */
export function folderNames(folder: string, max: number): string[] {
  const names: string[] = [];
  const dir = blockingCall(() => opendirSync(folder, { bufferSize: BATCH }));
  try {
    for (let entry = blockingCall(() => dir.readSync()); entry !== null && names.length < max; entry = blockingCall(() => dir.readSync()))
      names.push(entry.name);
  } finally {
    blockingCall(() => dir.closeSync());
  }
  return names;
}
