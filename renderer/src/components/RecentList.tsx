// Recently opened slides and folders (a folder, marked as one, reopens as its gallery); a click reopens one.

import type { RecentFile } from '../../../shared/ipc';
import { formatDateTime } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { dirName } from '../paths';
import { Icon } from './Icon';

export interface RecentListProps {
  files: RecentFile[];
  onOpen: (path: string) => void;
  onClear: () => void;
}

export function RecentList({ files, onOpen, onClear }: RecentListProps) {
  const t = useT();
  return (
    <section className="recent" aria-labelledby="recent-title">
      <header className="recent-header">
        <h2 id="recent-title" className="section-title">
          {t('welcome.recentTitle')}
        </h2>
        {files.length > 0 && (
          <button type="button" className="link-button" onClick={onClear}>
            {t('welcome.recentClear')}
          </button>
        )}
      </header>
      {files.length === 0 ? (
        <p className="muted">{t('welcome.recentEmpty')}</p>
      ) : (
        <ul className="recent-list" data-testid="recent-list">
          {files.map((file) => (
            <li key={file.path}>
              <button type="button" className="recent-item" onClick={() => onOpen(file.path)} title={file.path}>
                <span className="recent-name">
                  {file.kind === 'folder' && <Icon name="folder" size={16} />}
                  <span className="recent-name-text">{file.name}</span>
                  {file.kind === 'folder' && <span className="recent-kind">{t('welcome.recentFolder')}</span>}
                </span>
                <span className="recent-meta">
                  <span className="recent-dir" translate="no">
                    {dirName(file.path)}
                  </span>
                  <time dateTime={file.openedAt}>{formatDateTime(file.openedAt)}</time>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
