// Recently opened files; a click reopens one.

import type { RecentFile } from '../../../shared/ipc';
import { dirName } from '../paths';

export interface RecentListProps {
  files: RecentFile[];
  onOpen: (path: string) => void;
  onClear: () => void;
}

export function RecentList({ files, onOpen, onClear }: RecentListProps) {
  return (
    <section className="recent" aria-labelledby="recent-title">
      <header className="recent-header">
        <h2 id="recent-title" className="section-title">
          Recent slides
        </h2>
        {files.length > 0 && (
          <button type="button" className="link-button" onClick={onClear}>
            Clear
          </button>
        )}
      </header>
      {files.length === 0 ? (
        <p className="muted">Slides you open appear here.</p>
      ) : (
        <ul className="recent-list" data-testid="recent-list">
          {files.map((file) => (
            <li key={file.path}>
              <button type="button" className="recent-item" onClick={() => onOpen(file.path)} title={file.path}>
                <span className="recent-name">{file.name}</span>
                <span className="recent-meta">
                  <span className="recent-dir">{dirName(file.path)}</span>
                  <time dateTime={file.openedAt}>{formatWhen(file.openedAt)}</time>
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function formatWhen(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
