import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { PathAuthorizer } from './path-authorizer';

function authorizer(recentPaths: string[]) {
  return new PathAuthorizer({ recent: { has: async (p) => recentPaths.includes(p) } });
}

describe('PathAuthorizer', () => {
  it("origin 'recent' accepts only paths in the recent list", async () => {
    const a = authorizer(['/slides/a.svs']);
    assert.deepEqual(await a.authorizeRendererPath('/slides/a.svs', 'recent'), { ok: true, value: '/slides/a.svs' });
    const denied = await a.authorizeRendererPath('/etc/passwd', 'recent');
    assert.equal(denied.ok, false);
    assert.equal(!denied.ok && denied.error.code, 'NOT_AUTHORIZED');
    assert.equal(!denied.ok && denied.error.path, '/etc/passwd');
  });

  it("origin 'recent' compares normalised paths", async () => {
    const a = authorizer(['/slides/a.svs']);
    assert.deepEqual(await a.authorizeRendererPath('/slides/x/../a.svs', 'recent'), { ok: true, value: '/slides/a.svs' });
    assert.equal((await a.authorizeRendererPath('/slides/../etc/a.svs', 'recent')).ok, false);
  });

  it("a grant from the dialog does not make a path openable as 'recent'", async () => {
    const a = authorizer([]);
    a.grant('/slides/a.svs', 'dialog');
    assert.equal((await a.authorizeRendererPath('/slides/a.svs', 'recent')).ok, false);
  });

  it("origin 'drop' accepts the preload-resolved path, normalised", async () => {
    const a = authorizer([]);
    assert.deepEqual(await a.authorizeRendererPath('/home/u/../u/b.tiff', 'drop'), { ok: true, value: '/home/u/b.tiff' });
    assert.equal((await a.authorizeRendererPath('', 'drop')).ok, false);
  });

  it('rejects unknown origins', async () => {
    const a = authorizer(['/a.svs']);
    assert.equal((await a.authorizeRendererPath('/a.svs', 'menu' as never)).ok, false);
  });

  it('remembers grants', () => {
    const a = authorizer([]);
    assert.equal(a.isGranted('/out/t.png'), false);
    assert.equal(a.grant('/out/./t.png', 'export'), '/out/t.png');
    assert.equal(a.isGranted('/out/t.png'), true);
    assert.equal(a.sourceOf('/out/t.png'), 'export');
  });
});
