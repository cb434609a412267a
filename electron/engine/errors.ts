// The engine's one error type: every failure a caller can see carries a code from shared/errors.ts.

import { type ErrorCode, type ErrorInfo, type SlideChoice, toErrorInfo } from '../../shared/errors';
import { groupedInteger } from '../../shared/number-format';

export class SlideError extends Error {
  readonly code: ErrorCode;
  readonly path: string | undefined;
  /** SEVERAL_SLIDES: the slides a folder holds. */
  readonly choices: SlideChoice[] | undefined;

  constructor(code: ErrorCode, message: string, path?: string, choices?: SlideChoice[]) {
    super(message);
    this.name = 'SlideError';
    this.code = code;
    this.path = path;
    this.choices = choices;
  }

  toInfo(): ErrorInfo {
    return toErrorInfo(this);
  }
}

/**
 * A failure while reading a slide file, as a SlideError naming the file. A system call's failure (a
 * network share's EIO or ETIMEDOUT) is IO_ERROR, which the viewer tries again; anything else untyped
 * comes from parsing or decoding the file's bytes (geotiff, a codec): CORRUPT_DATA.
 */
export function readError(error: unknown, path: string): SlideError {
  if (error instanceof SlideError) return error.path ? error : new SlideError(error.code, error.message, path, error.choices);
  if (isAbort(error)) return cancelledError(path);
  const { code, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code === 'string' && typeof syscall === 'string') return new SlideError('IO_ERROR', `Reading the file failed (${code}, ${syscall}).`, path);
  const message = error instanceof Error ? error.message : String(error);
  return new SlideError('CORRUPT_DATA', `The file is damaged or cannot be decoded (${message}).`, path);
}

/** A file cut short inside its header (`format`: "TIFF", "DICOM"): CORRUPT_DATA giving the file's size. */
export function truncatedHeaderError(format: string, size: number, path: string): SlideError {
  return new SlideError('CORRUPT_DATA', `The file is truncated inside its ${format} header (it is ${groupedInteger(size)} bytes).`, path);
}

/**
 * readError for one part of a slide that could not be decoded (`what`: "The macro image"): readError's
 * code and path, the message naming the part. A cancellation stays readError's CANCELLED.
 */
export function decodeError(error: unknown, what: string, path: string): SlideError {
  const failure = readError(error, path);
  if (failure.code === 'CANCELLED') return failure;
  return new SlideError(failure.code, `${what} cannot be decoded: ${codecReason(error)}.`, failure.path, failure.choices);
}

/**
 * One part of a slide that could not be decoded (`what`: "Tile 3,4 of level 0"), from a thrown error
 * or a reason: readError's code and path; CORRUPT_DATA worded "<what> is damaged and cannot be decoded (<reason>)."
 */
export function damagedError(error: unknown, what: string, path: string): SlideError {
  const failure = readError(error, path);
  if (failure.code !== 'CORRUPT_DATA') return failure;
  return new SlideError('CORRUPT_DATA', `${what} is damaged and cannot be decoded (${codecReason(error)}).`, path);
}

/**
 * A decoder's reason as a message quotes it: its first line (libvips repeats libjpeg's warning on
 * several), without sharp's "Input buffer has corrupt header:" or a closing full stop; where it gives
 * none ("Unknown error", "No error", nothing), says so.
 */
export function codecReason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const reason = (text.split('\n')[0] ?? '')
    .replace(/^Input buffer has corrupt header:\s*/, '')
    .trim()
    .replace(/\.$/, '');
  return reason === '' || /^(unknown|no) error$/i.test(reason) ? 'the decoder gave no reason' : reason;
}

/**
 * A write's failure because the disk, or the user's quota on it, is full (ENOSPC, EDQUOT), as
 * NO_SPACE naming `path`; null for any other failure.
 */
export function noSpaceError(error: unknown, path: string): SlideError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const message = code === undefined ? undefined : NO_SPACE_MESSAGES[code];
  return message === undefined ? null : new SlideError('NO_SPACE', message, path);
}

const NO_SPACE_MESSAGES: Readonly<Record<string, string>> = { ENOSPC: 'The disk is full.', EDQUOT: 'The disk quota is exceeded.' };

/** A failed write's code: NO_SPACE where the disk or quota is full (noSpaceError), else IO_ERROR. */
export function writeFailureCode(error: unknown): 'NO_SPACE' | 'IO_ERROR' {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code !== undefined && code in NO_SPACE_MESSAGES ? 'NO_SPACE' : 'IO_ERROR';
}

/** A failure that is the file's damage (cut short, unreadable), not what Slidescope does not read. */
export function isDamage(code: ErrorCode): boolean {
  return code === 'CORRUPT_DATA' || code === 'IO_ERROR';
}

/**
 * What SlideSource.warnings says of an associated image left out for `failure` (its message naming the
 * image), where the failure is damage; null where it is not (a codec not read here, an image too
 * large to be one): a slide is not called damaged for what it merely lacks.
 */
export function leftOutWarning(failure: { code: ErrorCode; message: string }): string | null {
  return isDamage(failure.code) ? `${failure.message.replace(/\.$/, '')}; it is left out.` : null;
}

export function isAbort(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || (error as { code?: string }).code === 'ABORT_ERR');
}

export function cancelledError(path?: string): SlideError {
  return new SlideError('CANCELLED', 'The request was cancelled.', path);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw cancelledError();
}
