// Slides named on the command line: `slidescope a.svs b.tif`, `electron . a.svs` in development,
// file:// URLs from Linux desktop entries (Exec=... %U), paths from a second instance (which may run
// in another working directory). Electron/Chromium switches and macOS's -psn_ argument are skipped.

import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI_COMMANDS } from '../cli/command-names';

export interface CliArgs {
  /** Absolute paths of the slides to open, in order, without duplicates. */
  slides: string[];
  /** --sample: open the built-in sample (also the default when no slide is named). */
  sample: boolean;
  /** --no-sample: start on the welcome screen when no slide is named. */
  noSample: boolean;
}

export interface ParseOptions {
  /** Directory relative paths are resolved against (the invoking shell's). */
  cwd: string;
  /** process.defaultApp: running as `electron <app-path> ...`, so the app path is not a slide. */
  defaultApp: boolean;
}

export function parseCliArgs(argv: readonly string[], options: ParseOptions): CliArgs {
  const out: CliArgs = { slides: [], sample: false, noSample: false };
  const seen = new Set<string>();
  let appPathSkipped = !options.defaultApp;
  let flagsDone = false;
  // argv[0] is the executable.
  for (const arg of argv.slice(1)) {
    if (typeof arg !== 'string' || arg.length === 0) continue;
    if (!flagsDone && arg === '--') {
      flagsDone = true;
      continue;
    }
    if (!flagsDone && arg.startsWith('-')) {
      if (arg === '--sample') out.sample = true;
      else if (arg === '--no-sample') out.noSample = true;
      continue; // an Electron/Chromium switch (--inspect=..., --no-sandbox, -psn_0_123, ...)
    }
    if (!appPathSkipped) {
      appPathSkipped = true;
      continue;
    }
    const path = toPath(arg, options.cwd);
    if (path && !seen.has(path)) {
      seen.add(path);
      out.slides.push(path);
    }
  }
  return out;
}

function toPath(arg: string, cwd: string): string | null {
  if (/^file:\/\//i.test(arg)) {
    try {
      return fileURLToPath(arg);
    } catch {
      return null;
    }
  }
  // Other URLs (http:, a custom scheme) are not slides on this computer.
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(arg)) return null;
  return isAbsolute(arg) ? resolve(arg) : resolve(cwd, arg);
}

/**
 * What a second instance passes to the first through requestSingleInstanceLock(additionalData): its
 * own argv and cwd (Chromium may rewrite the argv the 'second-instance' event reports).
 */
export interface SecondInstanceData {
  argv: string[];
  cwd: string;
}

export function isSecondInstanceData(value: unknown): value is SecondInstanceData {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { argv?: unknown; cwd?: unknown };
  return Array.isArray(v.argv) && v.argv.every((a) => typeof a === 'string') && typeof v.cwd === 'string';
}

/**
 * The command line's arguments when the app was started as the CLI (`slidescope thumbnail ...`): from
 * its first argument that is not a Chromium switch, when that is a CLI command; else null (the viewer).
 */
export function headlessCliArgv(argv: readonly string[], options: Pick<ParseOptions, 'defaultApp'>): string[] | null {
  const args = argv.slice(options.defaultApp ? 2 : 1);
  const first = args.findIndex((arg) => arg === '--help' || arg === '-h' || !arg.startsWith('-'));
  if (first < 0 || !(CLI_COMMANDS as readonly string[]).includes(args[first]!)) return null;
  return args.slice(first);
}
