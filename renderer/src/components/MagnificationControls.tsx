// Objective-power presets and the live readout. Presets above the scan's power are disabled: they
// would only enlarge pixels (the readout can still go there by zooming, up to 2x digital zoom).

import { useEffect, useId, useState } from 'react';
import type { SlideInfo } from '../../../shared/slide';
import { formatPercent, formatPower } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { powerAtImageZoom, presetStates, samePower } from '../viewer/magnification';

export interface MagnificationControlsProps {
  info: SlideInfo;
  imageZoom: number;
  targetImageZoom: number;
  onPreset: (power: number) => void;
}

export function MagnificationControls({ info, imageZoom, targetImageZoom, onPreset }: MagnificationControlsProps) {
  const t = useT();
  const power = powerAtImageZoom(info, imageZoom);
  const targetPower = powerAtImageZoom(info, targetImageZoom);
  const readout = power === null ? formatPercent(imageZoom) : formatPower(power);
  // The readout changes every frame of a zoom (15-19 times): a live region that did would flood a
  // screen reader. Only the value the view settles at is announced, from a hidden region.
  const settled = targetImageZoom > 0 && Math.abs(imageZoom / targetImageZoom - 1) < 1e-6;
  const [announced, setAnnounced] = useState('');
  const reasonId = useId();
  useEffect(() => {
    if (settled) setAnnounced(readout);
  }, [settled, readout]);

  return (
    <fieldset className="magnification" aria-label={t('magnification.group')}>
      <div className="presets">
        {presetStates(info).map((preset) => (
          // An unavailable preset stays focusable (aria-disabled, not disabled) so that the keyboard and
          // a screen reader reach it and the reason it describes, which was only a disabled button's tooltip.
          <button
            key={preset.power}
            type="button"
            className="preset"
            aria-disabled={preset.enabled ? undefined : true}
            aria-describedby={preset.enabled ? undefined : `${reasonId}-${preset.power}`}
            aria-pressed={preset.enabled && samePower(targetPower, preset.power)}
            title={preset.reason ?? t('magnification.viewAt', { power: formatPower(preset.power) })}
            onClick={() => {
              if (preset.enabled) onPreset(preset.power);
            }}
            data-testid={`preset-${preset.power}`}
          >
            {formatPower(preset.power)}
          </button>
        ))}
      </div>
      {presetStates(info)
        .filter((preset) => !preset.enabled)
        .map((preset) => (
          <span key={preset.power} id={`${reasonId}-${preset.power}`} className="visually-hidden">
            {preset.reason}
          </span>
        ))}
      <span className="readout" title={t('magnification.readoutHelp')} data-testid="magnification-readout">
        {readout}
      </span>
      <span className="visually-hidden" role="status" data-testid="magnification-announced">
        {announced && `${t('magnification.current')}: ${announced}`}
      </span>
    </fieldset>
  );
}
