// Runs one piece of work per slide over a batch: `jobs` slides at once, each job with an engine
// process of its own (the first job's started by the caller before it lists the inputs, the others
// when their first slide needs them), a report line per slide as it finishes, and a clean stop on
// SIGINT/SIGTERM: the slides not done are reported as such, and the temporary files of an engine
// process ended mid-write are removed before the CLI exits, as are the output folders it made that
// hold nothing. A full disk (the report's, or a slide's output's) stops the batch the same way: every
// slide after it would fail alike.

import { hostname } from 'node:os';
import { type ErrorInfo, toErrorInfo } from '../../shared/errors';
import { removeUnfinishedWrites } from '../engine/export/atomic-file';
import { EngineClient } from '../engine-host/engine-client';
import { OVER_MEMORY_CAP } from '../engine-host/engine-settings';
import { settledOrAborted } from '../rpc/abortable';
import type { Engine } from './commands';
import type { ConcurrencyPlan } from './concurrency';
import { inputKey } from './folder-slides';
import { NAME_NOT_UTF8, type SlideInput } from './inputs';
import { abandonedError, type Interrupt } from './interrupt';
import { JobQueue } from './job-queue';
import { OutputFolders } from './output-folders';
import type { Progress } from './progress';
import type { ReportLine, ReportWriter, SlideStatus } from './report';
import type { EngineLauncher } from './run';
import { SLIDESCOPE_VERSION } from './version';

export interface SlideOutcome {
  status: Exclude<SlideStatus, 'not-done'>;
  outputs: Array<{ path: string; bytes: number }>;
  vendor: string | null;
  width: number | null;
  height: number | null;
  error: ErrorInfo | null;
  /** The slide's warnings (SlideInfo.warnings), when it was opened and has any: written all the same. */
  warnings?: string[];
  /**
   * A stopped slide's outputs, when they are there after its engine process ended: an export
   * cancelled as its file was being renamed in is whole and was written after all.
   */
  landed?: () => Promise<SlideOutcome['outputs'] | null>;
}

/**
 * One slide's work; `engine()` starts the job's engine process on first use and waits until it is
 * ready. Its output folders are made through `folders`: those left empty are removed at the end.
 */
export type SlideWork = (engine: () => Promise<Engine>, input: SlideInput, abandon: AbortSignal, folders: OutputFolders) => Promise<SlideOutcome>;

export interface BatchOptions {
  command: string;
  /** The options that decide an output (ReportLine.outputSet). */
  outputSet: string;
  /** The real name of the folder the inputs' keys are relative to (ReportLine.cohort). */
  cohort: string;
  /** The slides this run makes: all the slides of each input it takes (--shard splits on inputs). */
  inputs: SlideInput[];
  plan: ConcurrencyPlan;
  work: SlideWork;
  interrupt: Interrupt;
  progress: Progress;
  report: ReportWriter | null;
  shard: string | null;
  /** The batch's inputs over all shards (ReportLine.batchInputs). */
  batchInputs: number;
  /** The engine's journal of temporary files (the CLI's cache); null where it cannot be written. */
  partialWritesDir: string | null;
  launchEngine: EngineLauncher;
  /** The first job's engine, when the caller started it already (jobEngine); the batch disposes of it. */
  firstEngine?: EngineClient<unknown>;
  /** Told when an abandoned slide's work is given up: a read of its own may hold the process (process-end.ts). */
  onGiveUp?: () => void;
}

/** Codes a slide gets when it was stopped rather than failing on its own. */
const STOPPED_CODES = new Set(['CANCELLED', 'WORKER_FAILED']);

/** A job's engine process (not started): the job's share of the cores, its memory cap. */
export function jobEngine(launchEngine: EngineLauncher, plan: ConcurrencyPlan, partialWritesDir: string | null): EngineClient<unknown> {
  return new EngineClient(
    launchEngine({
      partialWritesDir: partialWritesDir ?? undefined,
      lanes: plan.lanes,
      // The lanes take the job's share of the cores and decode JPEG 2000 in their own thread: a job works
      // on one slide at a time, and a codec thread cost each engine its start, its own warm-up and a
      // hop per tile (docs/performance.md, "npm run bench": the cohort).
      codecThreads: 0,
      memoryCapMb: plan.capMb,
      parentHandlesSignals: true,
      warmUp: false,
      batchMemory: true,
    }),
    {
      // A retry meets the same cap: the way out is a higher one.
      afterStop: (reason) =>
        reason.includes(OVER_MEMORY_CAP)
          ? `A slide this large needs a higher cap: ${plan.raiseCap}.`
          : reason.includes('SIGKILL')
            ? 'It was restarted for the next slide (a process killed from outside is most often the kernel ending it for want of memory: its log says).'
            : 'It was restarted for the next slide.',
    },
  );
}

/** A folder found in the inputs that could not be listed, or a name that cannot be opened, failed as itself (no engine needed). */
function unreadableFolder(path: string, reason: string): SlideOutcome {
  const message = reason === 'EILSEQ' ? NAME_NOT_UTF8 : `The folder cannot be read (${reason}); the slides in it were not listed.`;
  return { status: 'failed', outputs: [], vendor: null, width: null, height: null, error: { code: 'IO_ERROR', message, path } };
}

export interface BatchResult {
  /** A line per slide, as reported. */
  lines: ReportLine[];
  /**
   * Why the batch stopped as on a signal: the report could not be written, or a slide's output found
   * the disk full (NO_SPACE); null when neither happened.
   */
  stopError: ErrorInfo | null;
  /** Why the report could not be written, when it could not (it then lacks the lines after): stopError, or after it. */
  reportError: ErrorInfo | null;
}

export async function runBatch(options: BatchOptions): Promise<BatchResult> {
  const { plan, interrupt, progress } = options;
  const queue = new JobQueue(options.inputs, plan.jobs);
  const total = options.inputs.length;
  const engines: Array<EngineClient<unknown> | null> = Array.from({ length: plan.jobs }, (_, job) => (job === 0 ? (options.firstEngine ?? null) : null));
  const engineOf = (job: number) => {
    engines[job] ??= jobEngine(options.launchEngine, plan, options.partialWritesDir);
    return engines[job]!;
  };
  const folders = new OutputFolders();
  const givenUp = afterAbandon(interrupt.abandon);
  const lines: ReportLine[] = [];
  // Its inputs hold all their slides: the count of a DICOM folder's is whole here, and told to a merge,
  // which sees a folder's slides without a line only by it (a run killed partway through the folder).
  const slidesOfInput = new Map<string, number>();
  for (const input of options.inputs) slidesOfInput.set(inputKey(input), (slidesOfInput.get(inputKey(input)) ?? 0) + 1);
  const inputOf = (input: SlideInput) => ({
    input: inputKey(input),
    inputSlides: slidesOfInput.get(inputKey(input)) ?? 1,
    listedIn: input.listedIn ?? null,
  });
  const base = {
    command: options.command,
    outputSet: options.outputSet,
    cohort: options.cohort,
    shard: options.shard,
    batchInputs: options.batchInputs,
    host: hostname(),
    pid: process.pid,
    version: SLIDESCOPE_VERSION,
  };
  // A report that cannot be written, or an output that found the disk full, stops the batch as a
  // signal would: no new slide, the ones being made finished; the error is returned with the lines, so
  // the CLI still says what was done.
  let stopError: ErrorInfo | null = null;
  let reportError: ErrorInfo | null = null;
  const record = async (line: ReportLine) => {
    lines.push(line);
    if (reportError === null)
      await options.report?.write(line).catch((error: unknown) => {
        reportError = toErrorInfo(error);
        stopError ??= reportError;
      });
  };
  const abandoned: Array<{ line: ReportLine; landed: NonNullable<SlideOutcome['landed']> }> = [];
  let done = 0;
  progress.update(0, total, '');
  try {
    await Promise.all(
      Array.from({ length: plan.jobs }, async (_, job) => {
        for (;;) {
          const input = interrupt.stopping || stopError !== null ? null : queue.take(job);
          if (!input) break;
          const started = new Date();
          const t0 = performance.now();
          // A slide's time leaves out its job's engine process starting: that is the batch's, once per job.
          let startup = 0;
          const engine = async () => {
            // A work given up (answeredOrGivenUp) that wakes after the batch must not start an engine anew.
            if (interrupt.abandon.aborted) throw abandonedError(input.path);
            const t = performance.now();
            const client = engineOf(job);
            client.start(); // held while it warms up: a wait alone would let the CLI's event loop end
            await client.whenReady();
            startup += performance.now() - t;
            return client;
          };
          // A fault in the work is that slide's failure, not the batch's.
          const outcome =
            input.unreadable !== undefined
              ? unreadableFolder(input.path, input.unreadable)
              : await answeredOrGivenUp(
                  options.work(engine, input, interrupt.abandon, folders).catch(
                    (error: unknown): SlideOutcome => ({
                      status: 'failed',
                      outputs: [],
                      vendor: null,
                      width: null,
                      height: null,
                      error: toErrorInfo(error, input.path),
                    }),
                  ),
                  givenUp.signal,
                  input.path,
                  options.onGiveUp,
                );
          if (outcome.error?.code === 'NO_SPACE') {
            const { message } = outcome.error;
            stopError ??= { ...outcome.error, message: `${message} No slide was started after it: make room, then run the same command again to finish.` };
          }
          const stopped = interrupt.stopping && outcome.status === 'failed' && STOPPED_CODES.has(outcome.error?.code ?? '');
          const line: ReportLine = {
            ...base,
            slide: input.key,
            ...inputOf(input),
            path: input.path,
            status: stopped ? 'not-done' : outcome.status,
            outputs: outcome.outputs,
            vendor: outcome.vendor,
            width: outcome.width,
            height: outcome.height,
            started: started.toISOString(),
            ms: Math.round(performance.now() - t0 - startup),
            error: outcome.error && { code: outcome.error.code, message: outcome.error.message },
            ...(outcome.warnings?.length ? { warnings: outcome.warnings } : {}),
          };
          // A stopped slide's line waits for its engine process to end: its output may land yet.
          if (stopped && outcome.landed) abandoned.push({ line, landed: outcome.landed });
          else await record(line);
          progress.update(++done, total, input.key, outcome.status === 'skipped');
        }
      }),
    );
  } finally {
    givenUp.dispose();
    progress.finish();
    // Slides abandoned: their engines are not waited for (one may no longer answer); writes are atomic.
    await Promise.all(engines.map((engine) => engine?.dispose(!interrupt.abandon.aborted)));
  }
  for (const { line, landed } of abandoned) {
    const outputs = await landed();
    await record(outputs ? { ...line, status: 'written', outputs, error: null } : line);
  }
  const now = new Date().toISOString();
  for (const input of queue.untaken()) {
    await record({
      ...base,
      slide: input.key,
      ...inputOf(input),
      path: input.path,
      status: 'not-done',
      outputs: [],
      vendor: null,
      width: null,
      height: null,
      started: now,
      ms: 0,
      error: null,
    });
  }
  // An engine process ended mid-write (abandoned, or signalled itself) listed its temporary file.
  if (interrupt.stopping && options.partialWritesDir !== null) await removeUnfinishedWrites(options.partialWritesDir).catch(() => undefined);
  await folders.removeEmpty();
  return { lines, stopError, reportError };
}

/**
 * How long an abandoned slide's work has to answer for itself (its engine's calls end at once) before
 * it is given up: a read of the CLI's own on a share gone away never returns, and must not keep the
 * batch from reporting its slides and ending.
 */
const ABANDONED_ANSWER_MS = 5000;

/** A signal aborted ABANDONED_ANSWER_MS after `abandon` is, until disposed. */
function afterAbandon(abandon: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const later = () => {
    timer = setTimeout(() => controller.abort(), ABANDONED_ANSWER_MS);
  };
  if (abandon.aborted) later();
  else abandon.addEventListener('abort', later, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      abandon.removeEventListener('abort', later);
      clearTimeout(timer);
    },
  };
}

/** The work's outcome, or once `givenUp` aborts first, the slide's as abandoned (reported not done). */
async function answeredOrGivenUp(work: Promise<SlideOutcome>, givenUp: AbortSignal, path: string, onGiveUp?: () => void): Promise<SlideOutcome> {
  const outcome = await settledOrAborted(work, givenUp);
  if (outcome) return outcome;
  onGiveUp?.();
  return {
    status: 'failed',
    outputs: [],
    vendor: null,
    width: null,
    height: null,
    error: toErrorInfo(abandonedError(path, ', and its reads did not end')),
  };
}
