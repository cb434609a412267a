// The language in a window's URL: written by main (and the e2e host), read by the renderer at start.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { languageOfSearch, withLanguage } from './page-language';

const APP_INDEX_URL = 'app://slidescope/index.html';

describe('the page URL names the window language', () => {
  it('main loads the app page with the language it resolved', () => {
    assert.equal(withLanguage(APP_INDEX_URL, 'ko'), 'app://slidescope/index.html?lang=ko');
    assert.equal(withLanguage(APP_INDEX_URL, 'en'), 'app://slidescope/index.html?lang=en');
  });

  it('keeps the other parameters and replaces an older language', () => {
    const url = new URL(withLanguage('https://slidescope.local/index.html?drawer=canvas&lang=en', 'ko'));
    assert.equal(url.searchParams.get('drawer'), 'canvas');
    assert.deepEqual(url.searchParams.getAll('lang'), ['ko']);
  });

  it('the renderer reads it back; absent or unknown means the browser decides', () => {
    assert.equal(languageOfSearch(new URL(withLanguage(APP_INDEX_URL, 'ko')).search), 'ko');
    assert.equal(languageOfSearch('?drawer=canvas&e2e&lang=en'), 'en');
    assert.equal(languageOfSearch(''), null);
    assert.equal(languageOfSearch('?lang=de'), null);
    assert.equal(languageOfSearch('?lang=KO'), null);
  });
});
