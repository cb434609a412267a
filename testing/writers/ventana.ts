// A test-only writer of Ventana BIF slides as the iScan scanners lay them out, and as OpenSlide
// 3.4.1 reads them (src/openslide-vendor-ventana.c):
//
// - IFD 0 "Label Image": the whole-slide photo (OpenSlide's "macro"), carrying the iScan XMP packet
//   (tag 700) whose attributes become ventana.* properties;
// - IFD 1 "Thumbnail";
// - IFD 2.. "level=N mag=M quality=Q": the pyramid. Level 0 holds the scanner's camera frames as
//   they were taken, each a tile, overlapping their neighbours on the glass; its XMP packet
//   (EncodeInfo) gives the areas scanned (AoiOrigin, ImageInfo) and each joint's overlap
//   (TileJointInfo, tiles numbered in a serpentine from the bottom left). Lower levels are the
//   frames' mosaic (frames side by side, overlaps not removed) reduced 2x per level.
//
// Frames are painted from the tissue painter at their place on the glass, with a coloured edge of
// their own so that which frame a reader draws on top in an overlap shows in the pixels.

import { makeLabel, makeMacro } from '../../electron/synth/associated';
import { type RgbImage, resizeArea } from '../../electron/synth/image-ops';
import { reduceBox } from '../../electron/synth/pyramid';
import { hash2 } from '../../electron/synth/random';
import { codecTags, SOFTWARE, stripSpec, type WrittenSlide, writeAtomically, writeJpegStrips, writeLzwStrips } from '../../electron/synth/slides';
import { Compression, FieldType, Photometric, TiffWriter } from '../../electron/synth/tiff-writer';
import { createCodec } from '../../electron/synth/tile-codecs';
import { TissuePainter } from '../../electron/synth/tissue';

export interface VentanaAreaSpec {
  /** First column and row of the area in level 0's grid of frames. */
  col: number;
  row: number;
  cols: number;
  rows: number;
  /** Its top-left frame's place on the glass, in level-0 pixels (written as Pos-X and Pos-Y). */
  x: number;
  y: number;
  /** false: an area the scanner skipped (AOIScanned="0"); its frames are not drawn. */
  scanned?: boolean;
}

/** The overlaps of one axis' joints: `mean` +/- `spread` alternately, weighted by confidence. */
export interface JointOverlaps {
  mean: number;
  spread: number;
  /** Confidence of the joints at mean + spread, and at mean - spread (default 50 each). */
  confidences?: readonly [number, number];
}

export interface VentanaOptions {
  /** Level 0's grid of frames (the TIFF's tiles). */
  gridCols: number;
  gridRows: number;
  areas: readonly VentanaAreaSpec[];
  /** RIGHT joints' OverlapX and UP joints' OverlapY (what OpenSlide averages into tile advances). */
  overlapX: JointOverlaps;
  overlapY: JointOverlaps;
  tileSize?: number;
  /** Pyramid levels, 2x apart (default 4). */
  levels?: number;
  quality?: number;
  magnification?: number;
  /** Microns per pixel (ScanRes). */
  scanRes?: number;
  /** 'Metadata': the iScan element under a Metadata root, as some scanners write it. */
  iScanRoot?: 'iScan' | 'Metadata';
  /** false: no EncodeInfo packet on level 0 (a "Ventana TIFF": frames abut, nothing to stitch). */
  encodeInfo?: boolean;
  seed?: number;
  /** Level-0 frames (column, row) left out of the file (offset and byte count 0). */
  missingFrames?: ReadonlyArray<readonly [number, number]>;
  /** Hostile files only: rewrites the EncodeInfo XML before it is written (not part of fixture keys). */
  rewriteEncodeInfo?: (xml: string) => string;
  /** Test files only: rewrites the iScan XMP packet before it is written (not part of fixture keys). */
  rewriteIScan?: (xml: string) => string;
}

interface Joint {
  direction: 'RIGHT' | 'UP';
  tile1: number;
  tile2: number;
  overlapX: number;
  overlapY: number;
  confidence: number;
}

/** The 1-based number of a frame of an area in the scanner's serpentine order (OpenSlide's inverse). */
export function serpentineNumber(area: VentanaAreaSpec, col: number, row: number): number {
  const fromBottom = area.rows - 1 - row;
  const across = fromBottom % 2 === 1 ? area.cols - 1 - col : col;
  return fromBottom * area.cols + across + 1;
}

/** The joints of an area, RIGHT then UP, their overlaps still to be set (assignOverlaps). */
function areaJoints(area: VentanaAreaSpec): Joint[] {
  const joints: Joint[] = [];
  for (let row = 0; row < area.rows; row++) {
    for (let col = 0; col + 1 < area.cols; col++) {
      // OverlapY of a RIGHT joint is the frames' vertical shift: OpenSlide 3.4.1 ignores it.
      const shift = (col + row) % 3 === 0 ? 1 : 0;
      joints.push({
        direction: 'RIGHT',
        tile1: serpentineNumber(area, col, row),
        tile2: serpentineNumber(area, col + 1, row),
        overlapX: 0,
        overlapY: shift,
        confidence: 0,
      });
    }
  }
  for (let row = area.rows - 1; row > 0; row--) {
    for (let col = 0; col < area.cols; col++) {
      const shift = col % 2 === 0 ? -1 : 0;
      joints.push({
        direction: 'UP',
        tile1: serpentineNumber(area, col, row),
        tile2: serpentineNumber(area, col, row - 1),
        overlapX: shift,
        overlapY: 0,
        confidence: 0,
      });
    }
  }
  return joints;
}

/** Overlaps about their mean, alternately above and below it over the whole slide; an odd one out gets the mean. */
function assignOverlaps(joints: readonly Joint[], direction: Joint['direction'], o: JointOverlaps): void {
  const [cPlus, cMinus] = o.confidences ?? [50, 50];
  const axis = joints.filter((j) => j.direction === direction);
  axis.forEach((j, k) => {
    const odd = k === axis.length - 1 && k % 2 === 0;
    const overlap = odd ? o.mean : k % 2 === 0 ? o.mean + o.spread : o.mean - o.spread;
    j.confidence = odd ? Math.round((cPlus + cMinus) / 2) : k % 2 === 0 ? cPlus : cMinus;
    if (direction === 'RIGHT') j.overlapX = overlap;
    else j.overlapY = overlap;
  });
}

/** OpenSlide's tile advance: the tile size less the confidence-weighted mean overlap. */
function advance(tile: number, joints: readonly Joint[], axis: 'x' | 'y'): number {
  let total = 0;
  let weight = 0;
  for (const j of joints) {
    if ((j.direction === 'UP') !== (axis === 'y')) continue;
    total += j.confidence * -(axis === 'x' ? j.overlapX : j.overlapY);
    weight += j.confidence;
  }
  return tile + total / weight;
}

function attrs(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}="${v}"`)
    .join(' ');
}

export function iScanXml(options: { magnification: number; scanRes: number; root: 'iScan' | 'Metadata'; seed: number }): string {
  const iScan = `<iScan ${attrs({
    BuildDate: '11/20/2014 1:44:08 PM',
    BuildVersion: '3.3.1.1',
    CaptureRes: '10',
    Magnification: options.magnification,
    ScanRes: options.scanRes,
    ScannerModel: 'VENTANA iScan HT',
    SlideAnnotation: '',
    UnitNumber: `SYNTH${options.seed}`,
    'Z-layers': 1,
    'Z-spacing': 1,
  })}><AOI0 Left="10" Top="20" Right="1000" Bottom="900"/></iScan>`;
  const body = options.root === 'Metadata' ? `<Metadata>${iScan}</Metadata>` : iScan;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${body}\n`;
}

function encodeInfoXml(areas: readonly VentanaAreaSpec[], jointsOf: readonly Joint[][], posY: readonly number[], tileSize: number): string {
  const origins = areas.map((a, i) => `<AOI${i} ${attrs({ OriginX: a.col * tileSize, OriginY: a.row * tileSize })}/>`).join('');
  const infos = areas
    .map((a, i) => {
      const head = attrs({
        AOIScanned: a.scanned === false ? 0 : 1,
        AOIIndex: i,
        Width: tileSize,
        Height: tileSize,
        NumRows: a.rows,
        NumCols: a.cols,
        'Pos-X': a.x,
        'Pos-Y': posY[i]!,
      });
      const joints = jointsOf[i]!.map(
        (j) =>
          `<TileJointInfo ${attrs({ FlagJoined: 1, Confidence: j.confidence, Direction: j.direction, Tile1: j.tile1, Tile2: j.tile2, OverlapX: j.overlapX, OverlapY: j.overlapY })}/>`,
      ).join('\n');
      return `<ImageInfo ${head}>\n${joints}\n</ImageInfo>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<EncodeInfo Ver="2"><SlideInfo><AttachmentInfo/></SlideInfo><AoiOrigin>${origins}</AoiOrigin><SlideStitchInfo>\n${infos}\n</SlideStitchInfo></EncodeInfo>\n`;
}

function xmp(xml: string) {
  return { tag: 700, type: FieldType.BYTE, values: new TextEncoder().encode(xml) } as const;
}

/** A small BIF of one 3 x 2 area, two levels: what the fuzz mutates and its regressions make again. */
export const SMALL_BIF: VentanaOptions = {
  gridCols: 3,
  gridRows: 2,
  areas: [{ col: 0, row: 0, cols: 3, rows: 2, x: 0, y: 0 }],
  overlapX: { mean: 8, spread: 2 },
  overlapY: { mean: 6, spread: 2 },
  levels: 2,
  seed: 10,
};

export async function writeVentanaBif(path: string, options: VentanaOptions): Promise<WrittenSlide> {
  const tile = options.tileSize ?? 256;
  const levels = options.levels ?? 4;
  const quality = options.quality ?? 90;
  const magnification = options.magnification ?? 40;
  const seed = options.seed ?? 1;
  const { gridCols, gridRows, areas } = options;
  for (const a of areas) {
    if (a.col + a.cols > gridCols || a.row + a.rows > gridRows) throw new Error('an area lies outside the grid of frames');
  }
  const scanned = areas.filter((a) => a.scanned !== false);
  const jointsOf = areas.map((a) => (a.scanned === false ? [] : areaJoints(a)));
  const allJoints = jointsOf.flat();
  assignOverlaps(allJoints, 'RIGHT', options.overlapX);
  assignOverlaps(allJoints, 'UP', options.overlapY);
  const advX = advance(tile, allJoints, 'x');
  const advY = advance(tile, allJoints, 'y');
  // Pos-Y is measured up from a line below every area, to the area's bottom edge (OpenSlide turns
  // it back into a top edge with its own advance, truncated as it does).
  const heights = areas.map((a) => Math.trunc((a.rows - 1) * advY + tile));
  const bottom = Math.max(...scanned.map((a) => a.y + heights[areas.indexOf(a)]!));
  const posY = areas.map((a, i) => bottom - a.y - heights[i]!);

  const stageWidth = Math.ceil(Math.max(...areas.map((a) => a.x + (a.cols - 1) * advX + tile)));
  const stageHeight = Math.ceil(Math.max(...areas.map((a) => a.y + (a.rows - 1) * advY + tile)));
  const painter = new TissuePainter({ width: stageWidth, height: stageHeight, seed });

  // The frames side by side: level 0's pixels, and what lower levels reduce.
  const mosaic: RgbImage = { data: new Uint8Array(gridCols * tile * gridRows * tile * 3), width: gridCols * tile, height: gridRows * tile };
  painter.fillBackground(mosaic.width, mosaic.height, mosaic.data, mosaic.width * 3);
  const stride = mosaic.width * 3;
  for (const area of scanned) {
    for (let r = 0; r < area.rows; r++) {
      for (let c = 0; c < area.cols; c++) {
        const offset = (area.row + r) * tile * stride + (area.col + c) * tile * 3;
        painter.paint(Math.round(area.x + c * advX), Math.round(area.y + r * advY), tile, tile, mosaic.data, stride, offset);
        frameEdge(mosaic.data, stride, offset, tile, hash2(area.col + c, area.row + r, seed));
      }
    }
  }

  const codec = await createCodec({ kind: 'jpeg', quality, photometric: 'ycbcr', chroma: '4:2:0' });
  const labelCodec = await createCodec({ kind: 'jpeg', quality: 85, photometric: 'ycbcr', chroma: '4:2:0' });
  const overview = resizeArea(
    { data: painter.render(0, 0, stageWidth, stageHeight), width: stageWidth, height: stageHeight },
    512,
    Math.max(1, Math.round((512 * stageHeight) / stageWidth)),
  );
  const label = makeLabel({ seed, lines: ['VENTANA', 'SYNTHETIC', `SEED ${seed}`] });
  const macro = makeMacro({ width: 1008, height: 336, overview, slideWidth: stageWidth, slideHeight: stageHeight, mpp: options.scanRes ?? 0.25, label });
  const thumbnail = resizeArea(overview, 256, Math.max(1, Math.round((256 * stageHeight) / stageWidth)));
  const thumbRows = 16;

  const pyramid: RgbImage[] = [mosaic];
  for (let k = 1; k < levels; k++) pyramid.push({ ...reduceBox(pyramid[k - 1]!.data, pyramid[k - 1]!.width, pyramid[k - 1]!.height, 2) });

  return writeAtomically(path, async (tmp) => {
    const writer = await TiffWriter.create(tmp, { bigTiff: true });
    try {
      const labelImage = writer.addImage({
        ...stripSpec(labelCodec, macro.width, macro.height, 16, 'Label Image'),
        software: SOFTWARE,
        extraTags: [
          xmp(
            (options.rewriteIScan ?? ((x: string) => x))(
              iScanXml({ magnification, scanRes: options.scanRes ?? 0.25, root: options.iScanRoot ?? 'iScan', seed }),
            ),
          ),
        ],
      });
      const thumbImage = writer.addImage({
        width: thumbnail.width,
        height: thumbnail.height,
        compression: Compression.LZW,
        photometric: Photometric.RGB,
        predictor: 2,
        layout: { kind: 'strips', rowsPerStrip: thumbRows },
        description: 'Thumbnail',
      });
      const levelImages = pyramid.map((img, k) =>
        writer.addImage({
          width: img.width,
          height: img.height,
          compression: codec.compression,
          photometric: codec.photometric,
          layout: { kind: 'tiles', tileWidth: tile, tileHeight: tile },
          description: `level=${k} mag=${magnification / 2 ** k} quality=${quality}`,
          ...codecTags(codec),
          ...(k === 0 && options.encodeInfo !== false
            ? { extraTags: [xmp((options.rewriteEncodeInfo ?? ((x: string) => x))(encodeInfoXml(areas, jointsOf, posY, tile)))] }
            : {}),
        }),
      );
      await writeJpegStrips(writer, labelImage, labelCodec, macro, 16);
      await writeLzwStrips(writer, thumbImage, thumbnail, thumbRows);
      for (const [k, img] of pyramid.entries()) {
        const across = Math.ceil(img.width / tile);
        const down = Math.ceil(img.height / tile);
        for (let row = 0; row < down; row++) {
          for (let col = 0; col < across; col++) {
            if (k === 0 && options.missingFrames?.some(([c, r]) => c === col && r === row)) continue;
            const block = new Uint8Array(tile * tile * 3);
            const w = Math.min(tile, img.width - col * tile);
            for (let y = 0; y < tile && row * tile + y < img.height; y++) {
              const from = ((row * tile + y) * img.width + col * tile) * 3;
              block.set(img.data.subarray(from, from + w * 3), y * tile * 3);
            }
            await writer.writeChunk(levelImages[k]!, row * across + col, await codec.encode(block, tile, tile));
          }
        }
      }
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    return {
      width: stageWidth,
      height: stageHeight,
      levels: pyramid.map((img) => ({ width: img.width, height: img.height })),
      associated: { macro: { width: macro.width, height: macro.height }, thumbnail: { width: thumbnail.width, height: thumbnail.height } },
    };
  });
}

/** A frame's 2-pixel edge in a colour of its own. */
function frameEdge(data: Uint8Array, stride: number, offset: number, tile: number, hash: number): void {
  const colour = [64 + (hash & 127), 64 + ((hash >>> 8) & 127), 64 + ((hash >>> 16) & 127)];
  for (let y = 0; y < tile; y++) {
    for (let x = 0; x < tile; x++) {
      if (x >= 2 && y >= 2 && x < tile - 2 && y < tile - 2) continue;
      const p = offset + y * stride + x * 3;
      data[p] = colour[0]!;
      data[p + 1] = colour[1]!;
      data[p + 2] = colour[2]!;
    }
  }
}
