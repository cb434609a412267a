// Batch thumbnails (longest side 1024) for 20 generated slides: the slidescope CLI against
// vipsthumbnail and OpenSlide's get_thumbnail, in one run. Part of `npm run bench`.

import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeAperioSvs } from '../electron/synth/slides';
import { fixtureDir, GENERATOR_VERSION } from '../testing/fixtures';
import { timedRun } from './timed-run';

const SLIDES = 20;
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface BatchFigures {
  slides: number;
  cli_ms: number;
  vipsthumbnail_ms: number;
  openslide_ms: number;
  cli_vs_vips: number;
  cli_vs_openslide: number;
}

async function ensureSlides(): Promise<string> {
  const dir = join(fixtureDir(), `batch-v${GENERATOR_VERSION}`);
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < SLIDES; i++) {
    const path = join(dir, `slide-${String(i).padStart(2, '0')}.svs`);
    if (existsSync(path)) continue;
    // Varied sizes, as a real batch is: 8000-16000 px wide, 3 levels 4x apart.
    await writeAperioSvs(path, {
      width: 8000 + (i % 5) * 2000,
      height: 6000 + (i % 4) * 1500,
      compression: 'jpeg',
      photometric: 'rgb',
      quality: 75,
      seed: 100 + i,
      name: `batch-${i}`,
    });
  }
  return dir;
}

export async function benchBatchThumbnails(log: (line: string) => void): Promise<BatchFigures> {
  const dir = await ensureSlides();
  const slides = readdirSync(dir)
    .filter((f) => f.endsWith('.svs'))
    .map((f) => join(dir, f));
  const out = join(fixtureDir(), 'batch-out');
  const fresh = (name: string) => {
    const d = join(out, name);
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    return d;
  };
  const built = join(ROOT, 'dist/cli/slidescope.mjs');
  const cli = existsSync(built) ? [built] : ['--import', 'tsx', join(ROOT, 'electron/cli/main.ts')];
  log(`Batch thumbnails: ${slides.length} slides, longest side 1024, PNG (${existsSync(built) ? 'built CLI' : 'CLI from source'})`);
  const cliMs = timedRun(process.execPath, [...cli, 'thumbnail', dir, '--size', '1024', '--out', fresh('cli')]).ms;
  const vipsDir = fresh('vips');
  const vipsMs = timedRun('vipsthumbnail', ['--size', '1024', '-o', `${vipsDir}/%s.png`, ...slides]).ms;
  const pyDir = fresh('openslide');
  const script = `import sys, openslide, os\nfor p in sys.argv[2:]:\n    s = openslide.OpenSlide(p)\n    s.get_thumbnail((1024, 1024)).save(os.path.join(sys.argv[1], os.path.basename(p) + '.png'))\n`;
  const openslideMs = timedRun('/usr/bin/python3', ['-c', script, pyDir, ...slides]).ms;
  return {
    slides: slides.length,
    cli_ms: Math.round(cliMs),
    vipsthumbnail_ms: Math.round(vipsMs),
    openslide_ms: Math.round(openslideMs),
    cli_vs_vips: Math.round((cliMs / vipsMs) * 100) / 100,
    cli_vs_openslide: Math.round((cliMs / openslideMs) * 100) / 100,
  };
}
