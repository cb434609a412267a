// One tab per open slide; the close button releases the slide in the engine.

import type { OpenedSlide, SlideId } from '../../../shared/ipc';
import { Icon } from './Icon';

export interface SlideTabsProps {
  slides: OpenedSlide[];
  activeId: SlideId | null;
  onActivate: (slideId: SlideId) => void;
  onClose: (slideId: SlideId) => void;
  /** "Compare with…": shows open slides side by side. */
  onCompare?: () => void;
}

/** Strings this component adds (a translation replaces this table). */
const TEXT = { compare: 'Compare with…', compareTitle: 'Show open slides side by side, linked by physical position and scale' } as const;

export function SlideTabs({ slides, activeId, onActivate, onClose, onCompare }: SlideTabsProps) {
  return (
    <div className="tabs" role="tablist" aria-label="Open slides">
      {slides.map((slide) => {
        const active = slide.slideId === activeId;
        return (
          <div key={slide.slideId} className={active ? 'tab tab-active' : 'tab'}>
            <button type="button" role="tab" aria-selected={active} className="tab-label" onClick={() => onActivate(slide.slideId)} title={slide.info.path}>
              {slide.info.name}
            </button>
            <button
              type="button"
              className="icon-button tab-close"
              onClick={() => onClose(slide.slideId)}
              aria-label={`Close ${slide.info.name}`}
              title="Close slide"
            >
              <Icon name="close" size={14} />
            </button>
          </div>
        );
      })}
      {onCompare && (
        <button type="button" className="button button-small button-quiet tab-compare" onClick={onCompare} title={TEXT.compareTitle} data-testid="tabs-compare">
          {TEXT.compare}
        </button>
      )}
    </div>
  );
}
