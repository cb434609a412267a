// The controls above the slide. Buttons send the same commands as the keys and the native menu.
// In the comparison grid, zoom, presets and rotation give way to a hint: each cell's magnification
// is set on the cell itself.

import type { ReactNode } from 'react';
import type { SlideInfo } from '../../../shared/slide';
import type { Command } from '../commands';
import { Icon, type IconName } from './Icon';
import { MagnificationControls } from './MagnificationControls';

export interface ViewerToolbarProps {
  info: SlideInfo;
  grid: boolean;
  imageZoom: number;
  targetImageZoom: number;
  rotation: number;
  navigatorVisible: boolean;
  metadataOpen: boolean;
  fullscreen: boolean;
  onCommand: (command: Command) => void;
  onPreset: (power: number) => void;
  /** Further buttons of the viewer's own, at the start of the right-hand group. */
  children?: ReactNode;
}

export function ViewerToolbar(props: ViewerToolbarProps) {
  const { onCommand, grid } = props;
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
      {grid ? (
        <p className="toolbar-hint" data-testid="grid-hint">
          Drag any cell to move all four. Click a cell&rsquo;s label to change its magnification.
        </p>
      ) : (
        <>
          <div className="toolbar-group">
            {button('zoom-out', 'minus', 'Zoom out (−)')}
            {button('zoom-in', 'plus', 'Zoom in (+)')}
            {button('fit', 'fit', 'Fit to window (0)')}
            <button
              type="button"
              className="text-button"
              onClick={() => onCommand('actual-pixels')}
              title="1:1 — one slide pixel per screen pixel (1)"
              data-testid="cmd-actual-pixels"
            >
              1:1
            </button>
          </div>
          <MagnificationControls info={props.info} imageZoom={props.imageZoom} targetImageZoom={props.targetImageZoom} onPreset={props.onPreset} />
          <div className="toolbar-group">
            {button('rotate-left', 'rotate-left', 'Rotate 90° counter-clockwise (Shift+R)')}
            {button('rotate-right', 'rotate-right', 'Rotate 90° clockwise (R)')}
            {props.rotation !== 0 && (
              <span className="rotation-badge" data-testid="rotation">
                {props.rotation}°
              </span>
            )}
          </div>
        </>
      )}
      <div className="toolbar-spacer" />
      <div className="toolbar-group">
        {props.children}
        {button('export', 'export', 'Export a thumbnail or a magnification set… (Ctrl+E)')}
        {button('toggle-grid', 'grid', grid ? 'Comparison grid: back to the single view (G)' : 'Comparison grid: one field at four magnifications (G)', grid)}
        {!grid && button('toggle-navigator', 'navigator', 'Navigator (N)', props.navigatorVisible)}
        {button('toggle-metadata', 'info', 'Slide information (M)', props.metadataOpen)}
        {button('fullscreen', props.fullscreen ? 'fullscreen-exit' : 'fullscreen', props.fullscreen ? 'Leave full screen (F)' : 'Full screen (F)')}
        {button('show-shortcuts', 'help', 'Keyboard shortcuts (?)')}
      </div>
    </div>
  );
}
