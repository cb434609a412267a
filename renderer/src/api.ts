// The preload's window.slidescope, handed to components through context so they never reach for a
// global (and tests could hand in another implementation of the same interface).

import { createContext, useContext } from 'react';
import type { SlidescopeApi } from '../../shared/ipc';

declare global {
  interface Window {
    /** Installed by the preload (electron/preload/bridge.ts) or by the e2e host; absent in a plain browser. */
    slidescope?: SlidescopeApi;
  }
}

export const ApiContext = createContext<SlidescopeApi | null>(null);

export function useApi(): SlidescopeApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('useApi() outside <ApiContext.Provider>');
  return api;
}
