// Deep-zoom tiles shared out among several engines (the engine process's lanes): each
// tile has one lane, so its work and its cache entry are never duplicated, and a screen of tiles is
// split evenly.

export function tileLane(col: number, row: number, lanes: number): number {
  return lanes <= 1 ? 0 : (col + row) % lanes;
}
