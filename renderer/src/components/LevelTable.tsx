// The stored pyramid levels, as OpenSlide would list them.

import type { LevelInfo } from '../../../shared/slide';

export function LevelTable({ levels }: { levels: LevelInfo[] }) {
  return (
    <table className="data-table" data-testid="level-table">
      <thead>
        <tr>
          <th scope="col">Level</th>
          <th scope="col">Size (px)</th>
          <th scope="col">Downsample</th>
          <th scope="col">Tile</th>
        </tr>
      </thead>
      <tbody>
        {levels.map((level, index) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a level's index is its number in the slide, and the list is never reordered
          <tr key={index}>
            <td>{index}</td>
            <td>
              {level.width.toLocaleString('en-US')} × {level.height.toLocaleString('en-US')}
            </td>
            <td>{Number(level.downsample.toFixed(3))}</td>
            <td>{level.tileWidth > 0 ? `${level.tileWidth} × ${level.tileHeight}` : 'strips'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
