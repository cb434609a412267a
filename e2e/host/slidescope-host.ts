// The e2e test host: the production renderer bundle (dist/renderer) in Debian Chromium, without a
// network. Pages come from a fake origin through request interception (served by the real app://
// protocol handler); every other request is aborted and recorded. window.slidescope is the real
// preload bridge over Playwright bindings into the real IPC handlers (see main-side.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { type BrowserContext, chromium, type LaunchOptions, type Page, type Route } from '@playwright/test';
import { createAppProtocolHandler } from '../../electron/main/app-protocol';
import { APP_ORIGIN } from '../../electron/main/security';
import type { LanguagePreference } from '../../shared/i18n/languages';
import { withLanguage } from '../../shared/i18n/page-language';
import type { EventChannel, EventChannels } from '../../shared/ipc';
import type { EngineOperation, OperationName, RequestInput, ResponseOf } from '../../shared/operations';
import { bridgeBundle } from './bridge-bundle';
import { createMainSide, type MainSide, SENDER_ID } from './main-side';
import { DROP_PATHS, EMIT_FUNCTION, ENGINE_BINDING, INVOKE_BINDING, pageInitScript } from './page-init';
import { RENDERER_DIST } from './paths';
import { encodeForPage } from './wire';

/**
 * The page's origin. Nothing listens there: every request to it is answered by interception. https
 * makes it a secure context, as the app's privileged app:// scheme is in Electron.
 */
export const FAKE_ORIGIN = 'https://slidescope.local';
export { SENDER_ID };

export interface HostOptions {
  launchOptions: LaunchOptions;
  /** Renderer URL query: the canvas drawer (software WebGL is 10-20x slower headless) and the e2e hooks. */
  query?: string;
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  /** devicePixelRatio of the emulated screen (default 1). */
  deviceScaleFactor?: number;
  /** The browser's and the system's language (default en-US), as Playwright's locale option. */
  locale?: string;
  /** The View > Language choice main finds saved from a previous session (default: none, the system's). */
  savedLanguage?: LanguagePreference;
  /** Runs before the page is first loaded (an init script that watches the first paint). */
  beforeLoad?: (page: Page) => Promise<unknown>;
}

export interface InvokeRecord {
  channel: string;
  request: unknown;
  /** When the page asked, and when the answer was sent back (performance.now() in this process). */
  askedAt: number;
  answeredAt?: number;
  /** The error code of an answer that failed. */
  errorCode?: string;
}

export class SlidescopeHost {
  /** URLs the page tried to reach outside the fake origin (blob: and data: are not requests). */
  readonly externalRequests: string[] = [];
  /** Every operation the page asked for, of main or of the engine, in order. */
  readonly invocations: InvokeRecord[] = [];
  readonly consoleErrors: string[] = [];
  /** Delay before each slide:tile request reaches the handlers: keeps tiles in flight on purpose. */
  tileLatencyMs = 0;
  /** Run once, as soon as a request on `channel` has been sent on (before its answer): a test kills the engine there. */
  onSent: { channel: OperationName; run: () => void } | null = null;
  /** Answers held back until released (holdAnswers), per operation. */
  private readonly held = new Map<string, Promise<void>>();

  /**
   * Holds back the answers on `channel` (the operations run; their answers wait) until the returned
   * release is called: a test orders an answer against the page's own steps.
   */
  holdAnswers(channel: OperationName): () => void {
    let release: () => void = () => undefined;
    this.held.set(channel, new Promise<void>((resolve) => (release = resolve)));
    return () => {
      this.held.delete(channel);
      release();
    };
  }

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly main: MainSide,
    private readonly userDataDir: string,
  ) {}

  static async start(options: HostOptions): Promise<SlidescopeHost> {
    // A fresh profile per host: no cache, storage or permissions carried between tests.
    const userDataDir = await mkdtemp(join(tmpdir(), 'slidescope-e2e-profile-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      ...options.launchOptions,
      viewport: options.viewport ?? { width: 1280, height: 800 },
      deviceScaleFactor: options.deviceScaleFactor ?? 1,
      colorScheme: options.colorScheme ?? 'light',
      locale: options.locale ?? 'en-US',
      serviceWorkers: 'block',
      acceptDownloads: false,
    });
    const browserVersion = context.browser()?.version() ?? 'chromium';
    const main = await createMainSide({
      chromeVersion: browserVersion,
      systemLanguages: [options.locale ?? 'en-US'],
      ...(options.savedLanguage ? { savedLanguage: options.savedLanguage } : {}),
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const host = new SlidescopeHost(context, page, main, userDataDir);
    // Events main sends by itself (export progress) reach the page as webContents.send would.
    main.setEventSink((channel, payload) => {
      host.emit(channel, payload).catch(() => undefined);
    });
    await options.beforeLoad?.(page);
    await host.install(options.query ?? 'drawer=canvas&e2e');
    return host;
  }

  private async install(query: string): Promise<void> {
    const { context, page, main } = this;
    const serve = createAppProtocolHandler({ root: RENDERER_DIST });

    // Context-wide, so workers and any other page are covered too.
    await context.route('**/*', (route) => this.route(route, serve));
    await context.routeWebSocket(/.*/, (ws) => {
      this.externalRequests.push(ws.url());
      void ws.close();
    });
    context.on('request', (request) => {
      const url = request.url();
      if (!isLocal(url) && !this.externalRequests.includes(url)) this.externalRequests.push(url);
    });
    page.on('console', (message) => {
      if (message.type() === 'error') this.consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => this.consoleErrors.push(`pageerror: ${error.message}`));

    // The page's two transports, as the preload has them: ipcRenderer.invoke to main, its port to the engine.
    const answer = async (channel: string, request: unknown, run: () => Promise<unknown>) => {
      const record: InvokeRecord = { channel, request, askedAt: performance.now() };
      this.invocations.push(record);
      if (channel === 'slide:tile' && this.tileLatencyMs > 0) await new Promise((resolve) => setTimeout(resolve, this.tileLatencyMs));
      const running = run();
      if (channel === this.onSent?.channel) {
        const { run: sent } = this.onSent;
        this.onSent = null;
        sent();
      }
      const result = await running;
      await this.held.get(channel);
      if (isFailure(result)) record.errorCode = result.error.code;
      const encoded = encodeForPage(result);
      record.answeredAt = performance.now();
      return encoded;
    };
    await page.exposeBinding(INVOKE_BINDING, (_source, channel: string, request: unknown) =>
      answer(channel, request, () => main.controller.dispatch(channel, SENDER_ID, request)),
    );
    await page.exposeBinding(ENGINE_BINDING, (_source, operation: string, request: unknown) =>
      answer(operation, request, () => main.callEngine(operation as never, request)),
    );
    await page.addInitScript({ content: pageInitScript(await bridgeBundle()) });
    // As main loads a window: in the language it resolved (windows.ts).
    await page.goto(withLanguage(`${FAKE_ORIGIN}/index.html?${query}`, main.language().language));
    // A test may drop files at once: wait until the app listens (React mounts after the load event).
    if (new URLSearchParams(query).has('e2e'))
      await page.waitForFunction(() => (window as { __slidescopeE2E?: { listening?: boolean } }).__slidescopeE2E?.listening === true);
  }

  private async route(route: Route, serve: (request: Request) => Promise<Response>): Promise<void> {
    const url = route.request().url();
    if (!url.startsWith(`${FAKE_ORIGIN}/`)) {
      if (!this.externalRequests.includes(url)) this.externalRequests.push(url);
      await route.abort('blockedbyclient');
      return;
    }
    // The real app:// handler (path confinement, MIME types, CSP header), on the fake origin.
    const appUrl = APP_ORIGIN + url.slice(FAKE_ORIGIN.length);
    const response = await serve(new Request(appUrl, { method: route.request().method() }));
    const headers: Record<string, string> = {};
    response.headers.forEach((value, key) => {
      headers[key] = value;
    });
    await route.fulfill({ status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) });
  }

  /** Sends a main -> renderer event, as webContents.send would. */
  async emit<E extends EventChannel>(channel: E, payload: EventChannels[E]): Promise<void> {
    await this.page.evaluate(([fn, c, p]) => (window as unknown as Record<string, (channel: string, payload: unknown) => void>)[fn]?.(c, p), [
      EMIT_FUNCTION,
      channel,
      encodeForPage(payload),
    ] as const);
  }

  /**
   * Drops files on the window as a user would: a real drop event whose DataTransfer holds File
   * objects. Each file's name maps to its absolute path (the host's webUtils.getPathForFile).
   */
  async drop(paths: string[], target = 'body'): Promise<void> {
    const files = paths.map((path) => ({ name: basename(path), path }));
    await this.page.evaluate(
      ({ files: list, registry, selector }) => {
        const map = (window as unknown as Record<string, Record<string, string>>)[registry];
        const transfer = new DataTransfer();
        for (const file of list) {
          if (map) map[file.name] = file.path;
          transfer.items.add(new File([new Uint8Array([0x49, 0x49, 0x2a, 0x00])], file.name));
        }
        const element = document.querySelector(selector) ?? document.body;
        for (const type of ['dragenter', 'dragover', 'drop']) {
          element.dispatchEvent(new DragEvent(type, { dataTransfer: transfer, bubbles: true, cancelable: true }));
        }
      },
      { files, registry: DROP_PATHS, selector: target },
    );
  }

  /** The engine's id of the slide this window has open with that file name. */
  slideIdOf(fileName: string): string {
    const slide = this.main.controller.slidesOf(SENDER_ID).find((s) => basename(s.path) === fileName);
    if (!slide) throw new Error(`${fileName} is not open`);
    return slide.slideId;
  }

  /** An engine operation's answer, asked directly of the engine process (a test's reference reads). */
  async engine<O extends EngineOperation>(operation: O, request: RequestInput<O>): Promise<ResponseOf<O>> {
    const result = await this.main.engine.call(operation, request);
    if (!result.ok) throw new Error(`${operation}: ${result.error.code}: ${result.error.message}`);
    return result.value;
  }

  invocationsOf(channel: OperationName): InvokeRecord[] {
    return this.invocations.filter((i) => i.channel === channel);
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.main.dispose();
    await rm(this.userDataDir, { recursive: true, force: true }).catch(() => undefined);
  }
}

function isLocal(url: string): boolean {
  return url.startsWith(`${FAKE_ORIGIN}/`) || url.startsWith('blob:') || url.startsWith('data:') || url === 'about:blank';
}

function isFailure(value: unknown): value is { ok: false; error: { code: string } } {
  return typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;
}
