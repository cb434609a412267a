import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTranslator } from '../../../shared/i18n/i18n';
import { LANGUAGES } from '../../../shared/i18n/languages';
import { TOOL_INFO, toolHelpRows } from './tools';

test('the Help overlay names each tool once, its key in the key column only ("V | Select: …", not "… (V)")', () => {
  for (const language of LANGUAGES) {
    const { t } = createTranslator(language);
    const rows = toolHelpRows(t);
    assert.deepEqual(
      rows.map((row) => row.display),
      TOOL_INFO.map((info) => info.display),
    );
    for (const row of rows) {
      assert.ok(!row.label.endsWith(`(${row.display})`), `${language}: "${row.label}"`);
      assert.ok(row.label.length > 3, `${language}: "${row.label}"`);
    }
  }
  assert.equal(toolHelpRows(createTranslator('ko').t)[1]?.label, '자: 끌어서 길이 측정. 키보드로는 화면 가운데에서 양 끝마다 Enter');
});
