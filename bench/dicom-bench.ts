// The DICOM row of npm run bench: a generated whole-slide-size DICOM pyramid (the benchmark SVS's
// JPEG tiles as frames, a file per level) against the same slide as SVS, in the same engine process:
// tiles per second over the same random views, and the time to open it (its folder, as dropped)
// against the SVS's, the two taking turns for both.

import type { EngineClient } from '../electron/engine-host/engine-client';
import type { Result } from '../shared/errors';
import { median } from './median';

export interface DicomFigures {
  dicom_tiles_per_s: number;
  dicom_open_ms: number;
  /** SVS / DICOM: at most 1.2 is the target. */
  dicom_tiles_slowdown: number;
  dicom_open_slowdown: number;
}

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value;
}

/** Opens (and closes) timed per slide: a 2 ms figure moves with the machine by more than a target's margin. */
export const OPENS = 21;

/** Medians of OPENS opens (and closes) of each path, in ms, the paths taking turns (which goes first alternates). */
export async function openMsTakingTurns(host: EngineClient<unknown>, paths: readonly string[]): Promise<number[]> {
  const times = paths.map((): number[] => []);
  for (let i = 0; i < OPENS; i++) {
    const order = [...paths.keys()];
    if (i % 2 === 1) order.reverse();
    for (const k of order) {
      const path = paths[k]!;
      const t0 = performance.now();
      const { slideId } = value(await host.open(path, null));
      times[k]!.push(performance.now() - t0);
      await host.close(slideId);
    }
  }
  return times.map((each) => median(each));
}

/** Tile runs of each slide, taking turns: one DICOM run against the SVS's on other engines gave 0.96x to 1.56x. */
const TILE_ROUNDS = 3;

/**
 * The DICOM figures against the same slide as SVS (`svsPath`), both timed here on the same engine:
 * the opens taking turns, then the tiles. `tiles` runs the benchmark's random views on a freshly
 * opened slide and gives its tiles/s.
 */
export async function benchDicom(
  host: EngineClient<unknown>,
  folder: string,
  svsPath: string,
  tiles: (path: string) => Promise<number>,
): Promise<DicomFigures> {
  // One round untimed: the first open reads the files cold, and the engine has opened the SVS dozens
  // of times by now (its code optimised by V8) and the DICOM series never; then the timed round.
  await openMsTakingTurns(host, [folder, svsPath]);
  const [open, svsOpen] = await openMsTakingTurns(host, [folder, svsPath]);
  const dicomRates: number[] = [];
  const svsRates: number[] = [];
  for (let i = 0; i < TILE_ROUNDS; i++) {
    if (i % 2 === 0) {
      dicomRates.push(await tiles(folder));
      svsRates.push(await tiles(svsPath));
    } else {
      svsRates.push(await tiles(svsPath));
      dicomRates.push(await tiles(folder));
    }
  }
  const perS = median(dicomRates);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    dicom_tiles_per_s: round(perS),
    dicom_open_ms: round(open!),
    dicom_tiles_slowdown: round(median(svsRates) / perS),
    dicom_open_slowdown: round(open! / svsOpen!),
  };
}
