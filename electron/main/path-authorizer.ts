// Which file paths the renderer may name.
//
// Trust boundary. The renderer (the page: React, OpenSeadragon, whatever a malicious slide's
// metadata might smuggle into it) is treated as untrusted: it must not be able to make the app open,
// read or reveal an arbitrary file. So a path the main process acts on reaches it only through:
//
//   - the main process itself: the native open dialog, the File menu (Open..., Open Recent), the
//     OS (macOS open-file, file associations), the command line, the built-in sample. Main opens
//     these directly; the renderer never names them. They are granted here as they pass.
//   - slide:open-recent: accepted only when the path is in the recent-files list, which only main
//     writes (after a successful open of a path that came one of these ways).
//   - slide:open-dropped: the path was resolved in the preload, in Electron's
//     isolated world, by webUtils.getPathForFile() from a File object the user dropped on the
//     window (or picked in an <input type=file>). Page script cannot forge a File that resolves to a
//     path, and has no ipcRenderer of its own (contextIsolation + sandbox), so it cannot send a
//     made-up path as a dropped one: window.slidescope has no method for it (the operation's
//     exposure is 'preload'). Main therefore accepts a dropped path
//     after validation (absolute, sane length, no control characters) and lets the engine report
//     NOT_FOUND / NOT_A_SLIDE. What this does not cover: a renderer compromised at the native level
//     (arbitrary code in the renderer process) can send raw IPC; the sandbox is the defence there.
//   - export:show-in-folder: only for files granted here (files an export wrote, slides opened).
//   - gallery:preview, gallery:open: only the slides main listed for a folder that came one of these
//     ways (dialog, drop, menu...), under that gallery's id and for the window it was shown in
//     (ipc-handlers.ts keeps the lists; the folder is granted here as it passes).

import { resolve } from 'node:path';

import type { ErrorInfo, Result } from '../../shared/errors';

export type GrantSource = 'dialog' | 'menu' | 'cli' | 'os' | 'sample' | 'drop' | 'recent' | 'export';
export type RendererOrigin = 'drop' | 'recent';

export interface RecentLookup {
  has(path: string): Promise<boolean>;
}

/** What the IPC handlers need of the authoriser (the e2e host may pass the real class or its own). */
export interface PathAuthority {
  /** Checks a path the renderer named; resolves to the normalised path to open. */
  authorizeRendererPath(path: string, origin: RendererOrigin): Promise<Result<string>>;
  /** Records a path that reached main through a trusted way; returns it normalised. */
  grant(path: string, source: GrantSource): string;
  isGranted(path: string): boolean;
}

export interface PathAuthorizerOptions {
  recent: RecentLookup;
  /** Path normalisation; default path.resolve (absolute, '.' and '..' removed). */
  normalize?: (path: string) => string;
}

function denied(message: string, path: string): { ok: false; error: ErrorInfo } {
  return { ok: false, error: { code: 'NOT_AUTHORIZED', message, path } };
}

export class PathAuthorizer implements PathAuthority {
  private readonly recent: RecentLookup;
  private readonly normalize: (path: string) => string;
  private readonly granted = new Map<string, GrantSource>();

  constructor(options: PathAuthorizerOptions) {
    this.recent = options.recent;
    this.normalize = options.normalize ?? ((p) => resolve(p));
  }

  grant(path: string, source: GrantSource): string {
    const normalized = this.normalize(path);
    if (!this.granted.has(normalized) || source === 'export') this.granted.set(normalized, source);
    return normalized;
  }

  isGranted(path: string): boolean {
    return this.granted.has(this.normalize(path));
  }

  sourceOf(path: string): GrantSource | undefined {
    return this.granted.get(this.normalize(path));
  }

  async authorizeRendererPath(path: string, origin: RendererOrigin): Promise<Result<string>> {
    if (typeof path !== 'string' || path.length === 0) return denied('no file path was given', '');
    const normalized = this.normalize(path);
    if (origin === 'recent') {
      // The list stores the paths main opened; compare both the path as sent and normalised.
      if ((await this.recent.has(path)) || (normalized !== path && (await this.recent.has(normalized)))) {
        return { ok: true, value: normalized };
      }
      return denied('this file is not in the recent-files list', path);
    }
    if (origin === 'drop') {
      // Resolved by the preload from a user's drop (see the trust boundary above).
      return { ok: true, value: normalized };
    }
    return denied(`unknown path origin ${String(origin)}`, path);
  }
}
