// End-to-end tests: the production renderer in Debian Chromium, offline (e2e/host), plus an
// Electron smoke test that skips itself where no Electron binary exists.
// Run: npx playwright test -c playwright.config.ts

import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  outputDir: './test-results/e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: true,
  workers: process.env['CI'] ? 2 : 3,
  retries: 0,
  forbidOnly: !!process.env['CI'],
  reporter: [['list']],
  use: {
    browserName: 'chromium',
    launchOptions: {
      // npx playwright install cannot download browsers here: use the system Chromium.
      executablePath: process.env['SLIDESCOPE_CHROMIUM'] ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        // Belt and braces for "no network": whatever slips past request interception has nowhere to go.
        '--proxy-server=http://127.0.0.1:9',
        '--host-resolver-rules=MAP * ~NOTFOUND',
      ],
    },
  },
});
