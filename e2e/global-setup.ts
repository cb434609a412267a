// The suite tests the production bundles. `npm test` builds them first (scripts/test.mjs); a direct
// `npx playwright test` builds them only when they are missing (set SLIDESCOPE_E2E_BUILD=1 to force).

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ENGINE_PROCESS, RENDERER_DIST, REPO_ROOT, SLIDES_DIR } from './host/paths';

export default function globalSetup(): void {
  const missing = [join(RENDERER_DIST, 'index.html'), ENGINE_PROCESS].filter((file) => !existsSync(file));
  if (missing.length > 0 || process.env['SLIDESCOPE_E2E_BUILD'] === '1') {
    const result = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO_ROOT, stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`node scripts/build.mjs failed (needed: ${missing.join(', ') || 'forced rebuild'})`);
  }
  if (!existsSync(join(SLIDES_DIR, 'CMU-1-Small-Region.svs'))) {
    throw new Error(`The shared test slides are missing: expected them in ${SLIDES_DIR}`);
  }
}
