// Runs OpenSlide (Debian python3-openslide) for reference pixels: a batch of requests per process.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./openslide_reference.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export type ReferenceRequest =
  | { kind: 'info'; path: string }
  | { kind: 'region'; path: string; level: number; x: number; y: number; width: number; height: number }
  | { kind: 'associated'; path: string; name: string }
  | { kind: 'dztile'; path: string; tile_size: number; overlap: number; dz_level: number; col: number; row: number }
  | { kind: 'thumbnail'; path: string; width: number; height: number };

export interface ReferenceImage {
  width: number;
  height: number;
  channels: number;
  data: Uint8Array;
}

export interface ReferenceInfo {
  level_count: number;
  dimensions: Array<[number, number]>;
  downsamples: number[];
  properties: Record<string, string>;
  associated: string[];
}

export type ReferenceResult = ReferenceImage | ReferenceInfo | { error: string };

export function openSlideAvailable(): boolean {
  const probe = spawnSync(PYTHON, ['-c', 'import openslide'], { encoding: 'utf8' });
  return probe.status === 0;
}

export function runOpenSlide(requests: ReferenceRequest[]): ReferenceResult[] {
  const outDir = mkdtempSync(join(tmpdir(), 'slidescope-ref-'));
  try {
    const run = spawnSync(PYTHON, [SCRIPT], { input: JSON.stringify({ out_dir: outDir, requests }), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`OpenSlide reference failed: ${run.stderr}`);
    const results = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    return results.map((r) => {
      if (typeof r.file === 'string') {
        return { width: r.width as number, height: r.height as number, channels: r.channels as number, data: new Uint8Array(readFileSync(r.file)) };
      }
      return r as unknown as ReferenceResult;
    });
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

export function referenceImage(result: ReferenceResult | undefined): ReferenceImage {
  if (!result || !('data' in result)) throw new Error(`OpenSlide returned no image: ${JSON.stringify(result)}`);
  return result;
}

/** libvips (Debian libvips-tools) as a second reference: one TIFF page (IFD) decoded to RGB. */
export async function vipsPage(path: string, page: number): Promise<ReferenceImage> {
  const outDir = mkdtempSync(join(tmpdir(), 'slidescope-vips-'));
  try {
    const out = join(outDir, 'page.png');
    const run = spawnSync('vips', ['copy', `${path}[page=${page}]`, out], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`vips failed: ${run.stderr}`);
    const { default: sharp } = await import('sharp');
    const { data, info } = await sharp(out).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}
