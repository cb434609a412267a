// Test-time fixture cache: fixturePath(name) returns a generated slide file, making it on first use
// in <repo>/.cache/fixtures/ (git-ignored; SLIDESCOPE_FIXTURES_DIR overrides). A file's name carries
// a hash of its generator parameters and GENERATOR_VERSION, so a change to either makes a new file
// (and the stale one is deleted). Safe when several processes ask at once: one makes the file under
// a lock file while the others wait; the file itself is written under a temporary name and renamed.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { type FileHandle, mkdir, open, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  type AperioOptions,
  type GenericPyramidOptions,
  type HugeHeaderOptions,
  type SingleLevelOptions,
  type WrittenSlide,
  writeAperioSvs,
  writeGenericPyramid,
  writeHugeHeaderTiff,
  writeSingleLevelTiff,
} from '../electron/synth/slides';
import { type DicomSeriesOptions, writeDicomFolder } from './writers/dicom';
import { type SampleLayoutOptions, writeSampleLayoutPyramid } from './writers/generic-tiff';
import { type VmsOptions, writeVms } from './writers/hamamatsu-vms';
import { type IccSlideOptions, writeIccSlide } from './writers/icc-slide';
import { type LeicaOptions, writeLeicaScn } from './writers/leica';
import { type MiraxOptions, writeMirax } from './writers/mirax';
import { type NdpiOptions, writeNdpi } from './writers/ndpi';
import { type OmeTiffOptions, writeOmeTiff } from './writers/ome-tiff';
import { type PhilipsOptions, writePhilipsTiff } from './writers/philips';
import { type ResampledOptions, writeResampled } from './writers/resampled';
import { type SakuraOptions, writeSakura } from './writers/sakura';
import { type TrestleOptions, writeTrestle } from './writers/trestle';
import { type VentanaOptions, writeVentanaBif } from './writers/ventana';

/** Bump whenever generated content changes without a parameter changing (painter, codecs...). */
export const GENERATOR_VERSION = 1;

export type FixtureSpec =
  | { kind: 'aperio'; ext: '.svs'; options: AperioOptions }
  | { kind: 'generic'; ext: '.tif'; options: GenericPyramidOptions }
  | { kind: 'single'; ext: '.tif'; options: SingleLevelOptions }
  | { kind: 'huge'; ext: '.tif'; options: HugeHeaderOptions }
  | { kind: 'generic-samples'; ext: '.tif'; options: SampleLayoutOptions }
  | { kind: 'ndpi'; ext: '.ndpi'; options: NdpiOptions }
  | { kind: 'philips'; ext: '.tiff'; options: PhilipsOptions }
  | { kind: 'leica'; ext: '.scn'; options: LeicaOptions }
  | { kind: 'ventana-bif'; ext: '.bif'; options: VentanaOptions }
  | { kind: 'ome-tiff'; ext: '.ome.tif'; options: OmeTiffOptions }
  /** A folder of DICOM files: series written from the Aperio fixture `svs` (its name). */
  | { kind: 'dicom'; ext: ''; options: { svs: string; series: DicomSeriesOptions[] } }
  | { kind: 'mirax'; ext: '.mrxs'; options: MiraxOptions }
  | { kind: 'hamamatsu-vms'; ext: '.vms' | '.vmu'; options: VmsOptions }
  | { kind: 'trestle'; ext: '.tif'; options: TrestleOptions }
  | { kind: 'sakura'; ext: '.svslide'; options: SakuraOptions }
  | { kind: 'icc-slide'; ext: '.svs' | '.tif'; options: IccSlideOptions }
  | { kind: 'compare-resampled'; ext: '.tif'; options: ResampledOptions };

export const FIXTURES = {
  /** Aperio, JPEG with RGB photometric (like CMU-1), 3 levels, thumbnail/label/macro. */
  'aperio-jpeg-rgb': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 9000, height: 7000, levels: 3, compression: 'jpeg', photometric: 'rgb', quality: 90, seed: 11 },
  },
  /** The same with YCbCr photometric, 4:2:0. */
  'aperio-jpeg-ycbcr': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 9000, height: 7000, levels: 3, compression: 'jpeg', photometric: 'ycbcr', quality: 90, seed: 12 },
  },
  /** Aperio JPEG 2000, YCbCr components (33003), 2 levels. */
  'aperio-j2k-33003': { kind: 'aperio', ext: '.svs', options: { width: 3000, height: 2500, levels: 2, compression: 'jpeg2000-33003', seed: 13 } },
  /** Aperio JPEG 2000, YCbCr components with Cb and Cr at half resolution (33003, 4:2:0), 2 levels. */
  'aperio-j2k-33003-subsampled': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 3000, height: 2500, levels: 2, compression: 'jpeg2000-33003', j2kSubsampleChroma: true, seed: 20 },
  },
  /** Aperio JPEG 2000, RGB components (33005), 2 levels. */
  'aperio-j2k-33005': { kind: 'aperio', ext: '.svs', options: { width: 3000, height: 2500, levels: 2, compression: 'jpeg2000-33005', seed: 14 } },
  /** BigTIFF generic pyramid, JPEG (YCbCr 4:2:0), flagged levels, MPP 0.25. */
  'bigtiff-pyramid': {
    kind: 'generic',
    ext: '.tif',
    options: { width: 6000, height: 4500, tileSize: 256, compression: 'jpeg', bigTiff: true, mppMicrons: 0.25, seed: 15 },
  },
  /** Generic pyramid, LZW + predictor (lossless), MPP 0.5. */
  'generic-lzw': { kind: 'generic', ext: '.tif', options: { width: 3000, height: 2200, tileSize: 256, compression: 'lzw', mppMicrons: 0.5, seed: 16 } },
  /** Generic pyramid, Deflate + predictor (lossless). */
  'generic-deflate': { kind: 'generic', ext: '.tif', options: { width: 3000, height: 2200, tileSize: 256, compression: 'deflate', seed: 17 } },
  /** Generic JPEG pyramid whose reduced levels are NOT flagged (OpenSlide sees one level). */
  'generic-unflagged-jpeg': {
    kind: 'generic',
    ext: '.tif',
    options: { width: 4000, height: 3000, tileSize: 256, compression: 'jpeg', flagReducedLevels: false, seed: 18 },
  },
  /** One large JPEG level, no pyramid. */
  'single-level-large': { kind: 'single', ext: '.tif', options: { width: 12000, height: 9000, tileSize: 256, compression: 'jpeg', seed: 19 } },
  /** Declares 1e9 x 1e9 pixels; tiny file, no pixel data. */
  'huge-header': { kind: 'huge', ext: '.tif', options: { width: 1e9, height: 1e9 } },
  /** The benchmark slide: 40000 x 30000 Aperio-like, JPEG RGB, 240-px tiles, 4 levels 4x apart. */
  'bench-40k': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 40000, height: 30000, tileSize: 240, compression: 'jpeg', photometric: 'rgb', quality: 70, seed: 40, name: 'bench-40k' },
  },
  /** The viewer benchmark's JPEG 2000 slide (Aperio 33003): 12000 x 9000, 3 levels. */
  'bench-j2k': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 12000, height: 9000, tileSize: 240, compression: 'jpeg2000-33003', seed: 41, name: 'bench-j2k' },
  },

  // Generic TIFF sample layouts and level sizes OpenSlide reads (testing/writers/generic-tiff.ts):
  // 3 levels of 1000 x 700 in 128-px tiles, so that no level is smaller than a tile.
  /** Separate colour planes (PlanarConfiguration 2), LZW + predictor. */
  'generic-planar-lzw': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'lzw', colour: 'rgb', bitsPerSample: 8, separatePlanes: true, seed: 50 },
  },
  /** Separate colour planes, uncompressed. */
  'generic-planar-none': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'none', colour: 'rgb', bitsPerSample: 8, separatePlanes: true, seed: 51 },
  },
  /** Its big-endian twin (same pixels): OpenSlide 3.4.1 opens no big-endian TIFF, so it is compared with OpenSlide on the twin. */
  'generic-planar-none-be': {
    kind: 'generic-samples',
    ext: '.tif',
    options: {
      width: 1000,
      height: 700,
      tileSize: 128,
      levels: 3,
      compression: 'none',
      colour: 'rgb',
      bitsPerSample: 8,
      separatePlanes: true,
      byteOrder: 'big',
      seed: 51,
    },
  },
  /** Separate colour planes of 16-bit samples, Deflate + predictor. */
  'generic-planar16-deflate': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'deflate', colour: 'rgb', bitsPerSample: 16, separatePlanes: true, seed: 52 },
  },
  /** 16-bit RGB, LZW + predictor. */
  'generic-rgb16-lzw': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'lzw', colour: 'rgb', bitsPerSample: 16, seed: 53 },
  },
  /** Its big-endian twin. */
  'generic-rgb16-lzw-be': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'lzw', colour: 'rgb', bitsPerSample: 16, byteOrder: 'big', seed: 53 },
  },
  /** 16-bit RGB, uncompressed. */
  'generic-rgb16-none': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'none', colour: 'rgb', bitsPerSample: 16, seed: 54 },
  },
  /** 8-bit greyscale (MinIsBlack), LZW + predictor. */
  'generic-grey8-lzw': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'lzw', colour: 'min-is-black', bitsPerSample: 8, seed: 55 },
  },
  /** 16-bit greyscale (MinIsBlack), uncompressed. */
  'generic-grey16-none': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'none', colour: 'min-is-black', bitsPerSample: 16, seed: 56 },
  },
  /** Its big-endian twin. */
  'generic-grey16-none-be': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'none', colour: 'min-is-black', bitsPerSample: 16, byteOrder: 'big', seed: 56 },
  },
  /** 16-bit greyscale, MinIsWhite, Deflate + predictor. */
  'generic-grey16-white-deflate': {
    kind: 'generic-samples',
    ext: '.tif',
    options: { width: 1000, height: 700, tileSize: 128, levels: 3, compression: 'deflate', colour: 'min-is-white', bitsPerSample: 16, seed: 57 },
  },
  /** Odd level-0 size, levels rounded down: downsamples 2.0006, 4.0015, 8.0031 (not integers). LZW, lossless. */
  'generic-fractional-downsample': {
    kind: 'generic',
    ext: '.tif',
    options: { width: 3001, height: 2201, tileSize: 256, levels: 4, compression: 'lzw', seed: 58 },
  },
  /** NDPI brightfield-like: 4:2:2, stored levels 4x apart (OpenSlide adds the 2x ones by JPEG scaling), macro. */
  'ndpi-422': {
    kind: 'ndpi',
    ext: '.ndpi',
    options: {
      width: 8192,
      height: 6144,
      storedHalvings: [0, 2, 4],
      chroma: '4:2:2',
      quality: 85,
      restartInterval: 16,
      recordMcuStarts: true,
      sourceLens: 40,
      mpp: 0.2265,
      macro: true,
      seed: 51,
    },
  },
  /** NDPI 4:4:4 without the MCU-starts tag: restart markers found by scanning. */
  'ndpi-444-scanned': {
    kind: 'ndpi',
    ext: '.ndpi',
    options: {
      width: 3072,
      height: 2048,
      storedHalvings: [0, 1, 3],
      chroma: '4:4:4',
      quality: 90,
      restartInterval: 16,
      recordMcuStarts: false,
      sourceLens: 20,
      mpp: 0.45,
      macro: false,
      seed: 52,
    },
  },
  /** A level wider than a JPEG frame can say (69632 px): frame size 0, the TIFF tags tell. */
  'ndpi-wide': {
    kind: 'ndpi',
    ext: '.ndpi',
    options: {
      width: 69632,
      height: 1024,
      storedHalvings: [0, 1, 2],
      chroma: '4:2:2',
      quality: 80,
      restartInterval: 16,
      recordMcuStarts: true,
      sourceLens: 40,
      mpp: 0.23,
      macro: false,
      seed: 53,
    },
  },
  /** Everything past a 4 GB hole (a sparse file): every offset needs NDPI's implied high bits. */
  'ndpi-past-4gb': {
    kind: 'ndpi',
    ext: '.ndpi',
    options: {
      width: 2048,
      height: 1536,
      storedHalvings: [0, 2],
      chroma: '4:2:2',
      quality: 85,
      restartInterval: 16,
      recordMcuStarts: true,
      sourceLens: 20,
      mpp: 0.46,
      macro: true,
      gapBytes: 2 ** 32,
      seed: 54,
    },
  },
  /** The benchmark's NDPI: 40960 x 30720, stored levels 1, 1/4, 1/16, 256 x 8 px restart intervals (a 1/64 level, 640 px wide, is not whole intervals). */
  'bench-ndpi': {
    kind: 'ndpi',
    ext: '.ndpi',
    options: {
      width: 40960,
      height: 30720,
      storedHalvings: [0, 2, 4],
      chroma: '4:2:2',
      quality: 80,
      restartInterval: 16,
      recordMcuStarts: true,
      sourceLens: 40,
      mpp: 0.2265,
      macro: true,
      seed: 55,
    },
  },

  // Philips TIFF and Leica SCN (testing/writers/).
  /** Philips, 3 levels padded to 512-px tiles, a 1024-px square left unscanned (absent tiles), label and macro in the XML. */
  'philips-sparse': {
    kind: 'philips',
    ext: '.tiff',
    options: { width: 3000, height: 2000, levels: 3, unscanned: { x: 1024, y: 1024, width: 1024, height: 1024 }, seed: 51 },
  },
  /** Philips BigTIFF, 4 levels padded to 256-px tiles, label and macro as "Label"/"Macro" TIFF directories. */
  'philips-directories': {
    kind: 'philips',
    ext: '.tiff',
    options: { width: 2500, height: 1700, tileSize: 256, levels: 4, bigTiff: true, spacingMm: [0.000227, 0.000227], associated: 'directories', seed: 56 },
  },
  /** Leica, one main image (3 levels 4x apart) at a fractional offset on its collection, a z=1 plane, a macro; 252 nm/px. */
  'leica-offset': {
    kind: 'leica',
    ext: '.scn',
    options: {
      collectionNm: [1_008_000, 756_000],
      nmPerPixel: 252,
      main: [{ width: 3000, height: 2000, offsetNm: [151_330, 100_870] }],
      extraFocalPlane: true,
      seed: 52,
    },
  },
  /** Leica, two brightfield main images composited on one collection. */
  'leica-two-regions': {
    kind: 'leica',
    ext: '.scn',
    options: {
      collectionNm: [1_000_000, 750_000],
      nmPerPixel: 250,
      main: [
        { width: 1500, height: 1000, offsetNm: [150_130, 100_070] },
        { width: 1000, height: 1200, offsetNm: [600_000, 300_300], seed: 54 },
      ],
      seed: 53,
    },
  },
  /** Leica in the 2010/03/10 namespace (barcode attribute), no macro, one main image, 2 levels. */
  'leica-2010-03': {
    kind: 'leica',
    ext: '.scn',
    options: {
      collectionNm: [600_000, 400_000],
      nmPerPixel: 500,
      main: [{ width: 1000, height: 700, offsetNm: [50_250, 30_750] }],
      macro: false,
      levels: 2,
      legacyNamespace: true,
      objective: '10',
      seed: 57,
    },
  },
  /** Leica fluorescence (three channels): refused, as OpenSlide refuses it. */
  'leica-fluorescence': {
    kind: 'leica',
    ext: '.scn',
    options: {
      collectionNm: [1_000_000, 750_000],
      nmPerPixel: 250,
      main: [{ width: 1000, height: 800, offsetNm: [100_000, 100_000], illumination: 'fluorescence' }],
      levels: 2,
      seed: 55,
    },
  },
  /** Ventana BIF, overlapping frames (whole-pixel mean overlaps), two scanned areas and a skipped one. */
  'ventana-overlap': {
    kind: 'ventana-bif',
    ext: '.bif',
    options: {
      gridCols: 9,
      gridRows: 5,
      areas: [
        { col: 0, row: 0, cols: 6, rows: 5, x: 0, y: 0 },
        { col: 6, row: 0, cols: 3, rows: 3, x: 1700, y: 300 },
        { col: 0, row: 0, cols: 2, rows: 2, x: 0, y: 0, scanned: false },
      ],
      overlapX: { mean: 16, spread: 2 },
      overlapY: { mean: 12, spread: 2 },
      seed: 5,
    },
  },
  /** Ventana BIF whose confidence-weighted overlaps put frames at fractional positions; iScan under a Metadata root. */
  'ventana-overlap-fractional': {
    kind: 'ventana-bif',
    ext: '.bif',
    options: {
      gridCols: 9,
      gridRows: 5,
      areas: [
        { col: 0, row: 0, cols: 6, rows: 5, x: 0, y: 0 },
        { col: 6, row: 0, cols: 3, rows: 3, x: 1700, y: 300 },
      ],
      overlapX: { mean: 16, spread: 3, confidences: [60, 40] },
      overlapY: { mean: 12, spread: 2, confidences: [30, 70] },
      iScanRoot: 'Metadata',
      seed: 6,
    },
  },
  /** Ventana TIFF: no stitching metadata on level 0, a plain tiled pyramid. */
  'ventana-plain': {
    kind: 'ventana-bif',
    ext: '.bif',
    options: {
      gridCols: 5,
      gridRows: 4,
      areas: [{ col: 0, row: 0, cols: 5, rows: 4, x: 0, y: 0 }],
      overlapX: { mean: 0, spread: 0 },
      overlapY: { mean: 0, spread: 0 },
      encodeInfo: false,
      magnification: 20,
      seed: 7,
    },
  },

  /** OME-TIFF brightfield, JPEG (YCbCr 4:2:0), 4 levels as SubIFDs, 250 nm pixels, 20x objective, macro and label Images. */
  'ome-rgb-jpeg': {
    kind: 'ome-tiff',
    ext: '.ome.tif',
    options: { kind: 'rgb', width: 3000, height: 2000, levels: 4, compression: 'jpeg', objective: 20, physicalSize: { value: 250, unit: 'nm' }, seed: 31 },
  },
  /** OME-TIFF brightfield, LZW (lossless), 3 levels as SubIFDs. */
  'ome-rgb-lzw': { kind: 'ome-tiff', ext: '.ome.tif', options: { kind: 'rgb', width: 1500, height: 1100, levels: 3, compression: 'lzw', seed: 32 } },
  /** A brightfield z-stack (LZW, lossless): 3 focal planes, each fainter than the one above (omeRgbPlane), 3 levels as each plane's SubIFDs. */
  'ome-rgb-zstack': {
    kind: 'ome-tiff',
    ext: '.ome.tif',
    options: { kind: 'rgb', width: 1500, height: 1100, levels: 3, compression: 'lzw', zSlices: 3, seed: 34 },
  },
  /** ome-rgb-zstack as JPEG tiles: each plane's served as stored (the view asks where they lie again as the plane changes). */
  'ome-rgb-zstack-jpeg': {
    kind: 'ome-tiff',
    ext: '.ome.tif',
    options: { kind: 'rgb', width: 1500, height: 1100, levels: 3, compression: 'jpeg', zSlices: 3, seed: 34 },
  },
  /** OME-TIFF fluorescence: 3 channels of 12-bit data in 16-bit planes (one IFD each), 3 levels as SubIFDs. */
  'ome-fluorescence-16bit': {
    kind: 'ome-tiff',
    ext: '.ome.tif',
    options: { kind: 'fluorescence', width: 1200, height: 900, levels: 3, channels: 3, significantBits: 12, seed: 33 },
  },
  /** A z-stack of ome-fluorescence-16bit's channels: 4 focal planes, each dimmer than the one above (the app's Z slider). */
  'ome-fluorescence-zstack': {
    kind: 'ome-tiff',
    ext: '.ome.tif',
    options: { kind: 'fluorescence', width: 1200, height: 900, levels: 3, channels: 3, zSlices: 4, significantBits: 12, seed: 33 },
  },
  // The CLI's cohort tests (electron/cli): small slides of two kinds, copied under many names.
  /** A small Aperio slide, JPEG, 2 levels. */
  'cohort-svs': {
    kind: 'aperio',
    ext: '.svs',
    options: { width: 2400, height: 1800, levels: 2, compression: 'jpeg', photometric: 'rgb', quality: 80, seed: 60, name: 'cohort-svs' },
  },
  /** A small generic pyramid, Deflate. */
  'cohort-tif': { kind: 'generic', ext: '.tif', options: { width: 1500, height: 1100, tileSize: 256, compression: 'deflate', seed: 61 } },

  // DICOM whole-slide images (testing/writers/dicom.ts): folders of series written from the Aperio fixtures.
  /** aperio-jpeg-rgb's pyramid as DICOM: its JPEG tiles copied as frames (RGB), label, overview, thumbnail, an ICC profile. */
  'dicom-jpeg-rgb': { kind: 'dicom', ext: '', options: { svs: 'aperio-jpeg-rgb', series: [{ seed: 1, codec: 'jpeg', associated: true, icc: true }] } },
  /** aperio-jpeg-ycbcr's as DICOM (YBR_FULL_422): level 0 TILED_SPARSE (a fifth of its frames left out) in 3 files, Extended Offset Tables. */
  'dicom-jpeg-sparse': {
    kind: 'dicom',
    ext: '',
    options: {
      svs: 'aperio-jpeg-ycbcr',
      series: [{ seed: 2, codec: 'jpeg', sparseEvery: 5, level0Parts: 3, offsetTable: 'extended', undefinedLengthItems: true }],
    },
  },
  /** Two slides in one folder: cohort-svs as JPEG (2 levels), and its level 0 uncompressed. */
  'dicom-two-series': {
    kind: 'dicom',
    ext: '',
    options: {
      svs: 'cohort-svs',
      series: [
        { seed: 3, codec: 'jpeg', description: 'first slide' },
        { seed: 4, codec: 'native', description: 'second slide', levels: 1 },
      ],
    },
  },
  /** The benchmark's DICOM: bench-40k's JPEG tiles as frames, 4 levels. */
  'bench-dicom': { kind: 'dicom', ext: '', options: { svs: 'bench-40k', series: [{ seed: 40, codec: 'jpeg' }] } },
  // 3DHistech MIRAX (testing/writers/mirax.ts): a .mrxs and its folder of the same name.
  /** JPEG, photos cut in 2x2 images at jittered camera positions (VIMSLIDE_POSITION_BUFFER), two photos skipped, 5 levels (subtiles from level 2), 2 data files. */
  'mirax-positions': {
    kind: 'mirax',
    ext: '.mrxs',
    options: {
      photosX: 6,
      photosY: 5,
      divisions: 2,
      imageWidth: 256,
      imageHeight: 256,
      levels: 5,
      overlapX: 30,
      overlapY: 24,
      positions: 'vimslide',
      jitter: 3,
      format: 'JPEG',
      dataFiles: 2,
      skipped: [
        [5, 4],
        [4, 4],
      ],
      seed: 71,
    },
  },
  /** PNG, photos cut in 4x4 images, positions in the compressed StitchingIntensityLayer, 6 levels (subtiles from level 3). */
  'mirax-stitching-png': {
    kind: 'mirax',
    ext: '.mrxs',
    options: {
      photosX: 5,
      photosY: 4,
      divisions: 4,
      imageWidth: 128,
      imageHeight: 128,
      levels: 6,
      overlapX: 40,
      overlapY: 36,
      positions: 'stitching',
      jitter: 4,
      format: 'PNG',
      dataFiles: 3,
      pageSize: 5,
      seed: 72,
    },
  },
  /** BMP24, one image per photo, no positions recorded: the nominal grid, with its overlap. */
  'mirax-bmp-nominal': {
    kind: 'mirax',
    ext: '.mrxs',
    options: {
      photosX: 8,
      photosY: 6,
      divisions: 1,
      imageWidth: 240,
      imageHeight: 200,
      levels: 4,
      overlapX: 20,
      overlapY: 16,
      positions: 'none',
      jitter: 0,
      format: 'BMP24',
      dataFiles: 1,
      seed: 73,
    },
  },
  /** JPEG images edge to edge (no positions, no overlap): OpenSlide's tile size hints, tiles served as stored. */
  'mirax-plain': {
    kind: 'mirax',
    ext: '.mrxs',
    options: {
      photosX: 6,
      photosY: 5,
      divisions: 2,
      imageWidth: 256,
      imageHeight: 256,
      levels: 4,
      overlapX: 0,
      overlapY: 0,
      positions: 'none',
      jitter: 0,
      format: 'JPEG',
      dataFiles: 1,
      seed: 74,
    },
  },

  // Hamamatsu VMS and VMU (testing/writers/hamamatsu-vms.ts): a key file and its image files beside it.
  /** VMS: level 0 in 2 x 2 JPEG files (the last column and row narrower), 4:2:2, 8-MCU restart intervals, a map, a macro. */
  'vms-grid-422': {
    kind: 'hamamatsu-vms',
    ext: '.vms',
    options: {
      kind: 'vms',
      columns: 2,
      rows: 2,
      fileWidth: 1024,
      fileHeight: 768,
      lastFileWidth: 512,
      lastFileHeight: 512,
      mapWidth: 384,
      mapHeight: 320,
      chroma: '4:2:2',
      quality: 90,
      restartInterval: 8,
      imageKeys: 'xy',
      macro: true,
      sourceLens: 20,
      physicalWidth: 700000,
      physicalHeight: 600000,
      seed: 81,
    },
  },
  /** VMS: 3 x 1 files, 4:4:4, 16-MCU intervals, keys ImageFile(z,x,y) with a second focal plane to skip, no macro. */
  'vms-444-planes': {
    kind: 'hamamatsu-vms',
    ext: '.vms',
    options: {
      kind: 'vms',
      columns: 3,
      rows: 1,
      fileWidth: 1024,
      fileHeight: 768,
      mapWidth: 384,
      mapHeight: 96,
      chroma: '4:4:4',
      quality: 85,
      restartInterval: 16,
      imageKeys: 'zxy',
      macro: false,
      sourceLens: 40,
      physicalWidth: 690000,
      physicalHeight: 172500,
      seed: 82,
    },
  },
  /** VMU: uncompressed 12-bit NGR image and map, columns of 100 px, a macro. */
  'vmu-ngr': {
    kind: 'hamamatsu-vms',
    ext: '.vmu',
    options: {
      kind: 'vmu',
      columns: 1,
      rows: 1,
      fileWidth: 1000,
      fileHeight: 700,
      mapWidth: 200,
      mapHeight: 140,
      chroma: '4:4:4',
      quality: 90,
      restartInterval: 8,
      imageKeys: 'xy',
      columnWidth: 100,
      macro: true,
      sourceLens: 20,
      physicalWidth: 500000,
      physicalHeight: 350000,
      seed: 83,
    },
  },

  // Trestle (testing/writers/trestle.ts): a MedScan TIFF, its macro beside it as <name>.Full.
  /** Tiles overlapping by 24 x 16 px at level 0 (12 x 8, 6 x 4 below), level 0 not whole tiles, MPP 0.2325 (a float in the TIFF). */
  'trestle-overlap': {
    kind: 'trestle',
    ext: '.tif',
    options: {
      tilesAcross: 7,
      tilesDown: 5,
      tileSize: 256,
      overlaps: [
        [24, 16],
        [12, 8],
        [6, 4],
      ],
      trimX: 40,
      trimY: 30,
      objectivePower: 20,
      mpp: 0.2325,
      background: 'F0E0D0',
      macro: true,
      seed: 91,
    },
  },
  /** No overlaps: a plain tiled pyramid, served as stored. */
  'trestle-plain': {
    kind: 'trestle',
    ext: '.tif',
    options: {
      tilesAcross: 8,
      tilesDown: 4,
      tileSize: 256,
      overlaps: [
        [0, 0],
        [0, 0],
        [0, 0],
      ],
      objectivePower: 40,
      mpp: 0.25,
      background: 'FFFFFF',
      macro: false,
      seed: 92,
    },
  },

  // Sakura SVSLIDE (testing/writers/sakura.ts): an SQLite database written with sql.js.
  /** 1 KB pages (every tile an overflow chain), 4 levels, one colour of one tile missing (blank), label, macro, thumbnail. */
  'sakura-small-pages': {
    kind: 'sakura',
    ext: '.svslide',
    options: {
      width: 1500,
      height: 1100,
      tileSize: 256,
      levels: 4,
      focalPlanes: 1,
      pageSize: 1024,
      quality: 85,
      missingTiles: [[0, 5, 4, 1]],
      associated: true,
      seed: 101,
    },
  },
  /** 4 KB pages, three focal planes (the middle one is shown), no associated images. */
  'sakura-focal-planes': {
    kind: 'sakura',
    ext: '.svslide',
    options: { width: 1000, height: 700, tileSize: 256, levels: 3, focalPlanes: 3, pageSize: 4096, quality: 85, associated: false, seed: 102 },
  },
  // Colour management (electron/engine/colour): slides with a strongly non-sRGB embedded ICC profile.
  /** Aperio SVS whose profile swaps the channels (red, green, blue are sRGB's green, blue, red): 2 levels. */
  'icc-aperio-swap': {
    kind: 'icc-slide',
    ext: '.svs',
    options: { flavour: 'aperio', profile: 'channel-swap', width: 3000, height: 2200, seed: 70 },
  },
  /** Generic pyramidal TIFF in ProPhoto-like wide-gamut primaries: 2 levels. */
  'icc-generic-wide': {
    kind: 'icc-slide',
    ext: '.tif',
    options: { flavour: 'generic-tiff', profile: 'wide-gamut', width: 2000, height: 1500, seed: 71 },
  },

  /** Slides compared side by side: CMU-1-Small-Region at half its resolution (0.998 µm/px), a generic TIFF pyramid. */
  'compare-cmu-half': { kind: 'compare-resampled', ext: '.tif', options: { source: 'CMU-1-Small-Region.svs', scale: 0.5 } },
} as const satisfies Record<string, FixtureSpec>;

export type FixtureName = keyof typeof FIXTURES;

export const FIXTURE_NAMES = Object.keys(FIXTURES) as FixtureName[];

/** Where fixtures are cached: $SLIDESCOPE_FIXTURES_DIR, else <repo>/.cache/fixtures. */
export function fixtureDir(): string {
  const override = process.env['SLIDESCOPE_FIXTURES_DIR'];
  if (override) return override;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, '.cache', 'fixtures');
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the repository root (no package.json above testing/)');
    dir = up;
  }
}

/** The cache key of a spec: its parameters and the generator version. */
export function fixtureKey(spec: FixtureSpec): string {
  const text = JSON.stringify({ version: GENERATOR_VERSION, kind: spec.kind, options: spec.options });
  return createHash('sha256').update(text).digest('hex').slice(0, 12);
}

/** Writes a fixture (or any spec) to a path, bypassing the cache. */
export function generateFixture(spec: FixtureSpec, path: string): Promise<WrittenSlide> {
  switch (spec.kind) {
    case 'aperio':
      return writeAperioSvs(path, spec.options);
    case 'generic':
      return writeGenericPyramid(path, spec.options);
    case 'single':
      return writeSingleLevelTiff(path, spec.options);
    case 'huge':
      return writeHugeHeaderTiff(path, spec.options);
    case 'generic-samples':
      return writeSampleLayoutPyramid(path, spec.options);
    case 'ndpi':
      return writeNdpi(path, spec.options);
    case 'philips':
      return writePhilipsTiff(path, spec.options);
    case 'leica':
      return writeLeicaScn(path, spec.options);
    case 'ventana-bif':
      return writeVentanaBif(path, spec.options);
    case 'ome-tiff':
      return writeOmeTiff(path, spec.options);
    case 'dicom':
      return writeDicomFixture(path, spec.options);
    case 'mirax':
      return writeMirax(path, spec.options);
    case 'hamamatsu-vms':
      return writeVms(path, spec.options);
    case 'trestle':
      return writeTrestle(path, spec.options);
    case 'sakura':
      return writeSakura(path, spec.options);
    case 'icc-slide':
      return writeIccSlide(path, spec.options);
    case 'compare-resampled':
      return writeResampled(path, spec.options);
  }
}

/** A DICOM fixture folder, written from its Aperio fixture. */
async function writeDicomFixture(path: string, options: { svs: string; series: DicomSeriesOptions[] }): Promise<WrittenSlide> {
  return writeDicomFolder(path, await fixturePath(options.svs as FixtureName), options.series);
}

const inProcess = new Map<string, Promise<string>>();

/** Path of a named fixture, generating it on first use. */
export function fixturePath(name: FixtureName): Promise<string> {
  const spec: FixtureSpec = FIXTURES[name];
  if (!spec) return Promise.reject(new Error(`unknown fixture ${String(name)}`));
  const dir = fixtureDir();
  const path = join(dir, `${name}-${fixtureKey(spec)}${spec.ext}`);
  let pending = inProcess.get(path);
  if (!pending) {
    pending = ensure(name, spec, dir, path);
    inProcess.set(path, pending);
    pending.catch(() => inProcess.delete(path));
  }
  return pending;
}

/** A fixture is a file, or a folder (DICOM's, written whole under another name first). */
async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile() || s.isDirectory(),
    () => false,
  );
}

const LOCK_POLL_MS = 200;

async function ensure(name: string, spec: FixtureSpec, dir: string, path: string): Promise<string> {
  if (await isFile(path)) return path;
  await mkdir(dir, { recursive: true });
  const lock = `${path}.lock`;
  for (;;) {
    if (await isFile(path)) return path;
    let handle: FileHandle;
    try {
      handle = await open(lock, 'wx');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (await lockIsStale(lock)) await rm(lock, { force: true });
      else await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
      continue;
    }
    try {
      await handle.writeFile(String(process.pid));
      await handle.close();
      if (!(await isFile(path))) {
        await generateFixture(spec, path);
        await removeStale(dir, name, spec.ext, path);
      }
      return path;
    } finally {
      await rm(lock, { force: true });
    }
  }
}

/** A lock whose process is gone (or that is unreadable and old) is stale. */
async function lockIsStale(lock: string): Promise<boolean> {
  try {
    const pid = Number((await readFile(lock, 'utf8')).trim());
    if (Number.isInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    }
    const info = await stat(lock);
    return Date.now() - info.mtimeMs > 60_000;
  } catch {
    return false; // vanished meanwhile: retry
  }
}

/** Deletes other generations of the same fixture (files named <name>-<12 hex><ext>, and the folder a multi-file slide keeps beside one). */
async function removeStale(dir: string, name: string, ext: string, keep: string): Promise<void> {
  const pattern = new RegExp(`^${name.replace(/[-]/g, '\\-')}-[0-9a-f]{12}${ext.replace('.', '\\.')}$`);
  for (const entry of await readdir(dir)) {
    const full = join(dir, entry);
    if (full !== keep && pattern.test(entry)) await rm(full, { force: true, recursive: true });
    if (full === keep || !pattern.test(entry)) continue;
    await rm(full, { force: true });
    await rm(full.slice(0, -ext.length), { recursive: true, force: true });
  }
}
