// Versions of the app and its runtime, from main.

import { useEffect, useState } from 'react';
import type { AppVersions } from '../../../shared/ipc';
import { useApi } from '../api';
import { useT } from '../i18n/i18n';
import { Modal } from './Modal';

export function AboutDialog({ onClose }: { onClose: () => void }) {
  const api = useApi();
  const t = useT();
  const [versions, setVersions] = useState<AppVersions | null>(null);

  useEffect(() => {
    void api.versions().then((result) => {
      if (result.ok) setVersions(result.value);
    });
  }, [api]);

  return (
    <Modal title={t('about.title')} onClose={onClose}>
      <p>{t('about.body')}</p>
      {versions && (
        <dl className="facts" translate="no">
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
      <p className="muted small">{t('about.credits')}</p>
    </Modal>
  );
}
