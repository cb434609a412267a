import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { renderText } from './panel-label';

const font = (file: string): string => fileURLToPath(new URL(`../../../assets/fonts/${file}`, import.meta.url));
const HANGUL_FACE = font('NotoSansKR-Bold-Hangul.otf');
const INTER_FACE = font('Inter-SemiBold.otf');

/** The text in one face alone, drawn as renderText draws. */
function drawnIn(fontfile: string, fontName: string, text: string): Promise<{ data: Buffer; info: { width: number; height: number } }> {
  return sharp({ text: { text: `<span foreground="#1f2328">${text}</span>`, fontfile, font: fontName, rgba: true, dpi: 72 } })
    .raw()
    .toBuffer({ resolveWithObject: true });
}

test('Hangul (an annotation class, a slide name) draws in the bundled Korean face, not as missing-glyph boxes', async () => {
  // First, before anything else loads the face: the labels must load it themselves.
  const drawn = await renderText('선종고등급', 32);
  const face = await drawnIn(HANGUL_FACE, 'Noto Sans CJK KR Bold 32', '선종고등급');
  assert.deepEqual([drawn.info.width, drawn.info.height], [face.info.width, face.info.height]);
  let differing = 0;
  for (let i = 3; i < drawn.data.length; i += 4) if (Math.abs(drawn.data[i]! - face.data[i]!) > 8) differing++;
  assert.ok(differing < drawn.info.width * drawn.info.height * 0.01, `${differing} pixels differ from the face's own drawing`);
});

test('Latin stays in Inter', async () => {
  const drawn = await renderText('Tumor 1.25x, 200 µm', 20);
  const inter = await drawnIn(INTER_FACE, 'Inter SemiBold 20', 'Tumor 1.25x, 200 µm');
  assert.deepEqual([drawn.info.width, drawn.info.height], [inter.info.width, inter.info.height]);
  assert.equal(Buffer.compare(drawn.data, inter.data), 0);
});
