// The `host` fixture: a fresh SlidescopeHost per test (fresh Chromium profile, fresh engine worker,
// fresh recent-files store). After each test it checks that the page reached no network at all.

import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test as base, expect } from '@playwright/test';
import { slidePath } from './host/paths';
import { SlidescopeHost } from './host/slidescope-host';

export { expect, slidePath };

/** Tests with a `host` whose browser reports `locale` (the system's language, which the app follows). */
function withHost(locale?: string) {
  return base.extend<{ host: SlidescopeHost }>({
    host: async ({ launchOptions }, use) => {
      const host = await SlidescopeHost.start(locale ? { launchOptions, locale } : { launchOptions });
      try {
        await use(host);
      } finally {
        await host.close();
      }
      expect(host.externalRequests, 'requests that left the app (only the app origin, blob: and data: are allowed)').toEqual([]);
    },
  });
}

export const test = withHost();
/** The app in Korean, as on a system whose language is Korean. */
export const koreanTest = withHost('ko-KR');

/**
 * Before each test, a copy of the test slide (a team slide's name, or a generated fixture's path) in a folder of its own, given to `use`: the app
 * saves annotations beside a slide, and the team's slides are never to be written to.
 */
export function copySlideForEachTest(slide: string | (() => Promise<string>), label: string, use: (copy: { dir: string; path: string }) => void): void {
  let dir = '';
  test.beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), `slidescope-e2e-${label}-`));
    const from = typeof slide === 'string' ? slidePath(slide) : await slide();
    const path = join(dir, basename(from));
    await copyFile(from, path);
    use({ dir, path });
  });
  test.afterEach(async () => {
    // The app may still be writing the annotations file as the test ends: retried, as Node retries ENOTEMPTY.
    await rm(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
  });
}
