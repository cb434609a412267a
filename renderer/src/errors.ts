// Turns an ErrorInfo from main into words for a student: which file, and why, by error code. The
// engine's own message goes underneath as detail (it names the exact structure that failed).

import type { ErrorCode, ErrorInfo } from '../../shared/errors';
import { baseName } from './paths';

const OPEN_REASONS: Record<ErrorCode, string> = {
  NOT_FOUND: 'could not be found or read',
  NOT_A_SLIDE: 'is not a slide file',
  SEVERAL_SLIDES: 'holds several slides: open one of them',
  UNSUPPORTED_FORMAT: 'is a TIFF layout that Slidescope cannot show',
  UNSUPPORTED_COMPRESSION: 'uses an image compression that Slidescope cannot decode',
  CORRUPT_DATA: 'is damaged: its data is corrupt',
  TOO_LARGE: 'is too large to open',
  INVALID_ARGUMENT: 'could not be opened (the request was invalid)',
  NOT_OPEN: 'is no longer open',
  NOT_AUTHORIZED: 'was not chosen in this window, so it cannot be opened from here',
  CANCELLED: 'was not opened: opening was cancelled',
  TIMED_OUT: 'took too long to open and was given up',
  WORKER_FAILED: 'stopped the slide engine, which was restarted',
  EXISTS: 'already exists',
  IO_ERROR: 'could not be read (input/output error)',
  INTERNAL: 'could not be opened because of a fault in Slidescope',
};

const TILE_REASONS: Record<ErrorCode, string> = {
  ...OPEN_REASONS,
  NOT_FOUND: 'the file can no longer be read',
  UNSUPPORTED_COMPRESSION: 'a tile uses a compression Slidescope cannot decode',
  CORRUPT_DATA: 'tile data in the file is damaged',
  NOT_OPEN: 'the slide was closed',
  TIMED_OUT: 'a tile took too long to make and was given up',
  WORKER_FAILED: 'the slide engine stopped and was restarted',
  IO_ERROR: 'reading the file failed',
  INTERNAL: 'a fault in Slidescope',
};

export interface DescribedError {
  title: string;
  detail: string;
}

/** "histolab_broken-html.svs is not a slide file." plus the engine's message. */
export function describeOpenError(error: ErrorInfo, fileName?: string): DescribedError {
  const name = fileName ?? (error.path ? baseName(error.path) : 'The file');
  return { title: `${name} ${OPEN_REASONS[error.code] ?? 'could not be opened'}.`, detail: detailOf(error) };
}

export function describeTileError(error: ErrorInfo, slideName: string): DescribedError {
  return {
    title: `Some tiles of ${slideName} could not be shown`,
    detail: `${TILE_REASONS[error.code] ?? 'a tile failed to load'} (${error.code}). ${error.message}`.trim(),
  };
}

function detailOf(error: ErrorInfo): string {
  return `${error.code}: ${error.message}`;
}

const EXPORT_REASONS: Partial<Record<ErrorCode, string>> = {
  EXISTS: 'a file with that name already exists, and nothing was overwritten',
  NOT_FOUND: 'the folder or the slide can no longer be found',
  INVALID_ARGUMENT: 'the slide cannot be exported with these settings',
  TOO_LARGE: 'the image would be too large',
  NOT_OPEN: 'the slide is no longer open',
  CANCELLED: 'it was cancelled',
  TIMED_OUT: 'it took too long and was stopped',
  WORKER_FAILED: 'the slide engine stopped and was restarted; try again',
  CORRUPT_DATA: 'part of the slide could not be read',
  IO_ERROR: 'writing the file failed',
  NOT_AUTHORIZED: 'that location is not allowed',
  INTERNAL: 'a fault in Slidescope stopped it',
};

/** "Export failed: a file with that name already exists, …" plus the engine's message (naming the file). */
export function describeExportError(error: ErrorInfo): DescribedError {
  const reason = EXPORT_REASONS[error.code] ?? 'an unexpected error occurred';
  return { title: `Export failed: ${reason}.`, detail: detailOf(error) };
}
