// What a Ventana BIF's metadata says, read as OpenSlide 3.4.1 reads it (openslide-vendor-ventana.c):
// the iScan element's attributes (ventana.* properties), the "level=N mag=M" descriptions, and the
// level-0 XMP packet's EncodeInfo: the areas scanned and the overlaps of their frames' joints,
// averaged (weighted by confidence) into one advance per axis from a frame to the next.

import { SlideError } from '../errors';
import { parseDouble, parseInteger } from './openslide-values';
import { childElements, firstChild, parseXml, type XmlElement } from './xml-document';

/** Far more scanned areas than a slide has (iScan scanners find a handful of tissue regions). */
const MAX_AREAS = 1000;

export interface VentanaArea {
  /** Level-0 position of the area's top-left frame: Pos-X, and Pos-Y turned into a top edge. */
  x: number;
  y: number;
  /** The area's first frame in level 0's grid of frames (OriginX / tile width, OriginY / tile height). */
  startCol: number;
  startRow: number;
  cols: number;
  rows: number;
}

export interface BifLayout {
  /** Scanned areas only, in the file's order (a later area's frame replaces an earlier one's). */
  areas: VentanaArea[];
  /** Level-0 pixels from a frame to the next: the tile size less the mean overlap. */
  advanceX: number;
  advanceY: number;
}

/** The iScan element: the XMP packet's root, or a child of a Metadata root. */
export function findIScan(root: XmlElement): XmlElement | null {
  if (root.name === 'iScan') return root;
  if (root.name === 'Metadata') return firstChild(root, 'iScan') ?? null;
  return null;
}

/**
 * ventana.* properties: every non-empty attribute of the iScan element in no namespace (OpenSlide
 * reads them with xmlGetNoNsProp): neither namespace declarations nor prefixed attributes.
 */
export function iScanProperties(iScan: XmlElement): Record<string, string> {
  const properties: Record<string, string> = {};
  for (const [name, value] of iScan.attributes) if (value !== '' && name !== 'xmlns' && !name.includes(':')) properties[`ventana.${name}`] = value;
  return properties;
}

/** "level=0 mag=40 quality=90": its level and magnification; null when it names no level. */
export function parseLevelDescription(description: string, path: string): { level: number; magnification: number } | null {
  if (!description.includes('level=')) return null;
  const fields = new Map<string, string>();
  for (const pair of description.split(' ')) {
    const eq = pair.indexOf('=');
    if (eq >= 0) fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const level = fields.get('level');
  const mag = fields.get('mag');
  if (level === undefined || mag === undefined)
    throw new SlideError('CORRUPT_DATA', `A pyramid level's description lacks its level or magnification ("${description.slice(0, 80)}").`, path);
  const n = parseInteger(level);
  const magnification = parseDouble(mag);
  if (n === null || !(magnification > 0))
    throw new SlideError('CORRUPT_DATA', `A pyramid level's description is invalid ("${description.slice(0, 80)}").`, path);
  return { level: n, magnification };
}

function intAttr(element: XmlElement, name: string, path: string): number {
  const value = element.attributes.get(name);
  const n = value === undefined ? null : parseInteger(value);
  if (n === null)
    throw new SlideError(
      'CORRUPT_DATA',
      `The BIF's stitching metadata has ${value === undefined ? 'no' : 'an invalid'} ${name} attribute on ${element.name}.`,
      path,
    );
  return n;
}

function doubleAttr(element: XmlElement, name: string, path: string): number {
  const value = element.attributes.get(name);
  const n = value === undefined ? Number.NaN : parseDouble(value);
  if (Number.isNaN(n))
    throw new SlideError(
      'CORRUPT_DATA',
      `The BIF's stitching metadata has ${value === undefined ? 'no' : 'an invalid'} ${name} attribute on ${element.name}.`,
      path,
    );
  return n;
}

/** A frame's place in its area from its number: rows counted from the bottom, every other one right to left. */
function frameAt(area: VentanaArea, number: number, path: string): { col: number; row: number } {
  if (number < 1 || number > area.cols * area.rows) throw new SlideError('CORRUPT_DATA', `A tile joint names frame ${number}, outside its area.`, path);
  const index = number - 1;
  const fromBottom = Math.floor(index / area.cols);
  const across = index % area.cols;
  return { col: fromBottom % 2 === 1 ? area.cols - across - 1 : across, row: area.rows - fromBottom - 1 };
}

/**
 * The level-0 XMP packet (EncodeInfo). `grid` is level 0's TIFF grid of frames: an area must lie
 * within it (OpenSlide would fail on its first read there; here the file is refused at once).
 */
export function parseEncodeInfo(xml: string, tileWidth: number, tileHeight: number, grid: { cols: number; rows: number }, path: string): BifLayout {
  const root = parseXml(xml, 'level-0 XMP packet', path);
  const stitch = root.name === 'EncodeInfo' ? firstChild(root, 'SlideStitchInfo') : undefined;
  const origin = root.name === 'EncodeInfo' ? firstChild(root, 'AoiOrigin') : undefined;
  const infos = stitch ? childElements(stitch, 'ImageInfo') : [];
  const origins = origin ? childElements(origin) : [];
  if (!stitch || !origin || infos.length !== origins.length)
    throw new SlideError('CORRUPT_DATA', "The BIF's region metadata is missing or inconsistent.", path);
  if (infos.length > MAX_AREAS) throw new SlideError('CORRUPT_DATA', `The BIF lists ${infos.length} scanned areas, more than a slide has.`, path);

  const areas: VentanaArea[] = [];
  let offsetX = 0;
  let offsetY = 0;
  let weightX = 0;
  let weightY = 0;
  infos.forEach((info, i) => {
    if (intAttr(info, 'AOIScanned', path) === 0) return;
    const aoi = origins[i]!;
    const originX = intAttr(aoi, 'OriginX', path);
    const originY = intAttr(aoi, 'OriginY', path);
    const width = intAttr(info, 'Width', path);
    const height = intAttr(info, 'Height', path);
    if (width !== tileWidth || height !== tileHeight) {
      throw new SlideError('CORRUPT_DATA', `The BIF's frames are ${width} x ${height} pixels but its tiles ${tileWidth} x ${tileHeight}.`, path);
    }
    if (originX % width !== 0 || originY % height !== 0) throw new SlideError('CORRUPT_DATA', "A BIF area's origin is not on a frame boundary.", path);
    const area: VentanaArea = {
      x: Math.trunc(doubleAttr(info, 'Pos-X', path)),
      y: Math.trunc(doubleAttr(info, 'Pos-Y', path)),
      startCol: originX / width,
      startRow: originY / height,
      cols: intAttr(info, 'NumCols', path),
      rows: intAttr(info, 'NumRows', path),
    };
    if (
      area.cols < 1 ||
      area.rows < 1 ||
      area.startCol < 0 ||
      area.startRow < 0 ||
      area.startCol + area.cols > grid.cols ||
      area.startRow + area.rows > grid.rows
    ) {
      throw new SlideError(
        'CORRUPT_DATA',
        `A BIF area of ${area.cols} x ${area.rows} frames at frame ${area.startCol},${area.startRow} lies outside the ${grid.cols} x ${grid.rows} frames stored.`,
        path,
      );
    }
    if (Math.abs(area.x) > 1e9 || Math.abs(area.y) > 1e9) throw new SlideError('CORRUPT_DATA', "A BIF area's position is far outside any slide.", path);
    areas.push(area);
    for (const joint of childElements(info, 'TileJointInfo')) {
      const a = frameAt(area, intAttr(joint, 'Tile1', path), path);
      const b = frameAt(area, intAttr(joint, 'Tile2', path), path);
      const direction = joint.attributes.get('Direction');
      // DP 200 scanners write LEFT (and DOWN) joints whose frame order is disputed upstream; OpenSlide
      // refuses them rather than misplace frames, and so does this reader.
      if (direction === 'LEFT' || direction === 'DOWN') {
        throw new SlideError('UNSUPPORTED_FORMAT', `This BIF's frames are joined ${direction} (a newer scanner's layout), which is not supported yet.`, path);
      }
      const horizontal = direction === 'RIGHT';
      if (direction === undefined) throw new SlideError('CORRUPT_DATA', `The BIF's stitching metadata has no Direction attribute on ${joint.name}.`, path);
      if (!horizontal && direction !== 'UP') throw new SlideError('CORRUPT_DATA', `A tile joint has the direction "${direction.slice(0, 20)}".`, path);
      const adjacent = horizontal ? b.col === a.col + 1 && b.row === a.row : b.col === a.col && b.row === a.row - 1;
      if (!adjacent) throw new SlideError('CORRUPT_DATA', `A ${direction} tile joint joins frames that are not neighbours that way.`, path);
      const overlapX = doubleAttr(joint, 'OverlapX', path);
      const overlapY = doubleAttr(joint, 'OverlapY', path);
      const confidence = intAttr(joint, 'Confidence', path);
      if (horizontal) {
        offsetX += confidence * -overlapX;
        weightX += confidence;
      } else {
        offsetY += confidence * -overlapY;
        weightY += confidence;
      }
    }
  });
  // No joint on an axis (one frame across): OpenSlide divides by zero there; frames then abut.
  const advanceX = weightX === 0 ? tileWidth : tileWidth + offsetX / weightX;
  const advanceY = weightY === 0 ? tileHeight : tileHeight + offsetY / weightY;
  for (const [advance, tile] of [
    [advanceX, tileWidth],
    [advanceY, tileHeight],
  ] as const) {
    if (!(advance >= 1 && advance <= 4 * tile))
      throw new SlideError('CORRUPT_DATA', `The BIF's frame overlaps give frames ${advance} pixels apart, for frames ${tile} wide.`, path);
  }
  // Pos-Y is the distance from the bottom of an area to a line below all areas: turn it into the
  // top edge, with the area's height as OpenSlide computes it (whole pixels, truncated).
  const heights = areas.map((a) => Math.trunc((a.rows - 1) * advanceY + tileHeight));
  let top = 0;
  areas.forEach((a, i) => {
    top = Math.max(top, a.y + heights[i]!);
  });
  areas.forEach((a, i) => {
    a.y = top - a.y - heights[i]!;
  });
  return { areas, advanceX, advanceY };
}
