// The Node half of the e2e host: the real IPC handlers (createIpcHandlers) over a real engine
// process (the built dist/electron/engine-process.mjs, forked as the CLI does; the app uses
// utilityProcess), real recent-files store and path authoriser, and the real Exporter. The page's
// engine connection is a channel of that process's IPC (in the app: a MessagePort), restarted with
// it. Only the native bits are stubs: the open dialog and the export dialogs (they answer what the
// test chose), showInFolder, and sending events (the page host does that).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AnnotationStore } from '../../electron/annotations/annotation-store';
import { EngineClient } from '../../electron/engine-host/engine-client';
import { forkEngine } from '../../electron/engine-host/fork-engine';
import { AlignmentStore } from '../../electron/main/alignment-store';
import { ChannelMemory } from '../../electron/main/channel-memory';
import { CompareAlignments } from '../../electron/main/compare-alignments';
import { DetectionMemory } from '../../electron/main/detection-memory';
import { Exporter } from '../../electron/main/exporter';
import { createIpcHandlers, type IpcController } from '../../electron/main/ipc-handlers';
import { writeJsonAtomic } from '../../electron/main/json-file';
import { LanguageSetting, SETTINGS_NAME } from '../../electron/main/language-setting';
import { PathAuthorizer } from '../../electron/main/path-authorizer';
import { RecentFiles } from '../../electron/main/recent-files';
import { SlideAnnotationFiles } from '../../electron/main/slide-annotations';
import type { Result } from '../../shared/errors';
import { legendLabels } from '../../shared/i18n/class-label';
import { createTranslator } from '../../shared/i18n/i18n';
import type { LanguagePreference, LanguageState } from '../../shared/i18n/languages';
import type { AppVersions, EventChannel, EventChannels, ExportProgress, ImageFormat } from '../../shared/ipc';
import type { OperationProtocol } from '../../shared/operation-rpc';
import type { EngineOperation } from '../../shared/operations';
import { type Endpoint, RpcClient } from '../../shared/rpc';
import { StubAlignmentDialogs } from '../../testing/fakes/alignment-dialogs';
import { StubAnnotationDialogs } from '../../testing/fakes/annotation-dialogs';
import { ENGINE_PROCESS } from './paths';

/** The e2e host's one window, as Electron's webContents id would name it. */
export const SENDER_ID = 1;

/** What the stubbed export dialogs answer; null = the user cancelled. */
export interface ExportAnswers {
  /** The thumbnail save dialog's choice. */
  thumbnailPath: string | null;
  /** The folder chooser's choice. */
  folder: string | null;
  /** The "files exist: Replace / Cancel" question: true = Replace. */
  replace: boolean;
  /** When set, the dialogs answer only once it resolves: a user taking their time. */
  gate: Promise<void> | null;
}

export type ExportDialogCall =
  | { dialog: 'thumbnail'; defaultPath: string; format: ImageFormat }
  | { dialog: 'folder'; defaultPath: string }
  | { dialog: 'overwrite'; existing: string[] };

export type EventSink = <E extends EventChannel>(channel: E, payload: EventChannels[E]) => void;

export interface MainSide {
  controller: IpcController;
  engine: EngineClient<Endpoint>;
  /** What the window's engine port carries: an engine operation from the page. */
  callEngine(operation: EngineOperation, request: unknown): Promise<Result<unknown>>;
  /**
   * What the stubbed open dialog answers next; null = the user cancelled. With `answeredWhen`, the
   * answer waits for it: to the window, an open that takes its time (a slide on a slow share).
   */
  setDialogAnswer(path: string | null, answeredWhen?: Promise<void>): void;
  /** The stubbed export dialogs' answers (all cancel until the test sets them). */
  exportAnswers: ExportAnswers;
  /** Every export dialog shown, in order. */
  exportDialogs: ExportDialogCall[];
  /** The stubbed annotation import and export dialogs (cancel until the test sets a path). */
  annotationDialogs: StubAnnotationDialogs;
  /** The stubbed alignment file dialogs (cancel until the test sets a path). */
  alignmentDialogs: StubAlignmentDialogs;
  /** The app's data folder for annotations of slides in read-only folders. */
  annotationsDir: string;
  /** Called with each export:progress before it is sent: lets a test act mid-export. */
  onExportProgress: ((progress: ExportProgress) => void) | null;
  /** Where main -> window events go (the page host plugs itself in). */
  setEventSink(sink: EventSink): void;
  /** View > Language, as the menu item does it: remembered, main's words changed, the window told. */
  chooseLanguage(preference: LanguagePreference): Promise<void>;
  /** The language main speaks now, and what the user chose. */
  language(): LanguageState;
  /** Paths given to showInFolder. */
  shownInFolder: string[];
  /** The PNGs put on the clipboard (Edit > Copy View), in order. */
  clipboardImages: Uint8Array[];
  log: string[];
  dispose(): Promise<void>;
}

export interface MainSideOptions {
  chromeVersion: string;
  systemLanguages: readonly string[];
  /** The View > Language choice a previous session saved in settings.json (none: the system's). */
  savedLanguage?: LanguagePreference;
}

export async function createMainSide(options: MainSideOptions): Promise<MainSide> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slidescope-e2e-main-'));
  if (options.savedLanguage) await writeJsonAtomic(join(dataDir, SETTINGS_NAME), { language: options.savedLanguage });
  let sink: EventSink | null = null;
  let controller: IpcController | undefined;
  // The window's connection to the engine, as main hands a port to each window (again after a restart).
  let port: RpcClient<OperationProtocol> | null = null;
  const connectWindow = () => {
    port?.close({ code: 'WORKER_FAILED', message: 'The slide engine connection was replaced.' });
    port = new RpcClient<OperationProtocol>(engine.connect(SENDER_ID));
  };
  const engine = new EngineClient(forkEngine({ module: ENGINE_PROCESS, partialWritesDir: join(dataDir, 'partial-writes') }), {
    onStopped: (event) => {
      port?.close({ code: 'WORKER_FAILED', message: 'The slide engine stopped.' });
      port = null;
      if (controller) sink?.('engine:stopped', controller.engineStopped(event, SENDER_ID));
    },
    onRestarted: (event) => {
      // As main does: the notice before the new port (the preload lets go of its port on engine:stopped).
      const lost = controller?.notReopened(event, SENDER_ID);
      if (lost) sink?.('engine:stopped', lost);
      connectWindow();
    },
  });
  engine.start(); // as the app's main process does at launch
  connectWindow();
  const log: string[] = [];
  const recent = new RecentFiles({ dir: dataDir, onError: (message) => log.push(message) });
  const authorizer = new PathAuthorizer({ recent });
  let dialogAnswer: string | null = null;
  let dialogAnsweredWhen: Promise<void> | undefined;
  const shownInFolder: string[] = [];
  const clipboardImages: Uint8Array[] = [];
  const versions: AppVersions = { app: '0.0.0-e2e', electron: 'none (e2e host)', chrome: options.chromeVersion, node: process.versions.node };
  const exportAnswers: ExportAnswers = { thumbnailPath: null, folder: null, replace: false, gate: null };
  const exportDialogs: ExportDialogCall[] = [];
  // The system's languages are the browser's locale here (main asks Electron for the OS's).
  const language = new LanguageSetting({ dir: dataDir, systemLanguages: () => options.systemLanguages, onError: (message) => log.push(message) });
  const { i18n, t } = createTranslator((await language.load()).language);
  language.onChange((state) => {
    void i18n.changeLanguage(state.language);
    sink?.('app:language-changed', state);
  });

  const annotationDialogs = new StubAnnotationDialogs();
  const annotationsDir = join(dataDir, 'annotations');
  const annotations = new SlideAnnotationFiles(new AnnotationStore({ dataDir: annotationsDir }), annotationDialogs);
  const alignmentDialogs = new StubAlignmentDialogs();
  const alignments = new CompareAlignments(new AlignmentStore({ dir: dataDir }), alignmentDialogs);
  const exporter = new Exporter({
    engine,
    clipboard: { writePng: (png) => clipboardImages.push(png) },
    overlays: annotations,
    legend: () => legendLabels(t),
    dialogs: {
      chooseThumbnailPath: async (_senderId, defaultPath, format) => {
        exportDialogs.push({ dialog: 'thumbnail', defaultPath, format });
        await exportAnswers.gate;
        return exportAnswers.thumbnailPath;
      },
      chooseFolder: async (_senderId, defaultPath) => {
        exportDialogs.push({ dialog: 'folder', defaultPath });
        await exportAnswers.gate;
        return exportAnswers.folder;
      },
      confirmOverwrite: async (_senderId, existing) => {
        exportDialogs.push({ dialog: 'overwrite', existing });
        await exportAnswers.gate;
        return exportAnswers.replace;
      },
    },
    sendProgress: (_senderId, progress) => {
      main.onExportProgress?.(progress);
      sink?.('export:progress', progress);
    },
  });

  controller = createIpcHandlers({
    engine,
    authorizer,
    recent,
    dialogs: {
      showOpenSlide: async () => {
        const answer = dialogAnswer;
        await dialogAnsweredWhen;
        return answer;
      },
      // Open folder… (the welcome screen's): the same stubbed answer, a folder's path.
      showOpenFolder: async () => {
        const answer = dialogAnswer;
        await dialogAnsweredWhen;
        return answer;
      },
    },
    samplePath: () => engine.call('engine:ensure-sample', { dir: join(dataDir, 'sample') }),
    versions: () => versions,
    showInFolder: (path) => {
      shownInFolder.push(path);
    },
    exporter,
    annotations,
    alignments,
    channelMemory: new ChannelMemory({ dir: dataDir }),
    detectionMemory: new DetectionMemory({ dir: dataDir }),
    log: (message, error) => log.push(`${message}${error ? `: ${String(error)}` : ''}`),
    language: () => language.state(),
    t,
  });

  const main: MainSide = {
    controller,
    engine,
    async callEngine(operation, request) {
      // Calls made while the engine restarts wait for its new connection, as the preload's do.
      while (!port) await new Promise((resolve) => setTimeout(resolve, 20));
      return port.call(operation, request as never);
    },
    setDialogAnswer: (path, answeredWhen) => {
      dialogAnswer = path;
      dialogAnsweredWhen = answeredWhen;
    },
    exportAnswers,
    exportDialogs,
    annotationDialogs,
    alignmentDialogs,
    annotationsDir,
    onExportProgress: null,
    setEventSink: (next) => {
      sink = next;
    },
    chooseLanguage: (preference) => language.choose(preference),
    language: () => language.state(),
    shownInFolder,
    clipboardImages,
    log,
    async dispose() {
      await controller.releaseAll().catch(() => undefined);
      await engine.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return main;
}
