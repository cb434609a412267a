#!/usr/bin/env node

// Builds everything the app and the CLI run from, into dist/:
//   dist/electron/main.cjs           Electron main process   (CJS, node; electron + packages external)
//   dist/electron/preload.cjs        sandboxed preload       (CJS, one file; requires only 'electron')
//   dist/electron/engine-process.mjs the slide engine's process, with engine-lane.mjs, codec-thread.mjs and detection-thread.mjs
//                                    (ESM, node; pure-JS packages bundled, RUNTIME_PACKAGES external)
//   dist/cli/slidescope.mjs          command-line tool       (ESM, node; as the engine; shebang;
//                                    it forks dist/electron/engine-process.mjs)
//   dist/renderer/                   the React renderer      (Vite, renderer/vite.config.ts)
// An entry whose source does not exist yet is skipped with a warning, so one part of the app can be
// built before the others exist. Options: --no-renderer (skip Vite), --quiet, --outdir DIR (build into
// DIR instead of dist/, e.g. for a test that must not disturb dist/).

import { existsSync, readFileSync } from 'node:fs';
import { chmod, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const args = new Set(argv);
const quiet = args.has('--quiet');
const outdirIndex = argv.indexOf('--outdir');
const outdir = outdirIndex >= 0 ? argv[outdirIndex + 1] : 'dist';
if (!outdir || outdir.startsWith('--')) {
  console.error('build: --outdir needs a directory');
  process.exit(2);
}
/** 'dist/x' -> '<outdir>/x'. */
const out = (path) => join(outdir, relative('dist', path));
const say = (message) => {
  if (!quiet) console.log(message);
};
const warn = (message) => console.warn(`build: warning: ${message}`);

const NODE_TARGET = 'node20';
// Electron 41's Chromium; older targets only cost a little syntax lowering.
const CHROME_TARGET = 'chrome130';

/**
 * Packages the engine's and the CLI's bundles leave to Node at run time: native binaries and their
 * loaders. Every other package is bundled, sharp's JavaScript too (its binary stays in @img/sharp-*):
 * Node resolving and compiling geotiff's, valibot's and semver's many files made
 * each engine lane take 400 ms of a core to start (docs/performance.md). WebAssembly codecs and
 * dicom-parser are loaded with createRequire when first needed, so they are never bundled.
 */
const RUNTIME_PACKAGES = ['@img/sharp-*', '@julusian/jpeg-turbo', 'koffi', 'zstddec', 'zstddec/*'];

/** CommonJS packages bundled into ESM (sharp's detect-libc) require Node's built-ins at run time. */
const REQUIRE_BANNER = "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);";

/** The engine's and the CLI's bundles: ESM for Node, RUNTIME_PACKAGES left to Node. */
const NODE_ESM = { format: 'esm', platform: 'node', target: NODE_TARGET, external: RUNTIME_PACKAGES, banner: { js: REQUIRE_BANNER } };

/** Shared by all bundles. */
const common = {
  absWorkingDir: root,
  bundle: true,
  sourcemap: true,
  sourcesContent: false,
  logLevel: 'warning',
  metafile: true,
  legalComments: 'none',
  // package.json's version, for bundles built anywhere (electron/cli/version.ts).
  define: { __SLIDESCOPE_VERSION__: JSON.stringify(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version) },
};

const entries = [
  {
    name: 'main',
    entry: 'electron/main/main.ts',
    options: {
      outfile: 'dist/electron/main.cjs',
      format: 'cjs',
      platform: 'node',
      target: NODE_TARGET,
      // electron and every npm package stay require()s, resolved from node_modules at run time.
      packages: 'external',
      external: ['electron'],
      // import.meta.url does not exist in CommonJS: give bundled ESM code the bundle's own URL.
      define: { ...common.define, 'import.meta.url': '__slidescopeImportMetaUrl' },
      banner: { js: '"use strict";\nconst __slidescopeImportMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
    },
    allowedExternals: null,
  },
  {
    name: 'preload',
    entry: 'electron/preload/preload.ts',
    options: {
      outfile: 'dist/electron/preload.cjs',
      format: 'cjs',
      // A sandboxed preload has no Node: building for the browser makes a stray node: import fail here.
      platform: 'browser',
      target: CHROME_TARGET,
      external: ['electron'],
    },
    allowedExternals: ['electron'],
  },
  {
    // The slide engine's process (utilityProcess in the app, child_process.fork in the CLI) and the
    // threads it starts from beside its own bundle: its lanes and their codec (JPEG 2000) threads.
    name: 'engine process',
    entry: 'electron/engine-host/engine-process.ts',
    options: { ...NODE_ESM, outfile: 'dist/electron/engine-process.mjs' },
    allowedExternals: null,
  },
  {
    name: 'engine lane',
    entry: 'electron/engine-host/lane.ts',
    options: { ...NODE_ESM, outfile: 'dist/electron/engine-lane.mjs' },
    allowedExternals: null,
  },
  {
    name: 'codec thread',
    entry: 'electron/engine/codecs/codec-thread.ts',
    options: { ...NODE_ESM, outfile: 'dist/electron/codec-thread.mjs' },
    allowedExternals: null,
  },
  {
    // A file of QuPath's detections read apart from the lane that asked (electron/annotations/detections-apart.ts).
    name: 'detection thread',
    entry: 'electron/annotations/detection-thread.ts',
    options: { ...NODE_ESM, outfile: 'dist/electron/detection-thread.mjs' },
    allowedExternals: null,
  },
  {
    // The built-in sample's generator, which a lane loads only when the sample is first asked for.
    name: 'sample slide',
    entry: 'electron/synth/sample-slide.ts',
    options: { ...NODE_ESM, outfile: 'dist/electron/sample-slide.mjs' },
    allowedExternals: null,
  },
  {
    name: 'cli',
    entry: 'electron/cli/main.ts',
    options: {
      ...NODE_ESM,
      outfile: 'dist/cli/slidescope.mjs',
      banner: { js: `#!/usr/bin/env node\n${REQUIRE_BANNER}` },
    },
    allowedExternals: null,
    executable: true,
  },
];

/** Externals a bundle imports (from the metafile). */
function externalImports(metafile) {
  const found = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const imp of output.imports) if (imp.external) found.add(imp.path);
  }
  return [...found];
}

async function buildEntry(spec) {
  if (!existsSync(join(root, spec.entry))) {
    warn(`${spec.entry} does not exist yet: ${spec.name} skipped`);
    return { name: spec.name, skipped: true };
  }
  const started = performance.now();
  const outfile = out(spec.options.outfile);
  const result = await esbuild.build({ ...common, entryPoints: [spec.entry], ...spec.options, outfile });
  if (spec.allowedExternals) {
    const extra = externalImports(result.metafile).filter((p) => !spec.allowedExternals.includes(p));
    if (extra.length > 0) throw new Error(`${spec.name} must only require ${spec.allowedExternals.join(', ')}, but requires ${extra.join(', ')}`);
  }
  if (spec.executable) await chmod(resolve(root, outfile), 0o755);
  const ms = Math.round(performance.now() - started);
  say(`  ${spec.name.padEnd(14)} ${outfile} (${ms} ms)`);
  return { name: spec.name, skipped: false };
}

async function buildRenderer() {
  const config = join(root, 'renderer', 'vite.config.ts');
  if (!existsSync(config)) {
    warn('renderer/vite.config.ts does not exist yet: renderer skipped');
    return { name: 'renderer', skipped: true };
  }
  const started = performance.now();
  const vite = await import('vite');
  const custom = outdir !== 'dist' ? { build: { outDir: resolve(root, out('dist/renderer')) } } : {};
  await vite.build({ configFile: config, logLevel: quiet ? 'error' : 'warn', mode: 'production', ...custom });
  const ms = Math.round(performance.now() - started);
  say(`  ${'renderer'.padEnd(14)} ${out('dist/renderer')}/ (${ms} ms)`);
  return { name: 'renderer', skipped: false };
}

async function main() {
  const started = performance.now();
  say(`Building Slidescope into ${outdir}/`);
  // Stale bundles of a removed entry must not linger (the renderer's directory is emptied by Vite).
  await Promise.all([
    rm(resolve(root, out('dist/electron')), { recursive: true, force: true }),
    rm(resolve(root, out('dist/cli')), { recursive: true, force: true }),
  ]);

  const jobs = entries.map(buildEntry);
  if (!args.has('--no-renderer')) jobs.push(buildRenderer());
  const results = await Promise.allSettled(jobs);
  const failed = results.filter((r) => r.status === 'rejected');
  for (const f of failed) console.error(`build: ${f.reason instanceof Error ? f.reason.message : String(f.reason)}`);
  if (failed.length > 0) {
    process.exitCode = 1;
    return;
  }
  const skipped = results.filter((r) => r.status === 'fulfilled' && r.value.skipped).map((r) => r.value.name);
  say(`Done in ${((performance.now() - started) / 1000).toFixed(1)} s${skipped.length ? ` (skipped: ${skipped.join(', ')})` : ''}`);
}

await main();
