// The keyboard shortcuts, listed from the same table the key handler uses.

import { ANNOTATION_CONTROLS, TOOL_INFO } from '../annotations/tools';
import { OTHER_CONTROLS, SHORTCUTS } from '../commands';
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
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <ShortcutTable rows={SHORTCUTS} testId="shortcuts" />
      <h3 className="section-title">Colour</h3>
      <ShortcutTable rows={COLOUR_SHORTCUTS} testId="colour-shortcuts" />
      <h3 className="section-title">Mouse and arrows</h3>
      <ShortcutTable rows={OTHER_CONTROLS} />
      <h3 className="section-title">Annotations</h3>
      <ShortcutTable
        rows={[...TOOL_INFO.map((info) => ({ display: info.display, label: info.title })), ...ANNOTATION_CONTROLS]}
        testId="annotation-shortcuts"
      />
      <p className="muted small">The View menu has the same commands with Ctrl (⌘ on macOS), for example Ctrl&nbsp;+ = to zoom in.</p>
      <p className="muted small">
        Magnification counts screen (CSS) pixels: at 1:1 one slide pixel covers one CSS pixel and the readout shows the scan&rsquo;s own objective power.
      </p>
    </Modal>
  );
}
