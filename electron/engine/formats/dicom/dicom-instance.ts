// One DICOM file (an instance) as far as its header: the file meta group and the data set up to the
// per-frame functional groups or the pixel data, read with dicom-parser from a window of the file's
// first bytes that grows until it holds them (16 KB first, at most MAX_HEADER_BYTES). What lies
// beyond - per-frame positions, offset tables, frames - is read by dicom-frames.ts, in pieces.

import { SlideError, truncatedHeaderError } from '../../errors';
import type { SlideFile } from '../../slide-file';
import { tagKey } from './dicom-dictionary';
import { readElements } from './dicom-elements';
import { type DataSet, dataSetOf, dicomParser, type Element } from './dicom-parser';

/** VL Whole Slide Microscopy Image Storage. */
export const WSI_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.77.1.6';
export const PIXEL_DATA = 0x7fe00010;
/** The per-frame functional groups (the first tag the header stops at; everything after is read in pieces). */
export const PER_FRAME_GROUPS = 0x52009230;

/** A header's first window, and the block its file's structure is read in (headers are a few KB; frames' tables come later, in pieces). */
export const DICOM_HEADER_WINDOW = 16 * 1024;
/** A header (everything before the per-frame groups) larger than this is refused. */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;

export const TransferSyntax = {
  IMPLICIT_LE: '1.2.840.10008.1.2',
  EXPLICIT_LE: '1.2.840.10008.1.2.1',
  DEFLATED_LE: '1.2.840.10008.1.2.1.99',
  EXPLICIT_BE: '1.2.840.10008.1.2.2',
  JPEG_BASELINE: '1.2.840.10008.1.2.4.50',
  JPEG_LS_LOSSLESS: '1.2.840.10008.1.2.4.80',
  JPEG_LS_NEAR_LOSSLESS: '1.2.840.10008.1.2.4.81',
  JPEG_2000_LOSSLESS: '1.2.840.10008.1.2.4.90',
  JPEG_2000: '1.2.840.10008.1.2.4.91',
} as const;

/** The tags Slidescope reads values of. */
export const Tag = {
  MediaStorageSOPClassUID: 0x00020002,
  TransferSyntaxUID: 0x00020010,
  ImageType: 0x00080008,
  SOPClassUID: 0x00080016,
  SOPInstanceUID: 0x00080018,
  SeriesDescription: 0x0008103e,
  StudyInstanceUID: 0x0020000d,
  SeriesInstanceUID: 0x0020000e,
  InstanceNumber: 0x00200013,
  SOPInstanceUIDOfConcatenationSource: 0x00200242,
  InConcatenationNumber: 0x00209162,
  InConcatenationTotalNumber: 0x00209163,
  ConcatenationFrameOffsetNumber: 0x00209228,
  DimensionOrganizationType: 0x00209311,
  SamplesPerPixel: 0x00280002,
  PhotometricInterpretation: 0x00280004,
  PlanarConfiguration: 0x00280006,
  NumberOfFrames: 0x00280008,
  Rows: 0x00280010,
  Columns: 0x00280011,
  PixelSpacing: 0x00280030,
  BitsAllocated: 0x00280100,
  BitsStored: 0x00280101,
  PixelRepresentation: 0x00280103,
  PixelMeasuresSequence: 0x00289110,
  ICCProfile: 0x00282000,
  ContainerIdentifier: 0x00400512,
  TotalPixelMatrixColumns: 0x00480006,
  TotalPixelMatrixRows: 0x00480007,
  ObjectiveLensPower: 0x00480112,
  OpticalPathSequence: 0x00480105,
  PlanePositionSlideSequence: 0x0048021a,
  ColumnPositionInTotalImagePixelMatrix: 0x0048021e,
  RowPositionInTotalImagePixelMatrix: 0x0048021f,
  TotalPixelMatrixFocalPlanes: 0x00480303,
  SharedFunctionalGroupsSequence: 0x52009229,
  ExtendedOffsetTable: 0x7fe00001,
  ExtendedOffsetTableLengths: 0x7fe00002,
} as const;

export interface DicomInstance {
  readonly file: SlideFile;
  readonly transferSyntax: string;
  /** Explicit VR (every little-endian transfer syntax but implicit VR's own). */
  readonly explicit: boolean;
  /** The file meta group and the data set up to the per-frame functional groups or the pixel data. */
  readonly dataSet: DataSet;
  /** Where the header stopped: the file offset of the first element it did not read. */
  readonly restOffset: number;
  readonly sopInstance: string;
  readonly study: string;
  readonly series: string;
  /** ImageType's values ('ORIGINAL', 'PRIMARY', 'VOLUME', 'NONE'). */
  readonly imageType: readonly string[];
  readonly instanceNumber: number;
  /** The instance a concatenation's parts share, else the instance itself. */
  readonly underlyingInstance: string;
  /** Parts of a concatenation: this part's number and frame offset, and how many parts there are. */
  readonly concatenation: { part: number; total: number; frameOffset: number } | null;
}

/** Whether the first bytes of a file are a DICOM file of a whole-slide image (its file meta group's SOP class). */
export function isWsiDicom(head: Uint8Array): boolean {
  if (head.length < 132 || head[128] !== 0x44 || head[129] !== 0x49 || head[130] !== 0x43 || head[131] !== 0x4d) return false;
  try {
    return dicomParser.readPart10Header(head).string(tagKey(Tag.MediaStorageSOPClassUID)) === WSI_SOP_CLASS;
  } catch {
    return false; // a meta group longer than the head: not a header any writer makes
  }
}

/**
 * Whether a file (`head`: its first bytes) is DICOM cut short inside its file meta group: "DICM" at
 * 128, and the file ends before the group's length element, the group it declares, or the header of
 * the element after it (isWsiDicom cannot tell such a file's SOP class, so no format takes it).
 */
export function cutInsideMetaGroup(head: Uint8Array, fileSize: number): boolean {
  if (head.length < 132 || head[128] !== 0x44 || head[129] !== 0x49 || head[130] !== 0x43 || head[131] !== 0x4d || fileSize > head.length) return false;
  if (fileSize < META_START + 12) return true;
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  // (0002,0000) UL, explicit VR: the group's length, in the 4 bytes after its 8-byte element header.
  const groupLength = view.getUint16(META_START, true) === 2 && view.getUint16(META_START + 2, true) === 0 ? view.getUint32(META_START + 8, true) : null;
  // dicom-parser reads the next element's tag (8 bytes with its VR and length) to find the group's end.
  return groupLength !== null && META_START + 12 + groupLength + 8 > fileSize;
}

/** Where the file meta group starts: after the 128-byte preamble and "DICM". */
const META_START = 132;

/**
 * The Series Instance UID a file's first bytes hold, when they reach it (it comes early): a folder's
 * other series are passed over without reading their headers. Null when the bytes do not tell.
 */
export function seriesInHead(head: Uint8Array): string | null {
  try {
    const meta: DataSet & { position?: number } = dicomParser.readPart10Header(head);
    const explicit = meta.string(tagKey(Tag.TransferSyntaxUID)) !== TransferSyntax.IMPLICIT_LE;
    const run = readElements(head, meta.position ?? 0, explicit, (tag) => tag > Tag.SeriesInstanceUID);
    return run.kind === 'stopped' ? (run.dataSet.string(tagKey(Tag.SeriesInstanceUID)) ?? null) : null;
  } catch {
    return null;
  }
}

/** Reads a DICOM file's header. Throws NOT_A_SLIDE for DICOM that is not a whole-slide image. */
export async function readInstance(file: SlideFile): Promise<DicomInstance> {
  let size = Math.min(file.size, DICOM_HEADER_WINDOW);
  for (;;) {
    // Through the structure cache: the first window is the block the probe or the folder scan read.
    const bytes = await file.source.readChunk(0, size);
    const header = parseHeader(bytes, file, size === file.size);
    if (header) return header;
    if (size >= file.size) throw truncatedHeaderError('DICOM', file.size, file.path);
    if (size >= MAX_HEADER_BYTES) throw new SlideError('TOO_LARGE', `Its DICOM header is larger than ${MAX_HEADER_BYTES / 1024 / 1024} MB.`, file.path);
    size = Math.min(file.size, MAX_HEADER_BYTES, size * 4);
  }
}

/** The header, or null when the window ends before it does. */
function parseHeader(bytes: Uint8Array, file: SlideFile, whole: boolean): DicomInstance | null {
  let meta: DataSet & { position?: number };
  try {
    meta = dicomParser.readPart10Header(bytes);
  } catch (error) {
    if (!whole && bytes.length > 132) return null;
    throw new SlideError('NOT_A_SLIDE', `This is not a DICOM file (${String(error).replace(/^dicomParser\.readPart10Header: /, '')}).`, file.path);
  }
  const transferSyntax = meta.string(tagKey(Tag.TransferSyntaxUID)) ?? '';
  if (transferSyntax === TransferSyntax.EXPLICIT_BE || transferSyntax === TransferSyntax.DEFLATED_LE)
    throw new SlideError('UNSUPPORTED_FORMAT', `DICOM files in transfer syntax ${transferSyntax} (big endian or deflated) are not supported.`, file.path);
  const explicit = transferSyntax !== TransferSyntax.IMPLICIT_LE;
  const start = meta.position ?? 0;
  const run = readElements(bytes, start, explicit, (tag) => tag >= PER_FRAME_GROUPS);
  if (run.kind !== 'stopped') return null;
  const elements: Record<string, Element> = { ...run.dataSet.elements, ...meta.elements };
  const dataSet = dataSetOf(bytes, elements);
  const text = (tag: number) => dataSet.string(tagKey(tag)) ?? '';
  const sopClass = text(Tag.MediaStorageSOPClassUID) || text(Tag.SOPClassUID);
  if (sopClass !== WSI_SOP_CLASS)
    throw new SlideError('NOT_A_SLIDE', `This DICOM file is not a whole-slide image (SOP class ${sopClass || 'none'}).`, file.path);
  const sopInstance = text(Tag.SOPInstanceUID);
  const series = text(Tag.SeriesInstanceUID);
  if (!series) throw new SlideError('CORRUPT_DATA', 'The DICOM file has no Series Instance UID.', file.path);
  const imageTypeKey = tagKey(Tag.ImageType);
  const imageType = Array.from({ length: Math.min(16, dataSet.numStringValues(imageTypeKey) ?? 0) }, (_, i) =>
    (dataSet.string(imageTypeKey, i) ?? '').toUpperCase(),
  );
  const concatenationSource = text(Tag.SOPInstanceUIDOfConcatenationSource);
  const part = dataSet.uint16(tagKey(Tag.InConcatenationNumber));
  return {
    file,
    transferSyntax,
    explicit,
    dataSet,
    restOffset: run.position,
    sopInstance,
    study: text(Tag.StudyInstanceUID),
    series,
    imageType,
    instanceNumber: dataSet.intString(tagKey(Tag.InstanceNumber)) ?? 0,
    underlyingInstance: concatenationSource || sopInstance,
    concatenation: concatenationSource
      ? {
          part: part ?? 1,
          total: dataSet.uint16(tagKey(Tag.InConcatenationTotalNumber)) ?? 0,
          frameOffset: dataSet.uint32(tagKey(Tag.ConcatenationFrameOffsetNumber)) ?? 0,
        }
      : null,
  };
}

/** A nested value: the first item of each sequence in `path`, then `read` of the last item's data set. */
export function inFirstItems<T>(dataSet: DataSet, path: readonly number[], read: (item: DataSet) => T | undefined): T | undefined {
  let current: DataSet | undefined = dataSet;
  for (const tag of path) current = current?.elements[tagKey(tag)]?.items?.[0]?.dataSet;
  return current ? read(current) : undefined;
}
