// What a clicked detection is: its kind, class and measurements (QuPath's names, the values as the
// window writes numbers; the first MAX_ROWS, then how many more), in a card beside the click. Escape,
// its close button or a click elsewhere on the slide closes it; it takes the focus while open and
// gives it back to the slide view. Picked from the keyboard, Enter on it steps to the next detection
// nearest the view's centre, Shift+Enter back.

import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import { rgbToCss } from '../../../shared/annotations';
import { detectionMeasurements } from '../../../shared/detections';
import { classLabel } from '../../../shared/i18n/class-label';
import type { SlideId } from '../../../shared/ipc';
import { useDetectionStore, usePickedDetection, useSlideDetections } from '../annotations/DetectionContext';
import { type DetectionLayer, detectionKind } from '../annotations/detectionLayer';
import type { DetectionStore, PickedDetection } from '../annotations/detectionStore';
import { focusLost } from '../focus';
import { formatNumber } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { Icon } from './Icon';

/** Measurements listed at most (QuPath's cell detection writes ~40). Values keep four significant digits, the whole part always. */
const MAX_ROWS = 30;

/** The card of the detection picked on the slide shown (none while another tab is). */
export function DetectionCard({ slideId }: { slideId: SlideId | null }) {
  const store = useDetectionStore();
  if (!store || slideId === null) return null;
  return <Picked store={store} slideId={slideId} />;
}

function Picked({ store, slideId }: { store: DetectionStore; slideId: SlideId }) {
  const picked = usePickedDetection(store);
  const shown = useSlideDetections(store, slideId);
  // The view a card was opened from, kept as the keyboard steps from card to card.
  const fromView = useRef<HTMLElement | null>(null);
  const layer = shown?.status === 'shown' ? shown.layer : null;
  if (!picked || picked.slideId !== slideId || !layer || !layer.shown[layer.set.classOf[picked.index]!]) return null;
  return <Card key={`${picked.index} ${picked.x} ${picked.y}`} store={store} picked={picked} layer={layer} fromView={fromView} />;
}

function Card({
  store,
  picked,
  layer,
  fromView,
}: {
  store: DetectionStore;
  picked: PickedDetection;
  layer: DetectionLayer;
  fromView: { current: HTMLElement | null };
}) {
  const t = useT();
  const card = useRef<HTMLDivElement>(null);
  const [place, setPlace] = useState({ left: picked.x + 12, top: picked.y + 12 });
  const { set } = layer;
  const cls = set.classes[set.classOf[picked.index]!]!;
  const kind = detectionKind(set, picked.index);
  const measurements = detectionMeasurements(set, picked.index);
  const close = (): void => store.pick(null);

  // Kept inside the window.
  useLayoutEffect(() => {
    const box = card.current?.getBoundingClientRect();
    if (!box) return;
    setPlace({
      left: Math.max(4, Math.min(picked.x + 12, window.innerWidth - box.width - 4)),
      top: Math.max(4, Math.min(picked.y + 12, window.innerHeight - box.height - 4)),
    });
  }, [picked.x, picked.y]);

  useEffect(() => {
    const { x, y } = picked;
    const active = document.activeElement;
    if (active instanceof HTMLElement && active.classList.contains('openseadragon-canvas')) fromView.current = active;
    card.current?.focus({ preventScroll: true });
    return () => {
      if (!focusLost()) return;
      // The view under the detection; where that is off the view (a large one's centroid), the view it was picked in.
      const under = document.elementsFromPoint(x, y).find((element) => element.classList.contains('openseadragon-canvas'));
      const view = under instanceof HTMLElement ? under : fromView.current;
      if (view?.isConnected) view.focus({ preventScroll: true });
    };
  }, [picked, fromView]);

  return (
    <div
      ref={card}
      className="detection-card"
      role="dialog"
      aria-label={t('detections.card')}
      tabIndex={-1}
      style={place}
      data-testid="detection-card"
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.stopPropagation();
          close();
        } else if (event.key === 'Enter' && picked.step && event.target === card.current && !event.repeat) {
          event.preventDefault();
          picked.step(event.shiftKey ? -1 : 1);
        }
      }}
    >
      <header className="detection-card-header">
        <span className="class-swatch" style={{ background: rgbToCss(cls.color) }} aria-hidden="true" />
        <span className="detection-card-title" data-testid="detection-card-title">
          {`${t(`detections.${kind}`)} · `}
          {classLabel(t, cls.name)}
        </span>
        <button type="button" className="icon-button" onClick={close} aria-label={t('detections.closeCard')} title={t('detections.closeCard')}>
          <Icon name="close" size={16} />
        </button>
      </header>
      {measurements.length === 0 ? (
        <p className="muted small">{t('detections.noMeasurements')}</p>
      ) : (
        <table className="detection-measurements" data-testid="detection-measurements">
          <tbody>
            {measurements.slice(0, MAX_ROWS).map(([name, value]) => (
              <tr key={name}>
                <th scope="row" className="detection-measure-name">
                  {name}
                </th>
                <td className="detection-measure-value">{formatNumber(value, Math.abs(value) >= 1000 ? { maxFraction: 1 } : { significant: 4 })}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {measurements.length > MAX_ROWS && <p className="muted small">{t('detections.more', { count: measurements.length - MAX_ROWS })}</p>}
    </div>
  );
}
