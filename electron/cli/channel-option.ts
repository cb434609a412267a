// --channels: which fluorescence channels an image shows, and how. Entries separated by commas, each
// CHANNEL[:COLOUR][:LOW-HIGH]: CHANNEL a channel's name (case aside) or its number from 1 (a name
// wins: channels are often named for wavelengths, "488"), COLOUR #rrggbb or a word below, LOW-HIGH the
// display range in sample values. A name with a comma or colon is written in double quotes
// ("CD8, FITC":red). The channels not listed are hidden; slides without channels (brightfield) are
// not affected. --plane Z or Z,T: the focal plane and timepoint of a z-stack or time series, each from
// 1 as channels are numbered here (and QuPath's sliders); the engine's are from 0, as OME's.

import type { ChannelChoice, PlaneChoice, SlideShown } from '../../shared/slide';
import { UsageError } from './usage-error';

const COLOUR_WORDS: Readonly<Record<string, string>> = {
  red: '#ff0000',
  green: '#00ff00',
  blue: '#0000ff',
  yellow: '#ffff00',
  cyan: '#00ffff',
  magenta: '#ff00ff',
  white: '#ffffff',
  grey: '#ffffff',
  gray: '#ffffff',
  orange: '#ff8000',
};

/** The text split at each separator outside double quotes; a UsageError for a quote left open. */
function splitOutsideQuotes(text: string, separator: ',' | ':', value: string): string[] {
  const parts = [''];
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === separator && !quoted) parts.push('');
    else parts[parts.length - 1] += ch;
  }
  if (quoted) throw new UsageError(`--channels: "${value}" has an unclosed double quote.`);
  return parts.map((part) => part.trim());
}

/** A channel as written: in double quotes, the name between them whole. */
function channelName(part: string, entry: string): string {
  if (!part.includes('"')) return part;
  const quoted = /^"([^"]*)"$/.exec(part);
  if (!quoted) throw new UsageError(`--channels: in "${entry}", a double quote quotes a whole name ("CD8, FITC").`);
  return quoted[1]!;
}

/** The choices --channels gives (each channel as written: the engine finds it by name, else by number); a UsageError for a malformed value. */
export function channelsOption(value: string | undefined): ChannelChoice[] | undefined {
  if (value === undefined) return undefined;
  const entries = splitOutsideQuotes(value, ',', value);
  if (entries.some((entry) => entry === '')) throw new UsageError(`--channels lists channels separated by commas (got "${value}").`);
  return entries.map((entry) => {
    const [written, ...rest] = splitOutsideQuotes(entry, ':', value);
    const channel = channelName(written!, entry);
    if (!channel) throw new UsageError(`--channels: "${entry}" names no channel.`);
    const choice: ChannelChoice = { channel };
    for (const part of rest) {
      const range = /^(\d+)-(\d+)$/.exec(part);
      const colour = COLOUR_WORDS[part.toLowerCase()] ?? (/^#[0-9a-f]{6}$/i.test(part) ? part.toLowerCase() : undefined);
      if (range && choice.low === undefined) {
        choice.low = Number(range[1]);
        choice.high = Number(range[2]);
      } else if (colour && choice.colour === undefined) {
        choice.colour = colour;
      } else {
        throw new UsageError(
          `--channels: "${part}" in "${entry}" is not a colour (#rrggbb or ${Object.keys(COLOUR_WORDS).join(', ')}) or a range LOW-HIGH; a name with a comma or colon in double quotes is one ("CD8, FITC").`,
        );
      }
    }
    return choice;
  });
}

/** The plane --plane gives (Z or Z,T, each from 1), from 0; a UsageError for a malformed value. */
export function planeOption(value: string | undefined): PlaneChoice | undefined {
  if (value === undefined) return undefined;
  const numbers = /^\s*(\d{1,10})\s*(?:,\s*(\d{1,10})\s*)?$/.exec(value);
  const [z, t] = numbers ? [Number(numbers[1]), Number(numbers[2] ?? 1)] : [0, 0];
  if (!numbers || z < 1 || t < 1 || z > 2 ** 31 || t > 2 ** 31)
    throw new UsageError(`--plane takes Z or Z,T: a focal plane and a timepoint, each from 1 (got "${value}").`);
  return { z: z - 1, t: t - 1 };
}

/** What --channels and --plane ask of each slide; undefined when neither is given. */
export function shownOption(channels: string | undefined, plane: string | undefined): SlideShown | undefined {
  const shown: SlideShown = {};
  const chosen = channelsOption(channels);
  const at = planeOption(plane);
  if (chosen) shown.channels = chosen;
  if (at) shown.plane = at;
  return chosen || at ? shown : undefined;
}

/** The choices as an output's recipe records them: equal choices, equal text (plane (1, 1) as none is given: the same pixels). */
export function channelsText(shown: SlideShown | undefined): string[] {
  const name = (channel: string | number) => (/[,:]/.test(String(channel)) ? `"${channel}"` : String(channel));
  const entry = (c: ChannelChoice) => [name(c.channel), c.colour, c.low === undefined ? undefined : `${c.low}-${c.high}`].filter(Boolean).join(':');
  const plane = shown?.plane;
  return [
    ...(shown?.channels ? [`--channels ${shown.channels.map(entry).join(',')}`] : []),
    ...(plane && (plane.z > 0 || plane.t > 0) ? [`--plane ${plane.z + 1},${plane.t + 1}`] : []),
  ];
}
