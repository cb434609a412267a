// Runs the engine worker from its TypeScript source (tests, benchmarks): Node 20 does not pass
// --import loaders to worker threads, so the worker registers tsx itself.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

register();
await import(pathToFileURL(workerData.sourceEntry).href);
