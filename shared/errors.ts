// Error codes every process understands. A code says what went wrong; the message says it to a user.

export const ERROR_CODES = [
  'NOT_FOUND', // the file does not exist or cannot be read
  'NOT_A_SLIDE', // readable, but not a TIFF/SVS slide
  'UNSUPPORTED_FORMAT', // a TIFF we do not know how to show (e.g. strips only, odd sample layout)
  'UNSUPPORTED_COMPRESSION', // a tile codec we have no decoder for
  'CORRUPT_DATA', // the file's structure or a tile's bytes are broken
  'TOO_LARGE', // declared sizes beyond what a slide can be, or a request too big to serve
  'INVALID_ARGUMENT', // a request outside the contract (bad level, negative size, ...)
  'NOT_OPEN', // the slide handle is unknown or was closed
  'NOT_AUTHORIZED', // the renderer named a path the user never chose
  'CANCELLED', // the requester no longer needs the answer
  'WORKER_FAILED', // the engine worker crashed or stopped answering; it was restarted
  'EXISTS', // an export would overwrite a file
  'IO_ERROR', // writing or reading failed for another reason
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** The file the error is about, when there is one. */
  path?: string;
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

/** Errors cross process boundaries as data: Electron's invoke() flattens thrown errors to a string. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };
