// Turns an ErrorInfo from main into words for a student: which file, and why, by error code. The
// code stays visible; the engine's own message goes underneath as detail (it names the exact
// structure that failed, in English: it is data, not a sentence of the app's).

import { type ErrorInfo, isErrorCode } from '../../shared/errors';
import { t } from './i18n/i18n';
import { baseName } from './paths';

export interface DescribedError {
  title: string;
  detail: string;
}

/** "histolab_broken-html.svs is not a slide file." plus the engine's message. */
export function describeOpenError(error: ErrorInfo, fileName?: string): DescribedError {
  const name = fileName ?? (error.path ? baseName(error.path) : t('errors.theFile'));
  const title = isErrorCode(error.code) ? t(`errors.open.${error.code}`, { name }) : t('errors.openUnknown', { name });
  return { title, detail: detailOf(error) };
}

export function describeTileError(error: ErrorInfo, slideName: string): DescribedError {
  const reason = isErrorCode(error.code) ? t(`errors.tile.${error.code}`) : t('errors.tileUnknown');
  return {
    title: t('errors.tileTitle', { slide: slideName }),
    detail: t('errors.tileDetail', { reason, code: error.code, message: error.message }).trim(),
  };
}

function detailOf(error: ErrorInfo): string {
  return t('errors.detail', { code: error.code, message: error.message });
}

/** "Export failed: a file with that name already exists, …" plus the engine's message (naming the file). */
export function describeExportError(error: ErrorInfo): DescribedError {
  return { title: t('errors.exportTitle', { reason: exportReason(error) }), detail: detailOf(error) };
}

/** "The view could not be copied: …", for the same reasons an export fails. */
export function describeCopyError(error: ErrorInfo): DescribedError {
  return { title: t('app.copyFailed', { reason: exportReason(error) }), detail: detailOf(error) };
}

function exportReason(error: ErrorInfo): string {
  return isErrorCode(error.code) ? t(`errors.export.${error.code}`) : t('errors.exportUnknown');
}
