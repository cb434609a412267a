// The tile compositor against cairo itself (the libcairo and pixman OpenSlide 3.4.1 paints with,
// called through testing/cairo_reference.py): random opaque (RGB24) and translucent (ARGB32) images
// at whole and fractional positions, overlapping, some covering the whole canvas, painted with
// SATURATE as OpenSlide paints a region; and images copied onto a cleared canvas. Byte for byte, with
// the WebAssembly kernels and with the JS loops alone.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../synth/random';
import { setScalarPixelLoops } from '../wasm/pixel-kernels';
import { canvasOverWhite, createCanvas, makeSurface, paintSurface } from './tile-compositor';

const SCRIPT = fileURLToPath(new URL('../../../testing/cairo_reference.py', import.meta.url));

interface Paint {
  width: number;
  height: number;
  argb: boolean;
  /** 0xAARRGGBB, premultiplied for ARGB32. */
  pixels: number[];
  x: number;
  y: number;
  operator: 'saturate' | 'over';
}

function cairoPaints(width: number, height: number, paints: Paint[]): number[] {
  const run = spawnSync('/usr/bin/python3', [SCRIPT], { input: JSON.stringify({ width, height, paints }), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`cairo reference failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as number[];
}

/** Our canvas after the paints, 0xAARRGGBB; `scalar`: by the JS loops alone. */
function ourPaints(width: number, height: number, paints: Paint[], scalar: boolean): number[] {
  setScalarPixelLoops(scalar);
  try {
    return paintAll(width, height, paints);
  } finally {
    setScalarPixelLoops(false);
  }
}

function paintAll(width: number, height: number, paints: Paint[]): number[] {
  const canvas = createCanvas(width, height);
  for (const p of paints) {
    const channels = p.argb ? 4 : 3;
    const data = new Uint8Array(p.width * p.height * channels);
    p.pixels.forEach((v, i) => {
      data[channels * i] = (v >>> 16) & 255;
      data[channels * i + 1] = (v >>> 8) & 255;
      data[channels * i + 2] = v & 255;
      if (p.argb) data[channels * i + 3] = v >>> 24;
    });
    const surface = makeSurface({
      data,
      channels,
      stride: p.width,
      x: 0,
      y: 0,
      width: p.width,
      height: p.height,
      validWidth: p.width,
      validHeight: p.height,
      rgb24: !p.argb,
    });
    paintSurface(canvas, surface, p.x, p.y, p.operator === 'over' ? 'source' : 'saturate');
  }
  return Array.from({ length: width * height }, (_, i) => {
    const d = canvas.data.subarray(4 * i, 4 * i + 4);
    return ((d[3]! << 24) | (d[0]! << 16) | (d[1]! << 8) | d[2]!) >>> 0;
  });
}

function randomImage(random: () => number, width: number, height: number, argb: boolean): number[] {
  return Array.from({ length: width * height }, () => {
    const a = !argb || random() < 0.5 ? 255 : Math.floor(random() * 256);
    const channel = () => Math.floor(random() * (a + 1));
    return ((a << 24) | (channel() << 16) | (channel() << 8) | channel()) >>> 0;
  });
}

function mismatches(ours: number[], theirs: number[]): string[] {
  const hex = (v: number) => v.toString(16).padStart(8, '0');
  return ours.flatMap((v, i) => (v === theirs[i] ? [] : [`pixel ${i}: ${hex(v)} (cairo ${hex(theirs[i]!)})`]));
}

describe('the tile compositor paints as cairo 1.16 and pixman do', () => {
  test('SATURATE: opaque and translucent images, whole and fractional positions, overlapping, covering the canvas', () => {
    const random = seededRandom(42);
    const width = 24;
    const height = 10;
    for (let trial = 0; trial < 40; trial++) {
      const paints: Paint[] = Array.from({ length: 4 }, (_, k) => {
        const covering = trial % 3 === 0 && k === 3;
        const argb = trial % 2 === 1 && k % 2 === 0;
        const w = covering ? 40 : 9 + Math.floor(random() * 4);
        const h = covering ? 20 : 5 + Math.floor(random() * 3);
        const whole = random() < 0.3;
        const position = (span: number) => (whole ? Math.floor(random() * span) : Math.round(random() * span * 16) / 16 + (random() < 0.5 ? 0.3 : 0));
        return {
          width: w,
          height: h,
          argb,
          pixels: randomImage(random, w, h, argb),
          x: covering ? -3.3 - random() * 5 : position(16) - 2,
          y: covering ? -2.6 - random() * 4 : position(6) - 1,
          operator: 'saturate',
        };
      });
      const cairo = cairoPaints(width, height, paints);
      for (const scalar of [false, true]) {
        const wrong = mismatches(ourPaints(width, height, paints, scalar), cairo);
        assert.deepEqual(wrong, [], `trial ${trial}${scalar ? ', JS loops' : ''}: ${JSON.stringify(paints.map((p) => [p.argb, p.x, p.y]))}`);
      }
    }
  });

  test('an image copied onto a cleared canvas from a fractional position (a part of a MIRAX image)', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 20; trial++) {
      const argb = trial % 2 === 0;
      const paint: Paint = {
        width: 12,
        height: 9,
        argb,
        pixels: randomImage(random, 12, 9, argb),
        x: -Math.round(random() * 64) / 16,
        y: -Math.round(random() * 48) / 16,
        operator: 'over',
      };
      const cairo = cairoPaints(8, 6, [paint]);
      for (const scalar of [false, true]) {
        const wrong = mismatches(ourPaints(8, 6, [paint], scalar), cairo);
        assert.deepEqual(wrong, [], `trial ${trial}${scalar ? ', JS loops' : ''}: ${JSON.stringify([paint.argb, paint.x, paint.y])}`);
      }
    }
  });
});

test('a canvas over white: the kernel and the JS loop give the same RGB, and both say whether anything was painted', () => {
  const random = seededRandom(3);
  const canvas = createCanvas(37, 23);
  for (let i = 0; i < canvas.data.length; i += 4) {
    const a = [0, 255, Math.floor(random() * 256)][i % 3]!;
    for (let c = 0; c < 3; c++) canvas.data[i + c] = Math.floor(random() * (a + 1));
    canvas.data[i + 3] = a;
  }
  const byKernel = canvasOverWhite(canvas);
  setScalarPixelLoops(true);
  try {
    assert.deepEqual(canvasOverWhite(canvas), byKernel);
    assert.equal(canvasOverWhite(createCanvas(5, 4)), null);
  } finally {
    setScalarPixelLoops(false);
  }
  assert.equal(canvasOverWhite(createCanvas(5, 4)), null);
  const first = byKernel!.data;
  assert.deepEqual([...first.subarray(0, 3)], [255, 255, 255]);
});

test('paints larger than the kernel memory holds at once go through it in bands, as the JS loops paint them', () => {
  const random = seededRandom(11);
  const source = (argb: boolean) => {
    const width = 1400;
    const height = 800;
    const data = new Uint8Array(width * height * 3);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(random() * 256);
    return makeSurface({ data, channels: 3, stride: width, x: 0, y: 0, width, height, validWidth: width - 3, validHeight: height - 2, rgb24: !argb });
  };
  const paints: Array<[ReturnType<typeof source>, number, number]> = [
    [source(true), 40.37, 30.81], // float SATURATE (not known opaque), resampled
    [source(false), -20.5, -10.25], // opaque and covering the canvas: 8-bit OVER_REVERSE, resampled
    [source(true), 100, 60], // whole pixels
  ];
  const paint = (scalar: boolean) => {
    setScalarPixelLoops(scalar);
    try {
      const canvas = createCanvas(1300, 760);
      for (const [surface, x, y] of paints) paintSurface(canvas, surface, x, y, 'saturate');
      return canvas.data;
    } finally {
      setScalarPixelLoops(false);
    }
  };
  assert.ok(Buffer.from(paint(false)).equals(Buffer.from(paint(true))));
});
