// Text drawn from the bundled fonts (assets/fonts), so an export looks the same on every machine
// whatever fonts it has installed.

import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { RgbImage } from '../../../shared/slide';
import { escapeXml } from '../../../shared/xml-text';

/** Inter for Latin; Hangul (which Inter lacks) from a Noto Sans KR subset, so Korean names draw too. */
const FONT_FILES = ['Inter-SemiBold.otf', 'NotoSansKR-Bold-Hangul.otf'] as const;
const FONT = 'Inter, Noto Sans CJK KR SemiBold';

/** assets/fonts from the source tree, the bundle (dist/...), or a packaged app's resources. */
function findFont(file: string): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [
    resolve(here, '../../../assets/fonts', file),
    resolve(here, '../../assets/fonts', file),
    resolve(here, '../assets/fonts', file),
    join(process.cwd(), 'assets/fonts', file),
  ];
  // In a packaged app the bundle sits in app.asar, which libvips cannot read: use the unpacked copy.
  const found = candidates.map((p) => p.replace(/app\.asar([\\/])/, 'app.asar.unpacked$1')).find((p) => existsSync(p));
  if (!found) throw new Error(`The export font ${file} is missing from assets/fonts.`);
  return found;
}

let fontsLoaded: Promise<string> | undefined;

/**
 * The bundled fonts, loaded: libvips takes one font file a call and keeps each for the process, so
 * the Hangul face is loaded by a text of its own first. Resolves to the Latin face's file.
 */
function exportFonts(): Promise<string> {
  fontsLoaded ??= (async () => {
    const [latin, hangul] = FONT_FILES.map(findFont) as [string, string];
    await sharp({ text: { text: '가', fontfile: hangul, font: 'Noto Sans CJK KR Bold 8' } })
      .raw()
      .toBuffer();
    return latin;
  })();
  return fontsLoaded;
}

/** One line of dark text in the bundled fonts, `px` high, as RGBA on transparent. */
export async function renderText(text: string, px: number): Promise<{ data: Buffer; info: { width: number; height: number } }> {
  return sharp({
    text: { text: `<span foreground="#1f2328">${escapeXml(text)}</span>`, fontfile: await exportFonts(), font: `${FONT} ${px}`, rgba: true, dpi: 72 },
  })
    .raw()
    .toBuffer({ resolveWithObject: true });
}

/** A band of the given width with the text centred on one line, dark on light; the font shrinks to fit. */
export async function renderLabel(text: string, width: number, height: number, fontPx = Math.round(height * 0.5)): Promise<RgbImage> {
  const room = Math.max(1, width - 16);
  let glyphs: { data: Buffer; info: { width: number; height: number } } | undefined;
  for (let size = fontPx; size >= 6; size = Math.floor(size * 0.85)) {
    glyphs = await renderText(text, size);
    if (glyphs.info.width <= room && glyphs.info.height <= height) break;
  }
  const band = sharp({ create: { width, height, channels: 3, background: '#f3f4f6' } });
  if (glyphs) {
    // Still too wide at the smallest size (a very narrow panel): keep the start of the line.
    const w = Math.min(glyphs.info.width, room);
    const h = Math.min(glyphs.info.height, height);
    const text = await sharp(glyphs.data, { raw: { width: glyphs.info.width, height: glyphs.info.height, channels: 4 } })
      .extract({ left: 0, top: 0, width: w, height: h })
      .raw()
      .toBuffer();
    band.composite([{ input: text, raw: { width: w, height: h, channels: 4 }, left: Math.floor((width - w) / 2), top: Math.floor((height - h) / 2) }]);
  }
  // Compositing RGBA glyphs adds an alpha channel.
  const { data } = await band.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width, height, channels: 3 };
}
