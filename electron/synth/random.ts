// Deterministic integer hashing and a seeded generator for the synthetic slides. Only integer
// arithmetic (Math.imul, shifts): the same seed gives the same numbers on every platform and
// Node version, which keeps generated files byte-identical.

/** A 32-bit avalanche hash of two integer coordinates and a seed. */
export function hash2(x: number, y: number, seed: number): number {
  let h = (seed ^ Math.imul(x | 0, 0x27d4eb2d)) | 0;
  h = Math.imul(h ^ Math.imul(y | 0, 0x165667b1), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca77);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae3d);
  h ^= h >>> 16;
  return h >>> 0;
}

/** hash2 scaled to [0, 1). */
export function unit2(x: number, y: number, seed: number): number {
  return hash2(x, y, seed) / 4294967296;
}

/** mulberry32: a small, fast seeded generator of floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a string into a 32-bit seed (FNV-1a), for deriving independent streams. */
export function seedFrom(seed: number, salt: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < salt.length; i++) {
    h ^= salt.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
