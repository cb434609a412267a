#!/usr/bin/env node
// npm test: the linter and formatter (Biome) and the type checker, unit and engine tests (node:test
// under tsx), then the browser end-to-end suite (Playwright in Debian Chromium against the
// production renderer bundle).
// `npm test -- --unit` runs only the first part (checks and unit tests); `npm test -- --e2e` only the second.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = args.find((a) => a === '--unit' || a === '--e2e');
const filters = args.filter((a) => !a.startsWith('--'));

function findTests(dir, out = []) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.') || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) findTests(path, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, path));
  }
  return out;
}

function run(command, commandArgs, env = {}) {
  const result = spawnSync(command, commandArgs, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return result.status ?? 1;
}

let status = 0;
if (only !== '--e2e' && filters.length === 0) {
  status ||= run('npx', ['biome', 'check', '.']);
  status ||= run('npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']);
  status ||= run('npx', ['tsc', '-p', 'renderer/tsconfig.json', '--noEmit']);
}
if (only !== '--e2e' && status === 0) {
  const files = ['shared', 'electron', 'renderer', 'testing', 'bench'].filter((d) => existsSync(join(root, d))).flatMap((d) => findTests(join(root, d)));
  const selected = filters.length ? files.filter((f) => filters.some((p) => f.includes(p))) : files;
  status ||= run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...selected]);
}
if (only !== '--unit' && existsSync(join(root, 'playwright.config.ts'))) {
  status = run(process.execPath, ['scripts/build.mjs']) || status;
  status = run('npx', ['playwright', 'test', '-c', 'playwright.config.ts']) || status;
}
process.exit(status);
