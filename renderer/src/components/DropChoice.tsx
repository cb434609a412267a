// Several files dropped at once: open them as tabs, or side by side (2 to 4 of them).

import type { DroppedFile } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import { formatCount } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { Modal } from './Modal';
import '../styles/compare.css';

export type DropMode = 'tabs' | 'side-by-side';

export interface DropChoiceProps {
  files: readonly DroppedFile[];
  onChoose: (mode: DropMode) => void;
  onClose: () => void;
}

export function DropChoice({ files, onChoose, onClose }: DropChoiceProps) {
  const t = useT();
  const fits = files.length <= LIMITS.maxComparedSlides;
  return (
    <Modal title={t('compare.drop.title', { number: formatCount(files.length) })} onClose={onClose}>
      <div data-testid="drop-choice">
        <p>{t('compare.drop.question')}</p>
        <ul className="compare-choices" translate="no">
          {files.map((file, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list never changes while shown, and two files of different folders may share a name
            <li key={index}>{file.name}</li>
          ))}
        </ul>
        {!fits && <p className="muted small">{t('compare.drop.tooMany', { max: formatCount(LIMITS.maxComparedSlides) })}</p>}
        <div className="compare-dialog-actions">
          <button type="button" className="button" onClick={() => onChoose('tabs')} data-testid="drop-as-tabs">
            {t('compare.drop.asTabs')}
          </button>
          <button type="button" className="button button-primary" disabled={!fits} onClick={() => onChoose('side-by-side')} data-testid="drop-side-by-side">
            {t('compare.drop.sideBySide')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
