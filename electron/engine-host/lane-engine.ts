// What an engine lane answers: the slide engine's operations, and the built-in sample slide, which
// the slide generator makes. The generator is loaded from its own module when the sample is first
// asked for: neither the engine nor its process carries it otherwise.

import type { OperationHandlers } from '../../shared/operation-rpc';
import type { LaneOperation, RequestOf } from '../../shared/operations';
import { applyLibvipsSettings } from '../engine/codecs/libvips-settings';
import { SlideEngine } from '../engine/engine';

/** The generator's sample module: its bundle beside the lane's (scripts/build.mjs), or its source under tsx. */
const SAMPLE_MODULE = new URL(import.meta.url.endsWith('.ts') ? '../synth/sample-slide.ts' : './sample-slide.mjs', import.meta.url).href;

interface SampleModule {
  ensureSampleSlide(cacheDir: string): Promise<string>;
}

export class LaneEngine extends SlideEngine implements OperationHandlers<LaneOperation> {
  async ensureSample({ dir }: RequestOf<'engine:ensure-sample'>): Promise<string> {
    const { ensureSampleSlide } = (await import(SAMPLE_MODULE)) as SampleModule;
    applyLibvipsSettings();
    return ensureSampleSlide(dir);
  }
}
