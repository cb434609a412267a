// Shown while files are dragged over the window.

import { useT } from '../i18n/i18n';
import { Icon } from './Icon';

export function DropOverlay() {
  const t = useT();
  return (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-card">
        <Icon name="drop" size={40} />
        <p>{t('welcome.dropToOpen')}</p>
        <p className="muted small">{t('welcome.dropSeveral')}</p>
      </div>
    </div>
  );
}
