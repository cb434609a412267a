// Whether an output a batch finds already there is a whole image, so a rerun may skip its slide.
// Slidescope's own writes are atomic (a file exists only once complete); this also catches a file cut
// short by something else (a copy that was interrupted, a full disk) by its last bytes.

import { open } from 'node:fs/promises';
import type { ImageFormat } from '../../shared/operations';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
/** The IEND chunk every PNG ends with: length 0, type, CRC. */
const PNG_END = [0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

export async function isCompleteImage(path: string, format: ImageFormat): Promise<boolean> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await handle.stat();
    if (size < 16) return false;
    const head = new Uint8Array(8);
    const tail = new Uint8Array(12);
    await handle.read(head, 0, 8, 0);
    await handle.read(tail, 0, 12, size - 12);
    switch (format) {
      case 'png':
        return startsWith(head, PNG_SIGNATURE) && startsWith(tail, PNG_END);
      case 'jpeg':
        return head[0] === 0xff && head[1] === 0xd8 && tail[10] === 0xff && tail[11] === 0xd9;
      case 'tiff':
        // A TIFF has no end marker: its header, and a file larger than one.
        return [
          [0x49, 0x49, 0x2a, 0x00],
          [0x4d, 0x4d, 0x00, 0x2a],
          [0x49, 0x49, 0x2b, 0x00],
          [0x4d, 0x4d, 0x00, 0x2b],
        ].some((magic) => startsWith(head, magic));
    }
  } finally {
    await handle.close();
  }
}
