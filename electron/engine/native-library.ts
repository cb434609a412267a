// A C library called through koffi: the first candidate path that loads, binds and passes its check.
// Null where koffi has no build for the platform or no candidate will do; the caller then keeps its
// portable path (turbojpeg3: tiles decoded whole, exact decodes by sharp; openjpeg-native: the WebAssembly build).

import { createRequire } from 'node:module';
import type { LibraryHandle } from 'koffi';

export type Koffi = typeof import('koffi');

export function loadNativeLibrary<T>(paths: readonly string[], bind: (koffi: Koffi, lib: LibraryHandle) => T | null, check: (made: T) => boolean): T | null {
  let koffi: Koffi;
  try {
    // Required here, not imported: a platform koffi has no build for keeps the portable path.
    koffi = createRequire(import.meta.url)('koffi') as Koffi;
  } catch {
    return null;
  }
  for (const path of paths) {
    try {
      const made = bind(koffi, koffi.load(path));
      if (made !== null && check(made)) return made;
    } catch {
      // Not there, or not a usable build of it: the next, or none.
    }
  }
  return null;
}
