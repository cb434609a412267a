// Shown while files are dragged over the window.

import { Icon } from './Icon';

export function DropOverlay() {
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-card">
        <Icon name="drop" size={40} />
        <p>Drop to open</p>
        <p className="muted small">Several slides: as tabs or side by side</p>
      </div>
    </div>
  );
}
