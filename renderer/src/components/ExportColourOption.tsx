// The export dialog's colour line: exports are converted to sRGB with the slide's ICC profile when
// the view shows it colour-managed, and may carry the view's brightness, contrast and gamma.

import { isNeutral } from '../../../shared/colour';
import type { SlideInfo } from '../../../shared/slide';
import type { ViewColour } from '../hooks/useViewColour';
import { useT } from '../i18n/i18n';
import '../styles/colour.css';

export interface ExportColourOptionProps {
  info: SlideInfo;
  colour: ViewColour;
  carryAdjustment: boolean;
  onCarryAdjustment: (carry: boolean) => void;
  disabled: boolean;
}

export function ExportColourOption({ info, colour, carryAdjustment, onCarryAdjustment, disabled }: ExportColourOptionProps) {
  const t = useT();
  const profile = info.iccProfile && !info.iccProfile.unusable ? info.iccProfile : null;
  const adjusted = !isNeutral(colour.adjustment);
  if (!profile && !adjusted) return null;
  return (
    <fieldset className="options export-colour" disabled={disabled} data-testid="export-colour">
      <legend className="section-title">{t('colour.title')}</legend>
      {profile && (
        <p className="muted small">
          {colour.managed ? t('colour.exportManaged', { description: profile.description || t('common.noDescription') }) : t('colour.exportAsStored')}
        </p>
      )}
      {adjusted && (
        <label className="option-row">
          <input
            type="checkbox"
            checked={carryAdjustment}
            onChange={(event) => onCarryAdjustment(event.target.checked)}
            data-testid="export-carry-adjustment"
          />
          <span>{t('colour.exportCarry')}</span>
        </label>
      )}
    </fieldset>
  );
}
