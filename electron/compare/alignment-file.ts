// Alignment files on disk (docs/compare.md), for the app's Load Alignment and the CLI's
// `compare --alignment`: bounded in size before they are read, checked, and matched to the
// compared slides by file name.

import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseAlignment, placementsFor } from '../../shared/compare-alignment';
import type { Placement } from '../../shared/compare-geometry';
import { fail, type Result } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';

/** An alignment file's placements for these slides: bounded in size before it is read. */
export async function readAlignmentFile(file: string, paths: readonly string[]): Promise<Result<Placement[]>> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile()) return fail('NOT_FOUND', `${basename(file)} does not exist or is not a file.`, file);
  if (info.size > LIMITS.maxAlignmentFileBytes)
    return fail('TOO_LARGE', `${basename(file)} is ${info.size} bytes, more than the ${LIMITS.maxAlignmentFileBytes} an alignment file may be.`, file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return fail('IO_ERROR', `Reading ${basename(file)} failed (${(error as NodeJS.ErrnoException).code ?? String(error)}).`, file);
  }
  const parsed = parseAlignment(text, basename(file));
  const placed = parsed.ok ? placementsFor(parsed.value, paths, basename(file)) : parsed;
  return placed.ok ? placed : { ok: false, error: { ...placed.error, path: file } };
}
