// One associated image (label, macro, thumbnail) as a small preview; a click shows it full size.

import type { SlideId } from '../../../shared/ipc';
import { useApi } from '../api';
import { useAssociatedImage } from '../hooks/useAssociatedImage';
import { useT } from '../i18n/i18n';

export interface AssociatedImageCardProps {
  slideId: SlideId;
  name: string;
  onOpen: (image: { name: string; url: string; width: number; height: number }) => void;
}

export function AssociatedImageCard({ slideId, name, onOpen }: AssociatedImageCardProps) {
  const api = useApi();
  const t = useT();
  const image = useAssociatedImage(api, slideId, name);

  return (
    <figure className="associated-card" data-testid={`associated-${name}`}>
      {image.url ? (
        <button
          type="button"
          className="associated-preview"
          onClick={() => image.url && onOpen({ name, url: image.url, width: image.width, height: image.height })}
          title={t('metadata.associatedShow', { name })}
        >
          <img src={image.url} alt={t('metadata.associatedAlt', { name })} />
        </button>
      ) : (
        <div className="associated-preview associated-missing">
          {image.error ? t('metadata.associatedError', { message: image.error.message }) : t('common.loading')}
        </div>
      )}
      <figcaption>
        <span className="associated-name">{name}</span>
        {image.url && <span className="muted small">{t('common.size', { width: image.width, height: image.height })}</span>}
      </figcaption>
    </figure>
  );
}
