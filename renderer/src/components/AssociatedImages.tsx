// The slide's label, macro and thumbnail images, with a full-size view.

import { useState } from 'react';
import type { SlideId } from '../../../shared/ipc';
import { useT } from '../i18n/i18n';
import { AssociatedImageCard } from './AssociatedImageCard';
import { Modal } from './Modal';

interface ShownImage {
  name: string;
  url: string;
  width: number;
  height: number;
}

export function AssociatedImages({ slideId, names }: { slideId: SlideId; names: string[] }) {
  const t = useT();
  const [shown, setShown] = useState<ShownImage | null>(null);
  if (names.length === 0) return <p className="muted small">{t('metadata.noAssociated')}</p>;
  return (
    <>
      <div className="associated-grid">
        {names.map((name) => (
          <AssociatedImageCard key={name} slideId={slideId} name={name} onOpen={setShown} />
        ))}
      </div>
      {shown && (
        <Modal title={t('metadata.associatedFull', { name: shown.name, width: shown.width, height: shown.height })} onClose={() => setShown(null)} size="wide">
          <img className="associated-full" src={shown.url} alt={t('metadata.associatedAlt', { name: shown.name })} data-testid="associated-full" />
        </Modal>
      )}
    </>
  );
}
