// The slide's label, macro and thumbnail images, with a full-size view.

import { useState } from 'react';
import type { SlideId } from '../../../shared/ipc';
import { AssociatedImageCard } from './AssociatedImageCard';
import { Modal } from './Modal';

interface ShownImage {
  name: string;
  url: string;
  width: number;
  height: number;
}

export function AssociatedImages({ slideId, names }: { slideId: SlideId; names: string[] }) {
  const [shown, setShown] = useState<ShownImage | null>(null);
  if (names.length === 0) return <p className="muted small">This file has no label, macro or thumbnail image.</p>;
  return (
    <>
      <div className="associated-grid">
        {names.map((name) => (
          <AssociatedImageCard key={name} slideId={slideId} name={name} onOpen={setShown} />
        ))}
      </div>
      {shown && (
        <Modal title={`${shown.name} (${shown.width} × ${shown.height})`} onClose={() => setShown(null)} size="wide">
          <img className="associated-full" src={shown.url} alt={`The slide's ${shown.name}`} data-testid="associated-full" />
        </Modal>
      )}
    </>
  );
}
