#!/usr/bin/env node
import { spawnSync } from 'node:child_process';
// `npx slidescope` from the repo: the built CLI (npm ci builds it), else the TypeScript source.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

const built = fileURLToPath(new URL('../dist/cli/slidescope.mjs', import.meta.url));
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  const source = fileURLToPath(new URL('../electron/cli/main.ts', import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', source, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exitCode = run.status ?? 1;
}
