import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** What the CLI and the reports must say they are. */
export const PACKAGE_VERSION: string = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version;
/** The team's real test slides live beside the repo, never inside it. */
export const SHARED_SLIDES = resolve(REPO_ROOT, '..', 'shared', 'slides');

export function sharedSlide(name: string): string {
  const path = join(SHARED_SLIDES, name);
  if (!existsSync(path)) throw new Error(`Test slide missing: ${path} (../shared/slides must sit beside the repo)`);
  return path;
}
