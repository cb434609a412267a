// The keyboard shortcuts, listed from the same tables the key handlers use.

import { ANNOTATION_CONTROLS, toolHelpRows } from '../annotations/tools';
import { OTHER_CONTROLS, SHORTCUTS } from '../commands';
import { useT } from '../i18n/i18n';
import { COLOUR_SHORTCUTS } from '../viewer/colourShortcuts';
import { Modal } from './Modal';

/** One table of keys and what they do. */
function ShortcutTable({ rows, testId }: { rows: ReadonlyArray<{ display: string; label: string }>; testId?: string }) {
  return (
    <table className="shortcut-table" data-testid={testId}>
      <tbody>
        {rows.map((row) => (
          <tr key={row.display + row.label}>
            <td>
              <kbd>{row.display}</kbd>
            </td>
            <td>{row.label}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  const t = useT();
  return (
    <Modal title={t('help.title')} onClose={onClose}>
      <ShortcutTable rows={SHORTCUTS.map((s) => ({ display: s.display, label: t(s.label) }))} testId="shortcuts" />
      <h3 className="section-title">{t('help.colour')}</h3>
      <ShortcutTable rows={COLOUR_SHORTCUTS.map((s) => ({ display: s.display, label: t(s.label) }))} testId="colour-shortcuts" />
      <h3 className="section-title">{t('help.mouse')}</h3>
      <ShortcutTable rows={OTHER_CONTROLS.map((c) => ({ display: t(c.display), label: t(c.label) }))} />
      <h3 className="section-title">{t('help.annotations')}</h3>
      <ShortcutTable
        rows={[...toolHelpRows(t), ...ANNOTATION_CONTROLS.map((c) => ({ display: t(c.display), label: t(c.label) }))]}
        testId="annotation-shortcuts"
      />
      <p className="muted small">{t('help.menuNote')}</p>
      <p className="muted small">{t('help.magnificationNote')}</p>
    </Modal>
  );
}
