// Renderer entry: mounts the app over the preload's API in the language main says, or explains why
// it cannot start.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { languageFor } from '../../shared/i18n/languages';
import { ApiContext } from './api';
import { App } from './components/App';
import { applyLanguage, followMainLanguage, i18n, t } from './i18n/i18n';
import './styles/fonts.css';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');

const api = window.slidescope;
const root = createRoot(container);

if (api) {
  // The first frame is already in the right language: main answers before anything is drawn.
  void followMainLanguage(api).finally(() =>
    root.render(
      <StrictMode>
        <I18nextProvider i18n={i18n}>
          <ApiContext.Provider value={api}>
            <App />
          </ApiContext.Provider>
        </I18nextProvider>
      </StrictMode>,
    ),
  );
} else {
  applyLanguage(languageFor(navigator.languages));
  root.render(
    <StrictMode>
      <main className="fatal">
        <h1>{t('fatal.title')}</h1>
        <p>{t('fatal.body')}</p>
      </main>
    </StrictMode>,
  );
}
