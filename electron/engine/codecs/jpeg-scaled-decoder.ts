// Baseline JPEG decoding at 1/2, 1/4 and 1/8 scale, bit-exact with libjpeg-turbo's default
// decompression (JDCT_ISLOW, fancy upsampling, scale_num 1 / scale_denom N). OpenSlide makes the
// extra levels of Hamamatsu NDPI slides this way, and no Node library exposes libjpeg's scaled
// decode, so this follows libjpeg-turbo's C sources step for step:
//   jdmaster.c  output size ceil(W/N) x ceil(H/N); each component's IDCT size (chroma scaled up by
//               the IDCT rather than upsampled where the sampling ratio allows)
//   jidctred.c  jpeg_idct_4x4, jpeg_idct_2x2, jpeg_idct_1x1; jidctint.c jpeg_idct_islow for 8x8
//   jdhuff.c    baseline Huffman decoding, restart markers, DC prediction reset at each restart
//   jdsample.c  h2v1 / h2v2 / h1v2 fancy upsampling (context rows as jdmainct.c supplies them:
//               first and last rows repeated), box replication otherwise
//   jdcolor.c   YCbCr -> RGB with its 16-bit fixed-point tables
// Unlike libjpeg, which warns and fills with zeros, anything malformed throws JpegDecodeError.

export class JpegDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JpegDecodeError';
  }
}

/** Interleaved RGB (a greyscale JPEG comes back with R = G = B). */
export interface ScaledRgb {
  data: Uint8Array;
  width: number;
  height: number;
}

/** Zigzag index -> natural (row-major) index of a coefficient. */
const NATURAL_ORDER = Uint8Array.of(
  0,
  1,
  8,
  16,
  9,
  2,
  3,
  10,
  17,
  24,
  32,
  25,
  18,
  11,
  4,
  5,
  12,
  19,
  26,
  33,
  40,
  48,
  41,
  34,
  27,
  20,
  13,
  6,
  7,
  14,
  21,
  28,
  35,
  42,
  49,
  56,
  57,
  50,
  43,
  36,
  29,
  22,
  15,
  23,
  30,
  37,
  44,
  51,
  58,
  59,
  52,
  45,
  38,
  31,
  39,
  46,
  53,
  60,
  61,
  54,
  47,
  55,
  62,
  63,
);

/** libjpeg's JPEG_MAX_DIMENSION. */
const MAX_DIMENSION = 65500;
/** libjpeg's D_MAX_BLOCKS_IN_MCU. */
const MAX_BLOCKS_IN_MCU = 10;

// ---------------------------------------------------------------------------------------------
// Range limiting (jdmaster.c prepare_range_limit_table)

/**
 * The post-IDCT table, indexed by (value & 1023): centres the sample (+128) and clamps, wrapping
 * wildly out-of-range values exactly as libjpeg's masked lookup does.
 */
const IDCT_LIMIT = new Uint8Array(1024);
for (let t = 0; t < 1024; t++) IDCT_LIMIT[t] = t < 128 ? t + 128 : t < 512 ? 255 : t < 896 ? 0 : t - 896;

// ---------------------------------------------------------------------------------------------
// YCbCr -> RGB tables (jdcolor.c build_ycc_rgb_table, SCALEBITS 16)

const CR_R = new Int32Array(256);
const CB_B = new Int32Array(256);
const CR_G = new Int32Array(256);
const CB_G = new Int32Array(256);
{
  const fix = (x: number): number => Math.floor(x * 65536 + 0.5);
  const half = 1 << 15;
  for (let i = 0; i < 256; i++) {
    const x = i - 128;
    CR_R[i] = (fix(1.402) * x + half) >> 16;
    CB_B[i] = (fix(1.772) * x + half) >> 16;
    CR_G[i] = -fix(0.71414) * x;
    CB_G[i] = -fix(0.34414) * x + half;
  }
}

// ---------------------------------------------------------------------------------------------
// Working memory (component planes, upsampled rows, destuffed data), reused from one decode to the
// next: allocating it afresh dominated the small decodes NDPI levels are made of.

/** The most working memory kept between decodes; larger decodes allocate the rest. */
const SCRATCH_KEPT = 8 << 20;
let scratch = new Uint8Array(0);
let scratchUsed = 0;
let scratchWanted = 0;

function beginScratch(): void {
  if (scratchWanted > scratch.length && scratch.length < SCRATCH_KEPT) scratch = new Uint8Array(Math.min(scratchWanted, SCRATCH_KEPT));
  scratchUsed = 0;
  scratchWanted = 0;
}

/** n zeroed bytes, valid until the next decode begins. */
function takeScratch(n: number): Uint8Array {
  scratchWanted += n;
  if (scratchUsed + n > scratch.length) return new Uint8Array(n);
  const view = scratch.subarray(scratchUsed, scratchUsed + n);
  scratchUsed += n;
  return view.fill(0);
}

// ---------------------------------------------------------------------------------------------
// Inverse DCTs: from dequantized coef (natural order), write size x size samples at out[off],
// rows stride apart. Integer arithmetic as in the C (CONST_BITS 13, PASS1_BITS 2); `>>` is C's
// arithmetic RIGHT_SHIFT and the & 1023 lookup its RANGE_MASK.

const workspace = new Int32Array(64);

/** jidctint.c jpeg_idct_islow. */
function idct8x8(coef: Int32Array, out: Uint8Array, off: number, stride: number): void {
  const ws = workspace;
  for (let c = 0; c < 8; c++) {
    if (coef[8 + c] === 0 && coef[16 + c] === 0 && coef[24 + c] === 0 && coef[32 + c] === 0 && coef[40 + c] === 0 && coef[48 + c] === 0 && coef[56 + c] === 0) {
      const dc = coef[c]! << 2;
      for (let r = 0; r < 64; r += 8) ws[r + c] = dc;
      continue;
    }
    let z2 = coef[16 + c]!;
    let z3 = coef[48 + c]!;
    let z1 = (z2 + z3) * 4433;
    let tmp2 = z1 + z3 * -15137;
    let tmp3 = z1 + z2 * 6270;
    z2 = coef[c]!;
    z3 = coef[32 + c]!;
    let tmp0 = (z2 + z3) * 8192;
    let tmp1 = (z2 - z3) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = coef[56 + c]!;
    tmp1 = coef[40 + c]!;
    tmp2 = coef[24 + c]!;
    tmp3 = coef[8 + c]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * 9633;
    tmp0 *= 2446;
    tmp1 *= 16819;
    tmp2 *= 25172;
    tmp3 *= 12299;
    z1 *= -7373;
    z2 *= -20995;
    z3 = z3 * -16069 + z5;
    z4 = z4 * -3196 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    ws[c] = (tmp10 + tmp3 + 1024) >> 11;
    ws[56 + c] = (tmp10 - tmp3 + 1024) >> 11;
    ws[8 + c] = (tmp11 + tmp2 + 1024) >> 11;
    ws[48 + c] = (tmp11 - tmp2 + 1024) >> 11;
    ws[16 + c] = (tmp12 + tmp1 + 1024) >> 11;
    ws[40 + c] = (tmp12 - tmp1 + 1024) >> 11;
    ws[24 + c] = (tmp13 + tmp0 + 1024) >> 11;
    ws[32 + c] = (tmp13 - tmp0 + 1024) >> 11;
  }
  for (let r = 0; r < 64; r += 8, off += stride) {
    if (ws[r + 1] === 0 && ws[r + 2] === 0 && ws[r + 3] === 0 && ws[r + 4] === 0 && ws[r + 5] === 0 && ws[r + 6] === 0 && ws[r + 7] === 0) {
      const dc = IDCT_LIMIT[((ws[r]! + 16) >> 5) & 1023]!;
      out.fill(dc, off, off + 8);
      continue;
    }
    let z2 = ws[r + 2]!;
    let z3 = ws[r + 6]!;
    let z1 = (z2 + z3) * 4433;
    let tmp2 = z1 + z3 * -15137;
    let tmp3 = z1 + z2 * 6270;
    let tmp0 = (ws[r]! + ws[r + 4]!) * 8192;
    let tmp1 = (ws[r]! - ws[r + 4]!) * 8192;
    const tmp10 = tmp0 + tmp3;
    const tmp13 = tmp0 - tmp3;
    const tmp11 = tmp1 + tmp2;
    const tmp12 = tmp1 - tmp2;
    tmp0 = ws[r + 7]!;
    tmp1 = ws[r + 5]!;
    tmp2 = ws[r + 3]!;
    tmp3 = ws[r + 1]!;
    z1 = tmp0 + tmp3;
    z2 = tmp1 + tmp2;
    z3 = tmp0 + tmp2;
    let z4 = tmp1 + tmp3;
    const z5 = (z3 + z4) * 9633;
    tmp0 *= 2446;
    tmp1 *= 16819;
    tmp2 *= 25172;
    tmp3 *= 12299;
    z1 *= -7373;
    z2 *= -20995;
    z3 = z3 * -16069 + z5;
    z4 = z4 * -3196 + z5;
    tmp0 += z1 + z3;
    tmp1 += z2 + z4;
    tmp2 += z2 + z3;
    tmp3 += z1 + z4;
    out[off] = IDCT_LIMIT[((tmp10 + tmp3 + 131072) >> 18) & 1023]!;
    out[off + 7] = IDCT_LIMIT[((tmp10 - tmp3 + 131072) >> 18) & 1023]!;
    out[off + 1] = IDCT_LIMIT[((tmp11 + tmp2 + 131072) >> 18) & 1023]!;
    out[off + 6] = IDCT_LIMIT[((tmp11 - tmp2 + 131072) >> 18) & 1023]!;
    out[off + 2] = IDCT_LIMIT[((tmp12 + tmp1 + 131072) >> 18) & 1023]!;
    out[off + 5] = IDCT_LIMIT[((tmp12 - tmp1 + 131072) >> 18) & 1023]!;
    out[off + 3] = IDCT_LIMIT[((tmp13 + tmp0 + 131072) >> 18) & 1023]!;
    out[off + 4] = IDCT_LIMIT[((tmp13 - tmp0 + 131072) >> 18) & 1023]!;
  }
}

/** jidctred.c jpeg_idct_4x4: column and row 4 never contribute. */
function idct4x4(coef: Int32Array, out: Uint8Array, off: number, stride: number): void {
  const ws = workspace;
  for (let c = 0; c < 8; c++) {
    if (c === 4) continue;
    if (coef[8 + c] === 0 && coef[16 + c] === 0 && coef[24 + c] === 0 && coef[40 + c] === 0 && coef[48 + c] === 0 && coef[56 + c] === 0) {
      const dc = coef[c]! << 2;
      ws[c] = dc;
      ws[8 + c] = dc;
      ws[16 + c] = dc;
      ws[24 + c] = dc;
      continue;
    }
    let tmp0 = coef[c]! * 16384;
    let tmp2 = coef[16 + c]! * 15137 + coef[48 + c]! * -6270;
    const tmp10 = tmp0 + tmp2;
    const tmp12 = tmp0 - tmp2;
    const z1 = coef[56 + c]!;
    const z2 = coef[40 + c]!;
    const z3 = coef[24 + c]!;
    const z4 = coef[8 + c]!;
    tmp0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
    tmp2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
    ws[c] = (tmp10 + tmp2 + 2048) >> 12;
    ws[24 + c] = (tmp10 - tmp2 + 2048) >> 12;
    ws[8 + c] = (tmp12 + tmp0 + 2048) >> 12;
    ws[16 + c] = (tmp12 - tmp0 + 2048) >> 12;
  }
  for (let r = 0; r < 32; r += 8, off += stride) {
    if (ws[r + 1] === 0 && ws[r + 2] === 0 && ws[r + 3] === 0 && ws[r + 5] === 0 && ws[r + 6] === 0 && ws[r + 7] === 0) {
      const dc = IDCT_LIMIT[((ws[r]! + 16) >> 5) & 1023]!;
      out[off] = dc;
      out[off + 1] = dc;
      out[off + 2] = dc;
      out[off + 3] = dc;
      continue;
    }
    let tmp0 = ws[r]! * 16384;
    let tmp2 = ws[r + 2]! * 15137 + ws[r + 6]! * -6270;
    const tmp10 = tmp0 + tmp2;
    const tmp12 = tmp0 - tmp2;
    const z1 = ws[r + 7]!;
    const z2 = ws[r + 5]!;
    const z3 = ws[r + 3]!;
    const z4 = ws[r + 1]!;
    tmp0 = z1 * -1730 + z2 * 11893 + z3 * -17799 + z4 * 8697;
    tmp2 = z1 * -4176 + z2 * -4926 + z3 * 7373 + z4 * 20995;
    out[off] = IDCT_LIMIT[((tmp10 + tmp2 + 262144) >> 19) & 1023]!;
    out[off + 3] = IDCT_LIMIT[((tmp10 - tmp2 + 262144) >> 19) & 1023]!;
    out[off + 1] = IDCT_LIMIT[((tmp12 + tmp0 + 262144) >> 19) & 1023]!;
    out[off + 2] = IDCT_LIMIT[((tmp12 - tmp0 + 262144) >> 19) & 1023]!;
  }
}

/** jidctred.c jpeg_idct_2x2: only columns and rows 0, 1, 3, 5, 7 contribute. */
function idct2x2(coef: Int32Array, out: Uint8Array, off: number, stride: number): void {
  const ws = workspace;
  for (let c = 0; c < 8; c++) {
    if (c === 2 || c === 4 || c === 6) continue;
    if (coef[8 + c] === 0 && coef[24 + c] === 0 && coef[40 + c] === 0 && coef[56 + c] === 0) {
      const dc = coef[c]! << 2;
      ws[c] = dc;
      ws[8 + c] = dc;
      continue;
    }
    const tmp10 = coef[c]! * 32768;
    const tmp0 = coef[56 + c]! * -5906 + coef[40 + c]! * 6967 + coef[24 + c]! * -10426 + coef[8 + c]! * 29692;
    ws[c] = (tmp10 + tmp0 + 4096) >> 13;
    ws[8 + c] = (tmp10 - tmp0 + 4096) >> 13;
  }
  for (let r = 0; r < 16; r += 8, off += stride) {
    if (ws[r + 1] === 0 && ws[r + 3] === 0 && ws[r + 5] === 0 && ws[r + 7] === 0) {
      const dc = IDCT_LIMIT[((ws[r]! + 16) >> 5) & 1023]!;
      out[off] = dc;
      out[off + 1] = dc;
      continue;
    }
    const tmp10 = ws[r]! * 32768;
    const tmp0 = ws[r + 7]! * -5906 + ws[r + 5]! * 6967 + ws[r + 3]! * -10426 + ws[r + 1]! * 29692;
    out[off] = IDCT_LIMIT[((tmp10 + tmp0 + 524288) >> 20) & 1023]!;
    out[off + 1] = IDCT_LIMIT[((tmp10 - tmp0 + 524288) >> 20) & 1023]!;
  }
}

// ---------------------------------------------------------------------------------------------
// Huffman tables (jdhuff.c jpeg_make_d_derived_tbl, with an 11-bit lookahead)

const LOOKAHEAD = 11;

interface HuffTable {
  /** By the next LOOKAHEAD bits: code length << 8 | symbol; 0 when the code is longer. */
  lookup: Uint16Array;
  /** AC tables only, by the next LOOKAHEAD bits when code and magnitude bits both fit in them: value << 9 | run << 5 | bits used. */
  fastAc: Int32Array;
  /** Largest code of each length (index 1..16), -1 when none. */
  maxcode: Int32Array;
  /** Symbol index of each length's first code, minus that code. */
  valoffset: Int32Array;
  values: Uint8Array;
}

/** A DHT table as stored: counts of codes by length (index 1..16) and the symbols. */
interface RawHuffTable {
  counts: Uint8Array;
  values: Uint8Array;
  /** The table's bytes as a string, its key in the cache of built tables. */
  key: string;
}

/**
 * Tables already built, by kind and content. NDPI levels are decoded one restart interval at a
 * time, every interval under the same header: building the tables afresh dominated those decodes.
 */
const builtTables = new Map<string, HuffTable | Int32Array>();
const BUILT_TABLES_KEPT = 64;

function cached<T extends HuffTable | Int32Array>(key: string, build: () => T): T {
  const hit = builtTables.get(key) as T | undefined;
  if (hit) return hit;
  const built = build();
  if (builtTables.size >= BUILT_TABLES_KEPT) builtTables.clear();
  builtTables.set(key, built);
  return built;
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function extend(v: number, s: number): number {
  return v < 1 << (s - 1) ? v - (1 << s) + 1 : v;
}

function buildHuffTable(raw: RawHuffTable, isDc: boolean, name: string): HuffTable {
  const sizes: number[] = [];
  for (let l = 1; l <= 16; l++) for (let i = 0; i < raw.counts[l]!; i++) sizes.push(l);
  const codes = new Int32Array(sizes.length);
  let code = 0;
  let si = sizes[0] ?? 0;
  for (let p = 0; p < sizes.length; ) {
    while (p < sizes.length && sizes[p] === si) codes[p++] = code++;
    // Codes of length si must fit in si bits, all ones excluded (libjpeg's legal-tree check).
    if (code >= 1 << si) throw new JpegDecodeError(`${name} is not a valid Huffman code`);
    code <<= 1;
    si++;
  }
  const maxcode = new Int32Array(18).fill(-1);
  const valoffset = new Int32Array(18);
  for (let l = 1, p = 0; l <= 16; l++) {
    const n = raw.counts[l]!;
    if (n === 0) continue;
    valoffset[l] = p - codes[p]!;
    p += n;
    maxcode[l] = codes[p - 1]!;
  }
  const lookup = new Uint16Array(1 << LOOKAHEAD);
  const fastAc = new Int32Array(isDc ? 0 : 1 << LOOKAHEAD);
  for (let p = 0; p < sizes.length; p++) {
    const l = sizes[p]!;
    if (l > LOOKAHEAD) break;
    const symbol = raw.values[p]!;
    const first = codes[p]! << (LOOKAHEAD - l);
    for (let i = 0; i < 1 << (LOOKAHEAD - l); i++) {
      const bits = first + i;
      lookup[bits] = (l << 8) | symbol;
      const s = symbol & 15;
      if (!isDc && s !== 0 && l + s <= LOOKAHEAD) {
        const v = (bits >> (LOOKAHEAD - l - s)) & ((1 << s) - 1);
        fastAc[bits] = (extend(v, s) << 9) | ((symbol >> 4) << 5) | (l + s);
      }
    }
  }
  if (isDc) for (const symbol of raw.values) if (symbol > 15) throw new JpegDecodeError(`${name} has a DC symbol above 15`);
  return { lookup, fastAc, maxcode, valoffset, values: raw.values.slice() };
}

// ---------------------------------------------------------------------------------------------
// Entropy-coded data (jdhuff.c)

/**
 * Bytes read past an interval's end by one MCU at most: 10 blocks of 64 codes of 16 + 15 bits.
 * The destuffed data is followed by this many zero bytes, so a truncated stream reads zeros (as
 * libjpeg does) until the check after the MCU reports it.
 */
const PADDING = 4096;

/** One scan's entropy-coded data with its byte stuffing removed, cut at its restart markers. */
interface EntropyData {
  bytes: Uint8Array;
  /** Interval i's bytes are bytes[bounds[i] .. bounds[i + 1]). */
  bounds: number[];
  /** The RSTn number that ended interval i. */
  restarts: number[];
  /** Where the marker after the scan starts in the JPEG (its length if there is none). */
  next: number;
}

function readEntropyData(jpeg: Uint8Array, pos: number): EntropyData {
  const bytes = takeScratch(jpeg.length - pos + PADDING);
  const bounds = [0];
  const restarts: number[] = [];
  let o = 0;
  for (;;) {
    const ff = jpeg.indexOf(0xff, pos);
    const stop = ff < 0 ? jpeg.length : ff;
    bytes.set(jpeg.subarray(pos, stop), o);
    o += stop - pos;
    pos = stop;
    if (ff < 0) break;
    // FF 00 stands for an FF data byte (libjpeg also takes FF FF ... 00); RSTn ends an interval; any other marker the scan.
    let m = ff + 1;
    while (m < jpeg.length && jpeg[m] === 0xff) m++;
    if (m >= jpeg.length) {
      pos = jpeg.length;
      break;
    }
    const code = jpeg[m]!;
    if (code === 0) bytes[o++] = 0xff;
    else if (code >= 0xd0 && code <= 0xd7) {
      bounds.push(o);
      restarts.push(code - 0xd0);
    } else {
      pos = m - 1;
      break;
    }
    pos = m + 1;
  }
  bounds.push(o);
  return { bytes, bounds, restarts, next: pos };
}

/** Codes of 10 to 16 bits (jdhuff.c jpeg_huff_decode): length << 8 | symbol, or -1 for no code. */
function decodeLong(t: HuffTable, acc: number, bits: number): number {
  for (let l = LOOKAHEAD + 1; l <= 16; l++) {
    const code = (acc >>> (bits - l)) & ((1 << l) - 1);
    if (code <= t.maxcode[l]!) return (l << 8) | t.values[code + t.valoffset[l]!]!;
  }
  return -1;
}

// ---------------------------------------------------------------------------------------------
// Frame and scans

interface Component {
  id: number;
  h: number;
  v: number;
  quantSlot: number;
  /** Samples per block side after IDCT scaling (libjpeg's DCT_scaled_size). */
  size: number;
  /** Blocks that hold image data (libjpeg's width_in_blocks / height_in_blocks). */
  blocksWide: number;
  blocksHigh: number;
  /** IDCT output for the whole component, including the blocks' padding. */
  plane: Uint8Array;
  stride: number;
  /** libjpeg's downsampled_width / height: the samples that are image, not padding. */
  width: number;
  height: number;
  /** The quantization table latched at the component's first scan (jdinput.c latch_quant_tables). */
  quant: Int32Array;
}

interface Frame {
  width: number;
  height: number;
  components: Component[];
  maxH: number;
  maxV: number;
  mcusWide: number;
  mcusHigh: number;
}

interface ScanComponent {
  comp: Component;
  dc: HuffTable;
  ac: HuffTable;
}

/** The block being decoded, natural order; only its nonzero entries, listed in `nonzero`, are cleared after each IDCT. */
const coef = new Int32Array(64);
const nonzero = new Int32Array(64);

function corrupt(consumedBits: number, endBits: number, what: string): JpegDecodeError {
  return new JpegDecodeError(consumedBits > endBits ? 'the entropy-coded data is truncated' : what);
}

/**
 * Decodes one scan's MCUs (jdhuff.c decode_mcu) and writes each block's IDCT into its component's
 * plane. The bit buffer lives in locals: acc holds `bits` unread bits, oldest highest.
 */
function decodeScan(data: EntropyData, frame: Frame, scs: ScanComponent[], restartInterval: number): void {
  // Blocks of one MCU: component index in the scan and block offsets within the MCU (jdinput.c per_scan_setup).
  const blockComp: number[] = [];
  const blockDx: number[] = [];
  const blockDy: number[] = [];
  const single = scs.length === 1;
  const mcusWide = single ? scs[0]!.comp.blocksWide : frame.mcusWide;
  const mcuCount = single ? scs[0]!.comp.blocksWide * scs[0]!.comp.blocksHigh : frame.mcusWide * frame.mcusHigh;
  scs.forEach((sc, ci) => {
    for (let y = 0; y < (single ? 1 : sc.comp.v); y++)
      for (let x = 0; x < (single ? 1 : sc.comp.h); x++) {
        blockComp.push(ci);
        blockDx.push(x);
        blockDy.push(y);
      }
  });
  if (blockComp.length > MAX_BLOCKS_IN_MCU) throw new JpegDecodeError(`an MCU of ${blockComp.length} blocks (the limit is ${MAX_BLOCKS_IN_MCU})`);
  const pred = new Int32Array(scs.length);
  const blocks = blockComp.length;
  const buf = data.bytes;
  let interval = 0;
  let end = data.bounds[1]!;
  let pos = 0;
  let acc = 0;
  let bits = 0;
  let restartsToGo = restartInterval;

  for (let m = 0; m < mcuCount; m++) {
    if (restartInterval !== 0) {
      if (restartsToGo === 0) {
        // The next interval starts after an RSTn numbered on from RST0; DC predictions start again from 0.
        if (interval + 1 >= data.bounds.length - 1 || data.restarts[interval] !== (interval & 7))
          throw new JpegDecodeError(`restart marker RST${interval & 7} is missing or out of order`);
        interval++;
        pos = data.bounds[interval]!;
        end = data.bounds[interval + 1]!;
        acc = 0;
        bits = 0;
        pred.fill(0);
        restartsToGo = restartInterval;
      }
      restartsToGo--;
    }
    const mx = m % mcusWide;
    const my = (m - mx) / mcusWide;
    for (let b = 0; b < blocks; b++) {
      const ci = blockComp[b]!;
      const sc = scs[ci]!;
      const comp = sc.comp;
      // Blocks of one sample (luma at 1/8) need only the DC.
      const keepAc = comp.size > 1;

      // DC difference.
      while (bits <= 24) {
        acc = (acc << 8) | buf[pos++]!;
        bits += 8;
      }
      let e = sc.dc.lookup[(acc >>> (bits - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1)]!;
      if (e === 0) e = decodeLong(sc.dc, acc, bits);
      if (e < 0) throw corrupt(pos * 8 - bits, end * 8, 'bad Huffman code in the entropy-coded data');
      bits -= e >> 8;
      let s = e & 255;
      let dc = pred[ci]!;
      if (s !== 0) {
        if (bits < s) {
          acc = (acc << 8) | buf[pos++]!;
          acc = (acc << 8) | buf[pos++]!;
          bits += 16;
        }
        bits -= s;
        dc = (dc + extend((acc >>> bits) & ((1 << s) - 1), s)) | 0;
        pred[ci] = dc;
      }

      // AC run/size pairs; for one-sample blocks (no IDCT) they are read and dropped, as libjpeg does.
      // Dequantized as they are read (libjpeg multiplies in the IDCT: the same products).
      const quant = comp.quant;
      const fast = sc.ac.fastAc;
      const lookup = sc.ac.lookup;
      let count = 0;
      for (let k = 1; k < 64; ) {
        if (bits < 16) {
          while (bits <= 24) {
            acc = (acc << 8) | buf[pos++]!;
            bits += 8;
          }
        }
        const look = (acc >>> (bits - LOOKAHEAD)) & ((1 << LOOKAHEAD) - 1);
        const f = fast[look]!;
        if (f !== 0) {
          // Code and magnitude bits both within the lookahead.
          bits -= f & 31;
          k += (f >> 5) & 15;
          if (k > 63) throw corrupt(pos * 8 - bits, end * 8, 'AC coefficients run past the end of a block');
          if (keepAc) {
            const z = NATURAL_ORDER[k]!;
            coef[z] = (f >> 9) * quant[z]!;
            nonzero[count++] = z;
          }
          k++;
          continue;
        }
        e = lookup[look]!;
        if (e === 0) e = decodeLong(sc.ac, acc, bits);
        if (e < 0) throw corrupt(pos * 8 - bits, end * 8, 'bad Huffman code in the entropy-coded data');
        bits -= e >> 8;
        s = e & 15;
        const r = (e >> 4) & 15;
        if (s === 0) {
          if (r !== 15) break; // end of block
          k += 16;
          continue;
        }
        k += r;
        if (k > 63) throw corrupt(pos * 8 - bits, end * 8, 'AC coefficients run past the end of a block');
        if (bits < s) {
          acc = (acc << 8) | buf[pos++]!;
          acc = (acc << 8) | buf[pos++]!;
          bits += 16;
        }
        bits -= s;
        if (keepAc) {
          const z = NATURAL_ORDER[k]!;
          coef[z] = extend((acc >>> bits) & ((1 << s) - 1), s) * quant[z]!;
          nonzero[count++] = z;
        }
        k++;
      }

      // Blocks past the component's edge in an interleaved MCU are padding: libjpeg skips their IDCT.
      const bx = single ? mx : mx * comp.h + blockDx[b]!;
      const by = single ? my : my * comp.v + blockDy[b]!;
      if (bx < comp.blocksWide && by < comp.blocksHigh) {
        const size = comp.size;
        const stride = comp.stride;
        const plane = comp.plane;
        const off = by * size * stride + bx * size;
        const dcq = ((dc << 16) >> 16) * comp.quant[0]!; // libjpeg keeps coefficients as 16-bit JCOEF
        if (count === 0) {
          // A DC-only block is flat: every IDCT above reduces to this one value.
          const flat = IDCT_LIMIT[(size === 1 ? (dcq + 4) >> 3 : ((dcq << 2) + 16) >> 5) & 1023]!;
          for (let y = 0, o = off; y < size; y++, o += stride) for (let x = 0; x < size; x++) plane[o + x] = flat;
        } else {
          coef[0] = dcq;
          // Direct calls (not through a variable) let V8 inline them.
          if (size === 8) idct8x8(coef, plane, off, stride);
          else if (size === 4) idct4x4(coef, plane, off, stride);
          else idct2x2(coef, plane, off, stride);
          for (let i = 0; i < count; i++) coef[nonzero[i]!] = 0;
        }
      } else for (let i = 0; i < count; i++) coef[nonzero[i]!] = 0;
    }
    if (pos * 8 - bits > end * 8) throw new JpegDecodeError('the entropy-coded data is truncated');
  }
}

// ---------------------------------------------------------------------------------------------
// Upsampling and colour conversion (jdsample.c, jdcolor.c)

enum Upsample {
  /** Rows come straight from the plane, replicated hExpand x vExpand (fullsize, h2v1, h2v2 and int_upsample). */
  Replicate,
  H2V1Fancy,
  H1V2Fancy,
  H2V2Fancy,
}

interface RowSource {
  comp: Component;
  method: Upsample;
  hExpand: number;
  vExpand: number;
  row: Uint8Array;
  /** Where the current output row's samples start: in the plane (1:1) or in row. */
  buf: Uint8Array;
  off: number;
}

function rowSource(comp: Component, frame: Frame, minSize: number, outWidth: number): RowSource {
  // jdsample.c jinit_upsampler; fancy filters need min_DCT_scaled_size > 1 (jdmainct.c has no context rows at 1/8).
  const doFancy = minSize > 1;
  const hIn = (comp.h * comp.size) / minSize;
  const vIn = (comp.v * comp.size) / minSize;
  const hOut = frame.maxH;
  const vOut = frame.maxV;
  let method = Upsample.Replicate;
  if (hIn * 2 === hOut && vIn === vOut && doFancy && comp.width > 2) method = Upsample.H2V1Fancy;
  else if (hIn === hOut && vIn * 2 === vOut && doFancy) method = Upsample.H1V2Fancy;
  else if (hIn * 2 === hOut && vIn * 2 === vOut && doFancy && comp.width > 2) method = Upsample.H2V2Fancy;
  else if (hOut % hIn !== 0 || vOut % vIn !== 0) throw new JpegDecodeError('fractional sampling factors are not supported');
  const hExpand = method === Upsample.H1V2Fancy ? 1 : hOut / hIn;
  const vExpand = vOut / vIn;
  const row = takeScratch(Math.max(outWidth, comp.stride * hExpand));
  return { comp, method, hExpand, vExpand, row, buf: row, off: 0 };
}

/** Points src.buf / src.off at output row y of this component. */
function upsampleRow(src: RowSource, y: number, outWidth: number): void {
  const { comp, row } = src;
  const plane = comp.plane;
  const stride = comp.stride;
  const w = comp.width;
  const last = comp.height - 1;
  switch (src.method) {
    case Upsample.Replicate: {
      const off = Math.floor(y / src.vExpand) * stride;
      if (src.hExpand === 1) {
        src.buf = plane;
        src.off = off;
        return;
      }
      const hx = src.hExpand;
      for (let x = 0, o = 0; o < outWidth; x++) for (let i = 0; i < hx; i++) row[o++] = plane[off + x]!;
      break;
    }
    case Upsample.H2V1Fancy: {
      // Triangle filter: 3/4 nearer + 1/4 further sample, alternating rounding; edge samples kept.
      const p = y * stride;
      row[0] = plane[p]!;
      row[1] = (plane[p]! * 3 + plane[p + 1]! + 2) >> 2;
      for (let x = 1; x < w - 1; x++) {
        const near = plane[p + x]! * 3;
        row[2 * x] = (near + plane[p + x - 1]! + 1) >> 2;
        row[2 * x + 1] = (near + plane[p + x + 1]! + 2) >> 2;
      }
      row[2 * w - 2] = (plane[p + w - 1]! * 3 + plane[p + w - 2]! + 1) >> 2;
      row[2 * w - 1] = plane[p + w - 1]!;
      break;
    }
    case Upsample.H1V2Fancy: {
      // Row r gives output rows 2r (with the row above, bias 1) and 2r + 1 (with the row below, bias 2).
      const r = Math.min(y >> 1, last);
      const near = r * stride;
      const far = (y & 1 ? Math.min(r + 1, last) : Math.max(r - 1, 0)) * stride;
      const bias = y & 1 ? 2 : 1;
      for (let x = 0; x < w; x++) row[x] = (plane[near + x]! * 3 + plane[far + x]! + bias) >> 2;
      break;
    }
    case Upsample.H2V2Fancy: {
      // Column sums of 3 x nearer row + further row, then the same filter across: 9/16, 3/16, 3/16, 1/16.
      const r = Math.min(y >> 1, last);
      const near = r * stride;
      const far = (y & 1 ? Math.min(r + 1, last) : Math.max(r - 1, 0)) * stride;
      let thisSum = plane[near]! * 3 + plane[far]!;
      let nextSum = plane[near + 1]! * 3 + plane[far + 1]!;
      row[0] = (thisSum * 4 + 8) >> 4;
      row[1] = (thisSum * 3 + nextSum + 7) >> 4;
      let lastSum = thisSum;
      thisSum = nextSum;
      for (let x = 1; x < w - 1; x++) {
        nextSum = plane[near + x + 1]! * 3 + plane[far + x + 1]!;
        row[2 * x] = (thisSum * 3 + lastSum + 8) >> 4;
        row[2 * x + 1] = (thisSum * 3 + nextSum + 7) >> 4;
        lastSum = thisSum;
        thisSum = nextSum;
      }
      row[2 * w - 2] = (thisSum * 3 + lastSum + 8) >> 4;
      row[2 * w - 1] = (thisSum * 4 + 7) >> 4;
      break;
    }
  }
  src.buf = row;
  src.off = 0;
}

function assemble(frame: Frame, minSize: number, outWidth: number, outHeight: number, colour: Colour): Uint8Array {
  const out = new Uint8Array(outWidth * outHeight * 3);
  // Stores to a clamped view saturate to 0..255 as libjpeg's sample_range_limit table does.
  const clamped = new Uint8ClampedArray(out.buffer);
  const sources = frame.components.map((c) => rowSource(c, frame, minSize, outWidth));
  for (let y = 0, o = 0; y < outHeight; y++) {
    for (const s of sources) upsampleRow(s, y, outWidth);
    const s0 = sources[0]!;
    const b0 = s0.buf;
    const o0 = s0.off;
    if (colour === 'grey') {
      for (let x = 0; x < outWidth; x++, o += 3) {
        const v = b0[o0 + x]!;
        out[o] = v;
        out[o + 1] = v;
        out[o + 2] = v;
      }
      continue;
    }
    const s1 = sources[1]!;
    const s2 = sources[2]!;
    const b1 = s1.buf;
    const o1 = s1.off;
    const b2 = s2.buf;
    const o2 = s2.off;
    if (colour === 'rgb') {
      for (let x = 0; x < outWidth; x++, o += 3) {
        out[o] = b0[o0 + x]!;
        out[o + 1] = b1[o1 + x]!;
        out[o + 2] = b2[o2 + x]!;
      }
      continue;
    }
    for (let x = 0; x < outWidth; x++, o += 3) {
      const lum = b0[o0 + x]!;
      const cb = b1[o1 + x]!;
      const cr = b2[o2 + x]!;
      clamped[o] = lum + CR_R[cr]!;
      clamped[o + 1] = lum + ((CB_G[cb]! + CR_G[cr]!) >> 16);
      clamped[o + 2] = lum + CB_B[cb]!;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Markers (jdmarker.c)

type Colour = 'grey' | 'ycc' | 'rgb';

/** A component's table until its first scan latches one (libjpeg presets its multiplier tables to zero too). */
const UNLATCHED = new Int32Array(64);

function readFrame(data: Uint8Array, pos: number, length: number, scale: number, maxPixels: number): Frame {
  if (length < 6) throw new JpegDecodeError('the frame header is too short');
  const precision = data[pos]!;
  const height = (data[pos + 1]! << 8) | data[pos + 2]!;
  const width = (data[pos + 3]! << 8) | data[pos + 4]!;
  const count = data[pos + 5]!;
  if (precision !== 8) throw new JpegDecodeError(`${precision}-bit samples are not supported`);
  if (width === 0 || height === 0)
    throw new JpegDecodeError(`the frame is ${width} x ${height} (an empty image, or a height given by DNL, which is not supported)`);
  if (count !== 1 && count !== 3) throw new JpegDecodeError(`${count} components are not supported (1 or 3)`);
  if (length !== 6 + 3 * count) throw new JpegDecodeError('the frame header length does not match its components');
  if (width > MAX_DIMENSION || height > MAX_DIMENSION) throw new JpegDecodeError(`the frame is ${width} x ${height}, beyond ${MAX_DIMENSION} pixels a side`);
  if (width * height > maxPixels) throw new JpegDecodeError(`the frame is ${width} x ${height}, more than ${maxPixels} pixels`);
  const specs: { id: number; h: number; v: number; quantSlot: number }[] = [];
  for (let i = 0; i < count; i++) {
    const p = pos + 6 + 3 * i;
    const h = data[p + 1]! >> 4;
    const v = data[p + 1]! & 15;
    if (h < 1 || h > 4 || v < 1 || v > 4) throw new JpegDecodeError(`component ${i} has sampling factors ${h} x ${v}`);
    const quantSlot = data[p + 2]!;
    if (quantSlot > 3) throw new JpegDecodeError(`component ${i} uses quantization table ${quantSlot}`);
    specs.push({ id: data[p]!, h, v, quantSlot });
  }
  const maxH = Math.max(...specs.map((s) => s.h));
  const maxV = Math.max(...specs.map((s) => s.v));
  const mcusWide = Math.ceil(width / (8 * maxH));
  const mcusHigh = Math.ceil(height / (8 * maxV));
  const minSize = 8 / scale;
  const components = specs.map((s): Component => {
    // jdmaster.c jpeg_calc_output_dimensions: scale chroma up in the IDCT while the sampling ratio allows.
    let size = minSize;
    while (size < 8 && (maxH * minSize) % (s.h * size * 2) === 0 && (maxV * minSize) % (s.v * size * 2) === 0) size *= 2;
    const stride = mcusWide * s.h * size;
    // Every field written here, in one order: a spread would leave V8 a slow, dictionary-mode object.
    return {
      id: s.id,
      h: s.h,
      v: s.v,
      quantSlot: s.quantSlot,
      size,
      blocksWide: Math.ceil(Math.ceil((width * s.h) / maxH) / 8),
      blocksHigh: Math.ceil(Math.ceil((height * s.v) / maxV) / 8),
      plane: takeScratch(stride * mcusHigh * s.v * size),
      stride,
      width: Math.ceil((width * s.h * size) / (maxH * 8)),
      height: Math.ceil((height * s.v * size) / (maxV * 8)),
      quant: UNLATCHED,
    };
  });
  return { width, height, components, maxH, maxV, mcusWide, mcusHigh };
}

function readQuantTables(data: Uint8Array, pos: number, end: number, quant: (Int32Array | undefined)[]): void {
  while (pos < end) {
    const precision = data[pos]! >> 4;
    const slot = data[pos]! & 15;
    pos++;
    if (slot > 3) throw new JpegDecodeError(`quantization table ${slot} (the limit is 3)`);
    if (precision > 1) throw new JpegDecodeError(`quantization table ${slot} has precision ${precision}`);
    const bytes = precision === 1 ? 128 : 64;
    if (pos + bytes > end) throw new JpegDecodeError(`quantization table ${slot} is cut short`);
    const at = pos;
    quant[slot] = cached(`q${latin1(data.subarray(at - 1, at + bytes))}`, () => {
      const table = new Int32Array(64);
      for (let i = 0; i < 64; i++) table[NATURAL_ORDER[i]!] = precision === 1 ? (data[at + 2 * i]! << 8) | data[at + 2 * i + 1]! : data[at + i]!;
      return table;
    });
    pos += bytes;
  }
}

function readHuffTables(data: Uint8Array, pos: number, end: number, dc: (RawHuffTable | undefined)[], ac: (RawHuffTable | undefined)[]): void {
  while (pos < end) {
    if (pos + 17 > end) throw new JpegDecodeError('a Huffman table is cut short');
    const index = data[pos]!;
    const counts = new Uint8Array(17);
    let total = 0;
    for (let l = 1; l <= 16; l++) {
      counts[l] = data[pos + l]!;
      total += counts[l]!;
    }
    pos += 17;
    if (total > 256 || pos + total > end) throw new JpegDecodeError('a Huffman table has more codes than its segment holds');
    const slot = index & 15;
    if ((index & ~0x10) > 3) throw new JpegDecodeError(`Huffman table index 0x${index.toString(16)}`);
    const values = data.subarray(pos, pos + total);
    (index & 0x10 ? ac : dc)[slot] = { counts, values, key: latin1(data.subarray(pos - 16, pos + total)) };
    pos += total;
  }
}

/**
 * Decodes a complete baseline JPEG (SOF0 or SOF1, Huffman, 8-bit, 1 or 3 components, interleaved or
 * not; restart markers honoured) at 1/scale, as libjpeg-turbo does. maxPixels bounds the frame the
 * stream may declare (checked before any allocation). Throws JpegDecodeError on anything malformed
 * or unsupported (progressive, arithmetic, 12-bit, 4 components...).
 */
export function decodeJpegScaled(jpeg: Uint8Array, scale: 2 | 4 | 8, maxPixels: number): ScaledRgb {
  if (scale !== 2 && scale !== 4 && scale !== 8) throw new JpegDecodeError(`scale 1/${scale} is not supported`);
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new JpegDecodeError('no JPEG start marker');
  beginScratch();
  const quant: (Int32Array | undefined)[] = [];
  const dcRaw: (RawHuffTable | undefined)[] = [];
  const acRaw: (RawHuffTable | undefined)[] = [];
  let frame: Frame | null = null;
  let restartInterval = 0;
  let sawJfif = false;
  let adobeTransform = -1;
  let colour: Colour = 'grey';
  const decoded = new Set<Component>();
  let pos = 2;
  // Anything after the scan that completes the last component is not read (libjpeg would only warn about it).
  while (!frame || decoded.size < frame.components.length) {
    // Markers may be preceded by fill bytes (FF).
    if (pos >= jpeg.length) throw new JpegDecodeError('the data ends before the image');
    if (jpeg[pos] !== 0xff) throw new JpegDecodeError(`no marker at byte ${pos}`);
    while (pos < jpeg.length && jpeg[pos] === 0xff) pos++;
    if (pos >= jpeg.length) throw new JpegDecodeError('the data ends before the image');
    const marker = jpeg[pos++]!;
    if (marker === 0xd9) throw new JpegDecodeError(frame ? 'the image ends before all its components are decoded' : 'no frame before the end of the image');
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // stray RSTn or TEM: no length, libjpeg ignores them
    if (pos + 2 > jpeg.length) throw new JpegDecodeError('the data ends inside a marker');
    const length = (jpeg[pos]! << 8) | jpeg[pos + 1]!;
    if (length < 2 || pos + length > jpeg.length) throw new JpegDecodeError(`marker 0x${marker.toString(16)} has a bogus length`);
    const body = pos + 2;
    const end = pos + length;
    pos = end;
    switch (marker) {
      case 0xc0:
      case 0xc1:
        if (frame) throw new JpegDecodeError('more than one frame header');
        frame = readFrame(jpeg, body, length - 2, scale, maxPixels);
        break;
      case 0xc2:
      case 0xc6:
      case 0xca:
      case 0xce:
        throw new JpegDecodeError('progressive JPEG is not supported');
      case 0xc3:
      case 0xc7:
      case 0xcb:
      case 0xcf:
        throw new JpegDecodeError('lossless JPEG is not supported');
      case 0xc5:
      case 0xcd:
        throw new JpegDecodeError('hierarchical JPEG is not supported');
      case 0xc9:
      case 0xcc:
        throw new JpegDecodeError('arithmetic coding is not supported');
      case 0xc4:
        readHuffTables(jpeg, body, end, dcRaw, acRaw);
        break;
      case 0xdb:
        readQuantTables(jpeg, body, end, quant);
        break;
      case 0xdd:
        if (length !== 4) throw new JpegDecodeError('bad restart interval segment');
        restartInterval = (jpeg[body]! << 8) | jpeg[body + 1]!;
        break;
      case 0xe0:
        // jdmarker.c examine_app0: a JFIF marker means YCbCr.
        if (length - 2 >= 14 && jpeg[body] === 0x4a && jpeg[body + 1] === 0x46 && jpeg[body + 2] === 0x49 && jpeg[body + 3] === 0x46 && jpeg[body + 4] === 0)
          sawJfif = true;
        break;
      case 0xee:
        // examine_app14: Adobe's transform flag (0: RGB, otherwise YCbCr).
        if (length - 2 >= 12 && String.fromCharCode(...jpeg.subarray(body, body + 5)) === 'Adobe') adobeTransform = jpeg[body + 11]!;
        break;
      case 0xda: {
        if (!frame) throw new JpegDecodeError('a scan before the frame header');
        // libjpeg settles the colour space at the first scan (jpeg_read_header).
        if (decoded.size === 0) colour = colourSpace(frame, sawJfif, adobeTransform);
        const scs = readScanHeader(jpeg, body, length - 2, frame, decoded, quant, dcRaw, acRaw);
        const data = readEntropyData(jpeg, end);
        decodeScan(data, frame, scs, restartInterval);
        for (const sc of scs) decoded.add(sc.comp);
        pos = data.next;
        break;
      }
      case 0xd8:
        throw new JpegDecodeError('a second start-of-image marker');
      default:
        // APPn, COM, DNL and JPEG extensions carry nothing this decoder needs; anything else is unknown.
        if (!((marker >= 0xe0 && marker <= 0xef) || marker === 0xfe || marker === 0xdc || (marker >= 0xf0 && marker <= 0xfd)))
          throw new JpegDecodeError(`unknown marker 0x${marker.toString(16)}`);
    }
  }
  const width = Math.ceil(frame.width / scale);
  const height = Math.ceil(frame.height / scale);
  return { data: assemble(frame, 8 / scale, width, height, colour), width, height };
}

/** jdapimin.c default_decompress_parms: how libjpeg reads three components. */
function colourSpace(frame: Frame, sawJfif: boolean, adobeTransform: number): Colour {
  if (frame.components.length === 1) return 'grey';
  if (sawJfif) return 'ycc';
  if (adobeTransform >= 0) return adobeTransform === 0 ? 'rgb' : 'ycc';
  const [a, b, c] = frame.components.map((comp) => comp.id);
  return a === 82 && b === 71 && c === 66 ? 'rgb' : 'ycc';
}

function readScanHeader(
  data: Uint8Array,
  pos: number,
  length: number,
  frame: Frame,
  decoded: Set<Component>,
  quant: (Int32Array | undefined)[],
  dcRaw: (RawHuffTable | undefined)[],
  acRaw: (RawHuffTable | undefined)[],
): ScanComponent[] {
  const count = data[pos]!;
  if (count < 1 || count > 4 || length !== 4 + 2 * count) throw new JpegDecodeError('bad scan header');
  const scs: ScanComponent[] = [];
  for (let i = 0; i < count; i++) {
    const id = data[pos + 1 + 2 * i]!;
    const tables = data[pos + 2 + 2 * i]!;
    const comp = frame.components.find((c) => c.id === id);
    if (!comp) throw new JpegDecodeError(`the scan names component ${id}, which the frame lacks`);
    if (decoded.has(comp) || scs.some((sc) => sc.comp === comp)) throw new JpegDecodeError(`component ${id} is coded twice`);
    // jdinput.c latch_quant_tables: the table in force at the component's first scan is the one used.
    const table = quant[comp.quantSlot];
    if (!table) throw new JpegDecodeError(`quantization table ${comp.quantSlot} is missing`);
    comp.quant = table;
    scs.push({ comp, dc: huffTable(dcRaw, tables >> 4, true), ac: huffTable(acRaw, tables & 15, false) });
  }
  const p = pos + 1 + 2 * count;
  if (data[p] !== 0 || data[p + 1] !== 63 || data[p + 2] !== 0) throw new JpegDecodeError('the scan is not a sequential (baseline) scan');
  return scs;
}

function huffTable(raw: (RawHuffTable | undefined)[], slot: number, isDc: boolean): HuffTable {
  const name = `${isDc ? 'DC' : 'AC'} Huffman table ${slot}`;
  const table = slot < 4 ? raw[slot] : undefined;
  if (!table) throw new JpegDecodeError(`${name} is missing`);
  return cached(`${isDc ? 'd' : 'a'}${table.key}`, () => buildHuffTable(table, isDc, name));
}
