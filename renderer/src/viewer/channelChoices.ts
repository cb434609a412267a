// A fluorescence slide's channels as the colour panel edits them, and as the engine is asked to show
// them (shared/slide.ts ChannelChoice: the channels shown, each with its colour and range).

import type { Translate } from '../../../shared/i18n/catalogue';
import { type ChannelChoice, type ChannelInfo, type PlaneChoice, unnamedChannel } from '../../../shared/slide';

export type ChannelEdit = Partial<Pick<ChannelInfo, 'shown' | 'colour' | 'low' | 'high'>>;

/** The channels with one changed; its range kept whole numbers from 0 to its max, low below high. */
export function editChannel(channels: readonly ChannelInfo[], index: number, edit: ChannelEdit): ChannelInfo[] {
  return channels.map((channel, i) => {
    if (i !== index) return channel;
    const next = { ...channel, ...edit };
    const whole = (v: number, min: number, max: number) => Math.min(max, Math.max(min, Math.round(v)));
    if (edit.low !== undefined) next.low = whole(edit.low, 0, next.high - 1);
    if (edit.high !== undefined) next.high = whole(edit.high, next.low + 1, next.max);
    return next;
  });
}

/** What the engine is asked: the channels shown, by position, as they are set. */
export function choicesOf(channels: readonly ChannelInfo[]): ChannelChoice[] {
  return channels.flatMap((c, channel) => (c.shown ? [{ channel, colour: c.colour, low: c.low, high: c.high }] : []));
}

/**
 * The channels as the engine answered a choice, the hidden ones keeping the colour and range the
 * panel gave them: the engine is told only of the channels shown, and answers the others as the slide
 * first showed them, which would lose a colour set before a channel was hidden for a moment.
 */
export function keepHidden(answer: readonly ChannelInfo[], asked: readonly ChannelInfo[]): ChannelInfo[] {
  return answer.map((channel, i) => {
    const set = asked[i];
    return channel.shown || !set || set.shown ? channel : { ...channel, colour: set.colour, low: set.low, high: set.high };
  });
}

/** A short text that changes whenever the tiles' pixels do (the viewer's cache keys): the channels as shown, and the plane. */
export function displayKey(channels: readonly ChannelInfo[] | undefined, plane?: PlaneChoice): string {
  const shown = (channels ?? []).map((c) => (c.shown ? `${c.colour.slice(1)}.${c.low}.${c.high}` : 'off')).join('~');
  return plane && (plane.z > 0 || plane.t > 0) ? `${shown}@${plane.z}.${plane.t}` : shown;
}

/** A channel's name as the panel shows it: the engine's name for one the file names none, in the app's language. */
export function channelLabel(t: Translate, channel: ChannelInfo, index: number): string {
  return channel.name === unnamedChannel(index) ? t('channels.unnamed', { number: index + 1 }) : channel.name;
}
