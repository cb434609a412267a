// The controls above the slide. Buttons send the same commands as the keys and the native menu.

import type { SlideInfo } from '../../../shared/slide';
import type { Command } from '../commands';
import { Icon, type IconName } from './Icon';
import { MagnificationControls } from './MagnificationControls';

export interface ViewerToolbarProps {
  info: SlideInfo;
  imageZoom: number;
  targetImageZoom: number;
  rotation: number;
  navigatorVisible: boolean;
  metadataOpen: boolean;
  fullscreen: boolean;
  onCommand: (command: Command) => void;
  onPreset: (power: number) => void;
}

export function ViewerToolbar(props: ViewerToolbarProps) {
  const { onCommand } = props;
  const button = (command: Command, icon: IconName, label: string, pressed?: boolean) => (
    <button
      type="button"
      className="icon-button"
      onClick={() => onCommand(command)}
      aria-label={label}
      aria-pressed={pressed}
      title={label}
      data-testid={`cmd-${command}`}
    >
      <Icon name={icon} />
    </button>
  );

  return (
    <div className="toolbar" role="toolbar" aria-label="View">
      <div className="toolbar-group">
        {button('zoom-out', 'minus', 'Zoom out (−)')}
        {button('zoom-in', 'plus', 'Zoom in (+)')}
        {button('fit', 'fit', 'Fit to window (0)')}
        <button type="button" className="text-button" onClick={() => onCommand('actual-pixels')} title="1:1 — one slide pixel per screen pixel (1)" data-testid="cmd-actual-pixels">
          1:1
        </button>
      </div>
      <MagnificationControls info={props.info} imageZoom={props.imageZoom} targetImageZoom={props.targetImageZoom} onPreset={props.onPreset} />
      <div className="toolbar-group">
        {button('rotate-left', 'rotate-left', 'Rotate 90° counter-clockwise (Shift+R)')}
        {button('rotate-right', 'rotate-right', 'Rotate 90° clockwise (R)')}
        {props.rotation !== 0 && <span className="rotation-badge" data-testid="rotation">{props.rotation}°</span>}
      </div>
      <div className="toolbar-spacer" />
      <div className="toolbar-group">
        {button('toggle-navigator', 'navigator', 'Navigator (N)', props.navigatorVisible)}
        {button('toggle-metadata', 'info', 'Slide information (M)', props.metadataOpen)}
        {button('fullscreen', props.fullscreen ? 'fullscreen-exit' : 'fullscreen', props.fullscreen ? 'Leave full screen (F)' : 'Full screen (F)')}
        {button('show-shortcuts', 'help', 'Keyboard shortcuts (?)')}
      </div>
    </div>
  );
}
