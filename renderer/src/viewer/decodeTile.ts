// Turns an encoded tile into the canvas OpenSeadragon draws. The 2D canvas is the 'context2d' data
// type both OSD drawers (canvas and WebGL) accept as is, so OSD runs no conversion of its own (its
// imageBitmap path would leave bitmaps unclosed).

import type { EncodedTile } from '../../../shared/slide';

// WebCodecs' ImageDecoder (Chromium, secure contexts: the app's scheme is one) reads the bytes as they
// are and decodes off the UI thread; a Blob for createImageBitmap would first be copied to the browser
// process, on the UI thread. Drawing the decoded frame stays on the UI thread: done in a worker, the
// open measured slower on two cores (docs/performance.md, "How the viewer is tuned").
//
// A tile carries the slide's ICC profile when it has one (the engine puts it in): decoded with
// colour management, the browser converts it to the canvas's sRGB; without, the profile is ignored.
export async function decodeTile(tile: EncodedTile, colourManaged = true): Promise<CanvasRenderingContext2D> {
  const decoder = new ImageDecoder({ data: tile.bytes, type: tile.mime, colorSpaceConversion: colourManaged ? 'default' : 'none' });
  try {
    const { image } = await decoder.decode();
    try {
      // An edge tile served as stored carries padding: keep only its top-left crop.
      return drawn(image, tile.crop ?? { width: image.displayWidth, height: image.displayHeight });
    } finally {
      image.close();
    }
  } finally {
    decoder.close();
  }
}

function drawn(image: CanvasImageSource, { width, height }: { width: number; height: number }): CanvasRenderingContext2D {
  const context = newContext(width, height);
  context.drawImage(image, 0, 0, width, height, 0, 0, width, height);
  return context;
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
