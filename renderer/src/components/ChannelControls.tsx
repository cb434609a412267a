// The colour panel's channels of a fluorescence slide: each shown or hidden, its colour, and the
// sample values shown black (low) and in full colour (high); reset to the slide's own display. A
// z-stack's or time series' sliders choose its focal plane and timepoint, numbered from 1 as QuPath's
// (a brightfield stack's sliders alone: it has no channels).

import { keepStepKeys } from '../focus';
import type { SlideChannels } from '../hooks/useSlideChannels';
import { formatNumber } from '../i18n/format';
import { useT } from '../i18n/i18n';
import { channelLabel } from '../viewer/channelChoices';

export function ChannelControls({ control }: { control: SlideChannels }) {
  const t = useT();
  const { channels, edit, reset, plane, setPlane } = control;
  const title = channels.length > 0 ? t('channels.title') : t('channels.planesTitle');
  const sliders = plane
    ? [
        { axis: 'z' as const, count: plane.sizeZ, label: t('channels.zSlice'), labelOf: t('channels.zSliceOf', { count: plane.sizeZ }) },
        { axis: 't' as const, count: plane.sizeT, label: t('channels.timepoint'), labelOf: t('channels.timepointOf', { count: plane.sizeT }) },
      ].filter((s) => s.count > 1)
    : [];
  const number = (text: string, apply: (value: number) => void) => {
    // A field being cleared or typed into is not yet a number: nothing is asked until it is one.
    if (text.trim() !== '' && Number.isFinite(Number(text))) apply(Number(text));
  };
  return (
    <section className="channel-controls" aria-label={title} data-testid="channel-controls">
      <h3 className="channel-controls-title">{title}</h3>
      {plane &&
        sliders.map(({ axis, count, label, labelOf }) => {
          const value = t('channels.planeValue', { number: plane[axis] + 1, count });
          return (
            <label key={axis} className="colour-control channel-plane">
              <span className="colour-control-label">{label}</span>
              <input
                type="range"
                min={1}
                max={count}
                step={1}
                value={plane[axis] + 1}
                aria-label={labelOf}
                aria-valuetext={value}
                onChange={(event) => setPlane({ ...plane, [axis]: Number(event.target.value) - 1 })}
                onKeyDown={keepStepKeys}
                data-testid={`channel-plane-${axis}`}
              />
              <output className="colour-control-value" data-testid={`channel-plane-${axis}-value`}>
                {value}
              </output>
            </label>
          );
        })}
      {channels.length > 0 && (
        <ul className="channel-list">
          {channels.map((c, i) => {
            const name = channelLabel(t, c, i);
            return (
              // Channels keep their places: the position is their identity.
              // biome-ignore lint/suspicious/noArrayIndexKey: a slide's channels never move
              <li key={i} className="channel-row" data-testid={`channel-${i}`}>
                <label className="option-row channel-name">
                  <input
                    type="checkbox"
                    checked={c.shown}
                    onChange={(event) => edit(i, { shown: event.target.checked })}
                    aria-label={t('channels.show', { name })}
                    data-testid={`channel-${i}-shown`}
                  />
                  <span>{name}</span>
                </label>
                <input
                  type="color"
                  className="channel-colour"
                  value={c.colour}
                  onChange={(event) => edit(i, { colour: event.target.value.toLowerCase() })}
                  aria-label={t('channels.colour', { name })}
                  title={t('channels.colour', { name })}
                  data-testid={`channel-${i}-colour`}
                />
                <div className="channel-range">
                  <label>
                    <span className="muted small">{t('channels.low')}</span>
                    <input
                      type="number"
                      min={0}
                      max={c.high - 1}
                      value={c.low}
                      onChange={(event) => number(event.target.value, (low) => edit(i, { low }))}
                      onKeyDown={keepStepKeys}
                      aria-label={t('channels.lowOf', { name })}
                      data-testid={`channel-${i}-low`}
                    />
                  </label>
                  <label>
                    <span className="muted small">{t('channels.high')}</span>
                    <input
                      type="number"
                      min={c.low + 1}
                      max={c.max}
                      value={c.high}
                      onChange={(event) => number(event.target.value, (high) => edit(i, { high }))}
                      onKeyDown={keepStepKeys}
                      aria-label={t('channels.highOf', { name })}
                      data-testid={`channel-${i}-high`}
                    />
                  </label>
                  <span className="muted small">{t('channels.of', { max: formatNumber(c.max, { fraction: 0 }) })}</span>
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {channels.length > 0 && (
        <div className="colour-panel-actions">
          <button type="button" className="button button-small" onClick={reset} title={t('channels.resetTitle')} data-testid="channels-reset">
            {t('channels.reset')}
          </button>
        </div>
      )}
      <p className="muted small">{channels.length > 0 ? t('channels.hint') : t('channels.planesHint')}</p>
    </section>
  );
}
