// A fluorescence slide's channels and plane (a z-stack's focal plane, a time series' timepoint; a
// brightfield stack has the plane alone) as its view shows them: edited in the colour panel, asked of the engine a moment after the last edit (a
// colour dragged, a number typed or a slider moved is one request, not one a step), its tiles then made again. Answers arriving out of turn are dropped; a refusal puts back what
// the engine shows and is told as a notice. An edit still settling when the view closes (another tab
// shown) is asked at once, and its answer kept with the slide for the view that opens next.

import type OpenSeadragon from 'openseadragon';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { OpenedSlide } from '../../../shared/ipc';
import type { ChannelInfo, PlaneChoice, PlaneInfo, SlideInfo } from '../../../shared/slide';
import { useApi } from '../api';
import { type ChannelEdit, choicesOf, displayKey, editChannel, keepHidden } from '../viewer/channelChoices';
import { remakeTiles } from '../viewer/remakeTiles';
import { SlideTileSource } from '../viewer/SlideTileSource';

/** How long after the last edit the engine is asked. */
const SETTLE_MS = 250;

/** How the engine shows the slide: its channels and plane. */
interface Shown {
  channels: ChannelInfo[] | undefined;
  plane: PlaneInfo | undefined;
}

/** A view's tiles made again, as the engine now makes them (a grid cell's too; a view's navigator with it). */
export function remake(viewer: OpenSeadragon.Viewer, { channels, plane }: Shown): Promise<void> {
  return remakeTiles(viewer, (source) => source instanceof SlideTileSource && source.setDisplay(displayKey(channels, plane)));
}

export interface SlideChannels {
  /** Empty for a brightfield stack, which has a plane to choose and no channels. */
  channels: ChannelInfo[];
  edit: (index: number, edit: ChannelEdit) => void;
  /** Every channel as the slide first showed them, at the plane shown. */
  reset: () => void;
  /** The focal plane and timepoint shown, and their counts. */
  plane: PlaneInfo | undefined;
  /** Shows another plane (z, t from 0), the channels as set. */
  setPlane: (plane: PlaneChoice) => void;
  /** An edit is settling or being asked of the engine: the view does not show the panel's choice yet. */
  pending: boolean;
}

const shownOf = (info: SlideInfo): Shown => ({ channels: info.channels, plane: info.plane });

export function useSlideChannels(
  slide: OpenedSlide,
  viewer: OpenSeadragon.Viewer | null,
  onShown: (info: SlideInfo) => void,
  onFailed: (error: ErrorInfo) => void,
): SlideChannels | null {
  const api = useApi();
  const [state, setState] = useState<Shown>(() => shownOf(slide.info));
  const [pending, setPending] = useState(false);
  /** The channels and plane as the panel shows them, between renders too (edits come faster than renders). */
  const edited = useRef(state);
  const setShownState = useCallback((next: Shown) => {
    edited.current = next;
    setState(next);
  }, []);
  /** What the engine shows now, to put back after a refusal. */
  const shown = useRef(state);
  const asked = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** The edit waiting for the timer, if any. */
  const settling = useRef<{ set: ChannelInfo[] | null; plane: PlaneChoice | undefined } | null>(null);
  const open = useRef(true);
  const latest = useRef({ viewer, onShown, onFailed });
  latest.current = { viewer, onShown, onFailed };
  const { slideId } = slide;

  const ask = useCallback(
    /** `set`: the channels as the panel set them (null: as the slide first showed them), at `plane`. */
    async ({ set, plane }: { set: ChannelInfo[] | null; plane: PlaneChoice | undefined }) => {
      clearTimeout(timer.current);
      settling.current = null;
      setPending(true);
      const turn = ++asked.current;
      const result = await api.setChannels({ slideId, channels: set && choicesOf(set), ...(plane ? { plane: { z: plane.z, t: plane.t } } : {}) });
      if (turn !== asked.current) return;
      const { viewer, onShown, onFailed } = latest.current;
      // An edit made since this was asked is settling: the panel keeps it (it is asked next), or a
      // slider stepped on meanwhile would jump back and its next step start from the old value.
      const editedSince = settling.current !== null;
      if (!result.ok) {
        if (!editedSince) {
          setShownState(shown.current);
          setPending(false);
        }
        // Asked as the view closed: a refusal then is of a slide closed with it, nothing to tell.
        if (open.current) onFailed(result.error);
        return;
      }
      const channels = set && result.value.channels ? keepHidden(result.value.channels, set) : result.value.channels;
      const now = { channels, plane: result.value.plane };
      shown.current = now;
      if (!editedSince) setShownState(now);
      onShown({ ...result.value, channels });
      if (viewer && open.current) await remake(viewer, now);
      // Busy until the tiled image making the new tiles is in the view (it says when they have loaded), unless asked again meanwhile.
      if (turn === asked.current && settling.current === null) setPending(false);
    },
    [api, slideId, setShownState],
  );
  const latestAsk = useRef(ask);
  latestAsk.current = ask;
  useEffect(() => {
    open.current = true;
    return () => {
      open.current = false;
      if (settling.current) void latestAsk.current(settling.current);
    };
  }, []);
  // The slide's channels answered to another view of it: its edit asked as it closed, answered after this one opened.
  const given = slide.info.channels;
  const givenPlane = slide.info.plane;
  useEffect(() => {
    if (given === shown.current.channels && givenPlane === shown.current.plane) return;
    const now = { channels: given, plane: givenPlane };
    shown.current = now;
    setShownState(now);
    const { viewer } = latest.current;
    if (viewer) void remake(viewer, now);
  }, [given, givenPlane, setShownState]);

  /** Shows `next` in the panel at once and asks the engine once edits settle. */
  const settle = useCallback(
    (next: Shown) => {
      setShownState(next);
      setPending(true);
      clearTimeout(timer.current);
      // A brightfield stack has no channels: they stay as the slide shows them (null).
      const waiting = { set: next.channels ?? null, plane: next.plane };
      settling.current = waiting;
      timer.current = setTimeout(() => void ask(waiting), SETTLE_MS);
    },
    [ask, setShownState],
  );
  const edit = useCallback(
    (index: number, change: ChannelEdit) => {
      const { channels, plane } = edited.current;
      if (channels) settle({ channels: editChannel(channels, index, change), plane });
    },
    [settle],
  );
  const setPlane = useCallback(
    ({ z, t }: PlaneChoice) => {
      const { channels, plane } = edited.current;
      if (plane) settle({ channels, plane: { ...plane, z, t } });
    },
    [settle],
  );
  const reset = useCallback(() => void ask({ set: null, plane: edited.current.plane }), [ask]);

  const { channels, plane } = state;
  const planes = plane ? plane.sizeZ * plane.sizeT : 1;
  return (channels && channels.length > 0) || planes > 1 ? { channels: channels ?? [], edit, reset, plane, setPlane, pending } : null;
}
