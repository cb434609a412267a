// What an engine lane answers: the slide engine's operations, and the built-in sample slide, which
// the slide generator makes (the engine itself does not depend on the generator).

import type { OperationHandlers } from '../../shared/operation-rpc';
import type { LaneOperation, RequestOf } from '../../shared/operations';
import { SlideEngine } from '../engine/engine';
import { ensureSampleSlide } from '../synth/sample-slide';

export class LaneEngine extends SlideEngine implements OperationHandlers<LaneOperation> {
  ensureSample({ dir }: RequestOf<'engine:ensure-sample'>): Promise<string> {
    return ensureSampleSlide(dir);
  }
}
