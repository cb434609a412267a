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
import { useApi } from '../api';
import type { ViewCommand } from '../commands';
import { e2eHandle } from '../e2eHandle';
import { describeTileError } from '../errors';
import type { PanDirection } from '../hooks/useKeyboardShortcuts';
import type { Notice } from '../hooks/useNotices';
import type { ViewColour } from '../hooks/useViewColour';
import { t, useT } from '../i18n/i18n';
import { compareClamp } from '../viewer/compareFrames';
import { panPixels, ZOOM_STEP } from '../viewer/keyboardSteps';
import { LinkedViewers, type SharedView } from '../viewer/linkedViewers';
import { ComparePanel } from './ComparePanel';
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

/** Alignment changes are saved once they settle. */
const SAVE_DELAY_MS = 400;

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

  // The user's changes are remembered for the set once they settle, or at once when the comparison
  // is left before they do (a last nudge and Escape must not be lost).
  const pendingSave = useRef<(() => void) | null>(null);
  useEffect(() => {
    if (!dirty.current) return undefined;
    const save = () => {
      pendingSave.current = null;
      dirty.current = false;
      void api.saveAlignment({ slideIds, placements }).then((result) => {
        if (!result.ok) onNotice(alignmentFailed('warning', 'compare.rememberFailed', result.error));
      });
    };
    pendingSave.current = save;
    const timer = setTimeout(save, SAVE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [api, slideIds, placements, onNotice]);
  useEffect(() => () => pendingSave.current?.(), []);

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
        link.panBy(viewer, panPixels(direction, viewer.viewport.getContainerSize()));
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
        {/* The hint's clauses wrap whole, so a narrow window shows each of the gestures. */}
        <span className="muted small compare-hint">
          {(linked >= 2 ? t('compare.hint') : t('compare.tooFew')).split(' · ').map((clause) => (
            <span key={clause}>{clause}</span>
          ))}
        </span>
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
