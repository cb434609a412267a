import assert from 'node:assert/strict';
import { test } from 'node:test';
import { emptyDocument } from '../../../shared/annotations';
import type { SlidescopeApi } from '../../../shared/ipc';
import type { SlideInfo } from '../../../shared/slide';
import { AnnotationSession, type Draft } from './annotationSession';

/** A session over a slide with no saved annotations, whose saves succeed. */
async function loadedSession(): Promise<AnnotationSession> {
  const api = {
    loadAnnotations: async () => ({ ok: true, value: { document: emptyDocument(), location: null, unreadable: null } }),
    saveAnnotations: async () => ({ ok: true, value: null }),
  } as unknown as SlidescopeApi;
  const session = new AnnotationSession(api, { slideId: 's', info: {} as SlideInfo }, () => undefined);
  await session.load();
  return session;
}

/** A polygon under way with `vertices` vertices, recording what was asked of it. */
function polygonDraft(vertices: number): Draft & { asked: string[] } {
  const asked: string[] = [];
  let left = vertices;
  return {
    asked,
    finish: () => asked.push('finish'),
    cancel: () => asked.push('cancel'),
    removeLastVertex: () => {
      asked.push('remove');
      if (left === 0) return false;
      left--;
      return true;
    },
  };
}

test('undo mid-shape takes back its last vertex, then the shape, and leaves the finished annotations be', async () => {
  const session = await loadedSession();
  session.add({ id: 'a1', name: '', description: '', shape: { kind: 'point', points: [1, 2] } });
  const draft = polygonDraft(1);
  session.setDraft(draft);
  session.undo();
  session.undo();
  assert.deepEqual(draft.asked, ['remove', 'remove', 'cancel']);
  assert.deepEqual(
    session.getState().document.annotations.map((a) => a.id),
    ['a1'],
  );
  session.setDraft(null);
  session.undo();
  assert.deepEqual(session.getState().document.annotations, []);
  await session.dispose();
});
