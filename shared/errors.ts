// Error codes every process understands, and the one mapping from anything thrown to an ErrorInfo.
// A code says what went wrong; the message says it to a user.

export const ERROR_CODES = [
  'NOT_FOUND', // the file does not exist or cannot be read
  'NOT_A_SLIDE', // readable, but not a slide format Slidescope knows
  'SEVERAL_SLIDES', // a folder opened as a slide holds several: the error's choices name them
  'UNSUPPORTED_FORMAT', // a slide we recognise but cannot show (e.g. strips only, odd sample layout)
  'UNSUPPORTED_COMPRESSION', // a tile codec we have no decoder for
  'CORRUPT_DATA', // the file's structure or a tile's bytes are broken
  'TOO_LARGE', // declared sizes beyond what a slide can be, or a request too big to serve
  'INVALID_ARGUMENT', // a request outside the contract (bad level, negative size, ...)
  'NOT_OPEN', // the slide handle is unknown or was closed
  'NOT_AUTHORIZED', // the renderer named a path or a slide the user never gave it
  'CANCELLED', // the requester no longer needs the answer
  'TIMED_OUT', // the request ran past its deadline and was stopped
  'WORKER_FAILED', // the slide engine (its process, a lane or a codec thread) stopped; it was restarted
  'EXISTS', // an export would overwrite a file
  'IO_ERROR', // reading or writing a file failed for a reason the system gave
  'NO_SPACE', // the disk, or the user's quota on it, is full: nothing more can be written there
  'INTERNAL', // anything else: a fault in Slidescope itself
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** The file the error is about, when there is one. */
  path?: string;
  /** SEVERAL_SLIDES: the slides to choose from. */
  choices?: SlideChoice[];
}

/** One of the slides a folder holds: a path that opens it, and how a person tells it apart. */
export interface SlideChoice {
  path: string;
  name: string;
}

/** Choices an error may carry across a process boundary. */
const MAX_CHOICES = 1000;

function choicesOf(value: unknown): SlideChoice[] | undefined {
  if (!Array.isArray(value)) return undefined;
  const choices = value
    .slice(0, MAX_CHOICES)
    .filter((c): c is SlideChoice => typeof c === 'object' && c !== null && typeof c.path === 'string' && typeof c.name === 'string')
    .map((c) => ({ path: c.path, name: c.name }));
  return choices.length > 0 ? choices : undefined;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Errors cross process boundaries as data: Electron's invoke() flattens thrown errors to a string. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export function ok<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, path?: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: path === undefined ? { code, message } : { code, message, path } };
}

const MAX_MESSAGE = 2000;

/**
 * Anything thrown, as an ErrorInfo: a typed error (an object with a known `code`) keeps its code,
 * an abort is CANCELLED, and everything else is INTERNAL. `path` names the file when the error
 * does not.
 */
export function toErrorInfo(error: unknown, path?: string): ErrorInfo {
  const e =
    typeof error === 'object' && error !== null ? (error as { code?: unknown; message?: unknown; path?: unknown; name?: unknown; choices?: unknown }) : {};
  const message = (typeof e.message === 'string' && e.message.length > 0 ? e.message : String(error) || 'unknown error').slice(0, MAX_MESSAGE);
  const where = typeof e.path === 'string' && e.path.length > 0 ? e.path : path;
  const code: ErrorCode = isErrorCode(e.code) ? e.code : e.name === 'AbortError' || e.code === 'ABORT_ERR' ? 'CANCELLED' : 'INTERNAL';
  const info: ErrorInfo = where === undefined ? { code, message } : { code, message, path: where };
  const choices = code === 'SEVERAL_SLIDES' ? choicesOf(e.choices) : undefined;
  return choices ? { ...info, choices } : info;
}

/** A Result as it arrived from another process: checked before it is trusted. */
export function isResult(value: unknown): value is Result<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as { ok?: unknown; error?: unknown };
  if (r.ok === true) return 'value' in r;
  if (r.ok !== false || typeof r.error !== 'object' || r.error === null) return false;
  const e = r.error as { code?: unknown; message?: unknown };
  return isErrorCode(e.code) && typeof e.message === 'string';
}
