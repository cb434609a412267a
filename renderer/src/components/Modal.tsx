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
        {/* Not a <header>: at the top of the document (a dialog is not a section) it would be a second banner. */}
        <div className="modal-header">
          <h2 id={titleId}>{title}</h2>
          <button ref={closeButton} type="button" className="icon-button" onClick={onClose} aria-label={t('common.close')} title={t('common.closeEsc')}>
            <Icon name="close" />
          </button>
        </div>
        <div className="modal-body">{children}</div>
      </div>
    </div>
  );
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

/** The dialog's Tab stops in document order: shown, enabled, and of a radio group only its checked one (or its first), as the browser tabs. */
function tabStops(dialog: HTMLElement): HTMLElement[] {
  const shown = [...dialog.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (element) => element.getClientRects().length > 0 && !element.closest('fieldset:disabled'),
  );
  const radios = (element: HTMLElement) =>
    shown.filter((other) => other instanceof HTMLInputElement && other.type === 'radio' && other.name === (element as HTMLInputElement).name);
  return shown.filter((element) => {
    if (!(element instanceof HTMLInputElement) || element.type !== 'radio' || !element.name) return true;
    const group = radios(element);
    return element.checked || (!group.some((r) => (r as HTMLInputElement).checked) && group[0] === element);
  });
}

/**
 * Keeps Tab and Shift+Tab inside an aria-modal dialog: from any element in it (a status region
 * focused while its controls are off too) to the next stop in document order, wrapping at the ends;
 * from outside it (the body, after a control was disabled) to its first or last.
 */
function trapTab(event: KeyboardEvent, dialog: HTMLElement): void {
  event.preventDefault();
  const stops = tabStops(dialog);
  if (stops.length === 0) {
    dialog.focus();
    return;
  }
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || active === dialog || !dialog.contains(active)) {
    (event.shiftKey ? stops[stops.length - 1]! : stops[0]!).focus();
    return;
  }
  const follows = (a: Node, b: Node) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
  const next = event.shiftKey
    ? [...stops].reverse().find((stop) => stop !== active && follows(stop, active) && !stop.contains(active))
    : stops.find((stop) => stop !== active && follows(active, stop));
  (next ?? (event.shiftKey ? stops[stops.length - 1]! : stops[0]!)).focus();
}
