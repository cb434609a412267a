// The tab bar's "Compare with…": which open slides to show side by side (2 to 4), or open another.

import { useState } from 'react';
import type { OpenedSlide, SlideId } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import { Modal } from './Modal';
import '../styles/compare.css';

/** Every string the dialog shows (a translation replaces this table). */
const TEXT = {
  title: 'Compare slides side by side',
  intro: `Choose 2 to ${LIMITS.maxComparedSlides} open slides. Their views are linked by physical position and scale (µm), so slides scanned at different magnifications line up.`,
  noScale: 'no pixel size: cannot be linked',
  openMore: 'Open another slide…',
  compare: 'Compare side by side',
  cancel: 'Cancel',
  count: (n: number) => `${n} chosen`,
  tooMany: `At most ${LIMITS.maxComparedSlides} slides side by side`,
} as const;

export interface CompareChooserProps {
  slides: OpenedSlide[];
  /** Chosen at first: the slide shown, and the next one. */
  initial: SlideId[];
  onOpenMore: () => void;
  onCompare: (slideIds: SlideId[]) => void;
  onClose: () => void;
}

export function CompareChooser({ slides, initial, onOpenMore, onCompare, onClose }: CompareChooserProps) {
  const [chosen, setChosen] = useState<SlideId[]>(initial);
  // A slide opened from here is offered chosen.
  const [known, setKnown] = useState(() => new Set(slides.map((s) => s.slideId)));
  const added = slides.filter((s) => !known.has(s.slideId));
  if (added.length > 0) {
    setKnown(new Set(slides.map((s) => s.slideId)));
    setChosen((list) => [...list, ...added.map((s) => s.slideId)].slice(0, LIMITS.maxComparedSlides));
  }
  const picked = slides.filter((s) => chosen.includes(s.slideId)).map((s) => s.slideId);
  const valid = picked.length >= 2 && picked.length <= LIMITS.maxComparedSlides;
  const toggle = (slideId: SlideId, on: boolean): void => setChosen((list) => (on ? [...list, slideId] : list.filter((id) => id !== slideId)));

  return (
    <Modal title={TEXT.title} onClose={onClose} size="medium">
      <div data-testid="compare-chooser">
        <p className="muted small">{TEXT.intro}</p>
        <div className="compare-choices">
          {slides.map((slide) => (
            <label key={slide.slideId} className="option-row">
              <input
                type="checkbox"
                checked={chosen.includes(slide.slideId)}
                onChange={(event) => toggle(slide.slideId, event.target.checked)}
                data-testid={`compare-choose-${slide.info.name}`}
              />
              <span>{slide.info.name}</span>
              {!slide.info.mpp && <span className="muted small">({TEXT.noScale})</span>}
            </label>
          ))}
        </div>
        <div className="compare-dialog-actions">
          <button type="button" className="button button-small" onClick={onOpenMore} data-testid="compare-open-more">
            {TEXT.openMore}
          </button>
          <div className="toolbar-spacer" />
          <span className="muted small">{picked.length > LIMITS.maxComparedSlides ? TEXT.tooMany : TEXT.count(picked.length)}</span>
          <button type="button" className="button button-quiet" onClick={onClose}>
            {TEXT.cancel}
          </button>
          <button type="button" className="button button-primary" disabled={!valid} onClick={() => onCompare(picked)} data-testid="compare-start">
            {TEXT.compare}
          </button>
        </div>
      </div>
    </Modal>
  );
}
