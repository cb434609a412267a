// Versions of the app and its runtime, from main.

import { useEffect, useState } from 'react';
import type { AppVersions } from '../../../shared/ipc';
import { useApi } from '../api';
import { Modal } from './Modal';

export function AboutDialog({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const [versions, setVersions] = useState<AppVersions | null>(null);

  useEffect(() => {
    void api.versions().then((result) => {
      if (result.ok) setVersions(result.value);
    });
  }, [api]);

  return (
    <Modal title="About Slidescope" onClose={onClose}>
      <p>An offline viewer for whole-slide images in digital pathology. Slides never leave this computer.</p>
      {versions && (
        <dl className="facts">
          <dt>Slidescope</dt>
          <dd>{versions.app}</dd>
          <dt>Electron</dt>
          <dd>{versions.electron}</dd>
          <dt>Chromium</dt>
          <dd>{versions.chrome}</dd>
          <dt>Node.js</dt>
          <dd>{versions.node}</dd>
        </dl>
      )}
      <p className="muted small">Interface font: Inter (SIL Open Font License 1.1). Viewer: OpenSeadragon (BSD-3-Clause).</p>
    </Modal>
  );
}
