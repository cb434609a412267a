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
  const dialog = useRef<HTMLDivElement>(null);
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
      else if (event.key === 'Tab' && dialog.current) trapTab(event, dialog.current);
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
      <div className={size === 'normal' ? 'modal' : `modal modal-${size}`} ref={dialog} role="dialog" aria-modal="true" aria-labelledby={titleId} tabIndex={-1}>
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

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/**
 * Keeps Tab and Shift+Tab inside an aria-modal dialog: past its last control (or from outside it,
 * e.g. the body after a control was disabled) focus wraps, never reaching the app behind.
 */
function trapTab(event: KeyboardEvent, dialog: HTMLElement): void {
  const stops = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) => element.getClientRects().length > 0 && !element.closest('fieldset:disabled'),
  );
  const first = stops[0];
  const last = stops[stops.length - 1];
  if (!first || !last) {
    event.preventDefault();
    dialog.focus();
    return;
  }
  const active = document.activeElement;
  const inside = active instanceof Node && dialog.contains(active);
  if (!inside || (event.shiftKey && (active === first || active === dialog)) || (!event.shiftKey && active === last)) {
    event.preventDefault();
    (event.shiftKey ? last : first).focus();
  }
}
