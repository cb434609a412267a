// TIFF LZW (compression 5) encoder and the horizontal-differencing predictor (Predictor 2).
// Aperio stores its label image this way, and generic pyramids use it too; sharp cannot produce
// raw LZW strips, so this is a small encoder of our own, bit-compatible with libtiff's decoder:
// MSB-first codes, 9 to 12 bits, code width growing one code early, Clear at 4094.

const CLEAR = 256;
const EOI = 257;
const FIRST = 258;
const TABLE_FULL = 4094;

/** Applies TIFF Predictor 2 in place to interleaved 8-bit rows of `samples` samples per pixel. */
export function applyHorizontalPredictor(data: Uint8Array, width: number, rows: number, samples: number): void {
  const stride = width * samples;
  for (let y = 0; y < rows; y++) {
    const start = y * stride;
    // Right to left so each difference uses the original left neighbour.
    for (let i = start + stride - 1; i >= start + samples; i--) data[i] = (data[i]! - data[i - samples]!) & 0xff;
  }
}

/** One LZW strip/tile: Clear, codes, EOI. */
export function lzwEncode(input: Uint8Array): Uint8Array {
  // Output grows by at most 12 bits per input byte, plus Clear codes.
  const out = new Uint8Array(Math.ceil(input.length * 1.6) + 16);
  let outPos = 0;
  let bitBuf = 0;
  let bitCount = 0;
  const put = (code: number, nbits: number): void => {
    bitBuf = (bitBuf << nbits) | code;
    bitCount += nbits;
    while (bitCount >= 8) {
      bitCount -= 8;
      out[outPos++] = (bitBuf >>> bitCount) & 0xff;
    }
    bitBuf &= (1 << bitCount) - 1;
  };

  // Open-addressing hash of (prefix code << 8 | byte) -> code.
  const HASH_SIZE = 1 << 13;
  const keys = new Int32Array(HASH_SIZE);
  const codes = new Int16Array(HASH_SIZE);
  const resetTable = (): void => {
    keys.fill(-1);
  };
  resetTable();

  let nbits = 9;
  let next = FIRST;
  put(CLEAR, nbits);
  if (input.length === 0) {
    put(EOI, nbits);
  } else {
    let ent = input[0]!;
    for (let i = 1; i < input.length; i++) {
      const c = input[i]!;
      const key = (ent << 8) | c;
      let h = (Math.imul(key, 0x9e3779b1) >>> 19) & (HASH_SIZE - 1);
      let found = -1;
      while (keys[h] !== -1) {
        if (keys[h] === key) {
          found = codes[h]!;
          break;
        }
        h = (h + 1) & (HASH_SIZE - 1);
      }
      if (found >= 0) {
        ent = found;
        continue;
      }
      put(ent, nbits);
      keys[h] = key;
      codes[h] = next++;
      ent = c;
      if (next === TABLE_FULL) {
        put(CLEAR, nbits);
        resetTable();
        next = FIRST;
        nbits = 9;
      } else if (next > (1 << nbits) - 1) {
        nbits++;
      }
    }
    // Last code; the decoder adds a table entry for it, which may widen the EOI code (as libtiff).
    put(ent, nbits);
    next++;
    if (next === TABLE_FULL) {
      put(CLEAR, nbits);
      nbits = 9;
    } else if (next > (1 << nbits) - 1) {
      nbits++;
    }
    put(EOI, nbits);
  }
  if (bitCount > 0) out[outPos++] = (bitBuf << (8 - bitCount)) & 0xff;
  return out.slice(0, outPos);
}
