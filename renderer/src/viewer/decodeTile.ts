// Turns an encoded tile into the canvas OpenSeadragon draws. createImageBitmap decodes off the UI
// thread; the 2D canvas is the 'context2d' data type both OSD drawers (canvas and WebGL) accept as is,
// so OSD runs no conversion of its own (its imageBitmap path would leave bitmaps unclosed).

import type { EncodedTile } from '../../../shared/slide';

export async function decodeTile(tile: EncodedTile): Promise<CanvasRenderingContext2D> {
  // Copy into a fresh ArrayBuffer: the bytes may view a larger or shared buffer.
  const blob = new Blob([tile.bytes.slice()], { type: tile.mime });
  // An edge tile served as stored carries padding: keep only its top-left crop.
  const bitmap = tile.crop
    ? await createImageBitmap(blob, 0, 0, tile.crop.width, tile.crop.height)
    : await createImageBitmap(blob);
  try {
    const context = newContext(bitmap.width, bitmap.height);
    context.drawImage(bitmap, 0, 0);
    return context;
  } finally {
    bitmap.close();
  }
}

/** A neutral hatched square standing in for a tile that could not be read, so the gap is visible. */
export function placeholderTile(width: number, height: number): CanvasRenderingContext2D {
  const context = newContext(Math.max(1, width), Math.max(1, height));
  context.fillStyle = '#c9c9cf';
  context.fillRect(0, 0, width, height);
  context.strokeStyle = '#b0b0b8';
  context.lineWidth = 6;
  const step = 24;
  context.beginPath();
  for (let d = -height; d < width; d += step) {
    context.moveTo(d, height);
    context.lineTo(d + height, 0);
  }
  context.stroke();
  return context;
}

function newContext(width: number, height: number): CanvasRenderingContext2D {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('No 2D canvas context');
  return context;
}
