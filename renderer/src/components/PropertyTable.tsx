// Every property the file records, with a filter over names and values.

import { type ReactNode, useDeferredValue, useId, useMemo, useState } from 'react';
import { formatCount } from '../i18n/format';
import { useT } from '../i18n/i18n';

export function PropertyTable({ properties }: { properties: Record<string, string> }) {
  const t = useT();
  const [filter, setFilter] = useState('');
  const deferred = useDeferredValue(filter);
  const inputId = useId();
  const entries = useMemo(() => Object.entries(properties).sort(([a], [b]) => a.localeCompare(b)), [properties]);
  const shown = useMemo(() => {
    const needle = deferred.trim().toLowerCase();
    if (!needle) return entries;
    return entries.filter(([key, value]) => key.toLowerCase().includes(needle) || value.toLowerCase().includes(needle));
  }, [entries, deferred]);

  return (
    <div className="properties">
      <div className="filter-row">
        <label htmlFor={inputId} className="visually-hidden">
          {t('metadata.filter')}
        </label>
        <input
          id={inputId}
          type="search"
          className="filter-input"
          placeholder={t('metadata.filterPlaceholder')}
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          data-testid="property-filter"
        />
        <span className="muted small" data-testid="property-count">
          {shown.length === entries.length
            ? formatCount(entries.length)
            : t('metadata.filtered', { shown: formatCount(shown.length), total: formatCount(entries.length) })}
        </span>
      </div>
      <table className="data-table property-table" data-testid="property-table" translate="no">
        <tbody>
          {shown.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{breakable(key)}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="muted small">{t('metadata.noMatch', { filter: deferred })}</p>}
    </div>
  );
}

/** A property's name with places to wrap after its dots and brackets (openslide.level[0].height), not mid-word. */
function breakable(name: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let from = 0;
  for (const match of name.matchAll(/[.\]_](?=.)/g)) {
    const at = match.index + 1;
    parts.push(name.slice(from, at), <wbr key={at} />);
    from = at;
  }
  parts.push(name.slice(from));
  return parts;
}
