// The DICOM row of npm run bench: a generated whole-slide-size DICOM pyramid (the benchmark SVS's
// JPEG tiles as frames, a file per level) against the same slide as SVS, in the same engine process:
// tiles per second over the same random views, and the time to open it (its folder, as dropped)
// against the SVS's, the two taking turns.

import type { EngineClient } from '../electron/engine-host/engine-client';
import type { Result } from '../shared/errors';

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
  return times.map((each) => each.sort((a, b) => a - b)[OPENS >> 1]!);
}

/**
 * The DICOM figures against the SVS's (`svs`: its path, and its tiles/s measured the same way); the
 * two opens are timed here, taking turns. `tiles` runs the benchmark's random views on a slide and
 * gives its tiles/s.
 */
export async function benchDicom(
  host: EngineClient<unknown>,
  folder: string,
  svs: { path: string; tilesPerS: number },
  tiles: (path: string) => Promise<number>,
): Promise<DicomFigures> {
  // One round untimed: the first open reads the files cold, and the engine has opened the SVS dozens
  // of times by now (its code optimised by V8) and the DICOM series never; then the timed round.
  await openMsTakingTurns(host, [folder, svs.path]);
  const [open, svsOpen] = await openMsTakingTurns(host, [folder, svs.path]);
  const perS = await tiles(folder);
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    dicom_tiles_per_s: round(perS),
    dicom_open_ms: round(open!),
    dicom_tiles_slowdown: round(svs.tilesPerS / perS),
    dicom_open_slowdown: round(open! / svsOpen!),
  };
}
