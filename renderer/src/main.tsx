// Renderer entry: mounts the app over the preload's API, or explains why it cannot.

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ApiContext } from './api';
import { App } from './components/App';
import './styles/fonts.css';
import './styles/app.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');

const api = window.slidescope;
createRoot(container).render(
  <StrictMode>
    {api ? (
      <ApiContext.Provider value={api}>
        <App />
      </ApiContext.Provider>
    ) : (
      <main className="fatal">
        <h1>Slidescope cannot start</h1>
        <p>The window has no connection to the slide engine (window.slidescope is missing). Start Slidescope from its app, not from a browser.</p>
      </main>
    )}
  </StrictMode>,
);
