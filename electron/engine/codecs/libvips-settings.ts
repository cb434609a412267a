// libvips' process-wide settings, as the engine wants them: no operation cache (the engine keeps its
// own caches of tiles and pixels), and libvips' threads per operation where the launcher chose them.
// A second copy of sharp loaded into the process (the built-in sample's generator, bundled on its
// own) turns libvips' cache back on as it loads, and may set its threads: call this after.

import sharp from 'sharp';

let threads: number | null = null;

/** Threads per libvips job from now on; null leaves sharp's default (on glibc 1 unless MALLOC_ARENA_MAX is set, else the cores). */
export function setLibvipsThreads(count: number | null): void {
  threads = count;
  applyLibvipsSettings();
}

export function applyLibvipsSettings(): void {
  sharp.cache(false);
  if (threads !== null) sharp.concurrency(threads);
}
