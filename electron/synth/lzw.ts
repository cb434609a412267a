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

/** Codes packed most significant bit first, as TIFF's LZW writes them. */
export class MsbBitWriter {
  private bitBuf = 0;
  private bitCount = 0;

  constructor(private readonly emit: (byte: number) => void) {}

  put(code: number, nbits: number): void {
    this.bitBuf = (this.bitBuf << nbits) | code;
    this.bitCount += nbits;
    while (this.bitCount >= 8) {
      this.bitCount -= 8;
      this.emit((this.bitBuf >>> this.bitCount) & 0xff);
    }
    this.bitBuf &= (1 << this.bitCount) - 1;
  }

  /** The last bits, zero-padded to a byte. */
  flush(): void {
    if (this.bitCount > 0) this.emit((this.bitBuf << (8 - this.bitCount)) & 0xff);
    this.bitCount = 0;
  }
}

/** One LZW strip/tile: Clear, codes, EOI. */
export function lzwEncode(input: Uint8Array): Uint8Array {
  // Output grows by at most 12 bits per input byte, plus Clear codes.
  const out = new Uint8Array(Math.ceil(input.length * 1.6) + 16);
  let outPos = 0;
  const writer = new MsbBitWriter((byte) => {
    out[outPos++] = byte;
  });
  const put = (code: number, nbits: number): void => writer.put(code, nbits);

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
  writer.flush();
  return out.slice(0, outPos);
}
