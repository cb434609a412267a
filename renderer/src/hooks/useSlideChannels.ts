// A fluorescence slide's channels as its view shows them: edited in the colour panel, asked of the
// engine a moment after the last edit (a colour dragged or a number typed is one request, not one a
// step), its tiles then made again. Answers arriving out of turn are dropped; a refusal puts back what
// the engine shows and is told as a notice. An edit still settling when the view closes (another tab
// shown) is asked at once, and its answer kept with the slide for the view that opens next.

import type OpenSeadragon from 'openseadragon';
import { useCallback, useEffect, useRef, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { OpenedSlide } from '../../../shared/ipc';
import type { ChannelInfo, SlideInfo } from '../../../shared/slide';
import { useApi } from '../api';
import { type ChannelEdit, choicesOf, displayKey, editChannel, keepHidden } from '../viewer/channelChoices';
import { remakeTiles } from '../viewer/SlideTileSource';

/** How long after the last edit the engine is asked. */
const SETTLE_MS = 250;

/** The view's tiles made again, as the engine now makes them. */
function remake(viewer: OpenSeadragon.Viewer, channels: readonly ChannelInfo[] | undefined): void {
  remakeTiles(viewer.navigator ? [viewer, viewer.navigator] : [viewer], (source) => source.setDisplay(displayKey(channels)));
}

export interface SlideChannels {
  channels: ChannelInfo[];
  edit: (index: number, edit: ChannelEdit) => void;
  /** Every channel as the slide first showed them. */
  reset: () => void;
}

export function useSlideChannels(
  slide: OpenedSlide,
  viewer: OpenSeadragon.Viewer | null,
  onShown: (info: SlideInfo) => void,
  onFailed: (error: ErrorInfo) => void,
): SlideChannels | null {
  const api = useApi();
  const [channels, setChannelState] = useState<ChannelInfo[] | undefined>(slide.info.channels);
  /** The channels as the panel shows them, between renders too (edits come faster than renders). */
  const edited = useRef(slide.info.channels);
  const setChannels = useCallback((next: ChannelInfo[] | undefined) => {
    edited.current = next;
    setChannelState(next);
  }, []);
  /** What the engine shows now, to put back after a refusal. */
  const shown = useRef(slide.info.channels);
  const asked = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  /** The edit waiting for the timer, if any. */
  const settling = useRef<ChannelInfo[] | null>(null);
  const open = useRef(true);
  const latest = useRef({ viewer, onShown, onFailed });
  latest.current = { viewer, onShown, onFailed };
  const { slideId } = slide;

  const ask = useCallback(
    /** `set`: the channels as the panel set them (null: as the slide first showed them). */
    async (set: ChannelInfo[] | null) => {
      clearTimeout(timer.current);
      settling.current = null;
      const turn = ++asked.current;
      const result = await api.setChannels({ slideId, channels: set && choicesOf(set) });
      if (turn !== asked.current) return;
      const { viewer, onShown, onFailed } = latest.current;
      if (!result.ok) {
        setChannels(shown.current);
        // Asked as the view closed: a refusal then is of a slide closed with it, nothing to tell.
        if (open.current) onFailed(result.error);
        return;
      }
      const channels = set && result.value.channels ? keepHidden(result.value.channels, set) : result.value.channels;
      shown.current = channels;
      setChannels(channels);
      onShown({ ...result.value, channels });
      if (viewer && open.current) remake(viewer, channels);
    },
    [api, slideId, setChannels],
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
  useEffect(() => {
    if (given === shown.current) return;
    shown.current = given;
    setChannels(given);
    const { viewer } = latest.current;
    if (viewer) remake(viewer, given);
  }, [given, setChannels]);

  const edit = useCallback(
    (index: number, change: ChannelEdit) => {
      if (!edited.current) return;
      const next = editChannel(edited.current, index, change);
      setChannels(next);
      clearTimeout(timer.current);
      settling.current = next;
      timer.current = setTimeout(() => void ask(next), SETTLE_MS);
    },
    [ask, setChannels],
  );
  const reset = useCallback(() => void ask(null), [ask]);

  return channels && channels.length > 0 ? { channels, edit, reset } : null;
}
