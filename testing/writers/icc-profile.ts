// ICC profiles the tests write themselves (no profile is fetched or installed): RGB matrix/TRC
// display profiles, version 2 (a 'desc' textDescription) or 4 (a 'desc' multiLocalizedUnicode),
// byte for byte the same for the same options.

/** sRGB's primaries adapted to the D50 PCS (Bradford), as ICC matrix profiles store them: [X, Y, Z]. */
const SRGB_D50 = {
  red: [0.436066, 0.222488, 0.013916],
  green: [0.385147, 0.716873, 0.097076],
  blue: [0.143066, 0.060608, 0.714096],
} as const;

/** Primaries wider than sRGB's (ProPhoto RGB's, D50): saturated stain colours move a lot. */
const WIDE_D50 = {
  red: [0.797604, 0.28804, 0.0],
  green: [0.135194, 0.711874, 0.0],
  blue: [0.031476, 0.000086, 0.825188],
} as const;

const D50 = [0.9642, 1.0, 0.8249] as const;

export type TestProfileKind = 'channel-swap' | 'wide-gamut';

export interface IccProfileOptions {
  /**
   * 'channel-swap': the file's red, green and blue are sRGB's green, blue and red (a pink stain shows
   * green: nobody can miss whether the profile was applied). 'wide-gamut': ProPhoto primaries.
   */
  kind: TestProfileKind;
  /** Its 'desc' text. */
  description: string;
  /** Tone curve exponent of all three channels (default 2.2). */
  gamma?: number;
  /** ICC version 2 (default) or 4. */
  version?: 2 | 4;
}

/** The profile's colorants (rXYZ, gXYZ, bXYZ). */
function colorants(kind: TestProfileKind): readonly (readonly number[])[] {
  if (kind === 'wide-gamut') return [WIDE_D50.red, WIDE_D50.green, WIDE_D50.blue];
  return [SRGB_D50.green, SRGB_D50.blue, SRGB_D50.red];
}

export function writeIccProfile(options: IccProfileOptions): Uint8Array {
  const version = options.version ?? 2;
  const gamma = options.gamma ?? 2.2;
  const [r, g, b] = colorants(options.kind);
  const tags: Array<[string, Uint8Array]> = [
    ['desc', version === 4 ? mluc(options.description) : textDescription(options.description)],
    ['cprt', version === 4 ? mluc('No copyright, test data') : text('No copyright, test data')],
    ['wtpt', xyz(D50)],
    ['rXYZ', xyz(r!)],
    ['gXYZ', xyz(g!)],
    ['bXYZ', xyz(b!)],
    ['rTRC', curve(gamma)],
    ['gTRC', curve(gamma)],
    ['bTRC', curve(gamma)],
  ];
  const tableSize = 4 + 12 * tags.length;
  let offset = 128 + tableSize;
  const placed = tags.map(([signature, body]) => {
    const at = offset;
    offset += align4(body.length);
    return { signature, body, at };
  });
  const out = new Uint8Array(offset);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length);
  ascii(out, 4, 'none');
  view.setUint32(8, version === 4 ? 0x04300000 : 0x02100000);
  ascii(out, 12, 'mntr');
  ascii(out, 16, 'RGB ');
  ascii(out, 20, 'XYZ ');
  // Creation date: a fixed one, so the same options give the same bytes.
  for (const [i, value] of [2024, 1, 2, 12, 0, 0].entries()) view.setUint16(24 + 2 * i, value);
  ascii(out, 36, 'acsp');
  for (const [i, value] of D50.entries()) view.setInt32(68 + 4 * i, s15Fixed16(value));
  ascii(out, 80, 'sscp');
  view.setUint32(128, tags.length);
  placed.forEach(({ signature, body, at }, i) => {
    ascii(out, 132 + 12 * i, signature);
    view.setUint32(136 + 12 * i, at);
    view.setUint32(140 + 12 * i, body.length);
    out.set(body, at);
  });
  return out;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function ascii(out: Uint8Array, at: number, value: string): void {
  for (let i = 0; i < value.length; i++) out[at + i] = value.charCodeAt(i);
}

function s15Fixed16(value: number): number {
  return Math.round(value * 65536);
}

function typed(signature: string, bodyLength: number): { bytes: Uint8Array; view: DataView } {
  const bytes = new Uint8Array(8 + bodyLength);
  ascii(bytes, 0, signature);
  return { bytes, view: new DataView(bytes.buffer) };
}

function xyz(value: readonly number[]): Uint8Array {
  const { bytes, view } = typed('XYZ ', 12);
  for (const [i, v] of value.entries()) view.setInt32(8 + 4 * i, s15Fixed16(v));
  return bytes;
}

/** curveType with one entry: a pure power curve (u8Fixed8 exponent). */
function curve(gamma: number): Uint8Array {
  const { bytes, view } = typed('curv', 6);
  view.setUint32(8, 1);
  view.setUint16(12, Math.round(gamma * 256));
  return bytes;
}

function text(value: string): Uint8Array {
  const { bytes } = typed('text', value.length + 1);
  ascii(bytes, 8, value);
  return bytes;
}

/** Version 2 textDescriptionType: ASCII, then empty Unicode and ScriptCode parts. */
function textDescription(value: string): Uint8Array {
  const { bytes, view } = typed('desc', 4 + value.length + 1 + 4 + 4 + 2 + 1 + 67);
  view.setUint32(8, value.length + 1);
  ascii(bytes, 12, value);
  return bytes;
}

/** Version 4 multiLocalizedUnicodeType: one record, en-US, UTF-16BE. */
function mluc(value: string): Uint8Array {
  const { bytes, view } = typed('mluc', 8 + 12 + 2 * value.length);
  view.setUint32(8, 1);
  view.setUint32(12, 12);
  ascii(bytes, 16, 'enUS');
  view.setUint32(20, 2 * value.length);
  view.setUint32(24, 28);
  for (let i = 0; i < value.length; i++) view.setUint16(28 + 2 * i, value.charCodeAt(i));
  return bytes;
}
