// Security policy of the app's windows and session. The policy itself (URLs, CSP, permissions) is
// plain data and functions, unit-tested; the apply* functions take Electron objects as arguments so
// this module has no runtime dependency on 'electron'.
//
// The renderer is served from a privileged custom scheme, app://slidescope/ (see app-protocol.ts),
// not file://: a real origin for 'self' in the CSP, no file:// access to the disk from the page, and
// the grantFileProtocolExtraPrivileges fuse can be turned off.

import type { Session, WebContents } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'slidescope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

const CSP_DIRECTIVES: ReadonlyArray<readonly [string, string]> = [
  ['default-src', "'none'"],
  ['script-src', "'self'"],
  // 'unsafe-inline' for styles only: OpenSeadragon injects a <style> element and React/OSD set
  // style attributes; inline styles cannot run code.
  ['style-src', "'self' 'unsafe-inline'"],
  // Tiles and associated images arrive as bytes over IPC and are shown through blob: or data: URLs.
  ['img-src', "'self' blob: data:"],
  ['font-src', "'self' data:"],
  ['connect-src', "'self' blob: data:"],
  ['media-src', "'none'"],
  ['worker-src', "'self' blob:"],
  ['object-src', "'none'"],
  ['frame-src', "'none'"],
  ['child-src', "'none'"],
  ['manifest-src', "'none'"],
  ['base-uri', "'none'"],
  ['form-action', "'none'"],
];

/** Sent as the Content-Security-Policy header of every app:// response. */
export const CONTENT_SECURITY_POLICY = [...CSP_DIRECTIVES, ['frame-ancestors', "'none'"] as const].map(([k, v]) => `${k} ${v}`).join('; ');

/**
 * The same policy for renderer/index.html's <meta http-equiv="Content-Security-Policy"> (a meta CSP
 * cannot carry frame-ancestors; browsers warn and ignore it there).
 */
export const CONTENT_SECURITY_POLICY_META = CSP_DIRECTIVES.map(([k, v]) => `${k} ${v}`).join('; ');

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** A URL of the app's own renderer (app://slidescope/...). */
export function isAppUrl(url: string): boolean {
  const u = parseUrl(url);
  return u !== null && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST;
}

/**
 * Whether the session lets a request through. The app is offline: only its own scheme and in-memory
 * URLs; http(s), ws(s), ftp, file and everything else are cancelled. DevTools' own scheme is allowed
 * when DevTools are (development builds).
 */
export function isAllowedRequestUrl(url: string, options: { allowDevTools?: boolean } = {}): boolean {
  const u = parseUrl(url);
  if (!u) return false;
  switch (u.protocol) {
    case `${APP_SCHEME}:`:
      return u.host === APP_HOST;
    case 'blob:':
    case 'data:':
      return true;
    case 'about:':
      return u.href === 'about:blank';
    case 'devtools:':
    case 'chrome-devtools:':
      return options.allowDevTools === true;
    default:
      return false;
  }
}

/** Permissions a page of the app may use: fullscreen (the viewer's F key) and writing the clipboard. */
const ALLOWED_PERMISSIONS = new Set(['fullscreen', 'clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string | undefined): boolean {
  return ALLOWED_PERMISSIONS.has(permission) && requestingUrl !== undefined && isAppUrl(requestingUrl);
}

/** Only the main frame of an app page may call the IPC handlers. */
export function isTrustedSender(frame: { url: string; parent: unknown } | null | undefined): boolean {
  return !!frame && frame.parent === null && isAppUrl(frame.url);
}

export interface SessionSecurityOptions {
  allowDevTools: boolean;
  /** Told about every cancelled request (logging). */
  onBlocked?: (url: string) => void;
}

/** Network lock-down, CSP header and permission policy for a session. Call before any window loads. */
export function applySessionSecurity(session: Session, options: SessionSecurityOptions): void {
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequestUrl(details.url, { allowDevTools: options.allowDevTools });
    if (!allowed) options.onBlocked?.(details.url);
    callback({ cancel: !allowed });
  });
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    if (isAppUrl(details.url)) headers['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
    callback({ responseHeaders: headers });
  });
  session.setPermissionRequestHandler((webContents, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl ?? webContents?.getURL()));
  });
  session.setPermissionCheckHandler((_webContents, permission, requestingOrigin) => {
    return isPermissionAllowed(permission, requestingOrigin);
  });
  session.setDevicePermissionHandler(() => false);
  session.setDisplayMediaRequestHandler((_request, callback) => callback({}));
  // Never download anything a page might trigger.
  session.on('will-download', (event) => event.preventDefault());
  session.setSpellCheckerEnabled(false);
}

/**
 * Per-webContents guards (app 'web-contents-created'): no navigation away from the app (a dropped
 * file the page did not handle would otherwise navigate to it), no new windows, no <webview>.
 */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame || !isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}
