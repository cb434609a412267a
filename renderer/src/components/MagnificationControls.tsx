// Objective-power presets and the live readout. Presets above the scan's power are disabled: they
// would only enlarge pixels (the readout can still go there by zooming, up to 2x digital zoom).

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

  return (
    <fieldset className="magnification" aria-label={t('magnification.group')}>
      <div className="presets">
        {presetStates(info).map((preset) => (
          <button
            key={preset.power}
            type="button"
            className="preset"
            disabled={!preset.enabled}
            aria-pressed={preset.enabled && samePower(targetPower, preset.power)}
            title={preset.reason ?? t('magnification.viewAt', { power: formatPower(preset.power) })}
            onClick={() => onPreset(preset.power)}
            data-testid={`preset-${preset.power}`}
          >
            {formatPower(preset.power)}
          </button>
        ))}
      </div>
      <output className="readout" title={t('magnification.readoutHelp')} data-testid="magnification-readout" aria-label={t('magnification.current')}>
        {readout}
      </output>
    </fieldset>
  );
}
