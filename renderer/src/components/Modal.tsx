// A dialog over the app: closes on Escape, on the close button and on a click outside it.

import { type ReactNode, useEffect, useId, useLayoutEffect, useRef } from 'react';
import { useT } from '../i18n/i18n';
import { Icon } from './Icon';

export interface ModalProps {
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** normal: messages and lists; medium: forms; wide: images. */
  size?: 'normal' | 'medium' | 'wide';
}

export function Modal({ title, onClose, children, size = 'normal' }: ModalProps) {
  const t = useT();
  const titleId = useId();
  const closeButton = useRef<HTMLButtonElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  }, [onClose]);

  // A layout effect: Escape must work from the first frame the dialog is visible.
  useLayoutEffect(() => {
    // Focus moves into the dialog so the slide's single-key shortcuts pause while it is open.
    const previous = document.activeElement;
    closeButton.current?.focus();
    const onKeyDown = (event: KeyboardEvent): void => {
      if (event.key === 'Escape') close.current();
    };
    window.addEventListener('keydown', onKeyDown);
    return () => {
      window.removeEventListener('keydown', onKeyDown);
      if (previous instanceof HTMLElement) previous.focus();
    };
  }, []);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a click outside the dialog is a mouse shortcut for its Close button and Escape, which keyboard users have
    <div className="modal-backdrop" onMouseDown={(event) => event.target === event.currentTarget && onClose()}>
      <div className={size === 'normal' ? 'modal' : `modal modal-${size}`} role="dialog" aria-modal="true" aria-labelledby={titleId}>
        <header className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button ref={closeButton} type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')} title={t('common.closeEsc')}>
            <Icon name="close" />
          </button>
        </header>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}
