// The native dialogs' file types are named in the app's language (the alignment files' too), with
// the same extensions in every language.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTranslator } from '../../shared/i18n/i18n';
import { alignmentFilters, openDialogFilters } from './file-types';

describe('dialog file types', () => {
  it('alignment files: JSON first (the save dialog offers only that), then every file', () => {
    assert.deepEqual(alignmentFilters(createTranslator('en').t), [
      { name: 'Slidescope alignment (JSON)', extensions: ['json'] },
      { name: 'All files', extensions: ['*'] },
    ]);
    assert.deepEqual(alignmentFilters(createTranslator('ko').t), [
      { name: 'Slidescope 정렬 (JSON)', extensions: ['json'] },
      { name: '모든 파일', extensions: ['*'] },
    ]);
  });

  it('slide files keep their extensions in Korean', () => {
    const [english, korean] = [openDialogFilters(createTranslator('en').t), openDialogFilters(createTranslator('ko').t)];
    assert.deepEqual(
      korean.map((f) => f.extensions),
      english.map((f) => f.extensions),
    );
    assert.match(korean[0]!.name, /^전체 슬라이드 이미지 \(/);
  });
});
