/** Interleaved 8-bit samples of one decoded block, as its codec produced them. */
export interface Decoded {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}
