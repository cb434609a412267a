// The comparison grid: the same slide in 2x2 OpenSeadragon viewers, each fixed to one objective
// power, all centred on one level-0 point (LinkedViewers). Zoom is fixed per cell: scroll, pinch
// and double-click do not zoom a cell (useOsdViewer's 'cell' variant); its magnification changes
// only through its label. Dragging any cell pans all four.

import type OpenSeadragon from 'openseadragon';
import { type FormEvent, type Ref, useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { OpenedSlide } from '../../../shared/ipc';
import { formatPower } from '../../../shared/magnification';
import { useAnnotationOverlay } from '../annotations/useAnnotationOverlay';
import { useDetectionOverlay } from '../annotations/useDetectionOverlay';
import { useApi } from '../api';
import { e2eHandle } from '../e2eHandle';
import { drawerChoice } from '../env';
import { refocusIfLost } from '../focus';
import { useColourFilter } from '../hooks/useColourFilter';
import type { PanDirection } from '../hooks/useKeyboardShortcuts';
import { useOsdViewer } from '../hooks/useOsdViewer';
import { remake } from '../hooks/useSlideChannels';
import type { ViewColour } from '../hooks/useViewColour';
import { useViewState } from '../hooks/useViewState';
import { useT } from '../i18n/i18n';
import { panPixels } from '../viewer/keyboardSteps';
import { clampTo, LinkedViewers, type Point } from '../viewer/linkedViewers';
import { checkPower, describeMagnification, nativePower, resolveMagnification } from '../viewer/magnification';
import { ScaleBar } from './ScaleBar';

/** CSS pixels between the cells (the stage colour shows through as a thin rule). */
export const GRID_GAP = 2;

/** Cells are whole CSS pixels, so a field-of-view export is exactly what a cell shows. */
export function gridCellSize(stage: { width: number; height: number }): { width: number; height: number } {
  return {
    width: Math.max(1, Math.floor((stage.width - GRID_GAP) / 2)),
    height: Math.max(1, Math.floor((stage.height - GRID_GAP) / 2)),
  };
}

export interface GridHandle {
  pan: (direction: PanDirection) => void;
  /** Centres every cell on the middle of the slide. */
  recentre: () => void;
  /** Centres every cell on a level-0 point (an annotation picked in the list). */
  centerOn: (centre: Point) => void;
}

export interface ComparisonGridProps {
  slide: OpenedSlide;
  powers: readonly number[];
  onPowerChange: (index: number, power: number) => void;
  /** Level-0 centre the grid opens at. */
  initialCenter: Point;
  onCenterChange: (center: Point) => void;
  cellSize: { width: number; height: number };
  onTileError: (error: ErrorInfo) => void;
  /** Leaves the grid (the slide has no scale to compare magnifications on). */
  onLeave: () => void;
  /** The view's colour: every cell draws with it. */
  colour: ViewColour;
  ref?: Ref<GridHandle>;
}

export function ComparisonGrid(props: ComparisonGridProps) {
  const t = useT();
  const { slide, powers, onPowerChange, cellSize, onTileError, ref } = props;
  const { info } = slide;
  const onCenterChange = useRef(props.onCenterChange);
  useEffect(() => {
    onCenterChange.current = props.onCenterChange;
  }, [props.onCenterChange]);
  // One link per grid: created with the centre the grid opened at, alive as long as the grid.
  const [link] = useState(
    () =>
      new LinkedViewers({
        center: props.initialCenter,
        clamp: clampTo({ x: 0, y: 0, width: info.width, height: info.height }),
        onChange: (view) => onCenterChange.current(view.center),
      }),
  );
  useEffect(() => () => link.dispose(), [link]);

  const [viewers, setViewers] = useState<Array<OpenSeadragon.Viewer | null>>([null, null, null, null]);
  const onViewer = useCallback((index: number, viewer: OpenSeadragon.Viewer | null) => {
    setViewers((list) => (list[index] === viewer ? list : list.map((v, i) => (i === index ? viewer : v))));
  }, []);
  useColourFilter(viewers, props.colour);

  useEffect(() => {
    const handle = e2eHandle();
    if (!handle) return undefined;
    handle.gridViewers = viewers;
    return () => {
      handle.gridViewers = [];
    };
  }, [viewers]);

  useImperativeHandle(
    ref,
    (): GridHandle => ({
      pan(direction) {
        // A step of the most magnified cell's view: a step of a low-power one would skip past every field of the high-power ones.
        const zoom = (v: OpenSeadragon.Viewer) => (v.world.getItemCount() > 0 ? v.viewport.viewportToImageZoom(v.viewport.getZoom(true)) : 0);
        const viewer = viewers
          .filter((v): v is OpenSeadragon.Viewer => v !== null)
          .reduce<OpenSeadragon.Viewer | null>((most, v) => (most === null || zoom(v) > zoom(most) ? v : most), null);
        if (!viewer) return;
        link.panBy(viewer, panPixels(direction, viewer.viewport.getContainerSize()));
      },
      recentre() {
        link.setCenter({ x: info.width / 2, y: info.height / 2 });
      },
      centerOn(centre) {
        link.setCenter(centre);
      },
    }),
    [viewers, link, info.width, info.height],
  );

  if (nativePower(info) === null) {
    return (
      <div className="grid-refused" role="note" data-testid="grid-refused">
        <p>{t('grid.refused', { name: info.name })}</p>
        <button type="button" className="button" onClick={props.onLeave}>
          {t('grid.back')}
        </button>
      </div>
    );
  }

  return (
    <div
      className="comparison-grid"
      data-testid="comparison-grid"
      style={{ gridTemplateColumns: `repeat(2, ${cellSize.width}px)`, gridTemplateRows: `repeat(2, ${cellSize.height}px)`, gap: `${GRID_GAP}px` }}
    >
      {powers.map((power, index) => (
        <GridCell
          // The cell's position is its identity: its viewer survives a change of magnification.
          // biome-ignore lint/suspicious/noArrayIndexKey: the grid has four fixed positions (powers may repeat), and a cell keeps its viewer when its power changes
          key={index}
          index={index}
          slide={slide}
          power={power}
          link={link}
          onViewer={onViewer}
          onPowerChange={onPowerChange}
          onTileError={onTileError}
        />
      ))}
    </div>
  );
}

interface GridCellProps {
  index: number;
  slide: OpenedSlide;
  power: number;
  link: LinkedViewers;
  onViewer: (index: number, viewer: OpenSeadragon.Viewer | null) => void;
  onPowerChange: (index: number, power: number) => void;
  onTileError: (error: ErrorInfo) => void;
}

function GridCell({ index, slide, power, link, onViewer, onPowerChange, onTileError }: GridCellProps) {
  const t = useT();
  const api = useApi();
  const { info } = slide;
  const [host, setHost] = useState<HTMLDivElement | null>(null);
  const [editing, setEditing] = useState(false);
  const labelButton = useRef<HTMLButtonElement>(null);
  // Applied or cancelled, the editor goes: its label button takes the focus back.
  const stopEditing = (): void => {
    setEditing(false);
    refocusIfLost(() => labelButton.current);
  };
  const check = checkPower(info, power);
  const downsample = check.ok ? check.downsample : null;
  // The slide as the cell opened it: channels or a plane chosen since make its tiles again (below),
  // as the single view's, not the viewer, whose old tiles stay drawn until the new ones are in.
  const [viewed] = useState(slide);
  // A cell the slide cannot show at its power gets no viewer, only the reason.
  const viewer = useOsdViewer(downsample === null ? null : host, { api, slide: viewed, drawer: drawerChoice(), onTileError, variant: 'cell' });
  const { channels, plane } = info;
  useEffect(() => {
    if (viewer) void remake(viewer, { channels, plane });
  }, [viewer, channels, plane]);
  const view = useViewState(viewer);
  useAnnotationOverlay(viewer, link);
  useDetectionOverlay(viewer, slide);

  useEffect(() => {
    onViewer(index, viewer);
    return () => onViewer(index, null);
  }, [index, viewer, onViewer]);

  useEffect(() => (viewer ? link.add(viewer) : undefined), [viewer, link]);

  // The cell's fixed zoom: CSS pixels per level-0 pixel = 1 / downsample, set again after a resize.
  useEffect(() => {
    if (!viewer || downsample === null) return undefined;
    const apply = (): void => {
      if (viewer.world.getItemCount() === 0) return;
      const { viewport } = viewer;
      viewport.zoomTo(viewport.imageToViewportZoom(1 / downsample), undefined, true);
      link.place(viewer);
    };
    apply();
    viewer.addHandler('open', apply);
    viewer.addHandler('resize', apply);
    return () => {
      viewer.removeHandler('open', apply);
      viewer.removeHandler('resize', apply);
    };
  }, [viewer, downsample, link]);

  const label = describeMagnification(info, power);
  return (
    <div className="grid-cell" data-testid={`grid-cell-${index}`} data-power={power}>
      {downsample !== null ? (
        <>
          <div ref={setHost} className="osd-host" data-testid={`grid-osd-${index}`} data-ready={view.ready} />
          <Crosshair />
          {view.ready && <ScaleBar info={info} imageZoom={1 / downsample} compact testId={`grid-scale-${index}`} />}
        </>
      ) : (
        <div className="grid-cell-refused" role="note" data-testid={`grid-refused-${index}`}>
          {check.ok ? null : check.reason}.
        </div>
      )}
      <div className="grid-cell-label">
        {editing ? (
          <PowerEditor
            index={index}
            slide={slide}
            power={power}
            onApply={(p) => {
              stopEditing();
              onPowerChange(index, p);
            }}
            onCancel={stopEditing}
          />
        ) : (
          <button
            ref={labelButton}
            type="button"
            className="grid-label-button"
            onClick={() => setEditing(true)}
            title={t('grid.cellLabelTitle')}
            data-testid={`grid-label-${index}`}
          >
            {label}
          </button>
        )}
      </div>
    </div>
  );
}

/** Marks the cell's centre, the point all four cells share; open in the middle so it hides nothing. */
function Crosshair() {
  const arms = 'M-13 0H-4M4 0H13M0 -13V-4M0 4V13';
  return (
    <svg className="crosshair" width="32" height="32" viewBox="-16 -16 32 32" aria-hidden="true" focusable="false">
      <path d={arms} className="crosshair-halo" />
      <path d={arms} className="crosshair-line" />
    </svg>
  );
}

interface PowerEditorProps {
  index: number;
  slide: OpenedSlide;
  power: number;
  onApply: (power: number) => void;
  onCancel: () => void;
}

/** "10x", "2.5", "1 µm/px": refused values keep the cell as it was and say why. */
function PowerEditor({ index, slide, power, onApply, onCancel }: PowerEditorProps) {
  const t = useT();
  const [text, setText] = useState(formatPower(power));
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => {
    input.current?.select();
  }, []);

  const submit = (event: FormEvent): void => {
    event.preventDefault();
    const result = resolveMagnification(slide.info, text);
    if (result.ok) onApply(result.power);
    else setError(result.reason);
  };

  return (
    <form className="power-editor" onSubmit={submit} data-testid={`grid-editor-${index}`}>
      <div className="power-editor-row">
        <input
          ref={input}
          className="power-input"
          value={text}
          onChange={(event) => {
            setText(event.target.value);
            setError(null);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Escape') onCancel();
          }}
          aria-label={t('grid.cellInput', { cell: index + 1 })}
          aria-invalid={error !== null}
          spellCheck={false}
          data-testid={`grid-input-${index}`}
        />
        <button type="submit" className="button button-small button-primary">
          {t('grid.set')}
        </button>
        <button type="button" className="button button-small button-quiet" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
      {error ? (
        <p className="field-error" role="alert" data-testid={`grid-error-${index}`}>
          {error}.
        </p>
      ) : (
        <p className="field-hint">{t('grid.hint')}</p>
      )}
    </form>
  );
}
