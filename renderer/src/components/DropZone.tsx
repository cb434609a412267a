// The welcome screen's drop target. The drop itself is caught window-wide (useFileDrop); this is
// where the eye goes, and a click opens the file dialog instead.

import { slideFormatLabels } from '../../../shared/i18n/format-labels';
import { useT } from '../i18n/i18n';
import { Icon } from './Icon';

export interface DropZoneProps {
  dragging: boolean;
  onBrowse: () => void;
}

export function DropZone({ dragging, onBrowse }: DropZoneProps) {
  const t = useT();
  return (
    <button type="button" className={dragging ? 'drop-zone drop-zone-active' : 'drop-zone'} onClick={onBrowse} data-testid="drop-zone">
      <Icon name="drop" size={36} />
      <span className="drop-zone-title">{t('welcome.dropTitle')}</span>
      <span className="drop-zone-hint">{t('welcome.dropHint', { formats: slideFormatLabels(t) })}</span>
    </button>
  );
}
