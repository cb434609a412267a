// Opens a slide on an in-process SlideEngine under a fresh id: what the engine tests did with the
// engine's old open(path), which chose the id itself.

import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { SlideEngine } from '../electron/engine/engine';
import { SlideError } from '../electron/engine/errors';
import type { SlideInfo } from '../shared/slide';

export async function openSlide(engine: SlideEngine, path: string): Promise<{ slideId: string; info: SlideInfo }> {
  const slideId = randomUUID();
  const info = await engine.open({ slideId, path, client: null });
  return { slideId, info };
}

/** Asserts that opening `path` is refused with a SlideError of `code`, its message matching, naming the file. */
export async function assertOpenRefused(engine: SlideEngine, path: string, code: string, message: RegExp): Promise<void> {
  await assert.rejects(
    () => openSlide(engine, path),
    (error: unknown) => {
      assert.ok(error instanceof SlideError, String(error));
      assert.equal(error.code, code, error.message);
      assert.match(error.message, message);
      assert.equal(error.path, path);
      return true;
    },
  );
}
