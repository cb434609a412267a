// One associated image (label, macro, thumbnail) as a small preview; a click shows it full size.

import type { SlideId } from '../../../shared/ipc';
import { useApi } from '../api';
import { useAssociatedImage } from '../hooks/useAssociatedImage';

export interface AssociatedImageCardProps {
  slideId: SlideId;
  name: string;
  onOpen: (image: { name: string; url: string; width: number; height: number }) => void;
}

export function AssociatedImageCard({ slideId, name, onOpen }: AssociatedImageCardProps) {
  const api = useApi();
  const image = useAssociatedImage(api, slideId, name);

  return (
    <figure className="associated-card" data-testid={`associated-${name}`}>
      {image.url ? (
        <button
          type="button"
          className="associated-preview"
          onClick={() => image.url && onOpen({ name, url: image.url, width: image.width, height: image.height })}
          title={`Show the ${name} full size`}
        >
          <img src={image.url} alt={`The slide's ${name}`} />
        </button>
      ) : (
        <div className="associated-preview associated-missing">{image.error ? `Cannot show: ${image.error.message}` : 'Loading…'}</div>
      )}
      <figcaption>
        <span className="associated-name">{name}</span>
        {image.url && (
          <span className="muted small">
            {image.width} × {image.height}
          </span>
        )}
      </figcaption>
    </figure>
  );
}
