import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  APP_INDEX_URL,
  CONTENT_SECURITY_POLICY,
  CONTENT_SECURITY_POLICY_META,
  isAllowedRequestUrl,
  isAppUrl,
  isPermissionAllowed,
  isTrustedSender,
} from './security';

describe('security policy', () => {
  it('lets only local requests through', () => {
    for (const url of [APP_INDEX_URL, 'app://slidescope/assets/index-abc.js', 'blob:app://slidescope/0b6c-1', 'data:image/png;base64,AAAA', 'about:blank']) {
      assert.equal(isAllowedRequestUrl(url), true, url);
    }
    for (const url of [
      'https://example.com/',
      'http://localhost:5173/',
      'ws://127.0.0.1:9222/',
      'wss://x.y/',
      'ftp://x/',
      'file:///etc/passwd',
      'app://evil/index.html',
      'chrome://settings',
      'devtools://devtools/bundled/inspector.html',
      'about:srcdoc',
      'not a url',
    ]) {
      assert.equal(isAllowedRequestUrl(url), false, url);
    }
    assert.equal(isAllowedRequestUrl('devtools://devtools/bundled/inspector.html', { allowDevTools: true }), true);
  });

  it('recognises app URLs', () => {
    assert.equal(isAppUrl('app://slidescope/index.html'), true);
    assert.equal(isAppUrl('app://slidescope'), true);
    assert.equal(isAppUrl('app://other/index.html'), false);
    assert.equal(isAppUrl('https://slidescope/index.html'), false);
  });

  it('CSP: no remote origins, no inline or eval scripts, blob/data images', () => {
    const directives = new Map(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.slice(d.indexOf(' ') + 1)]));
    assert.equal(directives.get('default-src'), "'none'");
    assert.equal(directives.get('script-src'), "'self'");
    assert.match(directives.get('img-src') ?? '', /blob:/);
    assert.match(directives.get('img-src') ?? '', /data:/);
    assert.equal(directives.get('object-src'), "'none'");
    assert.equal(directives.get('frame-ancestors'), "'none'");
    assert.doesNotMatch(CONTENT_SECURITY_POLICY, /https?:|\*|unsafe-eval/);
    assert.doesNotMatch(CONTENT_SECURITY_POLICY_META, /frame-ancestors/);
    assert.ok(CONTENT_SECURITY_POLICY.startsWith(CONTENT_SECURITY_POLICY_META));
  });

  it('permissions: fullscreen and clipboard writes for app pages only', () => {
    assert.equal(isPermissionAllowed('fullscreen', APP_INDEX_URL), true);
    assert.equal(isPermissionAllowed('clipboard-sanitized-write', 'app://slidescope'), true);
    assert.equal(isPermissionAllowed('fullscreen', 'https://example.com'), false);
    for (const p of ['media', 'geolocation', 'notifications', 'openExternal', 'camera', 'hid', 'usb', 'serial']) {
      assert.equal(isPermissionAllowed(p, APP_INDEX_URL), false, p);
    }
    assert.equal(isPermissionAllowed('fullscreen', undefined), false);
  });

  it('trusts only the main frame of an app page', () => {
    assert.equal(isTrustedSender({ url: APP_INDEX_URL, parent: null }), true);
    assert.equal(isTrustedSender({ url: APP_INDEX_URL, parent: {} }), false);
    assert.equal(isTrustedSender({ url: 'https://x/', parent: null }), false);
    assert.equal(isTrustedSender(null), false);
  });
});
