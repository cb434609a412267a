// One associated image (label, macro, thumbnail) as a small preview; a click shows it full size.

import type { Translate } from '../../../shared/i18n/catalogue';
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
          onClick={() => image.url && onOpen({ name: associatedName(name, t), url: image.url, width: image.width, height: image.height })}
          // Named by what it does; the image's alt text ("The slide's macro") named it before.
          aria-label={t('metadata.associatedShow', { name: associatedName(name, t) })}
          title={t('metadata.associatedShow', { name: associatedName(name, t) })}
        >
          <img src={image.url} alt={t('metadata.associatedAlt', { name: associatedName(name, t) })} />
        </button>
      ) : (
        <div className="associated-preview associated-missing">
          {image.error ? t('metadata.associatedError', { message: image.error.message }) : t('common.loading')}
        </div>
      )}
      <figcaption>
        <span className="associated-name">{associatedName(name, t)}</span>
        {image.url && <span className="muted small">{t('common.size', { width: image.width, height: image.height })}</span>}
      </figcaption>
    </figure>
  );
}

/** OpenSlide's names of the usual associated images, in the user's words; others as the file names them. */
function associatedName(name: string, t: Translate): string {
  if (name === 'label') return t('metadata.imageLabel');
  if (name === 'macro') return t('metadata.imageMacro');
  if (name === 'thumbnail') return t('metadata.imageThumbnail');
  return name;
}
