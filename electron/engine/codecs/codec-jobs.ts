// What the codec threads (codec-pool) do, callable in any thread: JPEG 2000 decodes, which block in
// OpenJPEG's WebAssembly for tens of milliseconds a tile.

import type { Decoded } from './decoded';
import { decodeJpeg2000 } from './jpeg2000-decoder';

export type CodecJob = { kind: 'jpeg2000'; codestream: Uint8Array; ycbcr: boolean; reduce: number };

/** The codec threads' RPC operations. */
export type CodecProtocol = { jpeg2000: { request: CodecJob; response: Decoded } };

export function runCodecJob(job: CodecJob): Promise<Decoded> {
  return decodeJpeg2000(job.codestream, { ycbcr: job.ycbcr, reduce: job.reduce });
}
