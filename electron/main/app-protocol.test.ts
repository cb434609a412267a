import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { createAppProtocolHandler, mimeTypeOf, resolveAppUrl } from './app-protocol';
import { CONTENT_SECURITY_POLICY } from './security';

describe('app:// protocol', () => {
  let root: string;
  let outside: string;

  before(async () => {
    const base = await mkdtemp(join(tmpdir(), 'slidescope-proto-'));
    root = join(base, 'renderer');
    outside = join(base, 'secret.txt');
    await mkdir(join(root, 'assets'), { recursive: true });
    await writeFile(join(root, 'index.html'), '<!doctype html><title>x</title>');
    await writeFile(join(root, 'assets', 'index-1.js'), 'export {}');
    await writeFile(join(root, 'assets', 'a b.css'), 'body{}');
    await writeFile(outside, 'secret');
  });
  after(async () => {
    await rm(join(root, '..'), { recursive: true, force: true });
  });

  it('resolves paths inside the root only', () => {
    assert.deepEqual(resolveAppUrl('app://slidescope/', root), { ok: true, file: join(root, 'index.html') });
    assert.deepEqual(resolveAppUrl('app://slidescope/assets/index-1.js?v=1#x', root), { ok: true, file: join(root, 'assets', 'index-1.js') });
    assert.deepEqual(resolveAppUrl('app://slidescope/assets/a%20b.css', root), { ok: true, file: join(root, 'assets', 'a b.css') });
    assert.equal(resolveAppUrl('app://slidescope/..%2fsecret.txt', root).ok, false);
    // URL parsing already folds an encoded '..' segment: it stays inside the root.
    assert.deepEqual(resolveAppUrl('app://slidescope/%2e%2e/secret.txt', root), { ok: true, file: join(root, 'secret.txt') });
    assert.equal(resolveAppUrl('app://slidescope/assets/..%2f..%2fsecret.txt', root).ok, false);
    assert.equal(resolveAppUrl('app://slidescope/a%00.js', root).ok, false);
    assert.equal(resolveAppUrl('app://slidescope/%E0%A4%A', root).ok, false);
    assert.equal(resolveAppUrl('app://other/index.html', root).ok, false);
    assert.equal(resolveAppUrl('file:///etc/passwd', root).ok, false);
  });

  it('serves files with their type and the security headers', async () => {
    const handle = createAppProtocolHandler({ root });
    const html = await handle(new Request('app://slidescope/index.html'));
    assert.equal(html.status, 200);
    assert.equal(html.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(html.headers.get('content-security-policy'), CONTENT_SECURITY_POLICY);
    assert.equal(html.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(await html.text(), '<!doctype html><title>x</title>');
    const js = await handle(new Request('app://slidescope/assets/index-1.js'));
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(await js.text(), 'export {}');
  });

  it('404 for missing files and directories, 403 outside the root, 405 for writes', async () => {
    const handle = createAppProtocolHandler({ root });
    assert.equal((await handle(new Request('app://slidescope/nope.js'))).status, 404);
    assert.equal((await handle(new Request('app://slidescope/assets'))).status, 404);
    assert.equal((await handle(new Request('app://slidescope/..%2fsecret.txt'))).status, 403);
    assert.equal((await handle(new Request('app://slidescope/index.html', { method: 'POST', body: 'x' }))).status, 405);
    const head = await handle(new Request('app://slidescope/index.html', { method: 'HEAD' }));
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
  });

  it('mime types', () => {
    assert.equal(mimeTypeOf('a.WOFF2'), 'font/woff2');
    assert.equal(mimeTypeOf('a.svg'), 'image/svg+xml');
    assert.equal(mimeTypeOf('a.bin'), 'application/octet-stream');
  });
});
