// A slide's open request as the engine process and its client keep it, to open it again (another
// lane, a restarted engine) as it is shown now.

import type { RequestOf } from '../../shared/operations';

/** How a set-channels request shows the slide: its channels (null: as the slide first shows them) and plane (absent: Z = T = 0). */
export type ChannelsShown = Pick<RequestOf<'engine:set-channels'>, 'channels' | 'plane'>;

/** The open request showing the channels and plane as chosen since. */
export function openRequestShowing(request: RequestOf<'engine:open'>, { channels, plane }: ChannelsShown): RequestOf<'engine:open'> {
  const { channels: _channels, plane: _plane, ...opened } = request;
  return { ...opened, ...(channels === null ? {} : { channels }), ...(plane ? { plane } : {}) };
}
