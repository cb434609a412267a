// Where a slide's annotations live between sessions, so they come back when the slide opens again:
// beside the slide as `<slide name>.annotations.geojson` (QuPath's GeoJSON, which QuPath, TIAToolbox
// and a notebook read as they are) when its folder takes a file, else in the app's data folder under
// the slide's identity (engine/slide-identity.ts), so that a slide moved or copied
// elsewhere keeps them; when both exist, the newer is read (locate). Written whole or not at all
// (temporary file, fsync, rename), checked against the schema first; one write at a time per slide.
// A stored file that cannot be read is renamed aside, or left where it is, never written over.

import { constants } from 'node:fs';
import { access, rename, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { writeGeoJson } from '../../shared/annotation-geojson';
import { type AnnotationDocument, type AnnotationLocation, checkDocument, emptyDocument, type SlideAnnotations } from '../../shared/annotations';
import { toErrorInfo } from '../../shared/errors';
import { SlideError, writeFailureCode } from '../engine/errors';
import { writeFileAtomic } from '../engine/export/atomic-file';
import { makeFolder } from '../engine/export/make-folder';
import { slideIdentity } from '../engine/slide-identity';
import { readAnnotationFile } from './annotation-files';

export const SIDECAR_SUFFIX = '.annotations.geojson';

/**
 * Where the app keeps annotations of slides in read-only folders: its data folder as Electron names it
 * (app.getPath('userData')), so that the command line finds what the app stored.
 * SLIDESCOPE_ANNOTATIONS_DIR puts it elsewhere (tests).
 */
export function defaultAnnotationsDir(env: NodeJS.ProcessEnv = process.env): string {
  const override = env['SLIDESCOPE_ANNOTATIONS_DIR'];
  if (override) return override;
  const base =
    process.platform === 'win32'
      ? (env['APPDATA'] ?? join(homedir(), 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? join(homedir(), 'Library', 'Application Support')
        : env['XDG_CONFIG_HOME'] || join(homedir(), '.config');
  return join(base, 'Slidescope', 'annotations');
}

/** `<slide name>.annotations.geojson` beside the slide. */
export function sidecarPath(slidePath: string): string {
  return join(dirname(slidePath), `${basename(slidePath)}${SIDECAR_SUFFIX}`);
}

/** The file's modification time in ms, or null when there is no such file. */
async function modified(path: string): Promise<number | null> {
  return stat(path).then(
    (s) => (s.isFile() ? s.mtimeMs : null),
    () => null,
  );
}

/** `<path>.<why>-<time>`: where a file is set aside, not written over. */
function asideName(path: string, why: string): string {
  return `${path}.${why}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
}

export interface AnnotationStoreOptions {
  /** The app's data folder for annotations whose slide's folder is read-only. */
  dataDir: string;
  /** Test seam: writes a file atomically (default: the exports' writeFileAtomic, replacing). */
  write?: (path: string, bytes: Uint8Array) => Promise<void>;
  /** Test seam: renames a file aside (default: fs rename), as a read-only folder refuses. */
  rename?: (from: string, to: string) => Promise<void>;
  /** A slide's identity (default slideIdentity): a batch gives the one it works out once for each slide. */
  identity?: (slidePath: string) => Promise<string>;
  /** Test seam: whether a folder takes new files (default: access W_OK), as a read-only share's does not. */
  writable?: (folder: string) => Promise<boolean>;
}

export class AnnotationStore {
  readonly #dataDir: string;
  readonly #write: (path: string, bytes: Uint8Array) => Promise<void>;
  readonly #rename: (from: string, to: string) => Promise<void>;
  readonly #identityOf: (slidePath: string) => Promise<string>;
  readonly #writable: (folder: string) => Promise<boolean>;
  readonly #identities = new Map<string, Promise<string>>();
  /** Per slide, the last write: the next waits for it (two saves never interleave). */
  readonly #writes = new Map<string, Promise<unknown>>();
  /** Files beside slides that could not be read nor moved aside: saves go to the data folder, not over them. */
  readonly #leftInPlace = new Set<string>();

  constructor(options: AnnotationStoreOptions) {
    this.#dataDir = options.dataDir;
    this.#write = options.write ?? ((path, bytes) => writeFileAtomic(path, bytes, true));
    this.#rename = options.rename ?? rename;
    this.#identityOf = options.identity ?? slideIdentity;
    this.#writable =
      options.writable ??
      ((folder) =>
        access(folder, constants.W_OK).then(
          () => true,
          () => false,
        ));
  }

  #identity(slidePath: string): Promise<string> {
    let identity = this.#identities.get(slidePath);
    if (!identity) {
      identity = this.#identityOf(slidePath);
      identity.catch(() => this.#identities.delete(slidePath));
      this.#identities.set(slidePath, identity);
    }
    return identity;
  }

  async #dataPath(slidePath: string): Promise<string> {
    return join(this.#dataDir, `${await this.#identity(slidePath)}${SIDECAR_SUFFIX}`);
  }

  /**
   * The file holding the slide's annotations now, if any: beside it, unless its folder is read-only
   * and the data folder's is newer. A save goes beside the slide when its folder takes it, else to
   * the data folder, and each save writes what was read plus the change: so for a read-only folder
   * the newer of the two is the latest save. The data folder's file is found by the slide's identity,
   * shared by its copies: a copy in a folder that takes files keeps to its own file beside it.
   */
  async locate(slidePath: string): Promise<AnnotationLocation | null> {
    const beside = sidecarPath(slidePath);
    const data = await this.#dataPath(slidePath);
    const [besideTime, dataTime] = await Promise.all([modified(beside), modified(data)]);
    if (besideTime !== null && (dataTime === null || besideTime >= dataTime || (await this.#writable(dirname(slidePath)))))
      return { path: beside, beside: true };
    return dataTime !== null ? { path: data, beside: false } : null;
  }

  /**
   * The stored annotations (QuPath's classes and none when nothing is stored). A file that cannot be
   * read is set aside (renamed, kept for the user) so that the next save does not replace it; with
   * `readOnly`, for a look that will not save (a listing, an export), it is left where it is and the
   * failure thrown.
   */
  async load(slidePath: string, readOnly = false): Promise<SlideAnnotations> {
    // After the last write, whether it failed or not: its failure was its caller's, not this load's.
    await this.#writes.get(slidePath)?.catch(() => undefined);
    const location = await this.locate(slidePath);
    if (!location) return { document: emptyDocument(), location: null, unreadable: null };
    try {
      const document = await readAnnotationFile(location.path);
      this.#leftInPlace.delete(location.path);
      return { document, location, unreadable: null };
    } catch (error) {
      if (readOnly) throw error;
      const { code, message } = toErrorInfo(error);
      // Kept for the user to look at: the next save must not replace what they had.
      const keptAs = asideName(location.path, 'unreadable');
      try {
        await this.#rename(location.path, keptAs);
      } catch (renameError) {
        // A read-only folder: it stays as it is, and saves go to the data folder (#save), never over it.
        this.#leftInPlace.add(location.path);
        const why = (renameError as NodeJS.ErrnoException).code ?? toErrorInfo(renameError).message;
        const next = location.beside ? `new annotations are saved in ${await this.#dataPath(slidePath)}` : 'new annotations are not saved over it';
        return {
          document: emptyDocument(),
          location: null,
          unreadable: { code, message: `${message} It could not be moved aside (${why}), so it is left as it is; ${next}.`, keptAs: null },
        };
      }
      return { document: emptyDocument(), location: null, unreadable: { code, message, keptAs } };
    }
  }

  /** Stores the document beside the slide, or in the data folder when the slide's folder refuses the file. */
  save(slidePath: string, doc: AnnotationDocument): Promise<AnnotationLocation> {
    const previous = this.#writes.get(slidePath) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.#save(slidePath, doc));
    this.#writes.set(slidePath, next);
    return next;
  }

  async #save(slidePath: string, doc: AnnotationDocument): Promise<AnnotationLocation> {
    // The one gate: a document the readers would refuse (past a limit, a bad field) is never stored.
    const checked = checkDocument(doc);
    if (!checked.ok) {
      throw new SlideError(checked.problem.code, `The annotations of ${basename(slidePath)} were not saved: ${checked.problem.message}.`, slidePath);
    }
    const bytes = new TextEncoder().encode(writeGeoJson(checked.document));
    const beside = sidecarPath(slidePath);
    try {
      if (this.#leftInPlace.has(beside)) throw new Error(`${basename(beside)} cannot be read and is kept as it is`);
      await this.#write(beside, bytes);
      return { path: beside, beside: true };
    } catch (besideError) {
      // A read-only folder (a shared drive, a DVD of teaching slides): the app's data folder instead.
      const data = await this.#dataPath(slidePath);
      try {
        if (this.#leftInPlace.has(data)) throw new Error(`${basename(data)} cannot be read and is kept as it is`);
        await makeFolder(this.#dataDir);
        // The data folder's copy, older than the file beside the slide (changed since), was not what
        // this document was read from: kept, not written over.
        if ((await this.locate(slidePath))?.beside && (await modified(data)) !== null) await this.#rename(data, asideName(data, 'replaced'));
        await this.#write(data, bytes);
        return { path: data, beside: false };
      } catch (error) {
        const { code, message: reason } = toErrorInfo(error);
        throw new SlideError(
          code === 'NO_SPACE' ? code : writeFailureCode(error),
          `The annotations of ${basename(slidePath)} could not be saved beside it (${toErrorInfo(besideError).message}) nor in the app's data folder (${reason}).`,
          slidePath,
        );
      }
    }
  }
}
