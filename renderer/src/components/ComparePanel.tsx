// One slide of the side-by-side view: its own OpenSeadragon viewer, framed by the linked view (the
// slide's placement turns and moves it), with its name, magnification, scale bar and alignment
// controls. Shift-drag moves the slide against the others (Shift + arrows on the focused panel, by a
// step, said aloud); Shift + wheel turns it.

import type OpenSeadragon from 'openseadragon';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { PhysicalSlide, Placement } from '../../../shared/compare-geometry';
import type { ErrorInfo } from '../../../shared/errors';
import type { OpenedSlide } from '../../../shared/ipc';
import { powerAtDownsample } from '../../../shared/magnification';
import { useApi } from '../api';
import { drawerChoice } from '../env';
import { useColourFilter } from '../hooks/useColourFilter';
import { arrowDirection } from '../hooks/useKeyboardShortcuts';
import { useOsdViewer } from '../hooks/useOsdViewer';
import { useViewColour, type ViewColour } from '../hooks/useViewColour';
import { useViewState } from '../hooks/useViewState';
import { formatMpp, formatNumber, formatPower } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { compareFrame } from '../viewer/compareFrames';
import { nudgePixels } from '../viewer/keyboardSteps';
import type { LinkedViewers } from '../viewer/linkedViewers';
import { ScaleBar } from './ScaleBar';
import '../styles/compare.css';

/** Degrees per rotation button press or wheel notch. */
const TURN_STEP = 1;
/** The header's two turn buttons: anticlockwise and clockwise by TURN_STEP. */
const TURNS = [
  { side: 'left', sign: -1, key: 'compare.turnLeft', glyph: '⟲' },
  { side: 'right', sign: 1, key: 'compare.turnRight', glyph: '⟳' },
] as const;
/** Offsets (µm) and rotations (°) as the panel shows them: to a tenth, and what rounds to nothing is "0.0", not "-0.0". */
function tenths(value: number): string {
  return formatNumber(Math.round(value * 10) / 10, { fraction: 1 });
}

interface ComparePanelProps {
  index: number;
  slide: OpenedSlide;
  physical: PhysicalSlide | null;
  placement: Placement;
  link: LinkedViewers | null;
  /** µm per CSS pixel of the linked view. */
  scale: number | null;
  onViewer: (index: number, viewer: OpenSeadragon.Viewer | null) => void;
  onColour: (index: number, colour: ViewColour) => void;
  onMove: (index: number, delta: { x: number; y: number }) => void;
  onTurn: (index: number, degrees: number) => void;
  onReset: (index: number) => void;
  onTileError: (error: ErrorInfo, slide: OpenedSlide) => void;
}

export function ComparePanel({ index, slide, physical, placement, link, scale, onViewer, onColour, onMove, onTurn, onReset, onTileError }: ComparePanelProps) {
  const api = useApi();
  const t = useT();
  const { info } = slide;
  const [host, setHost] = useState<HTMLDivElement | null>(null);
  const tileError = useCallback((error: ErrorInfo) => onTileError(error, slide), [onTileError, slide]);
  // A slide without a pixel size gets no viewer, only the reason: it is never linked by pixels.
  const viewer = useOsdViewer(physical && link ? host : null, { api, slide, drawer: drawerChoice(), onTileError: tileError, variant: 'compare' });
  const state = useViewState(viewer);
  // The slide's colour as its single view left it (brightness, contrast, gamma; its ICC choice).
  const { colour } = useViewColour(slide.slideId);
  useColourFilter(
    useMemo(() => [viewer], [viewer]),
    colour,
  );
  useEffect(() => onColour(index, colour), [index, colour, onColour]);
  const frame = useMemo(() => (physical ? compareFrame(physical, placement) : null), [physical, placement]);

  useEffect(() => {
    onViewer(index, viewer);
    return () => onViewer(index, null);
  }, [index, viewer, onViewer]);

  // Linked once; a new alignment re-places this panel only (and turns it as the slide is turned).
  const frameRef = useRef(frame);
  frameRef.current = frame;
  useEffect(() => (viewer && link && frameRef.current ? link.add(viewer, frameRef.current) : undefined), [viewer, link]);
  useEffect(() => {
    if (!viewer || !link || !frame) return undefined;
    const apply = (): void => {
      if (viewer.world.getItemCount() === 0) return;
      viewer.viewport.setRotation(placement.rotation, true);
      link.setFrame(viewer, frame);
    };
    apply();
    viewer.addHandler('open', apply);
    return () => viewer.removeHandler('open', apply);
  }, [viewer, link, frame, placement.rotation]);

  // Shift-drag moves this slide against the others; Shift + wheel turns it (instead of panning and zooming all).
  const scaleRef = useRef(scale);
  scaleRef.current = scale;
  const offsetRef = useRef(placement.offset);
  offsetRef.current = placement.offset;
  /** The last keyboard move, said once as it was made (a drag's every frame would flood a screen reader). */
  const [moved, setMoved] = useState<{ text: string; id: number } | null>(null);
  useEffect(() => {
    if (!viewer) return undefined;
    // Shift + an arrow here, before the window's handler pans every panel.
    const element = viewer.canvas;
    /** What a held key's repeats came to, said when it is let go. */
    let held: string | null = null;
    const say = (text: string): void => setMoved((last) => ({ text, id: (last?.id ?? 0) + 1 }));
    const key = (event: KeyboardEvent): void => {
      const direction = arrowDirection(event.key);
      if (!direction || !event.shiftKey || event.ctrlKey || event.metaKey || event.altKey) return;
      event.preventDefault();
      const s = scaleRef.current;
      if (!s) return;
      const step = nudgePixels(direction);
      const delta = { x: step.x * s, y: step.y * s };
      onMove(index, delta);
      const offset = { x: offsetRef.current.x + delta.x, y: offsetRef.current.y + delta.y };
      // A held key repeats before the panel renders the move: the next step starts from this one.
      offsetRef.current = offset;
      const text = t('compare.movedBy', { name: info.name, x: tenths(offset.x), y: tenths(offset.y) });
      // A held key's repeats (some 30 a second) would queue a sentence each: said once more, where it stopped.
      if (event.repeat) held = text;
      else say(text);
    };
    const release = (): void => {
      if (held !== null) say(held);
      held = null;
    };
    element.addEventListener('keydown', key);
    element.addEventListener('keyup', release);
    element.addEventListener('blur', release);
    return () => {
      element.removeEventListener('keydown', key);
      element.removeEventListener('keyup', release);
      element.removeEventListener('blur', release);
    };
  }, [viewer, index, onMove, t, info.name]);
  useEffect(() => {
    if (!viewer) return undefined;
    const drag = (event: OpenSeadragon.CanvasDragEvent): void => {
      if (!event.shift) return;
      event.preventDefaultAction = true;
      const s = scaleRef.current;
      if (s) onMove(index, { x: event.delta.x * s, y: event.delta.y * s });
    };
    const scroll = (event: OpenSeadragon.CanvasScrollEvent): void => {
      if (!event.shift) return;
      event.preventDefaultAction = true;
      onTurn(index, event.scroll > 0 ? -TURN_STEP : TURN_STEP);
    };
    viewer.addHandler('canvas-drag', drag);
    viewer.addHandler('canvas-scroll', scroll);
    return () => {
      viewer.removeHandler('canvas-drag', drag);
      viewer.removeHandler('canvas-scroll', scroll);
    };
  }, [viewer, index, onMove, onTurn]);

  const power = scale !== null && info.mpp ? powerAtDownsample(info, scale / info.mpp.x) : null;
  const aligned = placement.offset.x !== 0 || placement.offset.y !== 0 || placement.rotation !== 0;
  const step = formatNumber(TURN_STEP, { maxFraction: 1 });
  return (
    <div className="compare-panel" data-testid={`compare-panel-${index}`}>
      <div className="compare-panel-header">
        <span className="compare-panel-name" title={info.path} translate="no">
          {info.name}
        </span>
        <span className="compare-panel-power" data-testid={`compare-power-${index}`}>
          {power !== null && scale !== null ? t('magnification.powerAndMpp', { power: formatPower(power), mpp: formatMpp(scale) }) : ''}
        </span>
        {physical && (
          <span className="compare-panel-actions">
            {TURNS.map(({ side, sign, key, glyph }) => (
              <button
                key={side}
                type="button"
                className="icon-button"
                onClick={() => onTurn(index, sign * TURN_STEP)}
                title={t(key, { name: info.name, angle: step })}
                aria-label={t(key, { name: info.name, angle: step })}
                data-testid={`compare-turn-${side}-${index}`}
              >
                {glyph}
              </button>
            ))}
            <button
              type="button"
              className="button button-small button-quiet"
              onClick={() => onReset(index)}
              disabled={!aligned}
              title={t('compare.resetTitle', { name: info.name })}
              data-testid={`compare-reset-${index}`}
            >
              {t('compare.reset')}
            </button>
          </span>
        )}
      </div>
      <div className="compare-body">
        {physical ? (
          <>
            <div ref={setHost} className="osd-host compare-osd" data-testid={`compare-osd-${index}`} data-ready={state.ready} />
            {state.ready && scale !== null && <ScaleBar info={info} imageZoom={info.mpp!.x / scale} compact testId={`compare-scale-${index}`} />}
            {!state.ready && <div className="viewer-loading">{t('viewer.loading', { name: info.name })}</div>}
            {aligned && (
              <span className="compare-aligned" data-testid={`compare-aligned-${index}`}>
                {t('compare.aligned', {
                  x: tenths(placement.offset.x),
                  y: tenths(placement.offset.y),
                  angle: tenths(placement.rotation),
                })}
              </span>
            )}
          </>
        ) : (
          <div className="compare-osd grid-cell-refused" role="note" data-testid={`compare-refused-${index}`}>
            {t('compare.noScale', { name: info.name })}
          </div>
        )}
      </div>
      <span className="visually-hidden" role="status" data-testid={`compare-announced-${index}`}>
        {moved && <span key={moved.id}>{moved.text}</span>}
      </span>
    </div>
  );
}
