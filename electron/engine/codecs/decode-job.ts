// What the decoding threads (decode-pool) do, callable in any thread: JPEG 2000 through OpenJPEG's
// WebAssembly.

import { decodeJpeg2000 } from './jpeg2000-decoder';
import type { Decoded } from './decoded';

export type DecodeJob = { kind: 'jpeg2000'; codestream: Uint8Array; ycbcr: boolean; reduce: number };

export type DecodeAnswer =
  | ({ id: number; ok: true } & Decoded)
  | { id: number; ok: false; code: string | undefined; message: string };

export async function runDecodeJob(job: DecodeJob): Promise<Decoded> {
  return decodeJpeg2000(job.codestream, { ycbcr: job.ycbcr, reduce: job.reduce });
}
