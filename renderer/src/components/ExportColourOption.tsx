// The export dialog's colour line: exports are converted to sRGB with the slide's ICC profile when
// the view shows it colour-managed, and may carry the view's brightness, contrast and gamma.

import { type ExportColour, isNeutral } from '../../../shared/colour';
import type { SlideInfo } from '../../../shared/slide';
import type { ViewColour } from '../hooks/useViewColour';
import '../styles/colour.css';

/** Every string the option shows (a translation replaces this table). */
const TEXT = {
  legend: 'Colour',
  managed: (description: string) => `Converted to sRGB with the slide's ICC profile (${description || 'no description'}), as the view shows it.`,
  asStored: 'Colours as stored: the view shows the slide without its ICC profile.',
  carry: "Apply the view's brightness, contrast and gamma",
} as const;

/** What an export asks of colour, from the view's and the dialog's choice. */
export function exportColour(colour: ViewColour, carryAdjustment: boolean): ExportColour {
  return carryAdjustment && !isNeutral(colour.adjustment) ? { managed: colour.managed, adjustment: { ...colour.adjustment } } : { managed: colour.managed };
}

export interface ExportColourOptionProps {
  info: SlideInfo;
  colour: ViewColour;
  carryAdjustment: boolean;
  onCarryAdjustment: (carry: boolean) => void;
  disabled: boolean;
}

export function ExportColourOption({ info, colour, carryAdjustment, onCarryAdjustment, disabled }: ExportColourOptionProps) {
  const profile = info.iccProfile && !info.iccProfile.unusable ? info.iccProfile : null;
  const adjusted = !isNeutral(colour.adjustment);
  if (!profile && !adjusted) return null;
  return (
    <fieldset className="options export-colour" disabled={disabled} data-testid="export-colour">
      <legend className="section-title">{TEXT.legend}</legend>
      {profile && <p className="muted small">{colour.managed ? TEXT.managed(profile.description) : TEXT.asStored}</p>}
      {adjusted && (
        <label className="option-row">
          <input
            type="checkbox"
            checked={carryAdjustment}
            onChange={(event) => onCarryAdjustment(event.target.checked)}
            data-testid="export-carry-adjustment"
          />
          <span>{TEXT.carry}</span>
        </label>
      )}
    </fieldset>
  );
}
