// A thread that reads one file of QuPath's detections and hands the arrays back (moved, not copied).
// A 500 MB file takes seconds of synchronous parsing: apart from the engine lane that asked, the
// lane keeps answering (its watchdog would otherwise take it for hung and restart the engine).

import { parentPort, workerData } from 'node:worker_threads';
import { detectionBuffers } from '../../shared/detections';
import { toErrorInfo } from '../../shared/errors';
import { threadData } from '../rpc/worker-thread';
import { readDetectionFile } from './annotation-files';

const path = threadData<string>(workerData);
try {
  const set = await readDetectionFile(path);
  parentPort!.postMessage({ ok: true, value: set }, detectionBuffers(set));
} catch (error) {
  parentPort!.postMessage({ ok: false, error: toErrorInfo(error, path) });
}
