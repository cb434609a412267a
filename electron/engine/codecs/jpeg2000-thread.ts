// A JPEG 2000 decoding thread: OpenJPEG's WebAssembly runs synchronously, so decodes run here, in
// parallel, instead of stalling the engine's event loop for tens of milliseconds per tile.

import { parentPort } from 'node:worker_threads';
import { decodeJpeg2000 } from './jpeg2000-decoder';
import { loadOpenJpeg } from './openjpeg';

export interface Jpeg2000Job {
  id: number;
  codestream: Uint8Array;
  ycbcr: boolean;
  reduce: number;
}

export type Jpeg2000Answer =
  | { id: number; ok: true; data: Uint8Array; width: number; height: number; channels: number }
  | { id: number; ok: false; code: string | undefined; message: string };

// Compile the WebAssembly now: the pool starts threads when a JPEG 2000 slide opens, ahead of its tiles.
void loadOpenJpeg();

parentPort?.on('message', (job: Jpeg2000Job) => {
  decodeJpeg2000(job.codestream, { ycbcr: job.ycbcr, reduce: job.reduce }).then(
    (decoded) => parentPort?.postMessage({ id: job.id, ok: true, ...decoded } satisfies Jpeg2000Answer, [decoded.data.buffer as ArrayBuffer]),
    (error: unknown) => parentPort?.postMessage({ id: job.id, ok: false, code: (error as { code?: string }).code, message: error instanceof Error ? error.message : String(error) } satisfies Jpeg2000Answer),
  );
});
