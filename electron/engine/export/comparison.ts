// The labelled 2x2 resolution comparison (and compared slides side by side, one row): each image
// fitted into a cell of the same size (enlarged without smoothing, so lost detail shows as it is),
// a label band under each.

import sharp from 'sharp';
import type { RgbImage } from '../../../shared/slide';
import { copyRect, sharpFrom, toRaw } from '../pixels';
import { renderLabel } from './panel-label';

export interface ComparisonPanel {
  image: RgbImage;
  label: string;
}

const GAP = 8;
const LABEL_HEIGHT = 44;
/** Cells are at most this wide or high: the composite stays a shareable size. */
const MAX_CELL = 1024;

/** `cols` panels a row: 2 for the magnification set's 2x2, one row for slides side by side. */
export async function composeComparison(panels: ComparisonPanel[], cols = 2): Promise<RgbImage> {
  const largest = panels.reduce((a, b) => (b.image.width * b.image.height > a.image.width * a.image.height ? b : a)).image;
  const fit = Math.min(1, MAX_CELL / Math.max(largest.width, largest.height));
  const cellWidth = Math.max(64, Math.round(largest.width * fit));
  const cellHeight = Math.max(64, Math.round(largest.height * fit));
  const rows = Math.ceil(panels.length / cols);
  const width = cols * cellWidth + (cols + 1) * GAP;
  const height = rows * (cellHeight + LABEL_HEIGHT) + (rows + 1) * GAP;
  const canvas: RgbImage = { data: new Uint8Array(width * height * 3).fill(255), width, height, channels: 3 };
  for (const [i, panel] of panels.entries()) {
    const x = GAP + (i % cols) * (cellWidth + GAP);
    const y = GAP + Math.floor(i / cols) * (cellHeight + LABEL_HEIGHT + GAP);
    const scale = Math.min(cellWidth / panel.image.width, cellHeight / panel.image.height);
    const w = Math.max(1, Math.round(panel.image.width * scale));
    const h = Math.max(1, Math.round(panel.image.height * scale));
    const fitted =
      w === panel.image.width && h === panel.image.height
        ? panel.image
        : await toRaw(sharpFrom(panel.image).resize(w, h, { fit: 'fill', kernel: scale > 1 ? sharp.kernel.nearest : sharp.kernel.lanczos3 }));
    copyRect(fitted, 0, 0, w, h, canvas, x + Math.floor((cellWidth - w) / 2), y + Math.floor((cellHeight - h) / 2));
    const label = await renderLabel(panel.label, cellWidth, LABEL_HEIGHT, 20);
    copyRect(label, 0, 0, label.width, label.height, canvas, x, y + cellHeight);
  }
  return canvas;
}
