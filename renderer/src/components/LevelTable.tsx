// The stored pyramid levels, as OpenSlide would list them.

import type { LevelInfo } from '../../../shared/slide';
import { formatCount, formatNumber } from '../i18n/format';
import { useT } from '../i18n/i18n';

export function LevelTable({ levels }: { levels: LevelInfo[] }) {
  const t = useT();
  return (
    <table className="data-table" data-testid="level-table">
      <thead>
        <tr>
          <th scope="col">{t('metadata.level')}</th>
          <th scope="col">{t('metadata.levelSize')}</th>
          <th scope="col">{t('metadata.downsample')}</th>
          <th scope="col">{t('metadata.tile')}</th>
        </tr>
      </thead>
      <tbody>
        {levels.map((level, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a level's index is its number in the slide, and the list is never reordered
          <tr key={index}>
            <td>{index}</td>
            <td>{t('common.size', { width: formatCount(level.width), height: formatCount(level.height) })}</td>
            <td>{formatNumber(level.downsample, { maxFraction: 3 })}</td>
            <td>
              {level.tileWidth > 0 ? t('common.size', { width: formatCount(level.tileWidth), height: formatCount(level.tileHeight) }) : t('metadata.strips')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
