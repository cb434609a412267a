// Everything the file says about itself: summary, pyramid levels, associated images, properties.

import type { OpenedSlide } from '../../../shared/ipc';
import { formatPower } from '../../../shared/magnification';
import { formatLength } from '../../../shared/scale-bar';
import type { Mpp } from '../../../shared/slide';
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
  const { info } = slide;
  return (
    <aside className="metadata" aria-label="Slide information" data-testid="metadata-panel">
      <header className="metadata-header">
        <div>
          <h2 className="metadata-title">{info.name}</h2>
          <p className="muted small metadata-path">{info.path}</p>
        </div>
        <button type="button" className="icon-button" onClick={onClose} aria-label="Close slide information" title="Close (M)">
          <Icon name="close" />
        </button>
      </header>

      <dl className="facts" data-testid="metadata-summary">
        <dt>Vendor</dt>
        <dd>{info.vendor}</dd>
        <dt>Format</dt>
        <dd>{info.format}</dd>
        <dt>Dimensions</dt>
        <dd>
          {info.width.toLocaleString('en-US')} × {info.height.toLocaleString('en-US')} px
        </dd>
        <dt>Objective power</dt>
        <dd data-testid="objective-power">{info.objectivePower ? formatPower(info.objectivePower) : 'not recorded'}</dd>
        <dt>Pixel size</dt>
        <dd data-testid="mpp">{info.mpp ? formatMppPair(info.mpp) : 'not recorded'}</dd>
        {info.mpp && (
          <>
            <dt>Physical size</dt>
            <dd>
              {formatLength(info.width * info.mpp.x)} × {formatLength(info.height * info.mpp.y)}
            </dd>
          </>
        )}
        <dt>Levels</dt>
        <dd>{info.levels.length}</dd>
        <IccProfileFacts profile={info.iccProfile} />
      </dl>

      <h3 className="section-title">Pyramid levels</h3>
      <LevelTable levels={info.levels} />

      <h3 className="section-title">Associated images</h3>
      <AssociatedImages slideId={slide.slideId} names={info.associated} />

      <h3 className="section-title">Properties</h3>
      <PropertyTable properties={info.properties} />
    </aside>
  );
}

/** "0.499 µm/px", or "0.499 × 0.5 µm/px" when the pixels are not square. 4 significant digits, as scanners record it. */
function formatMppPair(mpp: Mpp): string {
  const x = Number(mpp.x.toPrecision(4));
  const y = Number(mpp.y.toPrecision(4));
  return x === y ? `${x} µm/px` : `${x} × ${y} µm/px`;
}
