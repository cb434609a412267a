#!/usr/bin/env node
// Draws the Slidescope icon (a glass slide with an H&E-stained section under a magnifier) as SVG and
// renders every file the packagers and the app need, with sharp:
//   build/icon.png            1024x1024, electron-builder's master icon
//   build/icon.ico            Windows (16-256 px, PNG-compressed entries)
//   build/icon.icns           macOS (16-1024 px, PNG entries)
//   build/icons/NxN.png       Linux icon set (16-512 px)
//   assets/icons/icon-256.png the window icon on Linux (loaded by the main process)
// Run `node build/make-icons.mjs` after changing the drawing; the outputs are committed.

import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import sharp from 'sharp';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Deterministic pseudo-random numbers, so the drawing (and the committed files) never change by accident. */
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function nuclei(cx, cy, rx, ry, count, seed, minR, maxR) {
  const rand = rng(seed);
  const out = [];
  for (let i = 0; i < count; i++) {
    const a = rand() * Math.PI * 2;
    const d = Math.sqrt(rand()) * 0.9;
    const x = cx + Math.cos(a) * rx * d;
    const y = cy + Math.sin(a) * ry * d;
    const r = minR + rand() * (maxR - minR);
    const rot = Math.round(rand() * 180);
    out.push(
      `<ellipse cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" rx="${r.toFixed(1)}" ry="${(r * 0.72).toFixed(1)}" transform="rotate(${rot} ${x.toFixed(1)} ${y.toFixed(1)})"/>`,
    );
  }
  return out.join('');
}

function iconSvg() {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1024" height="1024" viewBox="0 0 1024 1024">
  <defs>
    <linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">
      <stop offset="0" stop-color="#203a6b"/>
      <stop offset="1" stop-color="#0d6e73"/>
    </linearGradient>
    <linearGradient id="glass" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#f7fbff"/>
      <stop offset="1" stop-color="#dbe7f2"/>
    </linearGradient>
    <radialGradient id="tissue" cx="0.45" cy="0.4" r="0.7">
      <stop offset="0" stop-color="#f4b6cf"/>
      <stop offset="1" stop-color="#d9779f"/>
    </radialGradient>
    <radialGradient id="lens" cx="0.4" cy="0.35" r="0.75">
      <stop offset="0" stop-color="#fbe3ee"/>
      <stop offset="1" stop-color="#eea7c5"/>
    </radialGradient>
    <clipPath id="lensClip"><circle cx="628" cy="566" r="176"/></clipPath>
  </defs>
  <rect x="48" y="48" width="928" height="928" rx="208" fill="url(#bg)"/>
  <g transform="rotate(-14 512 470)">
    <rect x="150" y="318" width="724" height="304" rx="30" fill="#0b2545" opacity="0.28" transform="translate(10 16)"/>
    <rect x="150" y="318" width="724" height="304" rx="30" fill="url(#glass)"/>
    <rect x="176" y="344" width="170" height="252" rx="16" fill="#c7d3e0"/>
    <rect x="200" y="392" width="122" height="18" rx="9" fill="#8fa3b8"/>
    <rect x="200" y="430" width="92" height="18" rx="9" fill="#8fa3b8"/>
    <path d="M420 420 C 470 350, 600 352, 660 392 C 735 440, 800 420, 812 480 C 826 552, 730 590, 650 572 C 580 556, 540 600, 470 580 C 400 560, 372 470, 420 420 Z" fill="url(#tissue)"/>
    <g fill="#6a3d9a" opacity="0.85">${nuclei(600, 475, 180, 85, 46, 7, 6, 11)}</g>
  </g>
  <g clip-path="url(#lensClip)">
    <circle cx="628" cy="566" r="176" fill="url(#lens)"/>
    <g fill="#5b2d8e" opacity="0.9">${nuclei(628, 566, 170, 170, 22, 11, 16, 28)}</g>
    <path d="M470 470 C 540 420, 700 410, 800 470" stroke="#ffffff" stroke-width="10" fill="none" opacity="0.35"/>
  </g>
  <circle cx="628" cy="566" r="176" fill="none" stroke="#f2f6fa" stroke-width="36"/>
  <line x1="760" y1="700" x2="872" y2="812" stroke="#f2f6fa" stroke-width="64" stroke-linecap="round"/>
  <line x1="760" y1="700" x2="872" y2="812" stroke="#b8c6d4" stroke-width="24" stroke-linecap="round" opacity="0.6"/>
</svg>`;
}

/** Full RGBA PNG (what .ico and .icns readers expect), or palette-quantised for the small loose files. */
async function renderPng(master, size, palette) {
  return sharp(master)
    .resize(size, size, { kernel: size <= 64 ? 'lanczos3' : 'mitchell' })
    .png({ compressionLevel: 9, adaptiveFiltering: true, palette, quality: 95, effort: 10 })
    .toBuffer();
}

/** ICO with PNG-compressed images (supported since Windows Vista). */
function makeIco(images) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(images.length, 4);
  const entries = [];
  let offset = 6 + 16 * images.length;
  for (const { size, png } of images) {
    const e = Buffer.alloc(16);
    e.writeUInt8(size >= 256 ? 0 : size, 0);
    e.writeUInt8(size >= 256 ? 0 : size, 1);
    e.writeUInt8(0, 2);
    e.writeUInt8(0, 3);
    e.writeUInt16LE(1, 4);
    e.writeUInt16LE(32, 6);
    e.writeUInt32LE(png.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += png.length;
    entries.push(e);
  }
  return Buffer.concat([header, ...entries, ...images.map((i) => i.png)]);
}

/** ICNS with PNG entries, keyed by OSType. */
function makeIcns(entries) {
  const chunks = entries.map(({ type, png }) => {
    const head = Buffer.alloc(8);
    head.write(type, 0, 'latin1');
    head.writeUInt32BE(png.length + 8, 4);
    return Buffer.concat([head, png]);
  });
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'latin1');
  head.writeUInt32BE(8 + chunks.reduce((n, c) => n + c.length, 0), 4);
  return Buffer.concat([head, ...chunks]);
}

async function main() {
  const master = await sharp(Buffer.from(iconSvg()), { density: 72 }).resize(1024, 1024).png().toBuffer();
  const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
  const png = new Map();
  const rgba = new Map();
  for (const size of sizes) {
    png.set(size, await renderPng(master, size, size >= 64));
    rgba.set(size, await renderPng(master, size, false));
  }

  const out = async (rel, data) => {
    const file = join(root, rel);
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, data);
    console.log(`  ${rel.padEnd(28)} ${(data.length / 1024).toFixed(1)} KiB`);
  };

  await out('build/icon.png', png.get(1024));
  await out('build/icon.ico', makeIco([16, 24, 32, 48, 64, 128, 256].map((size) => ({ size, png: rgba.get(size) }))));
  await out(
    'build/icon.icns',
    makeIcns([
      { type: 'icp4', png: rgba.get(16) },
      { type: 'icp5', png: rgba.get(32) },
      { type: 'icp6', png: rgba.get(64) },
      { type: 'ic07', png: rgba.get(128) },
      { type: 'ic08', png: rgba.get(256) },
      { type: 'ic09', png: rgba.get(512) },
      { type: 'ic10', png: rgba.get(1024) },
      { type: 'ic11', png: rgba.get(32) },
      { type: 'ic12', png: rgba.get(64) },
      { type: 'ic13', png: rgba.get(256) },
      { type: 'ic14', png: rgba.get(512) },
    ]),
  );
  for (const size of [16, 32, 48, 64, 128, 256, 512]) await out(`build/icons/${size}x${size}.png`, png.get(size));
  await out('assets/icons/icon-256.png', png.get(256));
}

await main();
