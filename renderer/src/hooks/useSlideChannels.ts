// A fluorescence slide's channels as its view shows them: edited in the colour panel, asked of the
// engine a moment after the last edit (a colour dragged or a number typed is one request, not one a
// step), its tiles then made again. Answers arriving out of turn are dropped; a refusal puts back what
// the engine shows and is told as a notice.

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
  const latest = useRef({ viewer, onShown, onFailed });
  latest.current = { viewer, onShown, onFailed };
  const { slideId } = slide;

  const ask = useCallback(
    /** `set`: the channels as the panel set them (null: as the slide first showed them). */
    async (set: ChannelInfo[] | null) => {
      clearTimeout(timer.current);
      const turn = ++asked.current;
      const result = await api.setChannels({ slideId, channels: set && choicesOf(set) });
      if (turn !== asked.current) return;
      const { viewer, onShown, onFailed } = latest.current;
      if (!result.ok) {
        setChannels(shown.current);
        onFailed(result.error);
        return;
      }
      const channels = set && result.value.channels ? keepHidden(result.value.channels, set) : result.value.channels;
      shown.current = channels;
      setChannels(channels);
      onShown({ ...result.value, channels });
      if (viewer) remakeTiles(viewer.navigator ? [viewer, viewer.navigator] : [viewer], (source) => source.setDisplay(displayKey(channels)));
    },
    [api, slideId, setChannels],
  );
  useEffect(() => () => clearTimeout(timer.current), []);

  const edit = useCallback(
    (index: number, change: ChannelEdit) => {
      if (!edited.current) return;
      const next = editChannel(edited.current, index, change);
      setChannels(next);
      clearTimeout(timer.current);
      timer.current = setTimeout(() => void ask(next), SETTLE_MS);
    },
    [ask, setChannels],
  );
  const reset = useCallback(() => void ask(null), [ask]);

  return channels && channels.length > 0 ? { channels, edit, reset } : null;
}
