// Renderer entry: mounts the app over the preload's API, in the window's language, or explains why
// it cannot start.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { languageFor } from '../../shared/i18n/languages';
import { ApiContext } from './api';
import { App } from './components/App';
import { pageLanguage } from './env';
import { applyLanguage, followMainLanguage, i18n, t } from './i18n/i18n';
import './styles/fonts.css';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');

const api = window.slidescope;
const root = createRoot(container);

// The language main loaded the window in (its URL says which), so the first frame is drawn in it;
// the browser's (in Electron, the OS's) only for a page opened without one. Main's answer to
// app:language and later changes (View > Language) follow.
applyLanguage(pageLanguage ?? languageFor(navigator.languages.length > 0 ? navigator.languages : [navigator.language]));
root.render(
  <StrictMode>
    {api ? (
      <I18nextProvider i18n={i18n}>
        <ApiContext.Provider value={api}>
          <App />
        </ApiContext.Provider>
      </I18nextProvider>
    ) : (
      <main className="fatal">
        <h1>{t('fatal.title')}</h1>
        <p>{t('fatal.body')}</p>
      </main>
    )}
  </StrictMode>,
);
if (api) void followMainLanguage(api);
