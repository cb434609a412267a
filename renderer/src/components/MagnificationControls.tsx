// Objective-power presets and the live readout. Presets above the scan's power are disabled: they
// would only enlarge pixels (the readout can still go there by zooming, up to 2x digital zoom).

import { formatPower } from '../../../shared/magnification';
import type { SlideInfo } from '../../../shared/slide';
import { powerAtImageZoom, presetStates, samePower } from '../viewer/magnification';

export interface MagnificationControlsProps {
  info: SlideInfo;
  imageZoom: number;
  targetImageZoom: number;
  onPreset: (power: number) => void;
}

const READOUT_HELP = 'Magnification = scan objective power × screen (CSS) pixels per slide pixel. At 1:1 it equals the scan power.';

export function MagnificationControls({ info, imageZoom, targetImageZoom, onPreset }: MagnificationControlsProps) {
  const power = powerAtImageZoom(info, imageZoom);
  const targetPower = powerAtImageZoom(info, targetImageZoom);
  const readout = power === null ? `${Math.round(imageZoom * 100)}%` : formatPower(power);

  return (
    <fieldset className="magnification" aria-label="Magnification">
      <div className="presets">
        {presetStates(info).map((preset) => (
          <button
            key={preset.power}
            type="button"
            className="preset"
            disabled={!preset.enabled}
            aria-pressed={preset.enabled && samePower(targetPower, preset.power)}
            title={preset.reason ?? `View at ${formatPower(preset.power)}`}
            onClick={() => onPreset(preset.power)}
            data-testid={`preset-${preset.power}`}
          >
            {formatPower(preset.power)}
          </button>
        ))}
      </div>
      <output className="readout" title={READOUT_HELP} data-testid="magnification-readout" aria-label="Current magnification">
        {readout}
      </output>
    </fieldset>
  );
}
