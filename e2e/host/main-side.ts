// The Node half of the e2e host: the real IPC handlers (createIpcHandlers) over a real EngineHost
// (the slide engine in a worker thread, built bundle), real recent-files store and path authoriser.
// Only the native bits are stubs: the open dialog (answers what the test chose), showInFolder.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppVersions } from '../../shared/ipc';
import { createIpcHandlers, type IpcController } from '../../electron/main/ipc-handlers';
import { PathAuthorizer } from '../../electron/main/path-authorizer';
import { RecentFiles } from '../../electron/main/recent-files';
import { EngineHost } from '../../electron/worker/engine-host';
import { ENGINE_WORKER } from './paths';

export interface MainSide {
  controller: IpcController;
  engine: EngineHost;
  /** What the stubbed open dialog answers next; null = the user cancelled. */
  setDialogAnswer(path: string | null): void;
  /** Paths given to showInFolder. */
  shownInFolder: string[];
  log: string[];
  dispose(): Promise<void>;
}

export async function createMainSide(options: { chromeVersion: string }): Promise<MainSide> {
  const dataDir = await mkdtemp(join(tmpdir(), 'slidescope-e2e-main-'));
  const engine = new EngineHost({ workerPath: ENGINE_WORKER });
  const log: string[] = [];
  const recent = new RecentFiles({ dir: dataDir, onError: (message) => log.push(message) });
  const authorizer = new PathAuthorizer({ recent });
  let dialogAnswer: string | null = null;
  const shownInFolder: string[] = [];
  const versions: AppVersions = { app: '0.0.0-e2e', electron: 'none (e2e host)', chrome: options.chromeVersion, node: process.versions.node };

  const controller = createIpcHandlers({
    engine,
    authorizer,
    recent,
    dialogs: { showOpenSlide: async () => dialogAnswer },
    samplePath: () => engine.ensureSample(join(dataDir, 'sample')),
    versions: () => versions,
    showInFolder: (path) => {
      shownInFolder.push(path);
    },
    log: (message, error) => log.push(`${message}${error ? `: ${String(error)}` : ''}`),
  });

  return {
    controller,
    engine,
    setDialogAnswer: (path) => {
      dialogAnswer = path;
    },
    shownInFolder,
    log,
    async dispose() {
      await controller.releaseAll().catch(() => undefined);
      await engine.dispose();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
