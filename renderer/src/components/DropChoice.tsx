// Several files dropped at once: open them as tabs, or side by side (2 to 4 of them).

import type { DroppedFile } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import { Modal } from './Modal';
import '../styles/compare.css';

/** Every string the dialog shows (a translation replaces this table). */
const TEXT = {
  title: (n: number) => `Open ${n} slides`,
  question: 'Open them as tabs, or side by side with their views linked by physical position and scale?',
  tabs: 'As tabs',
  sideBySide: 'Side by side',
  tooMany: `Side by side shows at most ${LIMITS.maxComparedSlides} slides.`,
} as const;

export type DropMode = 'tabs' | 'side-by-side';

export interface DropChoiceProps {
  files: readonly DroppedFile[];
  onChoose: (mode: DropMode) => void;
  onClose: () => void;
}

export function DropChoice({ files, onChoose, onClose }: DropChoiceProps) {
  const fits = files.length <= LIMITS.maxComparedSlides;
  return (
    <Modal title={TEXT.title(files.length)} onClose={onClose}>
      <div data-testid="drop-choice">
        <p>{TEXT.question}</p>
        <ul className="compare-choices">
          {files.map((file, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: the list never changes while shown, and two files of different folders may share a name
            <li key={index}>{file.name}</li>
          ))}
        </ul>
        {!fits && <p className="muted small">{TEXT.tooMany}</p>}
        <div className="compare-dialog-actions">
          <button type="button" className="button" onClick={() => onChoose('tabs')} data-testid="drop-as-tabs">
            {TEXT.tabs}
          </button>
          <button type="button" className="button button-primary" disabled={!fits} onClick={() => onChoose('side-by-side')} data-testid="drop-side-by-side">
            {TEXT.sideBySide}
          </button>
        </div>
      </div>
    </Modal>
  );
}
