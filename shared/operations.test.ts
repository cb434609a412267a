import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it, test } from 'node:test';

import { isMenuCommand } from './ipc';
import { ENGINE_OPERATIONS, isAbsolutePath, isOperation, MAIN_OPERATIONS, OPERATION_NAMES, OPERATIONS, operationSpec, validateRequest } from './operations';

function expectInvalid(result: { ok: boolean; error?: { code: string; message: string } }, fragment?: string): void {
  assert.equal(result.ok, false, 'expected INVALID_ARGUMENT');
  assert.equal(result.error?.code, 'INVALID_ARGUMENT');
  if (fragment) assert.match(result.error?.message ?? '', new RegExp(fragment));
}

describe('the operation table', () => {
  it('is documented: every operation is named in docs/architecture.md or the guide it points to', () => {
    const docs = ['architecture.md', 'compare.md', 'annotations.md']
      .map((name) => readFileSync(new URL(`../docs/${name}`, import.meta.url), 'utf8'))
      .join('\n');
    assert.deepEqual(
      OPERATION_NAMES.filter((name) => !docs.includes(`\`${name}\``)),
      [],
    );
  });

  it('every operation runs in main or the engine; the engine routes each of its own', () => {
    assert.deepEqual([...MAIN_OPERATIONS, ...ENGINE_OPERATIONS].sort(), [...OPERATION_NAMES].sort());
    for (const name of ENGINE_OPERATIONS) assert.ok(operationSpec(name).route, `${name} has no route`);
    for (const name of MAIN_OPERATIONS) assert.equal(operationSpec(name).route, undefined, name);
  });

  it('method names are unique; page operations of the engine all name a slide (a window reads only its own)', () => {
    const methods = OPERATION_NAMES.map((name) => OPERATIONS[name].method);
    assert.equal(new Set(methods).size, methods.length);
    for (const name of ENGINE_OPERATIONS) {
      if (operationSpec(name).exposure !== 'page') continue;
      const probe = validateRequest(name, {});
      assert.ok(!probe.ok && /slideId is missing/.test(probe.error.message), `${name} must take a slideId: ${JSON.stringify(probe)}`);
    }
  });
});

describe('validateRequest', () => {
  it('operations without a request accept undefined/null and nothing else', () => {
    for (const channel of ['slide:open-dialog', 'slide:open-sample', 'recent:list', 'recent:clear', 'app:versions', 'engine:stats'] as const) {
      assert.deepEqual(validateRequest(channel, undefined), { ok: true, value: undefined });
      assert.deepEqual(validateRequest(channel, null), { ok: true, value: undefined });
      expectInvalid(validateRequest(channel, {}), 'takes no arguments');
      expectInvalid(validateRequest(channel, 'x'));
    }
  });

  it('slide:open-recent and slide:open-dropped take an absolute path', () => {
    for (const op of ['slide:open-recent', 'slide:open-dropped'] as const) {
      assert.deepEqual(validateRequest(op, { path: '/data/a.svs' }), { ok: true, value: { path: '/data/a.svs' } });
      assert.equal(validateRequest(op, { path: 'C:\\slides\\a.svs' }).ok, true);
      assert.equal(validateRequest(op, { path: '\\\\server\\share\\a.svs' }).ok, true);
      expectInvalid(validateRequest(op, { path: 'relative/a.svs' }), 'absolute');
      expectInvalid(validateRequest(op, { path: '' }), 'empty');
      expectInvalid(validateRequest(op, { path: '/a\u0000b' }), 'control');
      expectInvalid(validateRequest(op, {}), 'path is missing');
      expectInvalid(validateRequest(op, { path: '/a.svs', origin: 'drop' }), 'origin is an unexpected field');
      expectInvalid(validateRequest(op, { path: 42 }), 'string');
      expectInvalid(validateRequest(op, { path: `/${'a'.repeat(40000)}` }), 'longer');
      expectInvalid(validateRequest(op, ['/a.svs']), 'object');
      expectInvalid(validateRequest(op, null), 'object');
    }
  });

  it('rejects objects with a foreign prototype', () => {
    class Sneaky {
      path = '/a.svs';
    }
    expectInvalid(validateRequest('slide:open-recent', new Sneaky()), 'plain data');
    expectInvalid(validateRequest('export:thumbnail', { slideId: 's', spec: new Date(), format: 'png' }), 'plain data');
    const bare = Object.assign(Object.create(null) as object, { path: '/a.svs' });
    assert.equal(validateRequest('slide:open-recent', bare).ok, true);
  });

  it('returns a fresh object, not the caller one', () => {
    const raw = { slideId: 's1' };
    const result = validateRequest('slide:close', raw);
    assert.ok(result.ok);
    assert.notEqual(result.value, raw);
    assert.deepEqual(result.value, { slideId: 's1' });
  });

  it('slide ids', () => {
    assert.equal(validateRequest('slide:close', { slideId: 'a1b2-c3' }).ok, true);
    expectInvalid(validateRequest('slide:close', { slideId: '' }));
    expectInvalid(validateRequest('slide:close', { slideId: 'has space' }), 'white space');
    expectInvalid(validateRequest('slide:close', { slideId: 'x'.repeat(129) }), 'longer');
    expectInvalid(validateRequest('slide:close', { slideId: 7 }));
  });

  it('slide:tile', () => {
    const good = { slideId: 's1', dzLevel: 12, col: 3, row: 4, requestId: 99 };
    assert.deepEqual(validateRequest('slide:tile', good), { ok: true, value: good });
    assert.equal(validateRequest('slide:tile', { ...good, dzLevel: 0, col: 0, row: 0, requestId: 0 }).ok, true);
    for (const [key, value] of [
      ['dzLevel', -1],
      ['dzLevel', 65],
      ['dzLevel', 1.5],
      ['dzLevel', Number.NaN],
      ['col', -1],
      ['col', Number.POSITIVE_INFINITY],
      ['row', '3'],
      ['row', 2 ** 31],
      ['requestId', -5],
      ['requestId', 2 ** 53],
      ['requestId', null],
    ] as const) {
      expectInvalid(validateRequest('slide:tile', { ...good, [key]: value }), key);
    }
    expectInvalid(validateRequest('slide:tile', { ...good, level: 3 }), 'unexpected');
  });

  it('slide:cancel-tiles', () => {
    assert.deepEqual(validateRequest('slide:cancel-tiles', { slideId: 's', requestIds: [1, 2, 3] }), {
      ok: true,
      value: { slideId: 's', requestIds: [1, 2, 3] },
    });
    assert.equal(validateRequest('slide:cancel-tiles', { slideId: 's', requestIds: [] }).ok, true);
    expectInvalid(validateRequest('slide:cancel-tiles', { slideId: 's', requestIds: [1, -2] }), 'requestIds\\[1\\]');
    expectInvalid(validateRequest('slide:cancel-tiles', { slideId: 's', requestIds: 'all' }), 'array');
    expectInvalid(validateRequest('slide:cancel-tiles', { slideId: 's', requestIds: new Array(10_001).fill(1) }), 'more than');
  });

  it('slide:associated', () => {
    assert.equal(validateRequest('slide:associated', { slideId: 's', name: 'label' }).ok, true);
    assert.equal(validateRequest('slide:associated', { slideId: 's', name: 'macro image_2' }).ok, true);
    expectInvalid(validateRequest('slide:associated', { slideId: 's', name: '../etc' }), 'name');
    expectInvalid(validateRequest('slide:associated', { slideId: 's', name: '' }));
    expectInvalid(validateRequest('slide:associated', { slideId: 's', name: 'x'.repeat(65) }));
  });

  it('export:thumbnail', () => {
    const good = { slideId: 's', spec: { kind: 'size', longestSide: 1024 }, format: 'png' };
    assert.deepEqual(validateRequest('export:thumbnail', good), { ok: true, value: good });
    assert.equal(validateRequest('export:thumbnail', { ...good, spec: { kind: 'power', objectivePower: 1.25 } }).ok, true);
    assert.equal(validateRequest('export:thumbnail', { ...good, spec: { kind: 'mpp', mpp: 8 }, format: 'tiff' }).ok, true);
    expectInvalid(validateRequest('export:thumbnail', { ...good, spec: { kind: 'size', longestSide: 0 } }), 'longestSide');
    expectInvalid(validateRequest('export:thumbnail', { ...good, spec: { kind: 'power', objectivePower: 0 } }), 'objectivePower');
    expectInvalid(validateRequest('export:thumbnail', { ...good, spec: { kind: 'mpp', mpp: -1 } }), 'mpp');
    expectInvalid(validateRequest('export:thumbnail', { ...good, spec: { kind: 'size', longestSide: 10, mpp: 1 } }), 'unexpected');
    expectInvalid(validateRequest('export:thumbnail', { ...good, spec: { kind: 'zoom' } }), 'kind');
    expectInvalid(validateRequest('export:thumbnail', { ...good, format: 'gif' }), 'format');
  });

  it('export:comparison', () => {
    const good = { slideId: 's', powers: [1.25, 2.5, 5, 10], mode: { kind: 'slide' }, format: 'jpeg' };
    assert.deepEqual(validateRequest('export:comparison', good), { ok: true, value: good });
    const field = { kind: 'field', centerX: 1000, centerY: 2000.5, panelWidth: 800, panelHeight: 600 };
    assert.deepEqual(validateRequest('export:comparison', { ...good, mode: field }), { ok: true, value: { ...good, mode: field } });
    expectInvalid(validateRequest('export:comparison', { ...good, powers: [] }), 'powers');
    expectInvalid(validateRequest('export:comparison', { ...good, powers: [1, 2, 4, 8, 16] }), 'powers');
    expectInvalid(validateRequest('export:comparison', { ...good, powers: [1, Number.NaN] }), 'powers\\[1\\]');
    expectInvalid(validateRequest('export:comparison', { ...good, mode: { ...field, panelWidth: 0 } }), 'panelWidth');
    expectInvalid(validateRequest('export:comparison', { ...good, mode: { ...field, panelHeight: 20_000 } }), 'panelHeight');
    expectInvalid(validateRequest('export:comparison', { ...good, mode: { ...field, centerX: Number.NaN } }), 'centerX');
    expectInvalid(validateRequest('export:comparison', { ...good, mode: { kind: 'slide', centerX: 1 } }), 'unexpected');
    expectInvalid(validateRequest('export:comparison', { ...good, mode: { kind: 'field' } }), 'missing');
  });

  it('export:show-in-folder', () => {
    assert.equal(validateRequest('export:show-in-folder', { path: '/out/thumb.png' }).ok, true);
    expectInvalid(validateRequest('export:show-in-folder', { path: 'thumb.png' }), 'absolute');
  });

  it('unknown operations', () => {
    expectInvalid(validateRequest('slide:format-disk' as never, {}), 'unknown operation');
    assert.equal(isOperation('slide:tile'), true);
    assert.equal(isOperation('slide:nope'), false);
    assert.equal(isOperation('toString'), false);
    assert.equal(isMenuCommand('zoom-in'), true);
    assert.equal(isMenuCommand('rm -rf'), false);
  });

  it('isAbsolutePath', () => {
    assert.equal(isAbsolutePath('/x'), true);
    assert.equal(isAbsolutePath('D:/x'), true);
    assert.equal(isAbsolutePath('\\\\host\\share'), true);
    assert.equal(isAbsolutePath('x/y'), false);
    assert.equal(isAbsolutePath('C:x'), false);
  });
});

test('slide:prefetch takes inclusive ranges of at most 1024 tiles at one level', () => {
  const good = { slideId: 'a1b2', dzLevel: 12, colStart: 3, colEnd: 10, rowStart: 0, rowEnd: 4 };
  const checked = validateRequest('slide:prefetch', good);
  assert.ok(checked.ok);
  assert.deepEqual(checked.value, good);
  for (const bad of [
    { ...good, colEnd: 2 },
    { ...good, colStart: 0, colEnd: 99, rowStart: 0, rowEnd: 99 },
    { ...good, dzLevel: -1 },
    { ...good, extra: 1 },
    { ...good, rowEnd: 1.5 },
  ]) {
    const result = validateRequest('slide:prefetch', bad);
    assert.equal(result.ok, false, JSON.stringify(bad));
    if (!result.ok) assert.equal(result.error.code, 'INVALID_ARGUMENT');
  }
});
