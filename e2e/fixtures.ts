// The `host` fixture: a fresh SlidescopeHost per test (fresh Chromium profile, fresh engine worker,
// fresh recent-files store). After each test it checks that the page reached no network at all.

import { test as base, expect } from '@playwright/test';
import { SlidescopeHost } from './host/slidescope-host';

export { slidePath } from './host/paths';
export { expect };

export const test = base.extend<{ host: SlidescopeHost }>({
  host: async ({ launchOptions }, use) => {
    const host = await SlidescopeHost.start({ launchOptions });
    try {
      await use(host);
    } finally {
      await host.close();
    }
    expect(host.externalRequests, 'requests that left the app (only the app origin, blob: and data: are allowed)').toEqual([]);
  },
});
