// Which window shows a slide that main opens itself (File menu, command line, OS open-file, second
// instance, the launch sample): the current window if it shows no slide yet, else a new window, so
// every window opened this way shows one slide. Renderer-initiated opens (drop, welcome screen,
// recent list in the page) answer the requesting window directly and do not come through here.
// Plain logic over injected window operations, unit-tested without Electron.

import { type Result, toErrorInfo } from '../../shared/errors';
import type { OpenedPath } from '../../shared/ipc';
import type { MainOpenSource } from './ipc-handlers';

export interface RoutableWindow {
  readonly senderId: number;
  /** Main is opening a slide into it right now. */
  busy: boolean;
}

export type OpenTarget = { kind: 'path'; path: string; source: MainOpenSource } | { kind: 'sample' };

export interface SlideRouterDeps<W extends RoutableWindow> {
  /** The focused (or last focused) window, if any. */
  current(): W | undefined;
  create(): W;
  slideCount(senderId: number): number;
  open(senderId: number, target: OpenTarget): Promise<Result<OpenedPath>>;
  /** Shows the outcome in the window: 'app:slide-opened', 'app:folder-opened' or 'app:open-failed', and brings it forward. */
  deliver(win: W, result: Result<OpenedPath>): Promise<void>;
}

export function pickWindow<W extends RoutableWindow>(current: W | undefined, slideCount: (senderId: number) => number): W | null {
  if (current && !current.busy && slideCount(current.senderId) === 0) return current;
  return null;
}

export function createSlideRouter<W extends RoutableWindow>(deps: SlideRouterDeps<W>) {
  return {
    /** Opens each target in turn, each in its own window (reusing an empty current one). */
    async open(targets: readonly OpenTarget[]): Promise<Array<Result<OpenedPath>>> {
      const results: Array<Result<OpenedPath>> = [];
      for (const target of targets) results.push(await this.openOne(target));
      return results;
    },

    async openOne(target: OpenTarget): Promise<Result<OpenedPath>> {
      const win = pickWindow(deps.current(), deps.slideCount) ?? deps.create();
      win.busy = true;
      let result: Result<OpenedPath>;
      try {
        result = await deps.open(win.senderId, target);
      } catch (error) {
        result = { ok: false, error: toErrorInfo(error) };
      } finally {
        win.busy = false;
      }
      await deps.deliver(win, result);
      return result;
    },
  };
}
