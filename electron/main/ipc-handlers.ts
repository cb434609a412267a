// The main process's side of the operation table: one handler per main operation
// (shared/operations.ts), `(senderId, request) => Promise<Result>`. Plain TypeScript with injected
// dependencies, so the same code serves Electron's ipcMain (main.ts), the e2e test host and the unit
// tests (a fake engine).
//
// dispatch() validates each request against its schema before a handler sees it, and nothing thrown
// escapes: failures come back as { ok: false, error }. Slides belong to the window (sender) that
// opened them; the engine lets that window's port read only those, and releaseSender() closes them
// when the window goes away. Tiles do not pass through here: each window reads them from the engine
// process over its own port.

import { stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { AnnotationDocument, AnnotationFormat, AnnotationLocation, ImportedAnnotations, SlideAnnotations } from '../../shared/annotations';
import { type DetectionSet, forgetsRemembered, type RememberedDetections } from '../../shared/detections';
import { type ErrorInfo, fail, ok, type Result, type SlideChoice, toErrorInfo } from '../../shared/errors';
import type { Translate } from '../../shared/i18n/catalogue';
import { createTranslator } from '../../shared/i18n/i18n';
import type { LanguageState } from '../../shared/i18n/languages';
import type { EngineStopped } from '../../shared/ipc';
import { LIMITS } from '../../shared/limits';
import {
  type AppVersions,
  type EngineOperation,
  type ExportResult,
  type GallerySlide,
  isOperation,
  type MainOperation,
  type OpenedPath,
  type OpenedSlide,
  operationSpec,
  type ProgressOf,
  type RecentFile,
  type RecentKind,
  type RequestInput,
  type RequestOf,
  type ResponseOf,
  validateRequest,
} from '../../shared/operations';
import type { CallOptions } from '../../shared/rpc';
import type { SlideInfo } from '../../shared/slide';
import { listFolderSlides } from '../cli/folder-slides';
import { Semaphore } from '../engine/concurrency';
import type { EngineRestartedEvent, EngineStoppedEvent } from '../engine-host/engine-client';
import type { ChannelMemory } from './channel-memory';
import type { AlignmentAccess } from './compare-alignments';
import type { DetectionMemory } from './detection-memory';
import type { GrantSource, PathAuthority } from './path-authorizer';

/** How a slide reached the window. */
export type OpenSource = 'dialog' | 'drop' | 'recent' | 'menu' | 'cli' | 'os' | 'sample';
/** Opens the main process starts itself (menu, command line, OS), not a renderer request. */
export type MainOpenSource = 'dialog' | 'menu' | 'cli' | 'os';

export interface OwnedSlide {
  slideId: string;
  path: string;
  info: SlideInfo;
  source: OpenSource;
}

/** What main needs of the engine process (EngineClient; a fake in the unit tests). */
export interface EngineAccess {
  /** Opens a file for a window (that window's port may read it), or for main alone (null). */
  open(path: string, client: number | null): Promise<Result<OpenedSlide>>;
  close(slideId: string): Promise<Result<void>>;
  call<O extends EngineOperation>(op: O, request: RequestInput<O>, options?: CallOptions<ProgressOf<O>>): Promise<Result<ResponseOf<O>>>;
}

/** Asks where to write with the native dialogs, then has the engine write (exporter.ts). */
export interface SlideExporter {
  exportThumbnail(senderId: number, slide: OwnedSlide, request: RequestOf<'export:thumbnail'>): Promise<Result<ExportResult>>;
  exportComparison(senderId: number, slide: OwnedSlide, request: RequestOf<'export:comparison'>): Promise<Result<ExportResult>>;
  /** A level-0 rectangle at an objective power, as one image. */
  exportRegion(senderId: number, slide: OwnedSlide, request: RequestOf<'export:region'>): Promise<Result<ExportResult>>;
  /** The same region put on the clipboard as a PNG: its size in pixels. */
  copyRegion(slide: OwnedSlide, request: RequestOf<'export:copy-region'>): Promise<Result<{ width: number; height: number }>>;
  /** Compared slides (in the order of request.panels) side by side as one image. */
  exportSideBySide(senderId: number, slides: OwnedSlide[], request: RequestOf<'export:side-by-side'>): Promise<Result<ExportResult>>;
}

/** A slide's annotations: stored beside it (or in the app's data folder), imported and exported (slide-annotations.ts). */
export interface AnnotationAccess {
  load(slide: OwnedSlide): Promise<Result<SlideAnnotations>>;
  save(slide: OwnedSlide, document: AnnotationDocument): Promise<Result<AnnotationLocation>>;
  importFile(senderId: number, slide: OwnedSlide): Promise<Result<ImportedAnnotations | null>>;
  exportFile(senderId: number, slide: OwnedSlide, format: AnnotationFormat): Promise<Result<ExportResult>>;
  chooseDetectionsFile(senderId: number, slide: OwnedSlide): Promise<string | null>;
  /** The detections file read for the slide's window (its exports may draw it in). */
  showingDetections(slide: OwnedSlide, path: string): void;
  /** The slide shows no detections any more (removed, or the slide closed). */
  forgetDetections(slideId: string): void;
  detectionsFile(slide: OwnedSlide): string | null;
  chooseDetectionTablePath(senderId: number, slide: OwnedSlide): Promise<ExportTarget | null>;
  /** Where an export in the format goes (the save dialog's answer), and whether it replaces a file; null: cancelled. */
  chooseExportTarget(senderId: number, slide: OwnedSlide, format: AnnotationFormat): Promise<ExportTarget | null>;
  /** The file that holds the slide's annotations now; null while it has none stored. */
  storedFile(slide: OwnedSlide): Promise<string | null>;
}

/** A file an export writes, and whether it may replace one there (the save dialog asked). */
export interface ExportTarget {
  path: string;
  overwrite: boolean;
}

export interface RecentFilesDep {
  list(): Promise<RecentFile[]>;
  add(path: string, name: string, kind: RecentKind): Promise<unknown>;
  clear(): Promise<void>;
}

export interface IpcHandlerDeps {
  engine: EngineAccess;
  authorizer: PathAuthority;
  recent: RecentFilesDep;
  dialogs: {
    showOpenSlide(senderId: number): Promise<string | null>;
    /** File > Open Folder… asked by the page (the welcome screen): the folder chosen, or null. */
    showOpenFolder?(senderId: number): Promise<string | null>;
    /** A folder opened as a slide holds several: which to open (one of `choices`' paths), or null. */
    chooseSlide?(senderId: number, folder: string, choices: readonly SlideChoice[]): Promise<string | null>;
  };
  exporter: SlideExporter;
  annotations: AnnotationAccess;
  /** A fluorescence slide's channels as last chosen, shown again at its next open (channel-memory.ts). */
  channelMemory?: Pick<ChannelMemory, 'recall' | 'remember'>;
  /** The detections file last shown over a slide, and how, shown again at its next open (detection-memory.ts). */
  detectionMemory?: Pick<DetectionMemory, 'recall' | 'remember' | 'forgetFile'>;
  /** Compared slides' alignments: remembered per set, saved and loaded as files (compare-alignments.ts). */
  alignments: AlignmentAccess;
  /** Path of the built-in sample slide (created on first use), or why it cannot be made. */
  samplePath: () => Promise<Result<string>>;
  versions: () => AppVersions;
  /** The language windows show, and what View > Language says (English when not given: tests). */
  language?: () => LanguageState;
  showInFolder: (path: string) => void | Promise<void>;
  /** Diagnostics for failures that do not reach the renderer (a recent-list write, a close). */
  log?: (message: string, error?: unknown) => void;
  /** Words for the user (the engine-stopped message), in the windows' language; English by default. */
  t?: Translate;
  /** A folder's slides (default: listFolderSlides, the CLI's listing, over `engine`). */
  listFolder?: (folder: string) => Promise<GallerySlide[]>;
}

/** A gallery card's thumbnail: its longest side in pixels (the card shows it at up to 224 CSS px). */
export const GALLERY_PREVIEW_SIDE = 224;
/** Previews of one gallery the engine makes at once (the page asks for two at a time; a page that asks for more waits). */
export const GALLERY_PREVIEWS_AT_ONCE = 2;

/** A folder's gallery shown in a window: what it lists, how the folder came (its slides open as that), its previews under way. */
interface Gallery {
  senderId: number;
  folder: string;
  source: OpenSource;
  paths: ReadonlySet<string>;
  previews: Set<AbortController>;
  /** Turns with the engine: GALLERY_PREVIEWS_AT_ONCE previews at once, the rest waiting. */
  turns: Semaphore;
}

/** One handler per main operation of the table: a missing one does not compile. */
export type MainHandlers = { [O in MainOperation]: (senderId: number, request: RequestOf<O>) => Promise<Result<ResponseOf<O>>> };

export interface IpcController {
  /** Validates and runs a main operation for a window; unknown operations answer with an error. */
  dispatch(operation: string, senderId: number, rawRequest: unknown): Promise<Result<unknown>>;
  /** Opens a path that reached main directly (dialog, menu, command line, OS) for a window: a folder of several slides answers its gallery. */
  openFromMain(senderId: number, path: string, source: MainOpenSource): Promise<Result<OpenedPath>>;
  /** Opens the built-in sample for a window (launch without a slide, File > Open Sample Slide). */
  openSampleFor(senderId: number): Promise<Result<OpenedSlide>>;
  /** The window is gone, reloaded or crashed: close its slides. */
  releaseSender(senderId: number): Promise<void>;
  slidesOf(senderId: number): OwnedSlide[];
  /** What to tell a window that the engine stopped (and was restarted): which of its slides it was reading. */
  engineStopped(event: EngineStoppedEvent, senderId: number): EngineStopped;
  /** What to tell a window whose slides could not be reopened after a restart; null when none of its were. */
  notReopened(event: EngineRestartedEvent, senderId: number): EngineStopped | null;
  /** Every window's slides closed (app quit). */
  releaseAll(): Promise<void>;
  readonly handlers: MainHandlers;
}

const notOpen = (slideId: string): { ok: false; error: ErrorInfo } => fail('NOT_OPEN', `slide ${slideId} is not open in this window`);

function names(slides: OwnedSlide[], t: Translate): string {
  const list = slides.map((s) => s.info.name);
  return list.length <= 1 ? (list[0] ?? '') : t('common.listAnd', { list: list.slice(0, -1).join(', '), last: list.at(-1) ?? '' });
}

export function createIpcHandlers(deps: IpcHandlerDeps): IpcController {
  const { engine, authorizer, recent } = deps;
  const log = deps.log ?? (() => undefined);
  const t = deps.t ?? createTranslator().t;

  /** senderId -> slideId -> slide. */
  const slides = new Map<number, Map<string, OwnedSlide>>();
  /** Bumped when a sender is released: an open that started before must not land in the new page. */
  const epochs = new Map<number, number>();

  const epochOf = (senderId: number) => epochs.get(senderId) ?? 0;
  /** galleryId -> a window's gallery. Only its slides may be previewed or opened under its id. */
  const galleries = new Map<string, Gallery>();
  let galleriesMade = 0;
  /** slideId -> the detections file last chosen for it in its window's dialog: what detections:read may read besides the remembered one. */
  const chosenDetections = new Map<string, string>();
  const listFolder =
    deps.listFolder ?? ((folder: string) => listFolderSlides(folder, { open: (path) => engine.open(path, null), close: (slideId) => engine.close(slideId) }));
  const ownSlide = (senderId: number, slideId: string) => slides.get(senderId)?.get(slideId);

  /** `epoch`: the window's when the open was asked for (a folder is looked at first). */
  async function openSlide(senderId: number, path: string, source: OpenSource, epoch = epochOf(senderId)): Promise<Result<OpenedSlide>> {
    const opened = await engine.open(path, senderId);
    if (!opened.ok) {
      const { choices } = opened.error;
      if (opened.error.code === 'SEVERAL_SLIDES' && choices && deps.dialogs.chooseSlide) {
        // The person picks one of the folder's slides; the engine named them, within the folder they gave.
        const chosen = await deps.dialogs.chooseSlide(senderId, path, choices);
        if (!chosen) return fail('CANCELLED', 'no slide of the folder was chosen', path);
        // One of the slides, or any file in the folder (a file of a slide opens it).
        if (!choices.some((c) => c.path === chosen) && dirname(resolve(chosen)) !== resolve(path))
          return fail('INVALID_ARGUMENT', 'the chosen file is not in the folder', path);
        return openSlide(senderId, chosen, source);
      }
      return { ok: false, error: { ...opened.error, path: opened.error.path ?? path } };
    }
    const { slideId } = opened.value;
    const info = await withRememberedChannels(slideId, path, opened.value.info);
    if (epochOf(senderId) !== epoch) {
      // The window closed or reloaded while the engine was opening: nobody will show this slide.
      void engine.close(slideId);
      return fail('CANCELLED', 'the window closed before the slide opened', path);
    }
    let owned = slides.get(senderId);
    if (!owned) {
      owned = new Map();
      slides.set(senderId, owned);
    }
    owned.set(slideId, { slideId, path, info, source });
    authorizer.grant(path, source satisfies GrantSource);
    if (source !== 'sample') await remember(path, info.name, 'slide');
    return ok({ ...opened.value, info });
  }

  /** A fluorescence slide or stack shown with the channels and plane last chosen for it (a choice that no longer fits the file is forgotten). */
  async function withRememberedChannels(slideId: string, path: string, info: SlideInfo): Promise<SlideInfo> {
    const memory = deps.channelMemory;
    const planes = info.plane ? info.plane.sizeZ * info.plane.sizeT : 1;
    // A brightfield stack has a plane to remember and no channels.
    if (!memory || ((info.channels?.length ?? 0) < 2 && planes < 2)) return info;
    const remembered = await memory.recall(path).catch(() => null);
    if (!remembered) return info;
    const shown = await engine.call('engine:set-channels', { slideId, ...remembered });
    if (shown.ok) return shown.value;
    // Forgotten before the slide is answered: a reopen at once must not find it again (a small atomic write).
    if (shown.error.code === 'INVALID_ARGUMENT') await memory.remember(path, null).catch((error: unknown) => log(`could not forget ${path}'s channels`, error));
    return info;
  }

  async function recallDetections(slide: OwnedSlide): Promise<RememberedDetections | null> {
    return (await deps.detectionMemory?.recall(slide.path).catch(() => null)) ?? null;
  }

  /**
   * Reads a detections file for the layer over a slide: the one last chosen for it, or the one
   * remembered for it (no other path the page names). A remembered file that no longer reads as
   * detections (gone, changed into something else, none left) is forgotten.
   */
  async function readDetections(senderId: number, slide: OwnedSlide, path: string): Promise<Result<DetectionSet>> {
    const remembered = (await recallDetections(slide))?.file === path;
    if (chosenDetections.get(slide.slideId) !== path && !remembered)
      return fail('NOT_AUTHORIZED', 'only a detections file chosen for this slide, or the one shown over it before, can be read', path);
    const read = await engine.call('engine:read-detections', { path });
    const unreadable = !read.ok || read.value.count === 0;
    if (remembered && unreadable && forgetsRemembered(read.ok ? null : read.error))
      await deps.detectionMemory?.forgetFile(slide.path, path).catch((error: unknown) => log(`could not forget ${slide.path}'s detections`, error));
    // Closed while it was read: nothing is kept for it.
    if (ownSlide(senderId, slide.slideId) !== slide) return notOpen(slide.slideId);
    // A file of none is only said so: the window keeps the detections it showed, and so do its exports.
    if (!unreadable) deps.annotations.showingDetections(slide, path);
    return read;
  }

  /** Puts an opened slide or gallery first in the recent list; a failed write is only logged. */
  async function remember(path: string, name: string, kind: RecentKind): Promise<void> {
    try {
      await recent.add(path, name, kind);
    } catch (error) {
      log(`could not add ${path} to the recent files`, error);
    }
  }

  /**
   * A path the user gave (dialog, drop, menu, command line, OS): a file, or a folder as the CLI lists
   * it: one slide (a DICOM series, or the one slide file in it) opens; several make its gallery, whose
   * slides alone this window may then preview and open.
   */
  async function openPath(senderId: number, path: string, source: OpenSource): Promise<Result<OpenedPath>> {
    const epoch = epochOf(senderId);
    const folder = await stat(path).then(
      (s) => s.isDirectory(),
      () => false,
    );
    if (!folder) return openSlide(senderId, path, source, epoch);
    let slides: GallerySlide[];
    try {
      slides = await listFolder(path);
    } catch (error) {
      return { ok: false, error: toErrorInfo(error, path) };
    }
    if (slides.length <= 1) {
      // The folder opens as itself where it is a slide (a DICOM series, a MIRAX slide's data folder:
      // named, and remembered, as before); else as its one slide file; none, the engine says why.
      const whole = await openSlide(senderId, path, source, epoch);
      const [only] = slides;
      return whole.ok || !only || whole.error.code !== 'NOT_A_SLIDE' ? whole : openSlide(senderId, only.path, source, epoch);
    }
    if (slides.length > LIMITS.maxGallerySlides)
      return fail('TOO_LARGE', `The folder holds ${slides.length} slides: a gallery shows at most ${LIMITS.maxGallerySlides}.`, path);
    if (epochOf(senderId) !== epoch) return fail('CANCELLED', 'the window closed before the folder was listed', path);
    const galleryId = `gallery-${++galleriesMade}`;
    galleries.set(galleryId, {
      senderId,
      folder: path,
      source,
      paths: new Set(slides.map((s) => s.path)),
      previews: new Set(),
      turns: new Semaphore(GALLERY_PREVIEWS_AT_ONCE),
    });
    authorizer.grant(path, source satisfies GrantSource);
    const name = basename(path) || path;
    await remember(path, name, 'folder');
    return ok({ gallery: { galleryId, folder: path, name, slides } });
  }

  /** A slide of one of the window's galleries (NOT_AUTHORIZED for any other path or gallery). */
  function inGallery(senderId: number, galleryId: string, path: string): Result<Gallery> {
    const gallery = galleries.get(galleryId);
    if (!gallery || gallery.senderId !== senderId) return fail('NOT_AUTHORIZED', 'this gallery is not open in this window', path);
    if (!gallery.paths.has(path)) return fail('NOT_AUTHORIZED', 'only the slides of a folder the user opened can be previewed', path);
    return ok(gallery);
  }

  function closeGallery(galleryId: string): void {
    const gallery = galleries.get(galleryId);
    if (!gallery) return;
    galleries.delete(galleryId);
    for (const preview of gallery.previews) preview.abort();
  }

  async function openSample(senderId: number): Promise<Result<OpenedSlide>> {
    const path = await deps.samplePath().catch((error: unknown): Result<string> => ({ ok: false, error: toErrorInfo(error) }));
    return path.ok ? openSlide(senderId, path.value, 'sample') : path;
  }

  /** A dropped path, or one of the recent list (a slide, or a folder: its gallery, or its one slide now). */
  async function openFromRenderer(senderId: number, path: string, origin: 'drop' | 'recent'): Promise<Result<OpenedPath>> {
    const authorized = await authorizer.authorizeRendererPath(path, origin);
    return authorized.ok ? openPath(senderId, authorized.value, origin) : authorized;
  }

  /** Forgets what main kept of a slide the window no longer has open. */
  function letGo(slideId: string): void {
    chosenDetections.delete(slideId);
    deps.annotations.forgetDetections(slideId);
  }

  async function closeSlide(senderId: number, slideId: string): Promise<void> {
    const owned = slides.get(senderId);
    owned?.delete(slideId);
    if (owned && owned.size === 0) slides.delete(senderId);
    letGo(slideId);
    const closed = await engine.close(slideId);
    if (!closed.ok) log(`closing slide ${slideId} failed`, closed.error);
  }

  async function runExport(senderId: number, slideId: string, write: (slide: OwnedSlide) => Promise<Result<ExportResult>>): Promise<Result<ExportResult>> {
    const slide = ownSlide(senderId, slideId);
    if (!slide) return notOpen(slideId);
    const written = await write(slide);
    if (written.ok) for (const file of written.value.files) authorizer.grant(file, 'export');
    return written;
  }

  /** Runs work on several of the window's own slides, in the order named (NOT_OPEN when any is another's). */
  function onOwnSlides<T>(senderId: number, slideIds: readonly string[], work: (slides: OwnedSlide[]) => Promise<Result<T>>): Promise<Result<T>> {
    const owned = slideIds.map((id) => ownSlide(senderId, id));
    const missing = slideIds.find((_, i) => !owned[i]);
    return missing === undefined ? work(owned as OwnedSlide[]) : Promise.resolve(notOpen(missing));
  }

  /** Runs work on one of the window's own slides (NOT_OPEN for any other). */
  function onOwnSlide<T>(senderId: number, slideId: string, work: (slide: OwnedSlide) => Promise<Result<T>>): Promise<Result<T>> {
    const slide = ownSlide(senderId, slideId);
    return slide ? work(slide) : Promise.resolve(notOpen(slideId));
  }

  const handlers: MainHandlers = {
    'slide:open-dialog': async (senderId) => {
      const chosen = await deps.dialogs.showOpenSlide(senderId);
      if (!chosen) return ok(null);
      return openSlide(senderId, authorizer.grant(chosen, 'dialog'), 'dialog');
    },
    'slide:open-recent': (senderId, { path }) => openFromRenderer(senderId, path, 'recent'),
    'slide:open-dropped': (senderId, { path }) => openFromRenderer(senderId, path, 'drop'),
    'slide:open-folder-dialog': async (senderId) => {
      const chosen = (await deps.dialogs.showOpenFolder?.(senderId)) ?? null;
      if (!chosen) return ok(null);
      return openPath(senderId, authorizer.grant(chosen, 'dialog'), 'dialog');
    },
    'gallery:preview': async (senderId, { galleryId, path }) => {
      const gallery = inGallery(senderId, galleryId, path);
      if (!gallery.ok) return gallery;
      // Cancelled when the gallery closes (or the window goes); the engine stops it at its deadline.
      const cancel = new AbortController();
      gallery.value.previews.add(cancel);
      try {
        return await gallery.value.turns.run(
          () => engine.call('engine:preview', { path, longestSide: GALLERY_PREVIEW_SIDE }, { signal: cancel.signal }),
          cancel.signal,
        );
      } catch {
        // Only a wait for a turn throws (engine calls answer a Result): the gallery closed meanwhile.
        return fail('CANCELLED', 'the gallery was closed', path);
      } finally {
        gallery.value.previews.delete(cancel);
      }
    },
    'gallery:open': (senderId, { galleryId, path }) => {
      const gallery = inGallery(senderId, galleryId, path);
      return gallery.ok ? openSlide(senderId, path, gallery.value.source) : Promise.resolve(gallery);
    },
    'gallery:close': async (senderId, { galleryId }) => {
      if (galleries.get(galleryId)?.senderId === senderId) closeGallery(galleryId);
      return ok(undefined);
    },
    'slide:open-sample': (senderId) => openSample(senderId),
    'slide:close': async (senderId, { slideId }) => {
      if (!ownSlide(senderId, slideId)) return notOpen(slideId);
      await closeSlide(senderId, slideId);
      return ok(undefined);
    },
    'slide:set-channels': async (senderId, request) => {
      const slide = ownSlide(senderId, request.slideId);
      if (!slide) return notOpen(request.slideId);
      const shown = await engine.call('engine:set-channels', request);
      if (shown.ok) {
        slide.info = shown.value;
        await deps.channelMemory?.remember(slide.path, request).catch((error: unknown) => log(`could not remember ${slide.path}'s channels`, error));
      }
      return shown;
    },
    'recent:list': async () => ok(await recent.list()),
    'recent:clear': async () => {
      await recent.clear();
      return ok(undefined);
    },
    'export:thumbnail': (senderId, request) => runExport(senderId, request.slideId, (slide) => deps.exporter.exportThumbnail(senderId, slide, request)),
    'export:comparison': (senderId, request) => runExport(senderId, request.slideId, (slide) => deps.exporter.exportComparison(senderId, slide, request)),
    'export:region': (senderId, request) => runExport(senderId, request.slideId, (slide) => deps.exporter.exportRegion(senderId, slide, request)),
    'export:copy-region': (senderId, request) => onOwnSlide(senderId, request.slideId, (slide) => deps.exporter.copyRegion(slide, request)),
    'export:side-by-side': (senderId, request) =>
      onOwnSlides(
        senderId,
        request.panels.map((p) => p.slideId),
        async (owned) => {
          const written = await deps.exporter.exportSideBySide(senderId, owned, request);
          if (written.ok) for (const file of written.value.files) authorizer.grant(file, 'export');
          return written;
        },
      ),
    'export:show-in-folder': async (_senderId, { path }) => {
      if (!authorizer.isGranted(path)) return fail('NOT_AUTHORIZED', 'only files this app wrote or opened can be shown', path);
      await deps.showInFolder(path);
      return ok(undefined);
    },
    'app:versions': async () => ok(deps.versions()),
    'app:language': async () => ok(deps.language?.() ?? { language: 'en', preference: 'system' }),
    'annotations:load': (senderId, { slideId }) => onOwnSlide(senderId, slideId, (slide) => deps.annotations.load(slide)),
    'annotations:save': (senderId, { slideId, document }) => onOwnSlide(senderId, slideId, (slide) => deps.annotations.save(slide, document)),
    'annotations:import': (senderId, { slideId }) => onOwnSlide(senderId, slideId, (slide) => deps.annotations.importFile(senderId, slide)),
    'detections:choose': (senderId, { slideId }) =>
      onOwnSlide(senderId, slideId, async (slide) => {
        const path = await deps.annotations.chooseDetectionsFile(senderId, slide);
        if (ownSlide(senderId, slideId) !== slide) return notOpen(slideId);
        if (path) chosenDetections.set(slideId, path);
        return ok(path);
      }),
    'detections:read': (senderId, { slideId, path }) => onOwnSlide(senderId, slideId, (slide) => readDetections(senderId, slide, path)),
    'detections:recall': (senderId, { slideId }) => onOwnSlide(senderId, slideId, async (slide) => ok(await recallDetections(slide))),
    'detections:remember': (senderId, { slideId, display }) =>
      onOwnSlide(senderId, slideId, async (slide) => {
        const file = deps.annotations.detectionsFile(slide);
        if (display === null) deps.annotations.forgetDetections(slideId);
        else if (!file) return fail('INVALID_ARGUMENT', 'No detections are shown over this slide: show them first.', slide.path);
        await deps.detectionMemory
          ?.remember(slide.path, display && file ? { file, display } : null)
          .catch((error: unknown) => log(`could not remember ${slide.path}'s detections`, error));
        return ok(undefined);
      }),
    'detections:export-table': (senderId, { slideId }) =>
      runExport(senderId, slideId, async (slide) => {
        const detections = deps.annotations.detectionsFile(slide);
        if (!detections) return fail('INVALID_ARGUMENT', 'No detections are shown over this slide: show them first.', slide.path);
        const target = await deps.annotations.chooseDetectionTablePath(senderId, slide);
        if (!target) return ok({ files: [] });
        // Each detection's Parent: the slide's annotations as stored.
        const annotations = (await deps.annotations.storedFile(slide)) ?? undefined;
        return engine.call('engine:detection-table', { slideId, detections, ...(annotations ? { annotations } : {}), ...target });
      }),
    'annotations:export': (senderId, { slideId, format }) =>
      runExport(senderId, slideId, async (slide) => {
        // A table with the detections shown over the slide counted in each annotation: read by the engine (a
        // 500 MB file takes seconds, which main's thread must not spend). Anything else main writes itself.
        const detections = format === 'csv' ? deps.annotations.detectionsFile(slide) : null;
        if (!detections) return deps.annotations.exportFile(senderId, slide, format);
        const target = await deps.annotations.chooseExportTarget(senderId, slide, format);
        if (!target) return ok({ files: [] });
        const annotations = (await deps.annotations.storedFile(slide)) ?? undefined;
        return engine.call('engine:measurement-table', { slideId, detections, ...(annotations ? { annotations } : {}), ...target });
      }),
    'compare:load-alignment': (senderId, { slideIds }) => onOwnSlides(senderId, slideIds, (owned) => deps.alignments.load(owned)),
    'compare:save-alignment': (senderId, { slideIds, placements }) => onOwnSlides(senderId, slideIds, (owned) => deps.alignments.save(owned, placements)),
    'compare:import-alignment': (senderId, { slideIds }) => onOwnSlides(senderId, slideIds, (owned) => deps.alignments.importFile(senderId, owned)),
    'compare:export-alignment': (senderId, { slideIds, placements }) =>
      onOwnSlides(senderId, slideIds, async (owned) => {
        const written = await deps.alignments.exportFile(senderId, owned, placements);
        if (written.ok) for (const file of written.value.files) authorizer.grant(file, 'export');
        return written;
      }),
  };

  const controller: IpcController = {
    handlers,

    async dispatch(operation, senderId, rawRequest) {
      try {
        if (!isOperation(operation) || operationSpec(operation).at !== 'main') {
          return fail('INVALID_ARGUMENT', `unknown operation ${String(operation).slice(0, 40)}`);
        }
        if (typeof senderId !== 'number' || !Number.isInteger(senderId)) return fail('INVALID_ARGUMENT', 'unknown sender');
        const name = operation as MainOperation;
        const request = validateRequest(name, rawRequest);
        if (!request.ok) return request;
        const handler = handlers[name] as (senderId: number, request: unknown) => Promise<Result<unknown>>;
        return await handler(senderId, request.value);
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
    },

    async openFromMain(senderId, path, source) {
      try {
        return await openPath(senderId, authorizer.grant(path, source), source);
      } catch (error) {
        return { ok: false, error: toErrorInfo(error, path) };
      }
    },

    async openSampleFor(senderId) {
      try {
        return await openSample(senderId);
      } catch (error) {
        return { ok: false, error: toErrorInfo(error) };
      }
    },

    async releaseSender(senderId) {
      epochs.set(senderId, epochOf(senderId) + 1);
      for (const [galleryId, gallery] of galleries) if (gallery.senderId === senderId) closeGallery(galleryId);
      const owned = slides.get(senderId);
      slides.delete(senderId);
      if (!owned) return;
      for (const slideId of owned.keys()) letGo(slideId);
      await Promise.all([...owned.keys()].map((slideId) => engine.close(slideId)));
    },

    slidesOf(senderId) {
      return [...(slides.get(senderId)?.values() ?? [])].map((s) => ({ ...s }));
    },

    engineStopped(event, senderId) {
      const failed = new Set(event.failedSlideIds);
      const reading = [...(slides.get(senderId)?.values() ?? [])].filter((s) => event.slideIds.includes(s.slideId));
      const lost = reading.filter((s) => failed.has(s.slideId));
      const kept = reading.length - lost.length;
      const reason = event.reason;
      let message = !event.restarting
        ? t('engine.notRestarted', { reason })
        : reading.length === 0
          ? t('engine.stopped', { reason })
          : kept === 0
            ? t('engine.stoppedReading', { slides: names(reading, t), reason })
            : t('engine.stoppedReopened', { slides: names(reading, t), reason, count: kept });
      if (lost.length > 0) message += ` ${t('engine.lost', { slides: names(lost, t), count: lost.length })}`;
      return { message, slideIds: reading.map((s) => s.slideId), failedSlideIds: lost.map((s) => s.slideId) };
    },

    notReopened(event, senderId) {
      const mine = slides.get(senderId);
      const lost = event.notReopened.filter((each) => mine?.has(each.slideId));
      if (lost.length === 0) return null;
      const message = lost.map(({ slideId, error }) => t('engine.notReopened', { slide: mine!.get(slideId)!.info.name, reason: error.message })).join(' ');
      const slideIds = lost.map((each) => each.slideId);
      return { message, slideIds, failedSlideIds: slideIds };
    },

    async releaseAll() {
      await Promise.all([...slides.keys()].map((id) => controller.releaseSender(id)));
    },
  };
  return controller;
}
