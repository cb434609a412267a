// The metadata panel's line on colour: which ICC profile the slide embeds (its description and
// size), that it embeds none, or why the one it embeds is not applied.

import type { IccProfileInfo } from '../../../shared/slide';
import { formatCount } from '../i18n/format';
import { useT } from '../i18n/i18n';

export function IccProfileFacts({ profile }: { profile: IccProfileInfo | null }) {
  const t = useT();
  return (
    <>
      <dt>{t('metadata.icc')}</dt>
      <dd data-testid="icc-profile">
        {profile ? (
          <>
            {profile.description || t('common.noDescription')} <span className="muted">({t('metadata.iccBytes', { bytes: formatCount(profile.bytes) })})</span>
            {profile.unusable && <span className="field-error"> {t('metadata.iccUnusable', { reason: profile.unusable })}</span>}
          </>
        ) : (
          t('metadata.iccNone')
        )}
      </dd>
    </>
  );
}
