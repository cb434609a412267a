// The catalogues agree: every English key has its Korean, with the same {{variables}}, and each
// plural has the forms its language's Intl.PluralRules asks for. tsc checks the same (ko.ts); this
// also runs where types are stripped, and says which key is wrong.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { en } from './en';
import { createTranslator } from './i18n';
import { ko } from './ko';
import { LANGUAGES, languageFor, resolveLanguage } from './languages';

type Tree = { readonly [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    if (typeof value === 'string') out.set(`${prefix}${key}`, value);
    else for (const [k, v] of flatten(value, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

const PLURAL = /_(zero|one|two|few|many|other)$/;
const variables = (text: string): string[] => [...text.matchAll(/\{\{\s*([\w.]+)\s*\}\}/g)].map((m) => m[1] ?? '').sort();
const baseKeys = (keys: Iterable<string>): Set<string> => new Set([...keys].map((k) => k.replace(PLURAL, '')));

const catalogues = { en: flatten(en), ko: flatten(ko) };

describe('message catalogues', () => {
  it('Korean has every English message and no other', () => {
    assert.deepEqual([...baseKeys(catalogues.ko.keys())].sort(), [...baseKeys(catalogues.en.keys())].sort());
  });

  it("Korean fits its particle to a name through a noun ('{{file}} 파일로'), never as '(으)로' or '을(를)'", () => {
    // A file name's last syllable cannot be known, so a noun after it carries the particle.
    const hedged = [...catalogues.ko].filter(([, text]) => /\((으|이|을|를|은|는|과|와)\)/.test(text));
    assert.deepEqual(hedged, []);
  });

  it("a tooltip's key hint writes Shift as the toolbar's others do ('(Shift+R)'), not '(⇧ C)'", () => {
    for (const language of LANGUAGES) {
      const symbol = [...catalogues[language]].filter(([, text]) => /\(⇧ \S\)$/.test(text));
      assert.deepEqual(symbol, [], language);
    }
  });

  it('each plural has exactly the forms its language uses', () => {
    const plurals = [...catalogues.en.keys()].filter((k) => k.endsWith('_other')).map((k) => k.replace(PLURAL, ''));
    assert.ok(plurals.length > 0);
    for (const language of LANGUAGES) {
      const forms = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
      const keys = catalogues[language];
      for (const base of plurals) {
        const present = [...keys.keys()].filter((k) => k.replace(PLURAL, '') === base && PLURAL.test(k)).map((k) => PLURAL.exec(k)?.[1]);
        assert.deepEqual(present.sort(), [...forms].sort(), `${language}: ${base}`);
      }
    }
  });

  it('a Korean message has the variables of its English one', () => {
    for (const [key, text] of catalogues.ko) {
      const english = catalogues.en.get(key) ?? catalogues.en.get(key.replace(PLURAL, '_other'));
      assert.ok(english !== undefined, key);
      assert.deepEqual(variables(text), variables(english), key);
    }
  });

  it('no message is empty, and the Korean is not English left untranslated', () => {
    for (const [key, text] of catalogues.ko) assert.ok(text.trim().length > 0, key);
    // Any Hangul at all in most messages: those without are names, codes and units only.
    const withoutHangul = [...catalogues.ko].filter(([, text]) => !/[\uac00-\ud7a3]/.test(text)).map(([key]) => key);
    const allowed =
      /^(common\.size(Px)?|common\.listAnd|errors\.(detail|tileDetail)|keys\.(a|arrows|ctrlE|ctrlShiftC|esc|delete|enter|shiftEnter|shiftArrows|ctrlZ|ctrlShiftZ)|magnification\.powerAndMpp|metadata\.associatedFull|exportDialog\.(fieldWithUnit|summary|summaryWithPower)|fileTypes\.(geojson|imagescope))$/;
    assert.deepEqual(
      withoutHangul.filter((key) => !allowed.test(key)),
      [],
    );
  });

  it('i18next picks the plural form and fills the variables', () => {
    const english = createTranslator('en').t;
    const korean = createTranslator('ko').t;
    assert.equal(english('annotations.points', { count: 1 }), '1 point');
    assert.equal(english('annotations.points', { count: 3 }), '3 points');
    assert.equal(korean('annotations.points', { count: 1 }), '점 1개');
    assert.equal(korean('annotations.points', { count: 3 }), '점 3개');
    assert.equal(english('errors.open.NOT_A_SLIDE', { name: 'a.svs' }), 'a.svs is not a slide file.');
    assert.equal(korean('tabs.close', { name: 'a.svs' }), 'a.svs 닫기');
  });

  it('the language follows the first preferred language Slidescope speaks', () => {
    assert.equal(languageFor(['ko-KR', 'en-US']), 'ko');
    assert.equal(languageFor(['de-DE', 'ko']), 'ko');
    assert.equal(languageFor(['fr-FR']), 'en');
    assert.equal(languageFor([]), 'en');
    assert.equal(resolveLanguage('system', ['ko_KR']), 'ko');
    assert.equal(resolveLanguage('en', ['ko-KR']), 'en');
  });
});
