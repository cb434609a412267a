// A VMS level made of a grid of JPEG files (NoJpegColumns x NoJpegRows), each with restart markers,
// as one level of whole restart intervals: its size the first row's widths and the first column's
// heights, as OpenSlide sums them. Tiles are each file's own (ndpi-jpeg-level.ts), so every file
// but those of the last column and row must be whole tiles wide and high; OpenSlide requires their
// intervals to match already.

import { SlideError } from '../../errors';
import type { IntervalJpegLevel } from '../hamamatsu-jpeg-source';
import type { NdpiJpegLevel, PlacedInterval } from '../ndpi/ndpi-jpeg-level';

export class VmsJpegGrid implements IntervalJpegLevel {
  readonly width: number;
  readonly height: number;
  readonly intervalWidth: number;
  readonly intervalHeight: number;
  readonly tileWidth: number;
  readonly tileHeight: number;
  readonly tilesAcross: number;
  readonly tilesDown: number;
  private readonly first: NdpiJpegLevel;

  /** `files` row by row; `path` is the slide's, for errors. */
  constructor(
    private readonly files: readonly NdpiJpegLevel[],
    private readonly columns: number,
    path: string,
  ) {
    const rows = files.length / columns;
    const first = files[0]!;
    this.first = first;
    this.intervalWidth = first.intervalWidth;
    this.intervalHeight = first.intervalHeight;
    this.tileWidth = first.tileWidth;
    this.tileHeight = first.tileHeight;
    const fail = (code: 'CORRUPT_DATA' | 'UNSUPPORTED_FORMAT', reason: string) => new SlideError(code, `This VMS slide's image ${reason}.`, path);
    files.forEach((file, i) => {
      const col = i % columns;
      const row = Math.floor(i / columns);
      if (file.intervalWidth !== first.intervalWidth || file.intervalHeight !== first.intervalHeight) {
        throw fail(
          'CORRUPT_DATA',
          `file ${i} has restart intervals of ${file.intervalWidth} x ${file.intervalHeight}, not ${first.intervalWidth} x ${first.intervalHeight} (tile size not consistent)`,
        );
      }
      if (col !== columns - 1 && (file.width !== first.width || file.width % this.tileWidth !== 0)) {
        throw fail(
          'UNSUPPORTED_FORMAT',
          `file ${i} is ${file.width} pixels wide; files before the last column must all be ${first.width}, whole tiles of ${this.tileWidth}`,
        );
      }
      if (row !== rows - 1 && (file.height !== first.height || file.height % this.tileHeight !== 0)) {
        throw fail(
          'UNSUPPORTED_FORMAT',
          `file ${i} is ${file.height} pixels high; files before the last row must all be ${first.height}, whole tiles of ${this.tileHeight}`,
        );
      }
    });
    this.width = files.slice(0, columns).reduce((sum, f) => sum + f.width, 0);
    this.height = files.filter((_, i) => i % columns === 0).reduce((sum, f) => sum + f.height, 0);
    this.tilesAcross = files.slice(0, columns).reduce((sum, f) => sum + f.tilesAcross, 0);
    this.tilesDown = files.filter((_, i) => i % columns === 0).reduce((sum, f) => sum + f.tilesDown, 0);
  }

  /** The file holding tile (col, row), and the tile's place in it. */
  private locate(col: number, row: number): { file: NdpiJpegLevel; col: number; row: number } {
    const perFileAcross = this.first.tilesAcross;
    const perFileDown = this.first.tilesDown;
    const fileCol = Math.min(Math.floor(col / perFileAcross), this.columns - 1);
    const fileRow = Math.min(Math.floor(row / perFileDown), this.files.length / this.columns - 1);
    return { file: this.files[fileRow * this.columns + fileCol]!, col: col - fileCol * perFileAcross, row: row - fileRow * perFileDown };
  }

  tileSize(col: number, row: number): { width: number; height: number } {
    const at = this.locate(col, row);
    return at.file.tileSize(at.col, at.row);
  }

  tileJpeg(col: number, row: number): Promise<Uint8Array> {
    const at = this.locate(col, row);
    return at.file.tileJpeg(at.col, at.row);
  }

  tileIntervalJpegs(col: number, row: number): Promise<PlacedInterval[]> {
    const at = this.locate(col, row);
    return at.file.tileIntervalJpegs(at.col, at.row);
  }

  tileDecodePieces(col: number, row: number): Promise<PlacedInterval[]> {
    const at = this.locate(col, row);
    return at.file.tileDecodePieces(at.col, at.row);
  }
}
