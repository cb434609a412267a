// The controls above the slide. Buttons send the same commands as the keys and the native menu.
// In the comparison grid, zoom, presets and rotation give way to a hint: each cell's magnification
// is set on the cell itself.

import type { ReactNode } from 'react';
import type { SlideInfo } from '../../../shared/slide';
import type { Command } from '../commands';
import { useT } from '../i18n/i18n';
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
  const t = useT();
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
    <div className="toolbar" role="toolbar" aria-label={t('toolbar.view')}>
      {grid ? (
        <p className="toolbar-hint" data-testid="grid-hint">
          {t('toolbar.gridHint')}
        </p>
      ) : (
        <>
          <div className="toolbar-group">
            {button('zoom-out', 'minus', t('toolbar.zoomOut'))}
            {button('zoom-in', 'plus', t('toolbar.zoomIn'))}
            {button('fit', 'fit', t('toolbar.fit'))}
            <button
              type="button"
              className="text-button"
              onClick={() => onCommand('actual-pixels')}
              title={t('toolbar.actualPixels')}
              data-testid="cmd-actual-pixels"
            >
              1:1
            </button>
          </div>
          <MagnificationControls info={props.info} imageZoom={props.imageZoom} targetImageZoom={props.targetImageZoom} onPreset={props.onPreset} />
          <div className="toolbar-group">
            {button('rotate-left', 'rotate-left', t('toolbar.rotateLeft'))}
            {button('rotate-right', 'rotate-right', t('toolbar.rotateRight'))}
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
        {button('export', 'export', t('toolbar.export'))}
        {!grid && button('copy-view', 'copy', t('toolbar.copyView'))}
        {button('toggle-grid', 'grid', grid ? t('toolbar.gridOff') : t('toolbar.gridOn'), grid)}
        {!grid && button('toggle-navigator', 'navigator', t('toolbar.navigator'), props.navigatorVisible)}
        {button('toggle-metadata', 'info', t('toolbar.metadata'), props.metadataOpen)}
        {button('fullscreen', props.fullscreen ? 'fullscreen-exit' : 'fullscreen', props.fullscreen ? t('toolbar.fullscreenLeave') : t('toolbar.fullscreen'))}
        {button('show-shortcuts', 'help', t('toolbar.shortcuts'))}
      </div>
    </div>
  );
}
