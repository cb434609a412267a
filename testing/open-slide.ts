// Opens a slide on an in-process SlideEngine under a fresh id: what the engine tests did with the
// engine's old open(path), which chose the id itself.

import { randomUUID } from 'node:crypto';
import type { SlideEngine } from '../electron/engine/engine';
import type { SlideInfo } from '../shared/slide';

export async function openSlide(engine: SlideEngine, path: string): Promise<{ slideId: string; info: SlideInfo }> {
  const slideId = randomUUID();
  const info = await engine.open({ slideId, path, client: null });
  return { slideId, info };
}
