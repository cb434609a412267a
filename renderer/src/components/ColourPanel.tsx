// The colour panel over a slide's view: brightness, contrast and gamma (drawn without asking for a
// tile again), reset, and whether the slide's embedded ICC profile is applied, with which profile
// the slide carries. The toolbar's button opens it, as does ⇧ C.

import type { KeyboardEvent } from 'react';
import { ADJUSTMENT_RANGES, type ColourAdjustment, isNeutral } from '../../../shared/colour';
import type { SlideInfo } from '../../../shared/slide';
import type { ColourAction, ViewColour } from '../hooks/useViewColour';
import { COLOUR_SHORTCUTS } from '../viewer/colourShortcuts';
import '../styles/colour.css';

/** Every string the panel shows (a translation replaces this table). */
const TEXT = {
  title: 'Colour',
  close: 'Close the colour panel (⇧ C)',
  brightness: 'Brightness',
  contrast: 'Contrast',
  gamma: 'Gamma',
  reset: 'Reset',
  resetTitle: 'Back to the slide as stored: brightness 0, contrast 100%, gamma 1 (\\)',
  managed: 'Colour-managed display',
  managedHint: 'Shows the slide in the colours its scanner profile says, converted for the screen. Exports follow this choice.',
  profile: (description: string) => `ICC profile: ${description || 'no description'}`,
  unusable: (reason: string) => `The slide's ICC profile is not applied: ${reason}.`,
  none: 'The slide embeds no ICC profile: its colours are shown as stored.',
  keys: 'Keys',
  buttonOpen: 'Colour: brightness, contrast, gamma, ICC profile (⇧ C)',
} as const;

const CONTROLS: ReadonlyArray<{ control: keyof ColourAdjustment; label: string; format: (value: number) => string }> = [
  { control: 'brightness', label: TEXT.brightness, format: (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${Math.round(Math.abs(v) * 100)}%` },
  { control: 'contrast', label: TEXT.contrast, format: (v) => `${Math.round(v * 100)}%` },
  { control: 'gamma', label: TEXT.gamma, format: (v) => v.toFixed(2) },
];

export interface ColourPanelProps {
  info: SlideInfo;
  colour: ViewColour;
  onAction: (action: ColourAction) => void;
  onClose: () => void;
}

/** Keys a focused slider answers itself: they must not also pan the slide (the window's shortcuts). */
const SLIDER_KEYS = new Set(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

export function ColourPanel({ info, colour, onAction, onClose }: ColourPanelProps) {
  const { adjustment } = colour;
  const profile = info.iccProfile;
  const keepSliderKeys = (event: KeyboardEvent): void => {
    if (SLIDER_KEYS.has(event.key)) event.stopPropagation();
  };
  return (
    <aside className="colour-panel" aria-label={TEXT.title} data-testid="colour-panel">
      <header className="colour-panel-header">
        <h2 className="colour-panel-title">{TEXT.title}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={TEXT.close} title={TEXT.close}>
          <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
        </button>
      </header>
      {CONTROLS.map(({ control, label, format }) => {
        const range = ADJUSTMENT_RANGES[control];
        return (
          <label key={control} className="colour-control">
            <span className="colour-control-label">{label}</span>
            <input
              type="range"
              min={range.min}
              max={range.max}
              step={range.step}
              value={adjustment[control]}
              onChange={(event) => onAction({ kind: 'set', control, value: Number(event.target.value) })}
              onKeyDown={keepSliderKeys}
              data-testid={`colour-${control}`}
            />
            <output className="colour-control-value" data-testid={`colour-${control}-value`}>
              {format(adjustment[control])}
            </output>
          </label>
        );
      })}
      <div className="colour-panel-actions">
        <button
          type="button"
          className="button button-small"
          onClick={() => onAction({ kind: 'reset' })}
          disabled={isNeutral(adjustment)}
          title={TEXT.resetTitle}
          data-testid="colour-reset"
        >
          {TEXT.reset}
        </button>
      </div>
      <div className="colour-profile" data-testid="colour-profile">
        {profile && !profile.unusable ? (
          <>
            <label className="option-row">
              <input
                type="checkbox"
                checked={colour.managed}
                onChange={(event) => onAction({ kind: 'managed', on: event.target.checked })}
                data-testid="colour-managed"
              />
              <span>{TEXT.managed}</span>
            </label>
            <p className="muted small">{TEXT.profile(profile.description)}</p>
            <p className="muted small">{TEXT.managedHint}</p>
          </>
        ) : (
          <p className="muted small">{profile ? TEXT.unusable(profile.unusable ?? '') : TEXT.none}</p>
        )}
      </div>
      <p className="muted small colour-keys">
        {TEXT.keys}:{' '}
        {COLOUR_SHORTCUTS.filter((s) => s.action.kind !== 'toggle-panel')
          .map((s) => s.display)
          .join(' ')}
      </p>
    </aside>
  );
}

/** The toolbar's button for the panel; marked while the view is adjusted. */
export function ColourButton({ open, adjusted, onClick }: { open: boolean; adjusted: boolean; onClick: () => void }) {
  return (
    <button
      type="button"
      className={adjusted ? 'icon-button colour-adjusted' : 'icon-button'}
      onClick={onClick}
      aria-label={TEXT.buttonOpen}
      aria-pressed={open}
      title={TEXT.buttonOpen}
      data-testid="cmd-colour"
    >
      <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M12 4a8 8 0 0 1 0 16z" fill="currentColor" />
      </svg>
    </button>
  );
}
