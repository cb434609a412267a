// Text drawn from the bundled font (assets/fonts), so an export looks the same on every machine
// whatever fonts it has installed.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RgbImage } from '../engine-api';

const FONT_FILE = 'Inter-SemiBold.otf';

/** assets/fonts from the source tree, the bundle (dist/...), or a packaged app's resources. */
function findFont(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    resolve(here, '../../../assets/fonts', FONT_FILE),
    resolve(here, '../../assets/fonts', FONT_FILE),
    resolve(here, '../assets/fonts', FONT_FILE),
    join(process.cwd(), 'assets/fonts', FONT_FILE),
  ];
  // In a packaged app the bundle sits in app.asar, which libvips cannot read: use the unpacked copy.
  const found = candidates.map((p) => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')).find((p) => existsSync(p));
  if (!found) throw new Error(`The export font ${FONT_FILE} is missing from assets/fonts.`);
  return found;
}

let fontPath: string | undefined;

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A band of the given width with the text centred, dark on light. */
export async function renderLabel(text: string, width: number, height: number, fontPx = Math.round(height * 0.5)): Promise<RgbImage> {
  fontPath ??= findFont();
  const glyphs = sharp({ text: { text: `<span foreground="#1f2328">${escapeMarkup(text)}</span>`, fontfile: fontPath, font: `Inter SemiBold ${fontPx}`, rgba: true, width: Math.max(1, width - 16), dpi: 72 } });
  const { data, info } = await glyphs.raw().toBuffer({ resolveWithObject: true });
  const band = await sharp({ create: { width, height, channels: 3, background: '#f3f4f6' } })
    .composite([{ input: data, raw: { width: info.width, height: info.height, channels: 4 }, left: Math.max(0, Math.floor((width - info.width) / 2)), top: Math.max(0, Math.floor((height - info.height) / 2)) }])
    .removeAlpha() // compositing RGBA glyphs adds an alpha channel
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(band.data.buffer, band.data.byteOffset, band.data.length), width, height, channels: 3 };
}
