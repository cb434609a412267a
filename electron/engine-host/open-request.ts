// A slide's open request as the engine process and its client keep it, to open it again (another
// lane, a restarted engine) as it is shown now.

import type { RequestOf } from '../../shared/operations';
import type { ChannelChoice } from '../../shared/slide';

/** The open request showing the channels as chosen since (null: as the slide first shows them). */
export function openRequestShowing(request: RequestOf<'engine:open'>, channels: ChannelChoice[] | null): RequestOf<'engine:open'> {
  const { channels: _before, ...opened } = request;
  return channels === null ? opened : { ...opened, channels };
}
