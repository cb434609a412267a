// The tab bar's "Compare with…": which open slides to show side by side (2 to 4), or open another.

import { useState } from 'react';
import type { OpenedSlide, SlideId } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import { formatCount } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { Modal } from './Modal';
import '../styles/compare.css';

export interface CompareChooserProps {
  slides: OpenedSlide[];
  /** Chosen at first: the slide shown, and the next one. */
  initial: SlideId[];
  onOpenMore: () => void;
  onCompare: (slideIds: SlideId[]) => void;
  onClose: () => void;
}

export function CompareChooser({ slides, initial, onOpenMore, onCompare, onClose }: CompareChooserProps) {
  const t = useT();
  const max = formatCount(LIMITS.maxComparedSlides);
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
    <Modal title={t('compare.chooser.title')} onClose={onClose} size="medium">
      <div data-testid="compare-chooser">
        <p className="muted small">{t('compare.chooser.intro', { min: formatCount(2), max })}</p>
        <div className="compare-choices">
          {slides.map((slide) => (
            <label key={slide.slideId} className="option-row">
              <input
                type="checkbox"
                checked={chosen.includes(slide.slideId)}
                onChange={(event) => toggle(slide.slideId, event.target.checked)}
                data-testid={`compare-choose-${slide.info.name}`}
              />
              <span translate="no">{slide.info.name}</span>
              {!slide.info.mpp && <span className="muted small">({t('compare.chooser.noScale')})</span>}
            </label>
          ))}
        </div>
        <div className="compare-dialog-actions">
          <button type="button" className="button button-small" onClick={onOpenMore} data-testid="compare-open-more">
            {t('compare.chooser.openMore')}
          </button>
          <div className="toolbar-spacer" />
          <span className="muted small">
            {picked.length > LIMITS.maxComparedSlides
              ? t('compare.chooser.tooMany', { max })
              : t('compare.chooser.chosen', { number: formatCount(picked.length) })}
          </span>
          <button type="button" className="button button-quiet" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="button" className="button button-primary" disabled={!valid} onClick={() => onCompare(picked)} data-testid="compare-start">
            {t('compare.chooser.start')}
          </button>
        </div>
      </div>
    </Modal>
  );
}
