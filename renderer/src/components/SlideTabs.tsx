// One tab per open slide; the close button releases the slide in the engine. Tabs narrow to a
// minimum, then the strip scrolls, keeping the shown tab in sight and "Compare with…" beside it.

import { type KeyboardEvent, useEffect, useRef } from 'react';
import type { OpenedSlide, SlideId } from '../../../shared/ipc';
import { focusLost } from '../focus';
import { useT } from '../i18n/i18n';
import { Icon } from './Icon';

export interface SlideTabsProps {
  slides: OpenedSlide[];
  activeId: SlideId | null;
  onActivate: (slideId: SlideId) => void;
  onClose: (slideId: SlideId) => void;
  /** "Compare with…": shows open slides side by side. */
  onCompare?: () => void;
  /** The id of the panel showing the tab's slide (the workspace), or null while none is shown (compare view). */
  panelId?: string | null;
  /** A folder's gallery: a tab of its own, first, while it is open. */
  gallery?: GalleryTab | null;
}

export interface GalleryTab {
  /** The folder's name. */
  name: string;
  folder: string;
  selected: boolean;
  panelId: string;
  onSelect: () => void;
  onClose: () => void;
}

/** The gallery tab's id, which labels its panel. */
export const GALLERY_TAB_ID = 'gallery-tab';

/** The id of a slide's tab, which labels the panel showing it. Slide ids are made safe for an id list. */
export function slideTabId(slideId: SlideId): string {
  return `slide-tab-${slideId.replace(/[^\w-]/g, '_')}`;
}

export function SlideTabs({ slides, activeId, onActivate, onClose, onCompare, panelId = null, gallery = null }: SlideTabsProps) {
  const t = useT();
  const list = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (activeId === null) return;
    list.current?.querySelector('[aria-selected="true"]')?.closest('.tab')?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [activeId]);
  // A closed tab takes its close button with it: the tab shown now takes the focus. (A slide opened
  // from the welcome screen gives it to the view instead: useOsdViewer.)
  const count = useRef(slides.length);
  useEffect(() => {
    const closed = slides.length < count.current;
    count.current = slides.length;
    if (closed && slides.length > 0 && focusLost()) list.current?.querySelector<HTMLElement>('[aria-selected="true"]')?.focus();
  }, [slides]);
  // On a focused tab, the arrows, Home and End go to another tab and show it, as in any tab list
  // (the window's arrow keys would pan the slide instead: they wait for a prevented event).
  const moveBetweenTabs = (event: KeyboardEvent<HTMLButtonElement>): void => {
    const target = event.currentTarget;
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    // The gallery's tab is first, under the id '' here.
    const ids = [...(gallery ? [''] : []), ...slides.map((s) => s.slideId)];
    const at = ids.indexOf(target.dataset['slideId'] ?? '');
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: ids.length - 1 }[event.key];
    if (to === undefined || at < 0) return;
    event.preventDefault();
    const next = ids[(to + ids.length) % ids.length];
    if (next === undefined) return;
    if (next === '') gallery?.onSelect();
    else onActivate(next);
    list.current?.querySelector<HTMLElement>(`[data-slide-id="${CSS.escape(next)}"]`)?.focus();
  };
  const tabIds = [...(gallery ? [GALLERY_TAB_ID] : []), ...slides.map((s) => slideTabId(s.slideId))];
  return (
    <div className="tabs-bar">
      {/* The tab list holds the tabs alone, as assistive technology expects (ARIA's tablist owns only
          tabs): it owns them by id, and each tab's close button stays beside it in the strip, a button
          of its own that screen readers list after the tabs. */}
      <div role="tablist" className="tabs-owner" aria-label={t('tabs.list')} aria-owns={tabIds.join(' ')} />
      <div ref={list} className="tabs" data-testid="tab-strip">
        {gallery && (
          <div className={gallery.selected ? 'tab tab-gallery tab-active' : 'tab tab-gallery'}>
            <button
              type="button"
              role="tab"
              id={GALLERY_TAB_ID}
              onKeyDown={moveBetweenTabs}
              aria-selected={gallery.selected}
              aria-controls={gallery.panelId}
              tabIndex={gallery.selected || !slides.some((s) => s.slideId === activeId) ? 0 : -1}
              className="tab-label"
              onClick={gallery.onSelect}
              title={t('gallery.tabTitle', { folder: gallery.folder })}
              data-slide-id=""
            >
              <Icon name="open" size={14} />
              {gallery.name}
            </button>
            <button
              type="button"
              className="icon-button tab-close"
              onClick={gallery.onClose}
              aria-label={t('gallery.close', { folder: gallery.name })}
              title={t('gallery.closeTitle')}
            >
              <Icon name="close" size={14} />
            </button>
          </div>
        )}
        {slides.map((slide, index) => {
          const active = slide.slideId === activeId;
          // One Tab stop for the list: the tab shown, or the first while none is (comparing, or the gallery shown).
          const stop = active || (index === 0 && !gallery && !slides.some((s) => s.slideId === activeId));
          return (
            <div key={slide.slideId} className={active ? 'tab tab-active' : 'tab'}>
              <button
                type="button"
                role="tab"
                id={slideTabId(slide.slideId)}
                onKeyDown={moveBetweenTabs}
                aria-selected={active}
                aria-controls={panelId ?? undefined}
                tabIndex={stop ? 0 : -1}
                className="tab-label"
                onClick={() => onActivate(slide.slideId)}
                title={slide.info.path}
                data-slide-id={slide.slideId}
              >
                {slide.info.name}
              </button>
              <button
                type="button"
                className="icon-button tab-close"
                onClick={() => onClose(slide.slideId)}
                aria-label={t('tabs.close', { name: slide.info.name })}
                title={t('tabs.closeTitle')}
              >
                <Icon name="close" size={14} />
              </button>
            </div>
          );
        })}
      </div>
      {onCompare && (
        <button
          type="button"
          className="button button-small button-quiet tab-compare"
          onClick={onCompare}
          title={t('tabs.compareTitle')}
          data-testid="tabs-compare"
        >
          {t('tabs.compare')}
        </button>
      )}
    </div>
  );
}
