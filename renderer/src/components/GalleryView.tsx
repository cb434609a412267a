// A folder's slides as cards (File > Open Folder…, a dropped folder of several slides): each with a
// small thumbnail the engine makes, its format, size and magnification, or why it cannot be read.
// Thumbnails are asked for as cards come into view, two at a time, so that a folder of 200 slides
// does not flood the engine (galleryPreviews.ts); a failed card offers Try again. The gallery stays
// (a tab of its own) until it is closed.

import { type KeyboardEvent, useEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { FolderGallery, SlidePreview } from '../../../shared/ipc';
import { formatLabel } from '../../../shared/slide-formats';
import { useApi } from '../api';
import { describeOpenError } from '../errors';
import { PreviewQueue } from '../galleryPreviews';
import { formatCount, formatMpp, formatPower } from '../i18n/format';
import { useT } from '../i18n/i18n';

/** Previews asked of main at once: the engine keeps lanes for the open slides' tiles. */
const AT_ONCE = 2;

type CardState = { status: 'loading' } | { status: 'ready'; preview: SlidePreview; url: string } | { status: 'failed'; error: ErrorInfo };

export interface GalleryViewProps {
  gallery: FolderGallery['gallery'];
  /** Behind a slide's tab: kept, its thumbnails with it, and no more asked for while hidden. */
  hidden: boolean;
  /** The id of the panel, which the gallery's tab controls. */
  panelId: string;
  labelledBy: string;
  onOpen: (path: string, name: string) => void;
}

export function GalleryView({ gallery, hidden, panelId, labelledBy, onOpen }: GalleryViewProps) {
  const t = useT();
  const api = useApi();
  const [previews, setPreviews] = useState<ReadonlyMap<string, CardState>>(new Map());
  const list = useRef<HTMLUListElement>(null);
  /** Made with the gallery's effects (and again, should they run again): the cards' observer and Try again use it. */
  const [queue, setQueue] = useState<PreviewQueue<SlidePreview> | null>(null);

  useEffect(() => {
    const urls: string[] = [];
    const previewQueue = new PreviewQueue<SlidePreview>({
      atOnce: AT_ONCE,
      load: (path) => api.galleryPreview({ galleryId: gallery.galleryId, path }),
      onState: (path, state) => {
        let card: CardState;
        if (state.status === 'ready') {
          const { image } = state.value;
          const url = URL.createObjectURL(new Blob([image.bytes.slice()], { type: image.mime }));
          urls.push(url);
          card = { status: 'ready', preview: state.value, url };
        } else card = state;
        setPreviews((prev) => new Map(prev).set(path, card));
      },
    });
    setQueue(previewQueue);
    return () => {
      previewQueue.dispose();
      for (const url of urls) URL.revokeObjectURL(url);
    };
  }, [api, gallery.galleryId]);

  // Cards coming into view (or near it) are wanted; those scrolled past before their turn are not.
  useEffect(() => {
    const root = list.current;
    if (!root || !queue || hidden) return;
    queue.resume();
    const observer = new IntersectionObserver(
      (entries) => {
        for (const entry of entries) {
          const path = (entry.target as HTMLElement).dataset['path'];
          if (!path) continue;
          if (entry.isIntersecting) queue.want(path);
          else queue.unwant(path);
        }
      },
      { root: root.parentElement, rootMargin: '160px' },
    );
    for (const card of root.querySelectorAll('[data-path]')) observer.observe(card);
    return () => {
      observer.disconnect();
      queue.pause();
    };
  }, [hidden, queue]);

  // A new gallery takes the focus on its first card: the keyboard goes on from there.
  useEffect(() => {
    list.current?.querySelector<HTMLElement>('button.gallery-card')?.focus();
  }, []);

  /** The arrows go from card to card (a row is as many as fit), Home and End to the ends. */
  const moveFocus = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    const cards = [...(list.current?.querySelectorAll<HTMLElement>('button.gallery-card') ?? [])];
    const at = cards.indexOf(event.target as HTMLElement);
    if (at < 0) return;
    const top = cards[0]?.offsetTop ?? 0;
    const perRow = Math.max(1, cards.filter((card) => card.offsetTop === top).length);
    const to = { ArrowLeft: at - 1, ArrowRight: at + 1, ArrowUp: at - perRow, ArrowDown: at + perRow, Home: 0, End: cards.length - 1 }[event.key];
    if (to === undefined) return;
    event.preventDefault();
    cards[Math.max(0, Math.min(cards.length - 1, to))]?.focus();
  };

  return (
    <section className="gallery" id={panelId} role="tabpanel" aria-labelledby={labelledBy} hidden={hidden} data-testid="gallery">
      <header className="gallery-header">
        <h1 className="gallery-title">{t('gallery.heading', { folder: gallery.name })}</h1>
        <p className="muted">
          {t('gallery.count', { count: gallery.slides.length })} · <span translate="no">{gallery.folder}</span>
        </p>
        <p className="muted">{t('gallery.hint')}</p>
      </header>
      <ul ref={list} className="gallery-grid" aria-label={t('gallery.list')} onKeyDown={moveFocus}>
        {gallery.slides.map((slide, index) => {
          const state = previews.get(slide.path);
          const id = `${gallery.galleryId}-card-${index}`;
          return (
            <li key={slide.path} className="gallery-item" data-path={slide.path}>
              <button
                type="button"
                className={state?.status === 'failed' ? 'gallery-card gallery-card-failed' : 'gallery-card'}
                aria-labelledby={`${id}-name`}
                aria-describedby={`${id}-facts`}
                onClick={() => onOpen(slide.path, slide.name)}
                title={slide.path}
                data-testid="gallery-card"
                data-state={state?.status ?? 'waiting'}
              >
                <span className="gallery-thumb">
                  {state?.status === 'ready' ? (
                    <img src={state.url} alt="" width={state.preview.image.width} height={state.preview.image.height} />
                  ) : state?.status === 'loading' ? (
                    <span className="spinner" aria-hidden="true" />
                  ) : null}
                </span>
                <span className="gallery-name" id={`${id}-name`} translate="no">
                  {slide.name}
                </span>
                <span className="gallery-facts" id={`${id}-facts`}>
                  <Facts state={state} name={slide.name} />
                </span>
              </button>
              {/* Beside the card, not in it (a button holds no button); Tab reaches it after its card. */}
              {state?.status === 'failed' && (
                <button
                  type="button"
                  className="button button-small gallery-retry"
                  aria-label={t('gallery.retryLabel', { name: slide.name })}
                  onClick={() => queue?.retry(slide.path)}
                >
                  {t('gallery.retry')}
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Facts({ state, name }: { state: CardState | undefined; name: string }) {
  const t = useT();
  if (!state) return <span>{t('gallery.waiting')}</span>;
  if (state.status === 'loading') return <span>{t('gallery.loading')}</span>;
  if (state.status === 'failed') {
    const { title, detail } = describeOpenError(state.error, name);
    return (
      <span className="gallery-error" title={detail} data-testid="gallery-error">
        {title}
      </span>
    );
  }
  const { preview } = state;
  const scale = [preview.objectivePower ? formatPower(preview.objectivePower) : null, preview.mpp ? formatMpp(preview.mpp.x) : null].filter(Boolean);
  return (
    <>
      {/* Spaces between the lines: a screen reader reads the description as one text. */}
      <span translate="no">{t('gallery.format', { format: formatLabel(preview.format), vendor: preview.vendor })}</span>{' '}
      <span>
        {t('common.sizePx', { width: formatCount(preview.width), height: formatCount(preview.height) })} · {t('gallery.levels', { count: preview.levels })}
      </span>{' '}
      <span data-testid="gallery-scale">{scale.length > 0 ? scale.join(' · ') : t('gallery.noScale')}</span>
    </>
  );
}
