// The app:// protocol: serves the built renderer (dist/renderer) to the app's windows.
//
// Why not file://: Vite's output is ES modules, which Chromium loads in CORS mode; a privileged
// standard scheme gives the renderer a real origin (app://slidescope) so module scripts, 'self' in
// the CSP and localStorage behave as on the web, while the page gets no file:// reach into the disk.
// main.ts registers the scheme as privileged before `ready` and installs this handler with
// protocol.handle(). The handler is a plain (Request) => Promise<Response>, testable in Node.

import { readFile as fsReadFile } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';

import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security';

/** Privileges for protocol.registerSchemesAsPrivileged (before app ready). */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: true,
  codeCache: true,
} as const;

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

export function mimeTypeOf(file: string): string {
  return MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export type AppUrlResolution = { ok: true; file: string } | { ok: false; status: 400 | 403 | 404 };

/** Maps app://slidescope/<path> to a file under root; refuses anything that would leave root. */
export function resolveAppUrl(url: string, root: string): AppUrlResolution {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { ok: false, status: 400 };
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return { ok: false, status: 404 };
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return { ok: false, status: 400 };
  }
  if (pathname.includes('\0')) return { ok: false, status: 400 };
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  const base = resolve(root);
  const file = resolve(base, `.${pathname.startsWith('/') ? pathname : `/${pathname}`}`);
  if (!file.startsWith(base + sep)) return { ok: false, status: 403 };
  return { ok: true, file };
}

export interface AppProtocolOptions {
  /** Directory of the built renderer (dist/renderer). */
  root: string;
  csp?: string;
  readFile?: (file: string) => Promise<Uint8Array>;
}

export function securityHeaders(contentType: string, csp: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': csp,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
    'Cache-Control': 'no-cache',
  };
}

export function createAppProtocolHandler(options: AppProtocolOptions): (request: Request) => Promise<Response> {
  const csp = options.csp ?? CONTENT_SECURITY_POLICY;
  const read = options.readFile ?? ((file: string) => fsReadFile(file));
  const plain = (status: number, text: string) => new Response(text, { status, headers: securityHeaders('text/plain; charset=utf-8', csp) });

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return plain(405, 'method not allowed');
    const resolved = resolveAppUrl(request.url, options.root);
    if (!resolved.ok) return plain(resolved.status, resolved.status === 403 ? 'forbidden' : resolved.status === 400 ? 'bad request' : 'not found');
    let body: Uint8Array;
    try {
      body = await read(resolved.file);
    } catch {
      return plain(404, 'not found');
    }
    const headers = securityHeaders(mimeTypeOf(resolved.file), csp);
    return new Response(request.method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
  };
}
