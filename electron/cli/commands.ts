// The CLI's commands over the engine process (forked): what users ran in Python inside Docker, as one
// command with no Python, no Docker and no network. Exports are the same engine operations the app
// uses; answers are Results, reported per slide.

import { mkdir, readdir, stat } from 'node:fs/promises';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { ErrorInfo, Result } from '../../shared/errors';
import { DEFAULT_POWERS, exportFileNames } from '../../shared/export-plan';
import type { ComparisonMode, ImageFormat, ThumbnailSpec } from '../../shared/operations';
import type { SlideInfo } from '../../shared/slide';
import { hasSlideExtension } from '../../shared/slide-formats';
import type { EngineClient } from '../engine-host/engine-client';
import type { Progress } from './progress';

export type Engine = EngineClient<unknown>;

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

/** Files given, and the slide files inside folders given (not recursive), in a stable order. */
export async function expandInputs(inputs: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const input of inputs) {
    const path = resolve(input);
    const info = await stat(path).catch(() => null);
    if (info?.isDirectory()) {
      const names = (await readdir(path)).filter(hasSlideExtension).sort();
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

/** A slide's failure, reported by the batch: the file it names, or the slide's own. */
function failure(path: string, error: ErrorInfo): BatchFailure {
  return { path: error.path ?? path, code: error.code, message: error.message };
}

/** Opens a slide, runs `work` on it, closes it: the work's Result, or why the slide would not open. */
export async function withSlide<T>(engine: Engine, path: string, work: (slideId: string, info: SlideInfo) => Promise<Result<T>>): Promise<Result<T>> {
  const opened = await engine.open(resolve(path), null);
  if (!opened.ok) return opened;
  try {
    return await work(opened.value.slideId, opened.value.info);
  } finally {
    await engine.close(opened.value.slideId);
  }
}

/** Runs work over slides in parallel; failures are collected, never stop the others. */
export async function forEachSlide(
  paths: string[],
  progress: Progress,
  work: (path: string) => Promise<Result<unknown>>,
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
        const result = await work(path);
        if (!result.ok) failures.push(failure(path, result.error));
        progress.update(++done, paths.length, path);
      }
    }),
  );
  progress.finish();
  return failures;
}

export async function runThumbnails(
  engine: Engine,
  paths: string[],
  spec: ThumbnailSpec,
  format: ImageFormat,
  outDir: string,
  overwrite: boolean,
  progress: Progress,
): Promise<{ written: string[]; failures: BatchFailure[] }> {
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  const failures = await forEachSlide(paths, progress, (path) =>
    withSlide(engine, path, async (slideId, info) => {
      const out = resolve(outDir, exportFileNames(info, [], format).thumbnail);
      const result = await engine.call('engine:export-thumbnail', { slideId, spec, path: out, format, overwrite });
      if (result.ok) written.push(...result.value.files);
      return result;
    }),
  );
  return { written, failures };
}

export async function runCompare(
  engine: Engine,
  path: string,
  powers: number[],
  mode: ComparisonMode,
  format: ImageFormat,
  outFile: string,
  overwrite: boolean,
): Promise<Result<string[]>> {
  const comparisonPath = resolve(outFile);
  await mkdir(dirname(comparisonPath), { recursive: true });
  const result = await withSlide(engine, path, (slideId) =>
    engine.call('engine:export-comparison', {
      slideId,
      powers: powers.length ? powers : DEFAULT_POWERS,
      mode,
      folder: dirname(comparisonPath),
      comparisonPath,
      format,
      overwrite,
    }),
  );
  return result.ok ? { ok: true, value: result.value.files } : result;
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
  engine: Engine,
  path: string,
  args: RegionArgs,
  outFile: string,
  format: ImageFormat,
  overwrite: boolean,
): Promise<Result<string>> {
  const at = args.power !== undefined ? { kind: 'power' as const, objectivePower: args.power } : { kind: 'level' as const, level: args.level ?? 0 };
  const result = await withSlide(engine, path, (slideId) =>
    engine.call('engine:export-region', {
      slideId,
      x: args.x,
      y: args.y,
      width: args.width,
      height: args.height,
      at,
      path: resolve(outFile),
      format,
      overwrite,
    }),
  );
  return result.ok ? { ok: true, value: resolve(outFile) } : result;
}
