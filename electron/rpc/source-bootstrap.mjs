// Runs the engine worker from its TypeScript source (tests, benchmarks): Node 20 does not pass
// --import loaders to worker threads, so the worker registers tsx itself.

import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(pathToFileURL(workerData.sourceEntry).href);
