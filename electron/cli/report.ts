// --report FILE.jsonl: one JSON line per slide as it finishes. The file is opened for appending
// (O_APPEND) and each line goes in one write (more only when the system writes it short), so a rerun
// adds to it and a line is never interleaved with another writer's on a local disk (shards on a
// cluster write a file each: O_APPEND is not atomic over NFS). `slidescope report merge` reads any
// number of them; a slide's latest line counts, so a resumed run's lines replace the interrupted run's
// (but a slide done stays done: slideLine).

import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename, dirname, sep } from 'node:path';
import { Readable } from 'node:stream';
import * as v from 'valibot';
import { SlideError, writeFailureCode } from '../engine/errors';
import { makeFolder } from '../engine/export/make-folder';
import { fileProblem } from './inputs';
import { printable } from './printable';
import { MAX_SHARDS } from './shards';

export const SLIDE_STATUSES = ['written', 'skipped', 'failed', 'not-done'] as const;
export type SlideStatus = (typeof SLIDE_STATUSES)[number];

const count = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const pixels = v.nullable(v.pipe(v.number(), v.safeInteger(), v.minValue(1)));

/** A report line's fields as a Slidescope writes them: the writer's type, and what a merge checks each line it reads against. */
const lineEntries = {
  /** Relative to the inputs' common folder: the same on every node. */
  slide: v.string(),
  path: v.string(),
  status: v.picklist(SLIDE_STATUSES),
  command: v.string(),
  outputs: v.array(v.object({ path: v.string(), bytes: count })),
  vendor: v.nullable(v.string()),
  width: pixels,
  height: pixels,
  /** ISO time the slide's work started, and how long it took. */
  started: v.string(),
  ms: v.pipe(v.number(), v.finite(), v.minValue(0)),
  error: v.nullable(v.object({ code: v.string(), message: v.string() })),
  /**
   * The engine's sentences on damage it passed over to open the slide (SlideInfo.warnings: the file cut
   * short, an image unreadable); present only when there are some. The slide's status is as it would be.
   */
  warnings: v.optional(v.array(v.string())),
  /** "K/N" as --shard gave it (possibleShard); another tool's shard field otherwise counts as unsharded. */
  shard: v.nullable(v.pipe(v.string(), v.check(possibleShard))),
  /**
   * The batch's inputs over all its shards (folder-slides.ts inputKey: a DICOM folder is one however
   * many slides it holds), which every shard counts alike though it opens only its own folders: a merge
   * of the shards' reports tells from it and `input` whether a slide's input has no line.
   */
  batchInputs: count,
  /** The input the slide came from: its DICOM folder's key for a slide of a folder of several, else `slide`. */
  input: v.string(),
  /**
   * The slides its input holds: 1 for a slide on its own, the folder's count for a slide of a DICOM
   * folder of several (the shard that takes the folder opens it): a merge tells from it that a run
   * killed partway through a folder left some of its slides without a line.
   */
  inputSlides: count,
  /**
   * The given folder whose recursive listing found the slide, by its key ('' for the inputs' common
   * folder); null for a slide named itself (a path given, a --list line). A folder that once could not
   * be listed counts as listed whole by a later line under it from a listing of it or of a folder above.
   */
  listedIn: v.nullable(v.string()),
  host: v.string(),
  pid: count,
  /** The Slidescope that made the line. */
  version: v.string(),
  /**
   * What the batch makes of each slide, its options that decide an output ("thumbnail --size 1024
   * --colour srgb --format png"): runs of other options are other batches to a merge.
   */
  outputSet: v.optional(v.string()),
  /** The real name of the folder `slide` is relative to: the same whichever link the run went through. */
  cohort: v.optional(v.string()),
};

export type ReportLine = v.InferOutput<v.ObjectSchema<typeof lineEntries, undefined>>;

/**
 * A line as a merge reads it: a field a Slidescope before it did not write (batchInputs and after), or
 * that a line made by hand leaves out, may be absent (those the summary prints then null), but every
 * field there must be of the writer's type: a summary never prints `undefined` or `[object Object]`.
 */
const readLineSchema = v.object({
  ...lineEntries,
  command: v.optional(lineEntries.command, ''),
  outputs: v.optional(lineEntries.outputs, () => []),
  vendor: v.optional(lineEntries.vendor, null),
  width: v.optional(lineEntries.width, null),
  height: v.optional(lineEntries.height, null),
  error: v.optional(lineEntries.error, null),
  shard: v.optional(lineEntries.shard, null),
  batchInputs: v.optional(lineEntries.batchInputs),
  input: v.optional(lineEntries.input),
  inputSlides: v.optional(lineEntries.inputSlides),
  listedIn: v.optional(lineEntries.listedIn),
  host: v.optional(lineEntries.host),
  pid: v.optional(lineEntries.pid),
  version: v.optional(lineEntries.version),
});

type ReadLine = v.InferOutput<typeof readLineSchema>;

/** A line that gives fields an older Slidescope's lines lack. */
type Giving<K extends keyof ReadLine> = ReadLine & { [P in K]-?: Exclude<ReadLine[P], undefined> };

function gives<L extends ReadLine, K extends keyof ReadLine>(line: L, key: K): line is L & Giving<K> {
  return line[key] !== undefined;
}

export interface ReportWriter {
  write(line: ReportLine): Promise<void>;
  close(): Promise<void>;
}

export async function openReport(path: string): Promise<ReportWriter> {
  await makeFolder(dirname(path));
  // Read as well as appended to: the last byte tells whether an earlier run's last line was cut.
  const handle = await open(path, 'a+');
  /** All of `bytes`: a short write (a full disk, ulimit -f) goes on from where it stopped, until done or an error. */
  const writeAll = async (bytes: Buffer) => {
    for (let done = 0; done < bytes.length; ) {
      const { bytesWritten } = await handle.write(bytes, done, bytes.length - done);
      if (bytesWritten <= 0) throw new Error(`only ${done} of a line's ${bytes.length} bytes could be written`);
      done += bytesWritten;
    }
  };
  try {
    // A line cut short by a crash or a full disk is ended, so that the next line is not glued to it.
    const { size } = await handle.stat();
    const last = Buffer.alloc(1);
    if (size > 0 && (await handle.read(last, 0, 1, size - 1)).bytesRead === 1 && last[0] !== 0x0a) await writeAll(Buffer.from('\n'));
  } catch (error) {
    await handle.close();
    throw error;
  }
  return {
    async write(line) {
      await writeAll(Buffer.from(`${JSON.stringify(line)}\n`)).catch((error: unknown) => {
        throw new SlideError(
          writeFailureCode(error),
          `The report cannot be written (${error instanceof Error ? error.message : String(error)}); no slide was started after it: run the same command again to finish.`,
          path,
        );
      });
    },
    close: () => handle.close(),
  };
}

export interface ReadReports {
  /** Each slide's line over all its lines (slideLine), the same whatever order the files come in. */
  slides: ReadLine[];
  /**
   * Every line read (less a folder's that a later whole run listed: listedLater): the shards that wrote,
   * each run's count of the batch's inputs and each slide's input, which a slide's chosen line may not carry.
   */
  lines: ReadLine[];
  /** Lines that are not report lines (a file cut short, another tool's). */
  unreadable: number;
}

/** The later of two lines by start, and of two that started together the one written last. */
function later<L extends ReadLine>(a: L, b: L): L {
  return b.started > a.started || (b.started === a.started && JSON.stringify(b) > JSON.stringify(a)) ? b : a;
}

/**
 * A slide's line over all its lines, the same whatever order the files come in: the latest (a resumed
 * run's over the interrupted one's), but an interrupted rerun's "not-done" does not undo a slide that
 * was done, and a rerun's "skipped" does not hide the line of the run that wrote the output (its time,
 * its vendor).
 */
function slideLine(lines: readonly ReadLine[]): ReadLine {
  const latest = (status: SlideStatus | 'done') => {
    const some = lines.filter((l) => (status === 'done' ? l.status === 'written' || l.status === 'skipped' : l.status === status));
    return some.length > 0 ? some.reduce(later) : null;
  };
  let line = lines.reduce(later);
  if (line.status === 'not-done') line = latest('done') ?? line;
  if (line.status === 'skipped') line = latest('written') ?? line;
  return line;
}

/**
 * The name of the folder a line's slide is relative to: reports of two cohorts whose slides share
 * relative names stay apart, while a cohort's shards on nodes that mount it at different places agree.
 */
function baseName(line: ReadLine): string {
  return line.cohort ?? basename(rootOf(line.path, line.slide));
}

/**
 * The folder a slide's path is relative to: the path less its key (which is the path's end, '/'
 * between its folders on every system; a name may hold a backslash elsewhere than on Windows).
 */
function rootOf(path: string, slide: string): string {
  const end = path.slice(path.length - slide.length);
  if (path.length > slide.length && (end === slide || end.replaceAll('\\', '/') === slide)) return path.slice(0, path.length - slide.length - 1) || sep;
  // A line not written so (hand-made): by the key's depth.
  const parts = path.split(/[\\/]/);
  return parts.slice(0, Math.max(1, parts.length - slide.split('/').length)).join(sep) || sep;
}

/**
 * Lines of a Slidescope before outputSet take the one the other lines of their command and folder
 * give, where they all give the same: an upgrade partway through a cohort leaves it one batch. (Their
 * folder is the path's, as typed: runs through a link of another name stay apart, as they did.)
 */
function withOutputSets(lines: ReadLine[]): ReadLine[] {
  const sets = new Map<string, Set<string>>();
  const where = (line: ReadLine) => `${line.command ?? ''}\0${baseName(line)}`;
  for (const line of lines) if (line.outputSet !== undefined) sets.set(where(line), (sets.get(where(line)) ?? new Set()).add(line.outputSet));
  return lines.map((line) => {
    const only = sets.get(where(line));
    return line.outputSet === undefined && only?.size === 1 ? { ...line, outputSet: [...only][0]! } : line;
  });
}

/** The batch a line's slide belongs to: its command and options, and the folder its slides are relative to. */
function cohortKey(line: ReadLine): string {
  return `${line.command ?? ''}\0${line.outputSet ?? ''}\0${baseName(line)}`;
}

/**
 * A report's text as its byte-order mark says: a report saved again by a Windows tool (Notepad's or
 * PowerShell's UTF-8 with a mark, whose first line would otherwise be lost; PowerShell 5's `>`, UTF-16), else UTF-8.
 */
async function reportText(path: string): Promise<Readable> {
  const handle = await open(path, 'r');
  const mark = Buffer.alloc(3);
  try {
    mark.fill(0, (await handle.read(mark, 0, 3, 0)).bytesRead);
  } finally {
    await handle.close();
  }
  if (mark[0] === 0xef && mark[1] === 0xbb && mark[2] === 0xbf) return createReadStream(path, { encoding: 'utf8', start: 3 });
  if (mark[0] === 0xff && mark[1] === 0xfe) return createReadStream(path, { encoding: 'utf16le', start: 2 });
  if (mark[0] === 0xfe && mark[1] === 0xff) return Readable.from(decoded(createReadStream(path, { start: 2 }), new TextDecoder('utf-16be')));
  return createReadStream(path, 'utf8');
}

async function* decoded(bytes: AsyncIterable<Buffer>, decoder: TextDecoder): AsyncGenerator<string> {
  for await (const chunk of bytes) yield decoder.decode(chunk, { stream: true });
  yield decoder.decode();
}

/**
 * A report line longer than this is no Slidescope's (its paths, a message and warnings take a few KB):
 * a file given by mistake, or the NULs a crash can leave at a file's end, are passed over line by line
 * in this much memory, where a line read whole could outgrow what a string can hold.
 */
export const MAX_REPORT_LINE_CHARS = 4 * 1024 * 1024;

/**
 * The lines of a text (ended by \n, \r\n or \r, as readline ends them), each line longer than
 * MAX_REPORT_LINE_CHARS as null, without holding more of it than that.
 */
export async function* reportLines(text: AsyncIterable<string>): AsyncGenerator<string | null> {
  const lineEnd = /[\r\n]/g;
  let line = '';
  let tooLong = false;
  for await (const chunk of text) {
    for (let start = 0; ; ) {
      lineEnd.lastIndex = start;
      const end = lineEnd.exec(chunk)?.index ?? chunk.length;
      tooLong ||= line.length + end - start > MAX_REPORT_LINE_CHARS;
      line = tooLong ? '' : line + chunk.slice(start, end);
      if (end === chunk.length) break;
      yield tooLong ? null : line;
      line = '';
      tooLong = false;
      start = end + 1;
    }
  }
  if (tooLong || line !== '') yield tooLong ? null : line;
}

export async function readReports(paths: string[]): Promise<ReadReports> {
  const bySlide = new Map<string, ReadLine[]>();
  const all: ReadLine[] = [];
  let unreadable = 0;
  for (const path of paths) {
    // Line by line: a shard's report of millions of slides may be longer than a string can be.
    const read = async function* () {
      try {
        yield* reportLines(await reportText(path));
      } catch (error) {
        throw new Error(`${path} ${fileProblem(error as NodeJS.ErrnoException)}`);
      }
    };
    for await (const text of read()) {
      if (text === null) {
        unreadable++;
        continue;
      }
      if (text.trim() === '') continue;
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      const line = v.safeParse(readLineSchema, json);
      if (!line.success) {
        unreadable++;
        continue;
      }
      all.push(line.output);
    }
  }
  for (const line of withOutputSets(all)) {
    const key = `${cohortKey(line)}\0${line.slide}`;
    const lines = bySlide.get(key);
    if (lines) lines.push(line);
    else bySlide.set(key, [line]);
  }
  const groups = [...bySlide.entries()].map(([key, lines]) => ({ key, lines, line: slideLine(lines) }));
  const listed = listedLater(
    groups.map((g) => g.line),
    groups.flatMap((g) => g.lines),
  );
  const kept = listed.size === 0 ? groups : groups.filter((g) => !listed.has(g.key));
  return { slides: kept.map((g) => g.line), lines: kept.flatMap((g) => g.lines), unreadable };
}

/**
 * The folders (cohort and slide keys) that failed to be listed (IO_ERROR: a share that did not answer)
 * and that a later run listed whole: lines of slides under its name, started after it, found by listing
 * that folder or one above it (`listedIn`: a rerun naming the folder, or the cohort), or, for lines of
 * builds before that field, by a run that counted as many inputs as any run of the cohort (not a --list
 * of some of its files). Where no such line is among the reports the failure stays: a merge errs
 * towards missing. One pass.
 */
function listedLater(chosen: readonly ReadLine[], lines: readonly ReadLine[]): Set<string> {
  const failed = new Map<string, ReadLine>();
  for (const line of chosen) if (line.status === 'failed' && line.error?.code === 'IO_ERROR') failed.set(`${cohortKey(line)}\0${line.slide}`, line);
  const listed = new Set<string>();
  if (failed.size === 0) return listed;
  const whole = largestCounts(lines);
  for (const line of lines) {
    const cohort = cohortKey(line);
    const { batchInputs, listedIn } = line;
    // Lines that say where they were listed are judged by that alone; older ones by their run's count.
    const wholeRun = listedIn === undefined && typeof batchInputs === 'number' && batchInputs >= (whole.get(cohort) ?? Number.POSITIVE_INFINITY);
    if (!wholeRun && typeof listedIn !== 'string') continue;
    for (const name of foldersOf(line.slide)) {
      const key = `${cohort}\0${name}`;
      const folder = failed.get(key);
      if (!folder || line.started < folder.started) continue;
      const within = typeof listedIn === 'string' && (listedIn === '' || name === listedIn || name.startsWith(`${listedIn}/`));
      if (wholeRun || within) listed.add(key);
    }
  }
  return listed;
}

/** The folders a slide's key lies in, outermost first ('a', 'a/b' of 'a/b/c.svs'). */
function* foldersOf(slide: string): Generator<string> {
  for (let i = slide.indexOf('/'); i > 0; i = slide.indexOf('/', i + 1)) yield slide.slice(0, i);
}

/** Each cohort's largest count of inputs over its lines. */
function largestCounts(lines: readonly ReadLine[]): Map<string, number> {
  const largest = new Map<string, number>();
  for (const line of lines) {
    const { batchInputs } = line;
    if (typeof batchInputs === 'number') largest.set(cohortKey(line), Math.max(largest.get(cohortKey(line)) ?? 0, batchInputs));
  }
  return largest;
}

/**
 * One batch in the merged reports (a command over a folder, in N shards or unsharded) and whether its
 * lines account for all its inputs. A shard with no line is missing only if inputs are: a shard
 * whose share was empty writes none.
 */
export interface BatchCompleteness {
  command: string;
  /** What it makes of each slide (ReportLine.outputSet): runs of other options are other batches. Null in an older Slidescope's lines. */
  outputSet: string | null;
  /** The name of the folder its slides are relative to: two cohorts merged are two batches. */
  folder: string;
  /** N of its --shard K/N; null for a batch run unsharded. */
  shardCount: number | null;
  /** Its shards ("K/N") with a line in any report, and those of 1..N with none. */
  shardsSeen: string[];
  shardsWithoutLines: string[];
  /** The distinct slides of its command and folder in the reports, whichever run wrote them (a rerun with another --shard too). */
  slidesSeen: number;
  /** The distinct inputs of those slides; null where a slide's lines do not give its input (an older Slidescope's). */
  inputsSeen: number | null;
  /** The largest count of the batch's inputs its lines give (a merge errs towards missing); null where none gives one. */
  batchInputs: number | null;
  /**
   * Inputs with no line: batchInputs less inputsSeen, at least 0. Where some slides' lines do not give
   * their input, a lower bound (missingInputsAtLeast): each of those slides is one input at most. Null
   * when batchInputs is unknown, or the bound is not above 0.
   */
  missingInputs: number | null;
  missingInputsAtLeast: boolean;
  /**
   * The inputs seen with slides that have no line (DICOM folders of several slides, a run cut short partway
   * through one), by name: each in the batch of the line that gave its count, so a cohort's are told once.
   */
  inputsPartlySeen: Array<{ input: string; inputSlides: number; slidesSeen: number }>;
  /**
   * Slides of the inputs seen that have no line: each input's inputSlides (the largest its lines give) less its
   * slides that any line names, summed over inputsPartlySeen.
   */
  missingSlidesOfInputsSeen: number;
}

export interface ReportSummary {
  slides: number;
  statuses: Record<SlideStatus, number>;
  errors: Record<string, number>;
  /** Time spent on the slides that were written (ms), and the mean per slide. */
  totalMs: number;
  meanMs: number | null;
  slowest: Array<{ slide: string; ms: number; vendor: string | null; width: number | null; height: number | null }>;
  /** `batch` where the reports hold several batches: which one the slide failed in ("<outputSet> of <folder>"). */
  failed: Array<{ slide: string; code: string; message: string; batch?: string }>;
  notDone: string[];
  /** Slides opened with warnings (damaged, cut short: SlideInfo.warnings), whatever their status; `batch` as in `failed`. */
  warned: Array<{ slide: string; warnings: string[]; batch?: string }>;
  batches: BatchCompleteness[];
  /** The Slidescope versions that made the slides' lines (null: not recorded, an older one's), each with its slides. */
  versions: Array<{ version: string | null; slides: number }>;
  unreadable: number;
}

/** A line's --shard K/N as numbers; null for an unsharded line, or a shard field another tool wrote otherwise. */
function lineShard(line: ReadLine): { k: number; n: number } | null {
  return typeof line.shard === 'string' ? parseLineShard(line.shard) : null;
}

function parseLineShard(shard: string): { k: number; n: number } | null {
  const match = /^(\d+)\/(\d+)$/.exec(shard);
  return match ? { k: Number(match[1]), n: Number(match[2]) } : null;
}

/**
 * Whether a line's shard is one --shard could have given: a merge lists the shards of 1..N without a
 * line, so an N past what --shard accepts (a damaged or forged line) would cost memory without bound.
 */
function possibleShard(shard: string): boolean {
  const parsed = parseLineShard(shard);
  return parsed === null || (parsed.n >= 1 && parsed.n <= MAX_SHARDS && parsed.k >= 1 && parsed.k <= parsed.n);
}

/** Batches in an order that does not depend on the order of the files. */
function batchOrder(batch: BatchCompleteness): string {
  return [batch.command, batch.folder, batch.outputSet ?? '', String(batch.shardCount ?? 0).padStart(10, '0')].join('\0');
}

/** What the lines of one command and folder tell of its inputs: the same for each of its batches. */
interface CohortInputs {
  slides: number;
  /** The distinct inputs of the slides whose lines give one, and the slides whose lines give none. */
  inputs: number;
  slidesWithoutInput: number;
  /** Folders with slides that have no line, each with the line that gave its count (the batch it is told in). */
  partlySeen: Array<BatchCompleteness['inputsPartlySeen'][number] & { line: ReadLine }>;
}

/**
 * Of two lines giving an input's count of slides, the larger count (a run cut short or a --list cannot
 * tell itself from a whole one, so a merge errs towards missing); of equal counts, the later line.
 */
function largerCount<L extends Giving<'inputSlides'>>(a: L, b: L): L {
  if (a.inputSlides !== b.inputSlides) return b.inputSlides > a.inputSlides ? b : a;
  return later(a, b);
}

function cohortInputs(lines: readonly ReadLine[]): CohortInputs {
  // A slide's input is its latest line's that gives one, whatever the files' order: the cohort as last
  // listed (a DICOM file listed on its own once, in its folder later). null where none gives one.
  const inputLine = new Map<string, Giving<'input'> | null>();
  // A folder's slides are those any line names in it (a retry of one of them through --list names it on
  // its own), and its count the largest its lines give.
  const named = new Map<string, Set<string>>();
  const countLine = new Map<string, Giving<'input' | 'inputSlides'>>();
  for (const line of lines) {
    const latest = inputLine.get(line.slide) ?? null;
    if (!gives(line, 'input')) {
      inputLine.set(line.slide, latest);
      continue;
    }
    const { input } = line;
    inputLine.set(line.slide, latest ? later(latest, line) : line);
    if (input === line.slide) continue;
    const slides = named.get(input) ?? new Set<string>();
    named.set(input, slides.add(line.slide));
    if (!gives(line, 'inputSlides')) continue;
    const counted = countLine.get(input);
    countLine.set(input, counted ? largerCount(counted, line) : line);
  }
  const seenOf = new Map<string, number>();
  // Slides whose lines give no input (an older Slidescope's), by each folder they lie in: each may be one of that folder's.
  const withoutInputIn = new Map<string, number>();
  let slidesWithoutInput = 0;
  for (const [slide, line] of inputLine) {
    if (line !== null) {
      seenOf.set(line.input, (seenOf.get(line.input) ?? 0) + 1);
      continue;
    }
    slidesWithoutInput++;
    for (const folder of foldersOf(slide)) withoutInputIn.set(folder, (withoutInputIn.get(folder) ?? 0) + 1);
  }
  const partlySeen: CohortInputs['partlySeen'] = [];
  for (const [input, slides] of named) {
    // A folder whose lines give no count (a build of an hour before this field) is not judged.
    const line = countLine.get(input);
    if (!line) continue;
    const seen = slides.size + (withoutInputIn.get(input) ?? 0);
    if (line.inputSlides > seen) partlySeen.push({ input, inputSlides: line.inputSlides, slidesSeen: seen, line });
  }
  partlySeen.sort((a, b) => (a.input < b.input ? -1 : 1));
  return { slides: inputLine.size, inputs: seenOf.size, slidesWithoutInput, partlySeen };
}

function batchesOf(read: ReadReports): BatchCompleteness[] {
  const linesOf = new Map<string, ReadLine[]>();
  for (const line of read.lines) {
    const lines = linesOf.get(cohortKey(line));
    if (lines) lines.push(line);
    else linesOf.set(cohortKey(line), [line]);
  }
  const cohorts = new Map([...linesOf].map(([key, lines]) => [key, cohortInputs(lines)]));
  const batchKey = (line: ReadLine) => `${cohortKey(line)}\0${lineShard(line)?.n ?? ''}`;
  const batches = new Map<string, { first: ReadLine; shardCount: number | null; shards: Set<number>; countLine: Giving<'batchInputs'> | null }>();
  for (const line of read.lines) {
    const shard = lineShard(line);
    const key = batchKey(line);
    const batch = batches.get(key) ?? { first: line, shardCount: shard?.n ?? null, shards: new Set<number>(), countLine: null };
    batches.set(key, batch);
    if (shard) batch.shards.add(shard.k);
    // Older lines lack the count. Every shard's is the same; of different runs' the largest, as a run cut
    // short or a --list of some slides cannot tell itself from a whole one: a merge errs towards missing.
    if (!gives(line, 'batchInputs')) continue;
    const counted = batch.countLine;
    batch.countLine =
      !counted || line.batchInputs > counted.batchInputs || (line.batchInputs === counted.batchInputs && later(counted, line) === line) ? line : counted;
  }
  return [...batches.values()]
    .map(({ first, shardCount, shards, countLine }): BatchCompleteness => {
      const count = countLine?.batchInputs ?? null;
      const cohort = cohorts.get(cohortKey(first))!;
      // A folder's slides are the cohort's, told once: in the batch of the line that gave its count.
      const partlySeen = cohort.partlySeen.filter((p) => batchKey(p.line) === batchKey(first)).map(({ line: _line, ...p }) => p);
      const unknown = cohort.slidesWithoutInput > 0;
      // Each slide whose input is not known is one input at most (a folder's slides are one together).
      const missing = count === null ? null : count - cohort.inputs - cohort.slidesWithoutInput;
      const name = (k: number) => `${k}/${shardCount}`;
      return {
        command: first.command ?? '',
        outputSet: first.outputSet ?? null,
        folder: baseName(first),
        shardCount,
        shardsSeen: [...shards].sort((a, b) => a - b).map(name),
        shardsWithoutLines: Array.from({ length: shardCount ?? 0 }, (_, i) => i + 1)
          .filter((k) => !shards.has(k))
          .map(name),
        slidesSeen: cohort.slides,
        inputsSeen: unknown ? null : cohort.inputs,
        batchInputs: count,
        missingInputs: missing === null || (unknown && missing <= 0) ? null : Math.max(0, missing),
        missingInputsAtLeast: unknown && missing !== null && missing > 0,
        inputsPartlySeen: partlySeen,
        missingSlidesOfInputsSeen: partlySeen.reduce((n, p) => n + p.inputSlides - p.slidesSeen, 0),
      };
    })
    .sort((a, b) => (batchOrder(a) < batchOrder(b) ? -1 : 1));
}

function versionsOf(slides: readonly ReadLine[]): ReportSummary['versions'] {
  const counts = new Map<string | null, number>();
  for (const line of slides) {
    const version = typeof line.version === 'string' ? line.version : null;
    counts.set(version, (counts.get(version) ?? 0) + 1);
  }
  return [...counts]
    .map(([version, slides]) => ({ version, slides }))
    .sort((a, b) => (a.version === null ? 1 : b.version === null ? -1 : a.version.localeCompare(b.version, 'en', { numeric: true })));
}

export function summarise(read: ReadReports, slowest = 10): ReportSummary {
  const statuses = Object.fromEntries(SLIDE_STATUSES.map((s) => [s, 0])) as Record<SlideStatus, number>;
  const errors: Record<string, number> = {};
  for (const line of read.slides) {
    statuses[line.status]++;
    if (line.status === 'failed' && line.error) errors[line.error.code] = (errors[line.error.code] ?? 0) + 1;
  }
  const written = read.slides.filter((l) => l.status === 'written');
  const totalMs = written.reduce((sum, l) => sum + l.ms, 0);
  const bySlide = (a: { slide: string }, b: { slide: string }) => (a.slide < b.slide ? -1 : a.slide > b.slide ? 1 : 0);
  const batches = batchesOf(read);
  const several = new Set(batches.map((b) => `${b.outputSet ?? b.command}\0${b.folder}`)).size > 1;
  const batchOf = (l: ReadLine) => (several ? { batch: batchLabel(l.outputSet ?? null, l.command ?? '', baseName(l)) } : {});
  return {
    slides: read.slides.length,
    statuses,
    errors: Object.fromEntries(Object.entries(errors).sort(([a], [b]) => (a < b ? -1 : 1))),
    totalMs,
    meanMs: written.length ? Math.round(totalMs / written.length) : null,
    slowest: [...written]
      .sort((a, b) => b.ms - a.ms)
      .slice(0, slowest)
      .map(({ slide, ms, vendor, width, height }) => ({ slide, ms, vendor, width, height })),
    failed: read.slides
      .filter((l) => l.status === 'failed')
      .map((l) => ({ slide: l.slide, code: l.error?.code ?? 'INTERNAL', message: l.error?.message ?? '', ...batchOf(l) }))
      .sort(bySlide),
    notDone: read.slides
      .filter((l) => l.status === 'not-done')
      .map((l) => l.slide)
      .sort(),
    warned: read.slides
      .filter((l) => l.warnings?.length)
      .map((l) => ({ slide: l.slide, warnings: l.warnings ?? [], ...batchOf(l) }))
      .sort(bySlide),
    batches,
    versions: versionsOf(read.slides),
    unreadable: read.unreadable,
  };
}

/**
 * `report merge`'s exit code: 0 where the reports show a batch done, 1 where a slide failed or is not
 * done, an input or a slide of a DICOM folder seen has no line, or there is no slide at all.
 * Completeness unknown (an older Slidescope's lines give no count or no input) is not taken for missing.
 */
export function mergeExitCode(summary: ReportSummary): 0 | 1 {
  const missing = summary.batches.some((b) => (b.missingInputs ?? 0) > 0 || b.missingSlidesOfInputsSeen > 0);
  return summary.slides === 0 || summary.statuses.failed > 0 || summary.statuses['not-done'] > 0 || missing ? 1 : 0;
}

/** The shards without a line that the summary's text names; --json lists them all. */
const SHARDS_NAMED = 20;

/** What a batch lacks and what to do, or null where its lines account for all its inputs; `which` names it among others. */
function completenessText(batch: BatchCompleteness, which: string): string | null {
  // A batch of many shards may lack most of them: a line a person reads names the first few.
  const shards = (list: string[]) =>
    `shard${list.length === 1 ? '' : 's'} ${list.slice(0, SHARDS_NAMED).join(', ')}${list.length > SHARDS_NAMED ? ` and ${list.length - SHARDS_NAMED} more` : ''}`;
  const silent = batch.shardsWithoutLines;
  const inputs = batch.missingInputs ?? 0;
  const folders = batch.inputsPartlySeen;
  if (inputs === 0 && folders.length === 0) {
    if (batch.missingInputs === 0) return null;
    const none = silent.length ? `; no line from ${shards(silent)} (missing, or ${silent.length === 1 ? 'its share was' : 'their shares were'} empty)` : '';
    return `completeness unknown${which}: the lines do not give the batch's inputs (an older Slidescope wrote them)${none}`;
  }
  const has = (n: number) => (n === 1 ? 'has' : 'have');
  // "Inputs" defined each time: a shard's own summary counts slides.
  const inputsText =
    inputs === 0
      ? null
      : `${batch.missingInputsAtLeast ? 'at least ' : ''}${inputs} of ${batch.batchInputs} inputs (slides, or DICOM folders of several slides) ${has(inputs)} no line`;
  // A shard whose share was empty writes no line either: which of the silent ones did not run cannot be told.
  const silentText =
    inputs > 0 && silent.length
      ? `; no line from ${shards(silent)}: one or more of them did not run, or its report was not given (a shard whose share was empty writes none): merge every shard's report, or run those that did not run`
      : null;
  const slides = batch.missingSlidesOfInputsSeen;
  const [first] = folders;
  const foldersText =
    first === undefined
      ? null
      : `${slides} of the ${folders.reduce((n, f) => n + f.inputSlides, 0)} slides of ${folders.length === 1 ? `DICOM folder "${first.input}"` : `${folders.length} DICOM folders, such as "${first.input}",`} ${has(slides)} no line`;
  // Every shard wrote, yet inputs have no line; or the shard of a folder wrote some of its slides' lines:
  // it (or the run) was killed, or ran out of time, before its last lines.
  const cut = ' (a run was cut short: run it again to finish, slides done are skipped)';
  if (foldersText === null) return `missing${which}: ${inputsText}${silentText ?? cut}`;
  if (inputsText === null) return `missing${which}: ${foldersText}${cut}`;
  return `missing${which}: ${inputsText}${silentText ? `${silentText};` : ','} and ${foldersText}${cut}`;
}

/** "1 folder or name could not be read", "2 folders or names ...": the folders a batch could not list. */
export function unreadText(count: number): string {
  return `${count} ${count === 1 ? 'folder or name' : 'folders or names'} could not be read`;
}

/**
 * The line a batch ends with: its slides by status and, apart, the folders it could not list (each
 * has a failed line in the report, but is no slide). `failed`: slides and folders, for the exit code.
 */
export function batchSummary(
  lines: readonly ReportLine[],
  unlisted: ReadonlySet<string>,
  /** `of`: the batch's slides; `atLeast` where some are other shards' DICOM folders not opened here, each counted as one. */
  shard: { name: string; of: number; atLeast?: boolean } | null,
): { text: string; statuses: Record<SlideStatus, number>; failed: number } {
  const statuses = Object.fromEntries(SLIDE_STATUSES.map((s) => [s, 0])) as Record<SlideStatus, number>;
  for (const line of lines) if (!unlisted.has(line.path)) statuses[line.status]++;
  const slides = (n: number) => `${n} slide${n === 1 ? '' : 's'}`;
  const taken = lines.length - unlisted.size;
  const of = shard ? `shard ${shard.name}: ${taken} of ${shard.atLeast ? 'at least ' : ''}${slides(shard.of)}` : slides(taken);
  const folders = unlisted.size === 0 ? '' : `; ${unreadText(unlisted.size)}`;
  const text = `${of}: ${statuses.written} written, ${statuses.skipped} skipped (already done), ${statuses.failed} failed, ${statuses['not-done']} not done${folders}`;
  return { text, statuses, failed: statuses.failed + unlisted.size };
}

/** A batch as a person reads it: what it makes (or its command, from an older Slidescope) of which folder. */
function batchLabel(outputSet: string | null, command: string, folder: string): string {
  return `${outputSet ?? (command || 'a command not recorded')} of ${folder}`;
}

export function summaryText(summary: ReportSummary): string {
  const s = summary.statuses;
  const lines = [`${summary.slides} slides: ${s.written} written, ${s.skipped} skipped (already done), ${s.failed} failed, ${s['not-done']} not done`];
  if (summary.slides === 0) lines.push("the reports hold no slide's line: nothing to show the batch was made");
  for (const batch of summary.batches) {
    const which =
      summary.batches.length === 1
        ? ''
        : ` (${batchLabel(batch.outputSet, batch.command, batch.folder)}${batch.shardCount === null ? '' : ` in ${batch.shardCount} shards`})`;
    const text = completenessText(batch, which);
    if (text) lines.push(text);
  }
  if (summary.versions.length > 1)
    lines.push(
      `made by versions: ${summary.versions.map((v) => `${v.version ?? 'not recorded (older)'} ${v.slides} slide${v.slides === 1 ? '' : 's'}`).join(', ')}`,
    );
  if (summary.meanMs !== null) lines.push(`time on written slides: ${(summary.totalMs / 1000).toFixed(1)} s, ${summary.meanMs} ms a slide on average`);
  const codes = Object.entries(summary.errors);
  if (codes.length) lines.push(`errors: ${codes.map(([code, n]) => `${code} ${n}`).join(', ')}`);
  if (summary.slowest.length) {
    lines.push('slowest:');
    for (const l of summary.slowest) {
      const size = l.width !== null && l.height !== null ? `  ${l.width} x ${l.height}` : '';
      lines.push(`  ${(l.ms / 1000).toFixed(2).padStart(7)} s  ${l.slide}${l.vendor ? `  ${l.vendor}` : ''}${size}`);
    }
  }
  if (summary.failed.length) {
    lines.push('failed:');
    for (const f of summary.failed) lines.push(`  ${f.slide}${f.batch ? ` (${f.batch})` : ''}: ${f.code}: ${f.message}`);
  }
  if (summary.notDone.length) {
    lines.push('not done (run again to finish them):');
    for (const slide of summary.notDone) lines.push(`  ${slide}`);
  }
  const warned = summary.warned.length;
  if (warned) {
    lines.push(`warnings: ${warned} slide${warned === 1 ? '' : 's'} damaged or cut short (what could be read was made):`);
    for (const w of summary.warned) lines.push(`  ${w.slide}${w.batch ? ` (${w.batch})` : ''}: ${w.warnings.join(' ')}`);
  }
  if (summary.unreadable) lines.push(`${summary.unreadable} line(s) were not report lines and were ignored`);
  // Names and messages come from the reports (a file name may hold any byte but '/'): none reaches a terminal raw.
  return lines.map((line) => printable(line, Number.POSITIVE_INFINITY)).join('\n');
}
