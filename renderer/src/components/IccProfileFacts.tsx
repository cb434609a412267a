// The metadata panel's line on colour: which ICC profile the slide embeds (its description and
// size), that it embeds none, or why the one it embeds is not applied.

import type { IccProfileInfo } from '../../../shared/slide';

/** Every string the line shows (a translation replaces this table). */
const TEXT = {
  term: 'ICC profile',
  none: 'none embedded (colours as stored)',
  unnamed: 'no description',
  size: (bytes: number) => `${bytes.toLocaleString('en-US')} bytes`,
  unusable: (reason: string) => `not applied: ${reason}`,
} as const;

export function IccProfileFacts({ profile }: { profile: IccProfileInfo | null }) {
  return (
    <>
      <dt>{TEXT.term}</dt>
      <dd data-testid="icc-profile">
        {profile ? (
          <>
            {profile.description || TEXT.unnamed} <span className="muted">({TEXT.size(profile.bytes)})</span>
            {profile.unusable && <span className="field-error"> {TEXT.unusable(profile.unusable)}</span>}
          </>
        ) : (
          TEXT.none
        )}
      </dd>
    </>
  );
}
