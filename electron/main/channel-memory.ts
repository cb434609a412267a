// A fluorescence slide's channels as last shown (which, in what colour, over what range) and the plane
// of a z-stack or time series shown, remembered per slide path in the user-data folder
// (slide-channels.json) and shown again when it is next opened, as QuPath keeps an image's display
// settings. Reset to the slide's own channels (null) at its first plane forgets them.

import * as v from 'valibot';
import { channelChoices, planeChoice } from '../../shared/operations';
import type { ChannelsShown } from '../engine-host/open-request';
import { RememberedEntries, readBy } from './remembered-entries';

export const CHANNEL_MEMORY_NAME = 'slide-channels.json';
/** Slides remembered: the least recently changed go first beyond this. */
export const CHANNEL_MEMORY_MAX = 500;

/** An entry: the channels and plane, or (as earlier versions wrote it) the channels alone. */
const entry = v.union([
  v.pipe(
    channelChoices,
    v.transform((channels): ChannelsShown => ({ channels })),
  ),
  v.strictObject({ channels: v.nullable(channelChoices), plane: v.optional(planeChoice) }),
]);

export class ChannelMemory {
  private readonly entries: RememberedEntries<ChannelsShown>;

  constructor(options: { dir: string; max?: number; onError?: (message: string, error: unknown) => void }) {
    this.entries = new RememberedEntries({
      dir: options.dir,
      name: CHANNEL_MEMORY_NAME,
      max: options.max ?? CHANNEL_MEMORY_MAX,
      read: readBy(entry),
      write: (shown) => shown,
      what: "the slides' remembered channels",
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** The channels and plane last chosen for the slide at this path, or null. */
  recall(path: string): Promise<ChannelsShown | null> {
    return this.entries.load(path);
  }

  /** Remembers the slide's channels and plane as chosen; the slide's own channels at Z = T = 0 (or null) forget them. */
  remember(path: string, shown: ChannelsShown | null): Promise<void> {
    const own = !shown || (shown.channels === null && (!shown.plane || (shown.plane.z === 0 && shown.plane.t === 0)));
    return this.entries.save(path, own ? null : { channels: shown.channels, ...(shown.plane ? { plane: shown.plane } : {}) });
  }
}
