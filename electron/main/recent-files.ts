// The recent-files list: persisted as JSON in the user-data directory, at most `max` entries, most
// recent first, one entry per path; an entry is a slide or a folder opened as a gallery. A missing or
// corrupt file reads as an empty list (the next write replaces it); writes are atomic and serialised.
// An entry without a kind (written before folders were listed) is a slide.

import { basename, join } from 'node:path';
import { LIMITS } from '../../shared/limits';
import type { RecentFile, RecentKind } from '../../shared/operations';
import { isAbsolutePath } from '../../shared/operations';
import { readJsonFile, SerialQueue, writeJsonAtomic } from './json-file';

export const RECENT_FILES_NAME = 'recent-files.json';
export const RECENT_FILES_MAX = 10;

interface StoredRecentFiles {
  version: 1;
  files: RecentFile[];
}

export interface RecentFilesOptions {
  /** Directory of the JSON file (the app's userData in production, a temp dir in tests). */
  dir: string;
  fileName?: string;
  max?: number;
  now?: () => Date;
  /** Told about a corrupt file or a failed write; the list keeps working in memory. */
  onError?: (message: string, error: unknown) => void;
}

/** What the IPC handlers and the path authoriser need of the recent list. */
export interface RecentFilesStore {
  list(): Promise<RecentFile[]>;
  has(path: string): Promise<boolean>;
  add(path: string, name?: string, kind?: RecentKind): Promise<RecentFile[]>;
  clear(): Promise<void>;
}

export class RecentFiles implements RecentFilesStore {
  readonly file: string;
  private readonly max: number;
  private readonly now: () => Date;
  private readonly onError: (message: string, error: unknown) => void;
  private readonly writes = new SerialQueue();
  private readonly listeners = new Set<(files: RecentFile[]) => void>();
  private files: RecentFile[] | null = null;
  private loading: Promise<RecentFile[]> | null = null;

  constructor(options: RecentFilesOptions) {
    this.file = join(options.dir, options.fileName ?? RECENT_FILES_NAME);
    this.max = Math.max(1, options.max ?? RECENT_FILES_MAX);
    this.now = options.now ?? (() => new Date());
    this.onError = options.onError ?? (() => undefined);
  }

  async list(): Promise<RecentFile[]> {
    return (await this.load()).map((f) => ({ ...f }));
  }

  async has(path: string): Promise<boolean> {
    return (await this.load()).some((f) => f.path === path);
  }

  /** Puts `path` first (moving it up when already listed, as what it was opened as now) and persists the list. */
  async add(path: string, name?: string, kind: RecentKind = 'slide'): Promise<RecentFile[]> {
    // Read the list after the await: another add may have changed it meanwhile.
    await this.load();
    const current = this.files ?? [];
    const entry: RecentFile = { path, name: name && name.length > 0 ? name : basename(path), openedAt: this.now().toISOString(), kind };
    const next = [entry, ...current.filter((f) => f.path !== path)].slice(0, this.max);
    await this.commit(next);
    return this.list();
  }

  async remove(path: string): Promise<void> {
    await this.load();
    const current = this.files ?? [];
    if (!current.some((f) => f.path === path)) return;
    await this.commit(current.filter((f) => f.path !== path));
  }

  async clear(): Promise<void> {
    await this.load();
    await this.commit([]);
  }

  /** Called with the new list after every change (the native Open Recent menu listens). */
  onChange(listener: (files: RecentFile[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async commit(next: RecentFile[]): Promise<void> {
    this.files = next;
    const stored: StoredRecentFiles = { version: 1, files: next };
    try {
      await this.writes.run(() => writeJsonAtomic(this.file, stored));
    } catch (error) {
      this.onError(`could not save ${this.file}`, error);
    }
    for (const listener of this.listeners) {
      try {
        listener(next.map((f) => ({ ...f })));
      } catch (error) {
        this.onError('a recent-files listener failed', error);
      }
    }
  }

  private load(): Promise<RecentFile[]> {
    if (this.files) return Promise.resolve(this.files);
    this.loading ??= (async () => {
      const read = await readJsonFile(this.file);
      let files: RecentFile[] = [];
      if (read.kind === 'ok') {
        const parsed = parseStored(read.value, this.max);
        if (parsed) files = parsed;
        else this.onError(`ignoring ${this.file}: not a recent-files list`, undefined);
      } else if (read.kind === 'corrupt') {
        this.onError(`ignoring unreadable ${this.file}`, read.error);
      }
      // A write may have landed while the file was being read: the in-memory list wins.
      this.files ??= files;
      return this.files;
    })();
    return this.loading;
  }
}

/** Keeps the well-formed entries of a stored list, deduplicated, at most `max`; null when not a list at all. */
export function parseStored(value: unknown, max: number): RecentFile[] | null {
  if (typeof value !== 'object' || value === null) return null;
  const files = (value as { files?: unknown }).files;
  if (!Array.isArray(files)) return null;
  const seen = new Set<string>();
  const out: RecentFile[] = [];
  for (const item of files) {
    if (typeof item !== 'object' || item === null) continue;
    const { path, name, openedAt, kind } = item as Record<string, unknown>;
    if (typeof path !== 'string' || path.length === 0 || path.length > LIMITS.pathLength || !isAbsolutePath(path)) continue;
    if (typeof openedAt !== 'string' || Number.isNaN(Date.parse(openedAt))) continue;
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, name: typeof name === 'string' && name.length > 0 ? name : basename(path), openedAt, kind: kind === 'folder' ? 'folder' : 'slide' });
    if (out.length >= max) break;
  }
  return out;
}
