// What the window shows with no slide open: where to drop, open or reopen a slide.

import { useEffect, useRef } from 'react';
import type { RecentFile } from '../../../shared/ipc';
import { focusLost } from '../focus';
import { useT } from '../i18n/i18n';
import { DropZone } from './DropZone';
import { Icon } from './Icon';
import { RecentList } from './RecentList';

export interface WelcomeScreenProps {
  dragging: boolean;
  recent: RecentFile[];
  onOpenDialog: () => void;
  onOpenSample: () => void;
  onOpenFolder: () => void;
  onOpenRecent: (path: string) => void;
  onClearRecent: () => void;
  onShowHelp: () => void;
}

export function WelcomeScreen(props: WelcomeScreenProps) {
  const t = useT();
  const openButton = useRef<HTMLButtonElement>(null);
  // Back here after the last tab closed, the focus has nowhere to be: Open slide… takes it.
  useEffect(() => {
    if (focusLost()) openButton.current?.focus();
  }, []);
  return (
    <main className="welcome" data-testid="welcome">
      <div className="welcome-inner">
        <header className="welcome-header">
          <h1 className="brand">
            <span className="brand-mark" aria-hidden="true" />
            Slidescope
          </h1>
          <p className="muted">{t('welcome.tagline')}</p>
        </header>
        <DropZone dragging={props.dragging} onBrowse={props.onOpenDialog} />
        <div className="welcome-actions">
          <button ref={openButton} type="button" className="button button-primary" onClick={props.onOpenDialog}>
            <Icon name="open" />
            {t('welcome.openSlide')}
          </button>
          <button type="button" className="button" onClick={props.onOpenFolder}>
            <Icon name="open" />
            {t('welcome.openFolder')}
          </button>
          <button type="button" className="button" onClick={props.onOpenSample}>
            <Icon name="sample" />
            {t('welcome.openSample')}
          </button>
          <button type="button" className="button button-quiet" onClick={props.onShowHelp}>
            <Icon name="help" />
            {t('welcome.shortcuts')}
          </button>
        </div>
        <RecentList files={props.recent} onOpen={props.onOpenRecent} onClear={props.onClearRecent} />
      </div>
    </main>
  );
}
