// Smoke test of the real Electron app: launch dist/electron/main.cjs with a slide on the command
// line and see a tile drawn. Runs wherever an Electron binary exists (and, on Linux, a display);
// elsewhere it reports itself skipped with the reason.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { _electron as electron, expect, test } from '@playwright/test';
import sharp from 'sharp';
import { ELECTRON_MAIN, REPO_ROOT, slidePath } from './host/paths';

/** Path of the Electron binary, or why there is none. */
function findElectron(): { path: string } | { reason: string } {
  const override = process.env['SLIDESCOPE_ELECTRON'];
  if (override) return existsSync(override) ? { path: override } : { reason: `SLIDESCOPE_ELECTRON=${override} does not exist` };
  try {
    // The electron package exports the binary's path; it throws when the download never happened.
    const path: unknown = createRequire(`${REPO_ROOT}/package.json`)('electron');
    if (typeof path === 'string' && existsSync(path)) return { path };
    return { reason: `the electron package names ${String(path)}, which does not exist` };
  } catch (error) {
    return { reason: `the electron package has no binary (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
}

const found = findElectron();
const electronBinary = 'path' in found ? found.path : null;
const noDisplay = process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY'];

/** Why this machine cannot run the test, or null. */
function skipReason(): string | null {
  if (!electronBinary) return `No Electron binary: ${'reason' in found ? found.reason : ''}`;
  if (noDisplay) return 'No display for Electron (on Linux run the suite under xvfb-run)';
  if (!existsSync(ELECTRON_MAIN)) return `No ${ELECTRON_MAIN}: run node scripts/build.mjs`;
  return null;
}

test('the Electron app opens a slide from the command line and draws its tiles', async () => {
  const reason = skipReason();
  // The list reporter does not print skip reasons: say it in the output too.
  if (reason) console.log(`electron smoke test skipped: ${reason}`);
  test.skip(reason !== null, reason ?? '');

  const app = await electron.launch({
    executablePath: electronBinary ?? undefined,
    args: [ELECTRON_MAIN, slidePath('CMU-1-Small-Region.svs')],
    cwd: REPO_ROOT,
    env: { ...process.env, ELECTRON_DISABLE_SECURITY_WARNINGS: 'true' },
  });
  try {
    const window = await app.firstWindow();
    await expect(window.getByTestId('osd-host')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await expect(window.getByTestId('magnification-readout')).toHaveText(/x$/);
    await expect(window.getByTestId('notice')).toHaveCount(0);
    // A tile is drawn: the viewer area holds tissue colours, not a flat background.
    await expect
      .poll(
        async () => {
          const shot = await window.getByTestId('osd-host').screenshot();
          const { channels } = await sharp(shot).stats();
          return Math.max(...channels.slice(0, 3).map((c) => c.stdev));
        },
        { timeout: 30_000 },
      )
      .toBeGreaterThan(15);
  } finally {
    await app.close();
  }
});
