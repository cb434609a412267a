// Every property the file records, with a filter over names and values.

import { useDeferredValue, useId, useMemo, useState } from 'react';

export function PropertyTable({ properties }: { properties: Record<string, string> }) {
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
          Filter properties
        </label>
        <input
          id={inputId}
          type="search"
          className="filter-input"
          placeholder="Filter properties…"
          value={filter}
          onChange={(event) => setFilter(event.target.value)}
          data-testid="property-filter"
        />
        <span className="muted small" data-testid="property-count">
          {shown.length === entries.length ? `${entries.length}` : `${shown.length} of ${entries.length}`}
        </span>
      </div>
      <table className="data-table property-table" data-testid="property-table">
        <tbody>
          {shown.map(([key, value]) => (
            <tr key={key}>
              <th scope="row">{key}</th>
              <td>{value}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {shown.length === 0 && <p className="muted small">No property matches “{deferred}”.</p>}
    </div>
  );
}
