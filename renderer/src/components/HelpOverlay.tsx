// The keyboard shortcuts, listed from the same table the key handler uses.

import { ANNOTATION_CONTROLS, TOOL_INFO } from '../annotations/tools';
import { OTHER_CONTROLS, SHORTCUTS } from '../commands';
import { COLOUR_SHORTCUTS } from '../viewer/colourShortcuts';
import { Modal } from './Modal';

export function HelpOverlay({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcut-table" data-testid="shortcuts">
        <tbody>
          {SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.command}>
              <td>
                <kbd>{shortcut.display}</kbd>
              </td>
              <td>{shortcut.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="section-title">Colour</h3>
      <table className="shortcut-table" data-testid="colour-shortcuts">
        <tbody>
          {COLOUR_SHORTCUTS.map((shortcut) => (
            <tr key={shortcut.display}>
              <td>
                <kbd>{shortcut.display}</kbd>
              </td>
              <td>{shortcut.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="section-title">Mouse and arrows</h3>
      <table className="shortcut-table">
        <tbody>
          {OTHER_CONTROLS.map((control) => (
            <tr key={control.display + control.label}>
              <td>
                <kbd>{control.display}</kbd>
              </td>
              <td>{control.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="section-title">Annotations</h3>
      <table className="shortcut-table" data-testid="annotation-shortcuts">
        <tbody>
          {TOOL_INFO.map((info) => (
            <tr key={info.tool}>
              <td>
                <kbd>{info.display}</kbd>
              </td>
              <td>{info.title}</td>
            </tr>
          ))}
          {ANNOTATION_CONTROLS.map((control) => (
            <tr key={control.display}>
              <td>
                <kbd>{control.display}</kbd>
              </td>
              <td>{control.label}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="muted small">The View menu has the same commands with Ctrl (⌘ on macOS), for example Ctrl&nbsp;+ = to zoom in.</p>
      <p className="muted small">
        Magnification counts screen (CSS) pixels: at 1:1 one slide pixel covers one CSS pixel and the readout shows the scan&rsquo;s own objective power.
      </p>
    </Modal>
  );
}
