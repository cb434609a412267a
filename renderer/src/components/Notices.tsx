// The stack of messages in a strip below the views (covering none of their controls).

import type { Notice } from '../hooks/useNotices';
import { useT } from '../i18n/i18n';
import { Icon } from './Icon';

export interface NoticesProps {
  notices: Notice[];
  onDismiss: (id: number) => void;
  onDismissAll: () => void;
}

export function Notices({ notices, onDismiss, onDismissAll }: NoticesProps) {
  const t = useT();
  return (
    <section className="notices" aria-label={t('common.messages')} aria-live="polite">
      {/* Four files dropped and refused are four notices: one click clears them and gives the view its room back. */}
      {notices.length > 1 && (
        <button type="button" className="notices-dismiss-all" onClick={onDismissAll}>
          {t('common.dismissAll')}
        </button>
      )}
      {notices.map((notice) => (
        <div key={notice.id} className={`notice notice-${notice.kind}`} role={notice.kind === 'info' ? 'status' : 'alert'} data-testid="notice">
          <Icon name={notice.kind === 'info' ? 'info' : 'warning'} />
          <div className="notice-text">
            <p className="notice-title">{notice.title}</p>
            {notice.detail && (
              <p className="notice-detail" translate="no">
                {notice.detail}
              </p>
            )}
          </div>
          <button
            type="button"
            className="icon-button"
            onClick={() => onDismiss(notice.id)}
            aria-label={t('common.dismissMessage')}
            title={t('common.dismiss')}
          >
            <Icon name="close" size={16} />
          </button>
        </div>
      ))}
    </section>
  );
}
