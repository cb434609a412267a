// The format list in shared/slide-formats.ts is the one declaration: every entry has its plugin,
// and the places that cannot import it (packaging, README) say the same.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { SLIDE_EXTENSIONS, SLIDE_FORMATS } from '../../../shared/slide-formats';
import { FORMATS } from '.';

const root = new URL('../../../', import.meta.url);

/** The `ext:` values of electron-builder.yml's fileAssociations (inline or as a list). */
function associatedExtensions(yml: string): string[] {
  const block = yml.slice(yml.indexOf('fileAssociations:'), yml.search(/^linux:/m));
  const out: string[] = [];
  for (const match of block.matchAll(/ext:(?: *(\S+)| *\n((?: +- +\S+\n)+))/g)) {
    if (match[1]) out.push(match[1]);
    else
      out.push(
        ...match[2]!
          .split('\n')
          .map((l) => l.replace(/^ +- +/, '').trim())
          .filter(Boolean),
      );
  }
  return out;
}

describe('the format list', () => {
  it('has one plugin per format', () => {
    assert.deepEqual(FORMATS.map((p) => p.info.name).sort(), SLIDE_FORMATS.map((f) => f.name).sort());
  });

  it('is what the packaged app registers as file associations', () => {
    const yml = readFileSync(new URL('build/electron-builder.yml', root), 'utf8');
    assert.deepEqual(associatedExtensions(yml).sort(), [...SLIDE_EXTENSIONS].sort());
  });

  it('is named in the README', () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    for (const format of SLIDE_FORMATS) assert.ok(readme.includes(format.label), `README does not name ${format.label}`);
  });
});
