// pydicom and GDCM's reading of a DICOM whole-slide image (testing/dicom_reference.py): the
// reference the engine's DICOM reader is compared with.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RgbImage } from '../shared/slide';

const SCRIPT = fileURLToPath(new URL('./dicom_reference.py', import.meta.url));

export interface DicomReference {
  image: RgbImage;
  files: Array<{ path: string; frames: number; placed: number; photometric: string; transfer_syntax: string }>;
}

/** The image held by `files` (one file, or a concatenation's parts), as pydicom and GDCM decode it. */
export function dicomReference(files: string[]): DicomReference {
  const dir = mkdtempSync(join(tmpdir(), 'dicom-ref-'));
  try {
    const out = join(dir, 'image.rgb');
    const run = spawnSync('/usr/bin/python3', [SCRIPT, out, ...files], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`dicom_reference.py failed: ${run.stderr}`);
    const summary = JSON.parse(run.stdout) as { width: number; height: number; files: DicomReference['files'] };
    const data = new Uint8Array(readFileSync(out));
    return { image: { data, width: summary.width, height: summary.height, channels: 3 }, files: summary.files };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
