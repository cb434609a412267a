// The colour panel over a slide's view: brightness, contrast and gamma (drawn without asking for a
// tile again), reset, and whether the slide's embedded ICC profile is applied, with which profile
// the slide carries. The toolbar's button opens it, as does ⇧ C.

import { ADJUSTMENT_RANGES, type ColourAdjustment, isNeutral } from '../../../shared/colour';
import type { PlainKey } from '../../../shared/i18n/catalogue';
import type { SlideInfo } from '../../../shared/slide';
import { keepStepKeys, refocusIfLost } from '../focus';
import type { SlideChannels } from '../hooks/useSlideChannels';
import type { ColourAction, ViewColour } from '../hooks/useViewColour';
import { formatNumber, formatPercent } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { COLOUR_SHORTCUTS } from '../viewer/colourShortcuts';
import { ChannelControls } from './ChannelControls';
import '../styles/colour.css';

const CONTROLS: ReadonlyArray<{ control: keyof ColourAdjustment; label: PlainKey; format: (value: number) => string }> = [
  { control: 'brightness', label: 'colour.brightness', format: (v) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${formatPercent(Math.abs(v))}` },
  { control: 'contrast', label: 'colour.contrast', format: (v) => formatPercent(v) },
  { control: 'gamma', label: 'colour.gamma', format: (v) => formatNumber(v, { fraction: 2 }) },
];

export interface ColourPanelProps {
  info: SlideInfo;
  colour: ViewColour;
  /** A fluorescence slide's channels (null for others). */
  channels: SlideChannels | null;
  onAction: (action: ColourAction) => void;
  onClose: () => void;
}

export function ColourPanel({ info, colour, channels, onAction, onClose }: ColourPanelProps) {
  const t = useT();
  const { adjustment } = colour;
  const profile = info.iccProfile;
  return (
    <aside className="colour-panel" aria-label={t('colour.title')} data-testid="colour-panel">
      <header className="colour-panel-header">
        <h2 className="colour-panel-title">{t('colour.title')}</h2>
        <button type="button" className="icon-button" onClick={onClose} aria-label={t('colour.close')} title={t('colour.close')}>
          <svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
            <path d="M6 6l12 12M18 6L6 18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" />
          </svg>
        </button>
      </header>
      {CONTROLS.map(({ control, label, format }) => {
        const range = ADJUSTMENT_RANGES[control];
        return (
          <label key={control} className="colour-control">
            <span className="colour-control-label">{t(label)}</span>
            <input
              type="range"
              min={range.min}
              max={range.max}
              step={range.step}
              value={adjustment[control]}
              // Read as shown ("+5%", "100%", "1.00"), not as the raw value (0.05, 1).
              aria-valuetext={format(adjustment[control])}
              onChange={(event) => onAction({ kind: 'set', control, value: Number(event.target.value) })}
              onKeyDown={keepStepKeys}
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
          onClick={(event) => {
            const panel = event.currentTarget.closest('aside');
            onAction({ kind: 'reset' });
            // Reset greys itself out: the first slider is the neighbour that takes the focus.
            refocusIfLost(() => panel?.querySelector<HTMLElement>('input[type="range"]'));
          }}
          disabled={isNeutral(adjustment)}
          title={t('colour.resetTitle')}
          data-testid="colour-reset"
        >
          {t('colour.reset')}
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
              <span>{t('colour.managed')}</span>
            </label>
            <p className="muted small">{t('colour.profile', { description: profile.description || t('common.noDescription') })}</p>
            <p className="muted small">{t('colour.managedHint')}</p>
          </>
        ) : (
          <p className="muted small">{profile ? t('colour.unusable', { reason: profile.unusable ?? '' }) : t('colour.none')}</p>
        )}
      </div>
      {channels && <ChannelControls control={channels} />}
      <p className="muted small colour-keys">
        {t('colour.keys')}:{' '}
        {COLOUR_SHORTCUTS.filter((s) => s.action.kind !== 'toggle-panel')
          .map((s) => s.display)
          .join(' ')}
      </p>
    </aside>
  );
}

/** The toolbar's button for the panel; marked while the view is adjusted. */
export function ColourButton({ open, adjusted, onClick }: { open: boolean; adjusted: boolean; onClick: () => void }) {
  const t = useT();
  return (
    <button
      type="button"
      className={adjusted ? 'icon-button colour-adjusted' : 'icon-button'}
      onClick={onClick}
      aria-label={t('colour.button')}
      aria-pressed={open}
      title={t('colour.button')}
      data-testid="cmd-colour"
    >
      <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true" focusable="false">
        <circle cx="12" cy="12" r="8" fill="none" stroke="currentColor" strokeWidth="2" />
        <path d="M12 4a8 8 0 0 1 0 16z" fill="currentColor" />
      </svg>
    </button>
  );
}
