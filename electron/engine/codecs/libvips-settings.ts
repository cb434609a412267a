// libvips' process-wide settings, as the engine wants them: no operation cache (the engine keeps its
// own caches of tiles and pixels). A second copy of sharp loaded into the process (the built-in
// sample's generator, bundled on its own) turns libvips' cache back on as it loads: call this after.

import sharp from 'sharp';

export function applyLibvipsSettings(): void {
  sharp.cache(false);
}
