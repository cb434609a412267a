// A fluorescence slide's channels as last shown (which, in what colour, over what range), remembered
// per slide path in the user-data folder (slide-channels.json) and shown again when it is next opened,
// as QuPath keeps an image's display settings. Reset to the slide's own (null) forgets them.

import * as v from 'valibot';
import { channelChoices } from '../../shared/operations';
import type { ChannelChoice } from '../../shared/slide';
import { RememberedEntries } from './remembered-entries';

export const CHANNEL_MEMORY_NAME = 'slide-channels.json';
/** Slides remembered: the least recently changed go first beyond this. */
export const CHANNEL_MEMORY_MAX = 500;

export class ChannelMemory {
  private readonly entries: RememberedEntries<ChannelChoice[]>;

  constructor(options: { dir: string; max?: number; onError?: (message: string, error: unknown) => void }) {
    this.entries = new RememberedEntries({
      dir: options.dir,
      name: CHANNEL_MEMORY_NAME,
      max: options.max ?? CHANNEL_MEMORY_MAX,
      read: (raw) => {
        const read = v.safeParse(channelChoices, raw);
        return read.success ? read.output : new Error(read.issues[0].message);
      },
      write: (choice) => choice,
      what: "the slides' remembered channels",
      ...(options.onError ? { onError: options.onError } : {}),
    });
  }

  /** The channels last chosen for the slide at this path, or null. */
  recall(path: string): Promise<ChannelChoice[] | null> {
    return this.entries.load(path);
  }

  /** Remembers the slide's channels as chosen (null: its own, and forgets them). */
  remember(path: string, choice: ChannelChoice[] | null): Promise<void> {
    return this.entries.save(path, choice);
  }
}
