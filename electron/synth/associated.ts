// The associated images of a synthetic Aperio slide: a label (barcode, a 2D code, and readable
// text from a built-in 5x7 font, so a person can tell it is the label) and a macro (a photo-like view
// of the whole glass slide: the label end and the tissue, drawn from the slide's own overview).

import { blit, createImage, fillRect, type RgbImage, resizeArea } from './image-ops';
import { hash2, seedFrom } from './random';

// 5x7 glyphs, one 5-bit row mask per line, top to bottom.
const FONT: Record<string, readonly number[]> = {
  A: [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  B: [0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e],
  C: [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
  D: [0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c],
  E: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
  F: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
  G: [0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f],
  H: [0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  I: [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
  J: [0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c],
  K: [0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11],
  L: [0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f],
  M: [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
  N: [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
  O: [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  P: [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
  Q: [0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d],
  R: [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
  S: [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
  T: [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
  U: [0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  V: [0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04],
  W: [0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a],
  X: [0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11],
  Y: [0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04],
  Z: [0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f],
  '0': [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  '1': [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  '2': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  '3': [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  '4': [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  '5': [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  '6': [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  '7': [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  '8': [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  '9': [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
  '-': [0, 0, 0, 0x1f, 0, 0, 0],
  '.': [0, 0, 0, 0, 0, 0x0c, 0x0c],
  ':': [0, 0x0c, 0x0c, 0, 0x0c, 0x0c, 0],
  '/': [0, 0x01, 0x02, 0x04, 0x08, 0x10, 0],
  '=': [0, 0, 0x1f, 0, 0x1f, 0, 0],
  '#': [0x0a, 0x0a, 0x1f, 0x0a, 0x1f, 0x0a, 0x0a],
  ' ': [0, 0, 0, 0, 0, 0, 0],
};

const INK: readonly [number, number, number] = [24, 24, 30];
const PAPER: readonly [number, number, number] = [250, 250, 244];

/** Draws text with the 5x7 font, each font pixel `scale` x `scale`; returns the width drawn. */
export function drawText(img: RgbImage, text: string, x: number, y: number, scale: number, colour = INK): number {
  let cx = x;
  for (const ch of text.toUpperCase()) {
    const glyph = FONT[ch] ?? FONT['#']!;
    for (let row = 0; row < 7; row++) {
      const bits = glyph[row]!;
      for (let col = 0; col < 5; col++) {
        if (bits & (0x10 >> col)) fillRect(img, cx + col * scale, y + row * scale, scale, scale, colour);
      }
    }
    cx += 6 * scale;
  }
  return cx - x;
}

export interface LabelOptions {
  width?: number;
  height?: number;
  seed: number;
  lines: readonly string[];
}

/** The slide label: a 1D barcode, a 2D code and text lines. Default size as CMU-1's (387x463). */
export function makeLabel(options: LabelOptions): RgbImage {
  const width = options.width ?? 387;
  const height = options.height ?? 463;
  const img = createImage(width, height, PAPER);
  const seed = seedFrom(options.seed, 'label');
  const margin = Math.round(width * 0.05);
  // 1D barcode: bars of 1-3 modules, seeded.
  const barTop = margin;
  const barHeight = Math.round(height * 0.2);
  const module = Math.max(1, Math.floor(width / 130));
  let x = margin;
  let i = 0;
  while (x < width - margin - 3 * module) {
    const h = hash2(i, 0, seed);
    const bar = 1 + (h % 3);
    const gap = 1 + ((h >>> 8) % 2);
    fillRect(img, x, barTop, bar * module, barHeight, INK);
    x += (bar + gap) * module;
    i++;
  }
  // 2D code: a data-matrix-like grid with its solid L finder edges.
  const cells = 14;
  const cell = Math.max(2, Math.floor((height * 0.28) / cells));
  const codeTop = barTop + barHeight + margin;
  for (let cy = 0; cy < cells; cy++) {
    for (let cx = 0; cx < cells; cx++) {
      const finder = cx === 0 || cy === cells - 1;
      const timing = (cy === 0 && cx % 2 === 0) || (cx === cells - 1 && cy % 2 === 1);
      const on = finder || timing || (hash2(cx, cy, seed + 1) & 1) === 1;
      if (on) fillRect(img, margin + cx * cell, codeTop + cy * cell, cell, cell, INK);
    }
  }
  // Text: largest scale that fits the longest line.
  const textTop = codeTop + cells * cell + margin;
  const longest = Math.max(1, ...options.lines.map((l) => l.length));
  const scale = Math.max(1, Math.min(4, Math.floor((width - 2 * margin) / (longest * 6))));
  let ty = textTop;
  for (const line of options.lines) {
    if (ty + 7 * scale > height - margin / 2) break;
    drawText(img, line, margin, ty, scale);
    ty += 9 * scale;
  }
  // A thin printed frame.
  fillRect(img, 0, 0, width, 2, INK);
  fillRect(img, 0, height - 2, width, 2, INK);
  fillRect(img, 0, 0, 2, height, INK);
  fillRect(img, width - 2, 0, 2, height, INK);
  return img;
}

export interface MacroOptions {
  width?: number;
  height?: number;
  /** Whole-slide overview (any level) and the level-0 size and resolution it shows. */
  overview: RgbImage;
  slideWidth: number;
  slideHeight: number;
  mpp: number;
  label: RgbImage;
}

const GLASS: readonly [number, number, number] = [222, 224, 228];

/**
 * A photo of the whole 75 x 25 mm glass slide (default 1280x431 like CMU-1): the label at the left
 * end and the scanned area, at its physical size but at least big enough to show the tissue.
 */
export function makeMacro(options: MacroOptions): RgbImage {
  const width = options.width ?? 1280;
  const height = options.height ?? 431;
  const img = createImage(width, height, GLASS);
  // The label end of the slide.
  const labelW = Math.round(width * 0.3);
  const pad = Math.round(height * 0.04);
  const labelImg = resizeArea(options.label, labelW - 2 * pad, height - 2 * pad);
  blit(img, labelImg, pad, pad);
  // The scan area, to physical scale (75 mm across the image), within bounds.
  const areaX = labelW + pad;
  const areaW = width - areaX - pad;
  const areaH = height - 2 * pad;
  const pxPerLevel0 = ((options.mpp / 1000) * width) / 75;
  const longest = Math.max(options.slideWidth, options.slideHeight);
  let scale = Math.max(pxPerLevel0, (0.45 * areaH) / longest);
  scale = Math.min(scale, areaW / options.slideWidth, areaH / options.slideHeight);
  const sw = Math.max(1, Math.round(options.slideWidth * scale));
  const sh = Math.max(1, Math.round(options.slideHeight * scale));
  const scan = resizeArea(options.overview, sw, sh);
  blit(img, scan, areaX + Math.floor((areaW - sw) / 2), pad + Math.floor((areaH - sh) / 2));
  // Slide edges.
  fillRect(img, 0, 0, width, 1, [150, 152, 158]);
  fillRect(img, 0, height - 1, width, 1, [150, 152, 158]);
  return img;
}

/** Aperio thumbnail size: fits within 1024 x 768 (CMU-1: 46000x32914 -> 1024x732, 2220x2967 -> 574x768). */
export function thumbnailSize(width: number, height: number): { width: number; height: number } {
  const scale = Math.min(1024 / width, 768 / height, 1);
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}
