// A read that goes on where the system answers short (a network file system may), for the few
// places that read a file through a handle rather than the slide reader's own reads.

import type { FileHandle } from 'node:fs/promises';

/** Reads exactly `length` bytes at `position` into the start of `buffer`; false where the file ends first. */
export async function readFully(handle: FileHandle, buffer: Uint8Array, length: number, position: number): Promise<boolean> {
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) return false;
    done += bytesRead;
  }
  return true;
}
