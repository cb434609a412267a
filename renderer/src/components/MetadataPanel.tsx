// Everything the file says about itself: summary, pyramid levels, associated images, properties.

import type { OpenedSlide } from '../../../shared/ipc';
import type { Mpp } from '../../../shared/slide';
import { formatLabel } from '../../../shared/slide-formats';
import { formatCount, formatMicronsPair, formatNumber, formatPower } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { AssociatedImages } from './AssociatedImages';
import { IccProfileFacts } from './IccProfileFacts';
import { Icon } from './Icon';
import { LevelTable } from './LevelTable';
import { PropertyTable } from './PropertyTable';

export interface MetadataPanelProps {
  slide: OpenedSlide;
  onClose: () => void;
}

export function MetadataPanel({ slide, onClose }: MetadataPanelProps) {
  const t = useT();
  const { info } = slide;
  return (
    <aside className="metadata" aria-label={t('metadata.region')} data-testid="metadata-panel">
      <header className="metadata-header">
        <div>
          <h2 className="metadata-title">{info.name}</h2>
          <p className="muted small metadata-path" translate="no">
            {info.path}
          </p>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('metadata.close')} title={t('metadata.closeTitle')}>
          <Icon name="close" />
        </button>
      </header>

      {info.warnings.length > 0 && (
        <div className="notice-inline metadata-warnings" role="note" data-testid="metadata-warnings">
          <p className="notice-title">{t('metadata.damaged')}</p>
          <ul translate="no">
            {info.warnings.map((warning) => (
              <li key={warning}>{warning}</li>
            ))}
          </ul>
        </div>
      )}

      <dl className="facts" data-testid="metadata-summary">
        <dt>{t('metadata.vendor')}</dt>
        <dd translate="no">{info.vendor}</dd>
        <dt>{t('metadata.format')}</dt>
        <dd translate="no">{formatLabel(info.format)}</dd>
        <dt>{t('metadata.dimensions')}</dt>
        <dd>{t('common.sizePx', { width: formatCount(info.width), height: formatCount(info.height) })}</dd>
        <dt>{t('metadata.objectivePower')}</dt>
        <dd data-testid="objective-power">{info.objectivePower ? formatPower(info.objectivePower) : t('common.notRecorded')}</dd>
        <dt>{t('metadata.pixelSize')}</dt>
        <dd data-testid="mpp">{info.mpp ? formatMppPair(info.mpp) : t('common.notRecorded')}</dd>
        {info.mpp && (
          <>
            <dt>{t('metadata.physicalSize')}</dt>
            <dd data-testid="physical-size">{t('common.size', formatMicronsPair(info.width * info.mpp.x, info.height * info.mpp.y))}</dd>
          </>
        )}
        <dt>{t('metadata.levels')}</dt>
        <dd>{formatCount(info.levels.length)}</dd>
        <IccProfileFacts profile={info.iccProfile} />
      </dl>

      <h3 className="section-title">{t('metadata.pyramid')}</h3>
      <LevelTable levels={info.levels} />

      <h3 className="section-title">{t('metadata.associated')}</h3>
      <AssociatedImages slideId={slide.slideId} names={info.associated} />

      <h3 className="section-title">{t('metadata.properties')}</h3>
      <PropertyTable properties={info.properties} />
    </aside>
  );
}

/** "0.499 µm/px", or "0.499 × 0.5 µm/px" when the pixels are not square. 4 significant digits, as scanners record it. */
function formatMppPair(mpp: Mpp): string {
  const x = formatNumber(mpp.x, { significant: 4 });
  const y = formatNumber(mpp.y, { significant: 4 });
  return x === y ? `${x} µm/px` : `${x} × ${y} µm/px`;
}
