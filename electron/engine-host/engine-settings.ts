// How the engine process is set up: its lanes, their JPEG 2000 threads and its memory cap. The
// launcher passes them in the environment (SLIDESCOPE_ENGINE_*), so the CLI, the tests and the app set
// them the same way.

import { availableParallelism, homedir, totalmem } from 'node:os';
import { join } from 'node:path';

/**
 * The signals that stop a CLI batch cleanly (Ctrl-C, a scheduler's SIGTERM, a closed terminal's
 * SIGHUP, and the SIGUSR1/SIGUSR2 a Slurm `--signal` sends ahead of a time limit, which Node would
 * otherwise take as "start the debugger" and "end now"): its engines leave them to it.
 */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;

export interface EngineSettings {
  /** Lanes (the engine's worker threads); default defaultLaneCount(). */
  lanes: number | null;
  /** Each lane's JPEG 2000 threads, 0 to decode in the lane's own thread; default defaultCodecThreads(). */
  codecThreads: number | null;
  /** Threads per libvips job (sharp's decodes, resizes, encodes); null for sharp's default. */
  libvipsThreads: number | null;
  /** Above this resident size the engine process ends itself (and is restarted). */
  memoryCapBytes: number;
  /** Where exports list their temporary files while they write (a crash's leftovers are removed at the next start). */
  partialWritesDir: string | null;
  /** STOP_SIGNALS are its parent's to act on (a CLI batch lets running slides finish): it ignores them. */
  parentHandlesSignals: boolean;
  /** Starts the JPEG 2000 threads and optimises OpenJPEG at launch, for a viewer's first view (not a CLI's run). */
  warmUp: boolean;
  /** A CLI batch's floor under its lanes' old space, in MB (batchOldSpaceMb, kept by keepOldSpaceFloor); null for V8's own limits. */
  oldSpaceFloorMb: number | null;
}

const MB = 2 ** 20;

/** The most lanes an engine process runs, and the most cores their JPEG 2000 threads share. */
export const MAX_LANES = 4;

/** The engine process's exit code when it ends itself over its memory cap (its 'fatal' message may not get out first). */
export const OVER_MEMORY_CAP_EXIT = 70;

/** What an engine process that ended itself over a file read that did not return says (pool-reads.ts); the client fails a slide it stops twice with IO_ERROR. */
export const STOPPED_FILE_SYSTEM = 'its file system stopped answering';

/** The words of every reason an engine process gives for ending over its memory cap. */
export const OVER_MEMORY_CAP = 'over its memory cap';

/** Why the engine process exited with `code`, for its parent. */
export function exitReason(code: number | null): string {
  return code === OVER_MEMORY_CAP_EXIT ? `it went ${OVER_MEMORY_CAP}` : `it exited (code ${code})`;
}

/**
 * A lane per core but one, at most MAX_LANES: the router, V8's background threads and the client
 * take most of a core while tiles stream (docs/performance.md, "Lanes"). On 2 cores one lane made
 * 6-18% more tiles than two.
 */
export function defaultLaneCount(cores = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_LANES, cores - 1));
}

/** A lane's JPEG 2000 threads: the cores (at most MAX_LANES) shared out among the lanes, the first lanes taking what does not divide, one at least. */
export function defaultCodecThreads(lane: number, lanes: number, cores = availableParallelism()): number {
  const shared = Math.min(MAX_LANES, cores);
  return Math.max(1, Math.floor(shared / lanes) + (lane < shared % lanes ? 1 : 0));
}

/**
 * The old generation of each thread's V8 heap in the engine process (its lanes, codec and detection
 * threads): a quarter of the memory cap, at least 256 MB. Pixel buffers live outside the heaps: the
 * memory cap is what bounds them.
 */
export function engineHeapMb(memoryCapBytes: number): number {
  return Math.max(256, Math.round(memoryCapBytes / MB / 4));
}

/**
 * The limits every thread the engine process starts is given (engineHeapMb). Given per thread rather
 * than as the process's `--max-old-space-size`: a heap flag costs Node its built-in code cache in every
 * isolate, ~80 ms of an engine's start (docs/performance.md).
 */
export function threadHeapLimits(settings: Pick<EngineSettings, 'memoryCapBytes'>): { maxOldGenerationSizeMb: number } {
  return { maxOldGenerationSizeMb: engineHeapMb(settings.memoryCapBytes) };
}

/** Default cap: 3 GB, or half of a small machine's memory, and never below 1 GB. */
export function defaultMemoryCapBytes(): number {
  return Math.max(1024 * MB, Math.min(3072 * MB, Math.floor(totalmem() / 2)));
}

export const ENGINE_ENV = {
  lanes: 'SLIDESCOPE_ENGINE_LANES',
  codecThreads: 'SLIDESCOPE_ENGINE_CODEC_THREADS',
  libvipsThreads: 'SLIDESCOPE_ENGINE_LIBVIPS_THREADS',
  memoryCapMb: 'SLIDESCOPE_ENGINE_MEMORY_CAP_MB',
  partialWritesDir: 'SLIDESCOPE_ENGINE_PARTIAL_WRITES_DIR',
  parentHandlesSignals: 'SLIDESCOPE_ENGINE_PARENT_HANDLES_SIGNALS',
  noWarmUp: 'SLIDESCOPE_ENGINE_NO_WARM_UP',
  oldSpaceFloorMb: 'SLIDESCOPE_ENGINE_OLD_SPACE_FLOOR_MB',
} as const;

/** The least memory cap a person may set: an engine process that has started holds ~150 MB before any slide. */
export const LEAST_ENGINE_CAP_MB = 256;

/** Digits alone (spaces around them aside), `least` or more; null for anything else ("1e1", "0x2", "-1", ""). */
export function wholeNumber(value: string | undefined, least: number): number | null {
  const n = value !== undefined && /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  return Number.isInteger(n) && n >= least ? n : null;
}
const positiveInt = (value: string | undefined) => wholeNumber(value, 1);

/** The numeric variables a person may set, with the least each takes and what it counts. */
const NUMERIC_ENV = [
  [ENGINE_ENV.memoryCapMb, LEAST_ENGINE_CAP_MB, 'megabytes (2048 for 2 GB)'],
  [ENGINE_ENV.lanes, 1, 'lanes'],
  [ENGINE_ENV.codecThreads, 0, 'threads'],
  [ENGINE_ENV.libvipsThreads, 1, 'threads'],
] as const;

/** What is wrong with an engine variable set in `env` (readEngineSettings would ignore it), or null. */
export function engineEnvironmentProblem(env: NodeJS.ProcessEnv): string | null {
  for (const [name, least, unit] of NUMERIC_ENV) {
    const value = env[name];
    // Set empty (`VAR=` in a script) is unset, as readEngineSettings takes it.
    if (value !== undefined && value.trim() !== '' && wholeNumber(value, least) === null)
      return `${name} must be a whole number of ${unit}, ${least} or more (got "${value}").`;
  }
  return null;
}

export function readEngineSettings(env: NodeJS.ProcessEnv): EngineSettings {
  const capMb = positiveInt(env[ENGINE_ENV.memoryCapMb]);
  const memoryCapBytes = capMb === null ? defaultMemoryCapBytes() : capMb * MB;
  const partialWritesDir = env[ENGINE_ENV.partialWritesDir] || null;
  return {
    lanes: positiveInt(env[ENGINE_ENV.lanes]),
    codecThreads: wholeNumber(env[ENGINE_ENV.codecThreads], 0),
    libvipsThreads: positiveInt(env[ENGINE_ENV.libvipsThreads]),
    memoryCapBytes,
    partialWritesDir,
    parentHandlesSignals: env[ENGINE_ENV.parentHandlesSignals] === '1',
    warmUp: env[ENGINE_ENV.noWarmUp] !== '1',
    oldSpaceFloorMb: positiveInt(env[ENGINE_ENV.oldSpaceFloorMb]),
  };
}

/** The environment a launcher gives the engine process for these settings. */
export interface EngineLaunchSettings {
  lanes?: number | undefined;
  codecThreads?: number | undefined;
  memoryCapMb?: number | undefined;
  partialWritesDir?: string | undefined;
  /**
   * A CLI batch: STOP_SIGNALS are the parent's to act on (it lets the slides being made finish), so
   * the engine ignores them; forked, it also gets a process group of its own (POSIX), out of reach of
   * a terminal's Ctrl-C. It still ends when its parent says so or goes.
   */
  parentHandlesSignals?: boolean | undefined;
  /** False for a CLI: a second of launch it would spend on JPEG 2000 threads that most runs never use. */
  warmUp?: boolean | undefined;
  /**
   * A CLI batch's engines, whose jobs keep every core busy, set for throughput (docs/performance.md):
   * V8's collector on one thread, as its parallel threads only contend with the other jobs; a floor
   * under the lanes' old space (batchOldSpaceMb, keepOldSpaceFloor), where V8's own ~20 MB took a
   * full collection every few slides; and on Linux one malloc arena (batchMallocEnvironment).
   */
  batchMemory?: boolean | undefined;
}

/** The most a batch engine's isolates keep in old space before collecting (keepOldSpaceFloor). */
const BATCH_OLD_SPACE_MB = 64;

/**
 * A batch engine's floor under each isolate's old space: BATCH_OLD_SPACE_MB, or less where the router
 * and the lanes all at that floor could hold more than a quarter of the memory cap in garbage.
 */
export function batchOldSpaceMb(settings: EngineLaunchSettings): number {
  const isolates = (settings.lanes ?? MAX_LANES) + 1;
  if (settings.memoryCapMb === undefined) return BATCH_OLD_SPACE_MB;
  return Math.max(1, Math.min(BATCH_OLD_SPACE_MB, Math.floor(settings.memoryCapMb / 4 / isolates)));
}

/**
 * glibc's malloc arenas in a batch engine: by default each of its threads (the lane, libvips's
 * workers, libuv's pool) grows one of its own, ~60 MB of a job's ~255 MB at its peak, every page
 * faulted in afresh by each engine a shard starts; one arena: ~210 MB (docs/performance.md). sharp
 * reads the variable too: on glibc it keeps libvips at one thread per operation only while the
 * variable is unset, so the engine is given that count itself. Linux only (elsewhere neither applies,
 * and sharp's default stays the cores); nothing where the user chose their own arenas.
 */
function batchMallocEnvironment(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): void {
  if (platform !== 'linux' || env['MALLOC_ARENA_MAX'] !== undefined) return;
  env['MALLOC_ARENA_MAX'] = '1';
  env[ENGINE_ENV.libvipsThreads] = '1';
}

/**
 * The V8 flags a launcher starts the engine process with: none that sizes a heap, as those cost Node
 * its built-in code cache (threadHeapLimits); a batch's collector on one thread, which does not.
 */
export function engineExecArgv(settings: EngineLaunchSettings): string[] {
  return settings.batchMemory ? ['--single-threaded-gc'] : [];
}

export function engineEnvironment(base: NodeJS.ProcessEnv, settings: EngineLaunchSettings, platform = process.platform): NodeJS.ProcessEnv {
  const env = { ...base };
  // Node reads a bundle named here at every process start, before any code runs (~50 ms of CPU for
  // Debian's 144 certificates), and the engine opens no connection.
  delete env['NODE_EXTRA_CA_CERTS'];
  if (settings.lanes !== undefined) env[ENGINE_ENV.lanes] = String(settings.lanes);
  if (settings.codecThreads !== undefined) env[ENGINE_ENV.codecThreads] = String(settings.codecThreads);
  if (settings.memoryCapMb !== undefined) env[ENGINE_ENV.memoryCapMb] = String(settings.memoryCapMb);
  if (settings.partialWritesDir !== undefined) env[ENGINE_ENV.partialWritesDir] = settings.partialWritesDir;
  if (settings.parentHandlesSignals) env[ENGINE_ENV.parentHandlesSignals] = '1';
  if (settings.warmUp === false) env[ENGINE_ENV.noWarmUp] = '1';
  if (settings.batchMemory) {
    env[ENGINE_ENV.oldSpaceFloorMb] = String(batchOldSpaceMb(settings));
    batchMallocEnvironment(env, platform);
  }
  return env;
}

/** The user's cache folder for the CLI's engine (the app keeps its own under its data folder). */
export function userCacheDir(): string {
  if (process.platform === 'win32') return join(process.env['LOCALAPPDATA'] ?? join(homedir(), 'AppData', 'Local'), 'Slidescope', 'Cache');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Caches', 'Slidescope');
  return join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'slidescope');
}
