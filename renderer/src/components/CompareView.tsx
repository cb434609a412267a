// Different slides side by side (2 to 4), each in its own OpenSeadragon viewer, linked in physical
// units: every panel is centred on the same point in µm and shows the same µm per CSS pixel, so a
// 20x and a 40x scan line up. Each slide may be moved (Shift-drag its panel) and turned (Shift +
// wheel, or the panel's buttons) relative to the others; that alignment is remembered for the set
// of slides (main's compare:*-alignment operations) and can be saved and loaded as a file.

import type OpenSeadragon from 'openseadragon';
import { type Ref, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import {
  centresOf,
  fitMicronsPerPixel,
  moveBy,
  NO_PLACEMENT,
  type PhysicalSlide,
  type Placement,
  physicalSlide,
  rotateAbout,
  toWorld,
} from '../../../shared/compare-geometry';
import type { ErrorInfo } from '../../../shared/errors';
import type { OpenedSlide, RequestInput } from '../../../shared/ipc';
import { LIMITS } from '../../../shared/limits';
import { powerAtDownsample } from '../../../shared/magnification';
import { useApi } from '../api';
import type { ViewCommand } from '../commands';
import { e2eHandle } from '../e2eHandle';
import { drawerChoice } from '../env';
import { describeTileError } from '../errors';
import { useColourFilter } from '../hooks/useColourFilter';
import type { PanDirection } from '../hooks/useKeyboardShortcuts';
import type { Notice } from '../hooks/useNotices';
import { useOsdViewer } from '../hooks/useOsdViewer';
import { useViewColour, type ViewColour } from '../hooks/useViewColour';
import { useViewState } from '../hooks/useViewState';
import { formatMpp, formatNumber, formatPower } from '../i18n/format';
import { t, useT } from '../i18n/i18n';
import { compareClamp, compareFrame } from '../viewer/compareFrames';
import { LinkedViewers, type SharedView } from '../viewer/linkedViewers';
import { ScaleBar } from './ScaleBar';
import '../styles/compare.css';

export interface CompareHandle {
  run: (command: ViewCommand) => void;
  pan: (direction: PanDirection) => void;
  /** The field of view as an export request (without its format and colour), or null when it cannot be exported. */
  exportField: () => Omit<RequestInput<'export:side-by-side'>, 'format'> | null;
}

export interface CompareViewProps {
  slides: OpenedSlide[];
  onLeave: () => void;
  onExport: () => void;
  onNotice: (notice: Omit<Notice, 'id'>) => void;
  ref?: Ref<CompareHandle>;
}

const ZOOM_STEP = 1.6;
const PAN_STEP = 0.15;
/** Degrees per rotation button press or wheel notch. */
const TURN_STEP = 1;
/** Alignment changes are saved once they settle. */
const SAVE_DELAY_MS = 400;
/** Offsets (µm) and rotations (°) as the panel shows them: to a tenth, and what rounds to nothing is "0.0", not "-0.0". */
function tenths(value: number): string {
  return formatNumber(Math.round(value * 10) / 10, { fraction: 1 });
}

export function CompareView({ slides, onLeave, onExport, onNotice, ref }: CompareViewProps) {
  const api = useApi();
  const t = useT();
  // A failing tile is told once per slide, as the single view does.
  const reported = useRef(new Set<string>());
  const onTileError = useCallback(
    (error: ErrorInfo, slide: OpenedSlide) => {
      if (reported.current.has(slide.slideId)) return;
      reported.current.add(slide.slideId);
      onNotice({ kind: 'error', ...describeTileError(error, slide.info.name) });
    },
    [onNotice],
  );
  const slideIds = useMemo(() => slides.map((s) => s.slideId), [slides]);
  const physical = useMemo(() => slides.map((s) => physicalSlide(s.info)), [slides]);
  const [placements, setPlacements] = useState<Placement[]>(() => slides.map(() => NO_PLACEMENT));
  /** Placements changed by the user since the last save (a load or a reset from main is not saved back). */
  const dirty = useRef(false);
  const [stage, setStage] = useState<HTMLDivElement | null>(null);
  const [panelSize, setPanelSize] = useState({ width: 0, height: 0 });
  const [view, setView] = useState<SharedView | null>(null);
  const [viewers, setViewers] = useState<Array<OpenSeadragon.Viewer | null>>(() => slides.map(() => null));
  /** Each panel's colour as its slide's view has it: the export follows its ICC choice. */
  const colours = useRef<ViewColour[]>([]);
  const onColour = useCallback((index: number, colour: ViewColour) => {
    colours.current[index] = colour;
  }, []);

  // The first slide with a pixel size opens the view: its middle, fitted into a panel.
  const lead = physical.findIndex((p) => p !== null);
  const linked = physical.filter((p): p is PhysicalSlide => p !== null).length;

  const placementsRef = useRef(placements);
  placementsRef.current = placements;
  const link = useMemo(() => {
    if (lead < 0) return null;
    const first = physical[lead]!;
    return new LinkedViewers({
      center: toWorld(first, NO_PLACEMENT, { x: first.width / 2, y: first.height / 2 }),
      onChange: setView,
      // Within what the slides cover together, as they are placed now.
      clamp: (p) => {
        const placed = physical.flatMap((slide, i) => (slide ? [{ slide, placement: placementsRef.current[i] ?? NO_PLACEMENT }] : []));
        return compareClamp(
          placed.map((x) => x.slide),
          placed.map((x) => x.placement),
        )(p);
      },
    });
  }, [physical, lead]);
  useEffect(() => () => link?.dispose(), [link]);

  // The remembered alignment of this set of slides, once.
  useEffect(() => {
    let live = true;
    void api.loadAlignment({ slideIds }).then((result) => {
      if (!live) return;
      if (result.ok && result.value) setPlacements(result.value);
      else if (!result.ok) onNotice(alignmentFailed('warning', 'compare.rememberedUnreadable', result.error));
    });
    return () => {
      live = false;
    };
  }, [api, slideIds, onNotice]);

  // The user's changes are remembered for the set once they settle.
  useEffect(() => {
    if (!dirty.current) return undefined;
    const timer = setTimeout(() => {
      dirty.current = false;
      void api.saveAlignment({ slideIds, placements }).then((result) => {
        if (!result.ok) onNotice(alignmentFailed('warning', 'compare.rememberFailed', result.error));
      });
    }, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [api, slideIds, placements, onNotice]);

  const change = useCallback(
    (index: number, next: (placement: Placement, slide: PhysicalSlide) => Placement) => {
      setPlacements((list) => {
        const slide = physical[index];
        if (!slide) return list;
        dirty.current = true;
        return list.map((p, i) => (i === index ? next(p, slide) : p));
      });
    },
    [physical],
  );
  const moveSlide = useCallback((index: number, delta: { x: number; y: number }) => change(index, (p) => moveBy(p, delta)), [change]);
  const turnSlide = useCallback(
    (index: number, degrees: number) => change(index, (p, slide) => (link ? rotateAbout(slide, p, link.center, degrees) : p)),
    [change, link],
  );
  const resetSlide = useCallback((index: number) => change(index, () => NO_PLACEMENT), [change]);
  const resetAll = useCallback(() => {
    dirty.current = true;
    setPlacements(slides.map(() => NO_PLACEMENT));
  }, [slides]);

  useEffect(() => {
    if (!stage) return undefined;
    const observer = new ResizeObserver(() => {
      const host = stage.querySelector<HTMLElement>('.compare-osd');
      const box = host?.getBoundingClientRect();
      if (box) setPanelSize((prev) => (prev.width === box.width && prev.height === box.height ? prev : { width: box.width, height: box.height }));
    });
    observer.observe(stage);
    return () => observer.disconnect();
  }, [stage]);

  // The opening zoom: the first slide fits a panel (once the panels have a size).
  const fitted = useRef(false);
  useEffect(() => {
    if (fitted.current || !link || lead < 0 || panelSize.width <= 0) return;
    fitted.current = true;
    link.setView({ scale: fitMicronsPerPixel(physical[lead]!, panelSize) });
  }, [link, lead, physical, panelSize]);

  const onViewer = useCallback((index: number, viewer: OpenSeadragon.Viewer | null) => {
    setViewers((list) => (list[index] === viewer ? list : list.map((v, i) => (i === index ? viewer : v))));
  }, []);

  useEffect(() => {
    const handle = e2eHandle();
    if (!handle) return undefined;
    handle.compareViewers = viewers;
    return () => {
      handle.compareViewers = [];
    };
  }, [viewers]);

  const loadFile = useCallback(() => {
    void api.importAlignment({ slideIds }).then((result) => {
      if (!result.ok) onNotice(alignmentFailed('error', 'compare.loadFailed', result.error));
      else if (result.value) {
        dirty.current = true;
        setPlacements(result.value);
      }
    });
  }, [api, slideIds, onNotice]);
  const saveFile = useCallback(() => {
    void api.exportAlignment({ slideIds, placements }).then((result) => {
      if (!result.ok) onNotice(alignmentFailed('error', 'compare.saveFailed', result.error));
      else if (result.value.files[0]) onNotice({ kind: 'info', title: t('compare.saved'), detail: result.value.files[0] });
    });
  }, [api, slideIds, placements, onNotice, t]);

  useImperativeHandle(
    ref,
    (): CompareHandle => ({
      run(command) {
        if (!link) return;
        const scale = link.scale;
        switch (command) {
          case 'zoom-in':
            if (scale) link.setView({ scale: scale / ZOOM_STEP });
            break;
          case 'zoom-out':
            if (scale) link.setView({ scale: scale * ZOOM_STEP });
            break;
          case 'fit': {
            const first = physical[lead];
            if (first)
              link.setView({
                center: toWorld(first, placements[lead]!, { x: first.width / 2, y: first.height / 2 }),
                scale: fitMicronsPerPixel(first, panelSize),
              });
            break;
          }
          case 'actual-pixels': {
            const first = physical[lead];
            if (first) link.setView({ scale: first.mpp.x });
            break;
          }
          case 'rotate-left':
          case 'rotate-right':
            onNotice({ kind: 'info', title: t('compare.hint') });
            break;
        }
      },
      pan(direction) {
        const viewer = viewers.find((v): v is OpenSeadragon.Viewer => v !== null);
        if (!viewer || !link) return;
        const size = viewer.viewport.getContainerSize();
        const dx = direction === 'left' ? -1 : direction === 'right' ? 1 : 0;
        const dy = direction === 'up' ? -1 : direction === 'down' ? 1 : 0;
        link.panBy(viewer, { x: dx * size.x * PAN_STEP, y: dy * size.y * PAN_STEP });
      },
      exportField() {
        const scale = link?.scale;
        if (!link || !scale || physical.some((p) => p === null)) return null;
        const centres = centresOf(physical as PhysicalSlide[], placements, link.center);
        return {
          panels: slides.map((s, i) => ({
            slideId: s.slideId,
            centerX: round2(centres[i]!.x),
            centerY: round2(centres[i]!.y),
            rotation: placements[i]!.rotation,
            colour: { managed: colours.current[i]?.managed ?? true },
          })),
          micronsPerPixel: scale,
          panelWidth: Math.max(1, Math.min(Math.floor(panelSize.width), LIMITS.maxPanelSide)),
          panelHeight: Math.max(1, Math.min(Math.floor(panelSize.height), LIMITS.maxPanelSide)),
        };
      },
    }),
    [link, physical, lead, placements, panelSize, viewers, slides, onNotice, t],
  );

  return (
    <section className="compare" aria-label={t('compare.region')} data-testid="compare-view">
      <div className="toolbar compare-toolbar">
        <button type="button" className="button button-small" onClick={onLeave} title={t('compare.leaveTitle')} data-testid="compare-leave">
          {t('compare.leave')}
        </button>
        <span className="muted small compare-hint">{linked >= 2 ? t('compare.hint') : t('compare.tooFew')}</span>
        <div className="toolbar-spacer" />
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={resetAll}
          title={t('compare.resetAllTitle')}
          data-testid="compare-reset-all"
        >
          {t('compare.resetAll')}
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={loadFile}
          title={t('compare.loadAlignmentTitle')}
          data-testid="compare-load"
        >
          {t('compare.loadAlignment')}
        </button>
        <button
          type="button"
          className="button button-small button-quiet"
          onClick={saveFile}
          title={t('compare.saveAlignmentTitle')}
          data-testid="compare-save"
        >
          {t('compare.saveAlignment')}
        </button>
        <button type="button" className="button button-small" onClick={onExport} title={t('compare.exportTitle')} data-testid="compare-export">
          {t('compare.export')}
        </button>
      </div>
      <div ref={setStage} className="compare-stage" style={{ gridTemplateColumns: `repeat(${slides.length}, minmax(0, 1fr))` }}>
        {slides.map((slide, index) => (
          <ComparePanel
            key={slide.slideId}
            index={index}
            slide={slide}
            physical={physical[index] ?? null}
            placement={placements[index] ?? NO_PLACEMENT}
            link={link}
            scale={view?.scale ?? null}
            onViewer={onViewer}
            onColour={onColour}
            onMove={moveSlide}
            onTurn={turnSlide}
            onReset={resetSlide}
            onTileError={onTileError}
          />
        ))}
      </div>
    </section>
  );
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

function ComparePanel({ index, slide, physical, placement, link, scale, onViewer, onColour, onMove, onTurn, onReset, onTileError }: ComparePanelProps) {
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
            <button
              type="button"
              className="icon-button"
              onClick={() => onTurn(index, -TURN_STEP)}
              title={t('compare.turnLeft', { name: info.name, angle: step })}
              aria-label={t('compare.turnLeft', { name: info.name, angle: step })}
              data-testid={`compare-turn-left-${index}`}
            >
              ⟲
            </button>
            <button
              type="button"
              className="icon-button"
              onClick={() => onTurn(index, TURN_STEP)}
              title={t('compare.turnRight', { name: info.name, angle: step })}
              aria-label={t('compare.turnRight', { name: info.name, angle: step })}
              data-testid={`compare-turn-right-${index}`}
            >
              ⟳
            </button>
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
    </div>
  );
}

/** An alignment that could not be remembered, read or written: the sentence in the window's language, main's reason as data. */
function alignmentFailed(
  kind: Notice['kind'],
  title: 'compare.rememberedUnreadable' | 'compare.rememberFailed' | 'compare.loadFailed' | 'compare.saveFailed',
  error: ErrorInfo,
): Omit<Notice, 'id'> {
  return { kind, title: t(title), detail: t('errors.detail', { code: error.code, message: error.message }) };
}

/** Level-0 centres go to main with a hundredth of a pixel. */
function round2(value: number): number {
  return Math.round(value * 100) / 100;
}
