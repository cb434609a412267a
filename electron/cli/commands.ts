// The CLI's commands over the in-process engine: what users ran in Python inside Docker, as one
// command with no Python, no Docker and no network.

import { mkdir, readdir, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { extname, join, resolve } from 'node:path';
import type { ComparisonMode, ImageFormat } from '../../shared/ipc';
import { downsampleForPower } from '../../shared/magnification';
import type { SlideInfo, ThumbnailSpec } from '../../shared/slide';
import type { SlideEngine } from '../engine/engine';
import { SlideError, toSlideError } from '../engine/errors';
import { writeFileAtomic } from '../engine/export/atomic-file';
import { encodeImage } from '../engine/export/encode-image';
import { checkPower, DEFAULT_POWERS, exportComparison, exportFileNames, exportThumbnail } from '../engine/export/exports';
import { sharpFrom } from '../engine/pixels';
import type { Progress } from './progress';

export interface InfoJson {
  vendor: string | null;
  width: number;
  height: number;
  objectivePower: number | null;
  mpp: { x: number; y: number } | null;
  levels: Array<{ width: number; height: number; downsample: number; tileWidth: number; tileHeight: number }>;
  associated: string[];
  properties: Record<string, string>;
}

export function infoJson(info: SlideInfo): InfoJson {
  return {
    vendor: info.vendor ?? null,
    width: info.width,
    height: info.height,
    objectivePower: info.objectivePower,
    mpp: info.mpp,
    levels: info.levels.map(({ width, height, downsample, tileWidth, tileHeight }) => ({ width, height, downsample, tileWidth, tileHeight })),
    associated: info.associated,
    properties: info.properties,
  };
}

export function infoText(info: SlideInfo): string {
  const lines = [
    `${info.name}`,
    `  format        ${info.vendor}`,
    `  dimensions    ${info.width} x ${info.height}`,
    `  objective     ${info.objectivePower === null ? 'unknown' : `${info.objectivePower}x`}`,
    `  µm/px         ${info.mpp ? `${info.mpp.x} x ${info.mpp.y}` : 'unknown'}`,
    `  associated    ${info.associated.join(', ') || 'none'}`,
    `  levels`,
    ...info.levels.map((l, i) => `    ${i}  ${l.width} x ${l.height}  downsample ${Number(l.downsample.toFixed(4))}  tiles ${l.tileWidth} x ${l.tileHeight}`),
  ];
  return lines.join('\n');
}

const SLIDE_EXTENSIONS = new Set(['.svs', '.tif', '.tiff', '.btf', '.tf8']);

/** Files given, and the slide files inside folders given (not recursive), in a stable order. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter((n) => SLIDE_EXTENSIONS.has(extname(n).toLowerCase())).sort();
      out.push(...names.map((n) => join(path, n)));
    } else {
      out.push(path); // a missing file is reported per file, with its reason
    }
  }
  return out;
}

export interface BatchFailure {
  path: string;
  code: string;
  message: string;
}

/** Runs work over slides in parallel; failures are collected, never stop the others. */
export async function forEachSlide(
  paths: string[],
  progress: Progress,
  work: (path: string) => Promise<void>,
  concurrency = Math.max(1, Math.min(4, cpus().length)),
): Promise<BatchFailure[]> {
  const failures: BatchFailure[] = [];
  let next = 0;
  let done = 0;
  progress.update(0, paths.length, '');
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const path = paths[next++]!;
        try {
          await work(path);
        } catch (error) {
          const e = toSlideError(error, path);
          failures.push({ path, code: e.code, message: e.message });
        }
        progress.update(++done, paths.length, path);
      }
    }),
  );
  progress.finish();
  return failures;
}

export async function runThumbnails(
  engine: SlideEngine,
  paths: string[],
  spec: ThumbnailSpec,
  format: ImageFormat,
  outDir: string,
  overwrite: boolean,
  progress: Progress,
): Promise<{ written: string[]; failures: BatchFailure[] }> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const failures = await forEachSlide(paths, progress, async (path) => {
    const { slideId, info } = await engine.open(path);
    try {
      const out = join(outDir, exportFileNames(info, [], format).thumbnail);
      written.push(await exportThumbnail(engine, slideId, info, spec, out, { format, overwrite }));
    } finally {
      await engine.close(slideId);
    }
  });
  return { written, failures };
}

export async function runCompare(
  engine: SlideEngine,
  path: string,
  powers: number[],
  mode: ComparisonMode,
  format: ImageFormat,
  outFile: string,
  overwrite: boolean,
): Promise<string[]> {
  const { slideId, info } = await engine.open(path);
  try {
    const dir = resolve(outFile, '..');
    await mkdir(dir, { recursive: true });
    return await exportComparison(engine, slideId, info, powers.length ? powers : DEFAULT_POWERS, mode, dir, {
      format,
      overwrite,
      comparisonPath: resolve(outFile),
    });
  } finally {
    await engine.close(slideId);
  }
}

export interface RegionArgs {
  x: number;
  y: number;
  width: number;
  height: number;
  level?: number;
  power?: number;
}

/** As OpenSlide's read_region (level) or TIAToolbox's read_rect (power): x, y in level-0 pixels. */
export async function runRegion(
  engine: SlideEngine,
  path: string,
  args: RegionArgs,
  outFile: string,
  format: ImageFormat,
  overwrite: boolean,
): Promise<string> {
  const { slideId, info } = await engine.open(path);
  try {
    let bytes: Uint8Array;
    if (args.power !== undefined) {
      checkPower(info, args.power);
      const ds = downsampleForPower(info, args.power)!;
      const image = await engine.readScaledRegion(slideId, args.x, args.y, args.width * ds, args.height * ds, args.width, args.height);
      bytes = await encodeImage(image, format);
    } else {
      const level = args.level ?? 0;
      if (!info.levels[level])
        throw new SlideError('INVALID_ARGUMENT', `The slide has levels 0 to ${info.levels.length - 1}; there is no level ${level}.`, path);
      const rgba = await engine.readRegion(slideId, level, args.x, args.y, args.width, args.height);
      // PNG and TIFF keep the transparency outside the slide; JPEG has none, so white.
      const pipeline = sharpFrom(rgba);
      const out =
        format === 'png'
          ? await pipeline.png().toBuffer()
          : format === 'tiff'
            ? await pipeline.tiff({ compression: 'deflate' }).toBuffer()
            : await pipeline.flatten({ background: '#ffffff' }).jpeg({ quality: 92, chromaSubsampling: '4:4:4' }).toBuffer();
      bytes = new Uint8Array(out.buffer, out.byteOffset, out.length);
    }
    await writeFileAtomic(resolve(outFile), bytes, overwrite);
    return resolve(outFile);
  } finally {
    await engine.close(slideId);
  }
}
