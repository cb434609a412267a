// slidescope: the headless command line. `slidescope --help` lists the commands. It runs in Node
// (main.ts: the engine forked) and inside the packaged app (electron/main/cli-mode.ts: the engine a
// utilityProcess); the launcher of its engine processes is all that differs.

import { existsSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { availableParallelism, hostname } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportColour } from '../../shared/colour';
import { type ErrorInfo, toErrorInfo } from '../../shared/errors';
import { imageFormatOfName, thumbnailFileName } from '../../shared/export-plan';
import { LIMITS, thumbnailPixelsText } from '../../shared/limits';
import type { ComparisonMode, ImageFormat, ThumbnailSpec } from '../../shared/operations';
import { SLIDE_EXTENSIONS } from '../../shared/slide-formats';
import { AnnotationStore, defaultAnnotationsDir } from '../annotations/annotation-store';
import { forEachLimited } from '../engine/concurrency';
import { makeFolder } from '../engine/export/make-folder';
import { EngineClient, type EngineSpawn } from '../engine-host/engine-client';
import { type EngineLaunchSettings, engineEnvironmentProblem, readEngineSettings, userCacheDir } from '../engine-host/engine-settings';
import { annotationFormat, runAnnotations, runAnnotationsTable } from './annotations-command';
import { jobEngine, runBatch } from './batch';
import { shownOption } from './channel-option';
import {
  type DrawnFiles,
  type Engine,
  infoJson,
  infoText,
  makeOutputFolder,
  runCompare,
  runRegion,
  thumbnailOutputSet,
  thumbnailWork,
  withSlide,
} from './commands';
import { runCompareSlides } from './compare-slides';
import { outputProvenance } from './complete-output';
import { batchCores, CLI_ALLOWANCE_MB, memoryBudget, parseJobs, planConcurrency } from './concurrency';
import { readContainerLimits } from './container-limits';
import { detectionStyleOption } from './detection-style-option';
import { runDetections, TABLE_ROWS } from './detections-command';
import { inputKey, shardSlides } from './folder-slides';
import {
  collectInputs,
  type FolderFiles,
  folderFiles,
  outputStems,
  realPathOr,
  type SlideInput,
  statOrNull,
  TIFF_THUMBNAIL_NAME,
  throughRealFolders,
} from './inputs';
import { endOnStopSignals, watchInterrupts } from './interrupt';
import { type Options, PARSE_OPTIONS, rejectUnusedOptions, usageOf } from './options';
import { shown } from './printable';
import { endNow, noteReadGivenUp } from './process-end';
import { batchProgress } from './progress';
import { batchSummary, mergeExitCode, openReport, type ReportLine, readReports, summarise, summaryText, unreadText } from './report';
import { inShard, parseShard, SHARD_COUNT_ENV, shardName } from './shards';
import { writeSlideWarnings } from './slide-warnings';
import { UsageError } from './usage-error';
import { SLIDESCOPE_VERSION } from './version';

const HELP = `slidescope - whole-slide images without Python, Docker or a network
The command line is in English only (its output is read by scripts); the app follows the system's language.

Usage:
  slidescope info SLIDE [--json]
  slidescope region SLIDE --x X --y Y --width W --height H [--level N | --power P [--annotations FILE|stored]
                    [--detections FILE [--detection-style outline|fill[:OPACITY]]] [--scale-bar]] --out FILE
                    [--format png|jpeg|tiff] [--colour srgb|stored] [--channels LIST] [--plane Z[,T]] [--overwrite]
  slidescope thumbnail SLIDE... | DIR... | --list FILE [--recursive] [--root DIR] [--power 1.25 | --mpp 8 | --size 1024]
                       [--format png|jpeg|tiff] --out DIR [--shard K/N | --shard auto] [--report FILE.jsonl]
                       [--jobs N] [--max-memory 8G] [--overwrite] [--grace SECONDS] [--annotations FILE|stored]
                       [--detections FILE [--detection-style outline|fill[:OPACITY]]] [--colour srgb|stored]
                       [--channels LIST] [--plane Z[,T]]
  slidescope compare SLIDE [--powers 1.25,2.5,5,10] [--mode slide | --mode field --center X,Y [--panel 512x512]] --out FILE
                     [--annotations FILE|stored] [--detections FILE [--detection-style outline|fill[:OPACITY]]]
                     [--format png|jpeg|tiff] [--colour srgb|stored] [--channels LIST] [--plane Z[,T]] [--overwrite]
  slidescope compare SLIDE SLIDE [SLIDE SLIDE] --power P [--center X,Y] [--size 512x512] [--alignment FILE.json] --out FILE
                     [--format png|jpeg|tiff] [--colour srgb|stored] [--channels LIST] [--plane Z[,T]] [--overwrite]
  slidescope annotations SLIDE... [--json] | --import FILE | --export FILE [--format geojson|imagescope|csv] [--overwrite]
                         | SLIDE --detections FILE [--json | --export FILE.csv [--rows detections|annotations]]
  slidescope report merge REPORT.jsonl... [--json] [--slowest 10]
  slidescope version

  Each command takes the options shown with it: any other is a usage error (exit code 2).
  COMMAND --help shows that command's usage.

  SLIDE is a slide file, or a folder that is one slide (DICOM: a series' files; a folder of several
  names them, to give one of their files instead).
  X, Y are level-0 pixels (the top-left corner); W, H are output pixels at the level or power.
  --level N indexes the levels of \`info --json\`. Existing files are kept unless --overwrite.
  --out FILE: its folder is made if missing; its format is --format's, else its extension's (.png,
  .jpg, .tif), and the two must agree. compare SLIDE writes the labelled composite to FILE and each
  power's image beside it (<slide>_1.25x.png, ...).
  --colour srgb (default) converts a slide's embedded ICC profile to sRGB, as the app shows it;
  --colour stored writes the pixels as the file stores them, as OpenSlide reads them (region,
  thumbnail, compare).
  --channels picks a fluorescence slide's channels (OME-TIFF), the others hidden:
  CHANNEL[:COLOUR][:LOW-HIGH],... with CHANNEL a name (as \`info\` lists them; in double quotes when
  it has a comma or colon, '"CD8, FITC":red') or a number from 1,
  COLOUR #rrggbb or red, green, blue, yellow, cyan, magenta, orange, white, and LOW-HIGH the display
  range in sample values (default: as the app first shows it). E.g. --channels DAPI:blue,CD8:green:200-4000.
  Slides without channels are not affected.
  --plane Z or Z,T shows a z-stack's focal plane Z and time series' timepoint T (OME-TIFF,
  fluorescence or brightfield), each numbered from 1 as channels are (\`info\` gives SizeZ and SizeT;
  default 1,1); display ranges not given are plane 1,1's. A slide without Z-slices (or timepoints)
  is made as usual, as --channels passes by slides without channels; one with fewer than asked fails.

Slides side by side (compare with 2 to 4 slides):
  Each slide's panel at the same µm per pixel: the first slide's at --power (a 20x and a 40x scan
  line up). --center is a level-0 pixel of the first slide (default: its middle); the others show the
  same physical point, moved and turned as the alignment file says (the app saves one: docs/compare.md).
  --size is one panel's width x height. Every slide needs its pixel size (µm/px).

Annotations:
  The app keeps a slide's annotations beside it as <slide name>.annotations.geojson (QuPath's
  GeoJSON), or, when its folder is read-only, in the app's data folder; \`annotations\` reads and
  writes the same. --import adds a GeoJSON (QuPath, TIAToolbox) or ImageScope XML file's annotations;
  --export writes them (ImageScope for a .xml name; a measurement table, one row an annotation in
  QuPath's columns, for .csv, or tab-separated for .tsv). Several slides export one such table of
  them all, each named relative to their common folder (a slide that cannot be read is named and left
  out: exit code 1). --annotations draws a file's annotations (one
  slide), or each slide's stored ones ("stored"), into thumbnails, comparisons and regions read at
  a --power, with a legend; --detections draws QuPath's detections (cells, detections, tiles) from
  its GeoJSON export (one slide; .zip or .gz too) into the same, under the annotations: a pixel a
  cell where they are smaller than two, else their outlines and nuclei in their class's colour
  (--detection-style fill: filled under the outline, as the app's detection panel fills them; :OPACITY
  from 0.1 to 1 draws them see-through, e.g. fill:0.6);
  --scale-bar draws a scale bar into such a region (the slide must give its pixel size).
  \`annotations SLIDE --detections FILE\` counts them by kind and class, and in each of the slide's
  annotations (by their centroids, as QuPath counts them; per mm² where the slide gives its pixel
  size); with --export FILE.csv (or .tsv) it writes QuPath's detection measurement table: a row a
  detection, its type, class, ROI, centroid (µm where the slide gives its pixel size) and each
  measurement the file holds.

Batches (thumbnail):
  Folders are read for ${SLIDE_EXTENSIONS.map((e) => `.${e}`).join('/')} files (--recursive: and their subfolders); a folder
  of .dcm files, and each subfolder of them, is one slide (DICOM); --list
  reads paths one a line, or NUL-separated as find -print0 writes them ("-": standard input), relative
  ones from the list's folder (for "-", the current folder); a list
  naming no path is nothing to do (exit 0). Outputs mirror the slides' folders relative to the
  inputs' common folder, or to --root DIR (give it the cohort's folder when rerunning some of its
  slides, so that they are named and written as in the whole run). A rerun skips slides whose output
  is complete and was made from the same slide with the same options (each output records both);
  another slide's output there, or one made with other options, fails that slide (EXISTS) and is
  left alone; one that records neither counts as done. --overwrite redoes them all. --size never enlarges a slide smaller than it; a thumbnail has at
  most ${thumbnailPixelsText()}.
  --shard K/N takes shard K of N (by a hash of each slide's relative path: the same on every node);
  --shard auto reads a Slurm array's SLURM_ARRAY_TASK_* (with ${SHARD_COUNT_ENV} set, a task's id is its
  shard's index from 0: --array=0-7 for 8, and a task resubmitted alone keeps its shard), or
  JOB_COMPLETION_INDEX with ${SHARD_COUNT_ENV}.
  --report appends one JSON line per slide; "report merge" summarises report files (exit code 1 when
  a slide failed, is not done, or has no line: the batch is not whole).
  --jobs: slides at once (default: the cores, at most a cgroup's CPU quota), each in an engine process
  capped at SLIDESCOPE_ENGINE_MEMORY_CAP_MB (default 3 GB); --max-memory (default: a cgroup's memory
  limit, less ${CLI_ALLOWANCE_MB} MB) lowers the jobs to fit.
  Ctrl-C, SIGTERM, SIGHUP (a closed terminal), or SIGUSR1/SIGUSR2 (Slurm's --signal=B:USR1@120, ahead
  of a time limit): no new slide starts, the running ones get --grace seconds (default 20) to finish,
  then are abandoned (a second signal, or a console window closed on Windows, which ends the process
  10 s later: at once); no partial file is left; exit code 128 + the signal's number (130, 143, 129;
  138, 140 on Linux).
  Exit code 1 when any slide failed (each is named with its reason); the good ones are still written.
  A full disk or quota, or a report that cannot be written, stops the batch as a signal does (exit
  code 1): make room and run it again. Standard output that cannot be written (a full disk) is exit
  code 1 too, the batch going on.
  Exit code 2 for a usage error, or a folder of several slides given as one.
`;

/** Starts an engine process. */
export type EngineLauncher = (settings: EngineLaunchSettings) => EngineSpawn<unknown>;

/**
 * A slide's error as the CLI prints it: the file, the code, the reason. A folder of several slides
 * names them, each with the path that opens it, as a usage error (exit code 2).
 */
function printError(error: ErrorInfo): number {
  // A file there already is kept on purpose: say how to replace it where the message does not.
  const hint =
    error.code === 'EXISTS' && !error.message.includes('--overwrite') ? ` (--overwrite replaces ${/ exist\.$/.test(error.message) ? 'them' : 'it'})` : '';
  // A name on disk may hold control characters: shown escaped, as every name this command writes to the terminal.
  process.stderr.write(`slidescope: ${error.path ? `${shown(error.path)}: ` : ''}${error.code}: ${shown(error.message)}${hint}\n`);
  if (error.code !== 'SEVERAL_SLIDES') return 1;
  for (const choice of error.choices ?? []) process.stderr.write(`  ${shown(choice.path)}  ${shown(choice.name)}\n`);
  return 2;
}

/** A number as a person writes one ("12", "-0.5", "1e3"); NaN for anything else ("", "0x10", "Infinity"), which Number() would take. */
function decimal(text: string): number {
  return /^\s*[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?\s*$/i.test(text) ? Number(text) : Number.NaN;
}

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = decimal(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${value}").`);
  return n;
}

/** A whole number from `min` to `max`, or a usage error naming the option. */
function wholeNumber(value: string | undefined, name: string, min: number, max: number, what: string): number | undefined {
  const n = num(value, name);
  if (n !== undefined && !(Number.isInteger(n) && n >= min && n <= max))
    throw new UsageError(`--${name} must be ${what} from ${min} to ${max} (got "${value}").`);
  return n;
}

/** --power: an objective power above 0, within the engine's bounds. */
function powerOption(value: string | undefined, name = 'power'): number | undefined {
  const power = num(value, name);
  if (power !== undefined && !(power > 0 && power <= LIMITS.maxPower))
    throw new UsageError(`--${name} must be an objective power above 0 and at most ${LIMITS.maxPower} (got "${value}").`);
  return power;
}

function slowestOption(value: string | undefined): number {
  const n = num(value, 'slowest') ?? 10;
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--slowest must be a whole number, 0 or more (got "${value}").`);
  return n;
}

function need(value: number | undefined, name: string): number {
  if (value === undefined) throw new UsageError(`--${name} is required.`);
  return value;
}

function format(value: string | undefined, fallback: ImageFormat): ImageFormat {
  const f = (value ?? fallback).toLowerCase();
  if (f === 'png' || f === 'tiff') return f;
  if (f === 'jpeg' || f === 'jpg') return 'jpeg';
  if (f === 'tif') return 'tiff';
  throw new UsageError(`--format must be png, jpeg or tiff (got "${value}").`);
}

/** --format, or else the one --out's extension names (PNG for none); both given must agree, or a.png would hold a JPEG. */
function fileFormat(value: string | undefined, file: string): ImageFormat {
  const named = imageFormatOfName(file);
  // An extension of another format (.webp, .gif) would name a file that is not what it holds.
  if (named === null && value === undefined && /\.[a-z0-9]+$/i.test(basename(file)))
    throw new UsageError(`--out ${file}: Slidescope writes PNG, JPEG or TIFF (.png, .jpg, .tif); give one of those extensions, or --format.`);
  const chosen = format(value, named ?? 'png');
  if (named !== null && named !== chosen)
    throw new UsageError(
      `--out ${file} names a ${named.toUpperCase()} file, but --format is ${value}: give the file its format's extension, or leave --format out.`,
    );
  return chosen;
}

/** The failed lines, under a heading that counts slides and unreadable folders (names) apart, as the summary does. */
function reportFailures(lines: ReportLine[], unlisted: ReadonlySet<string>): void {
  const failed = lines.filter((l) => l.status === 'failed');
  if (failed.length === 0) return;
  const folders = failed.filter((l) => unlisted.has(l.path)).length;
  const slides = failed.length - folders;
  const parts = [slides ? `${slides} slide(s) failed` : '', folders ? unreadText(folders) : ''];
  process.stderr.write(`\n${parts.filter(Boolean).join('; ')}:\n`);
  for (const l of failed) process.stderr.write(`  ${shown(l.path)}: ${l.error?.code}: ${shown(l.error?.message ?? '')}\n`);
}

/** --powers: a comparison's magnifications, each once (a second would be written over the first's file). */
function powersOption(value: string | undefined): number[] {
  if (value === undefined) return [];
  const powers = value.split(',').map((p) => need(powerOption(p, 'powers'), 'powers'));
  const twice = powers.find((p, i) => powers.indexOf(p) !== i);
  if (twice !== undefined) throw new UsageError(`--powers names ${twice} twice (got "${value}").`);
  if (powers.length > LIMITS.maxComparisonPanels)
    throw new UsageError(`--powers takes at most ${LIMITS.maxComparisonPanels} magnifications (got ${powers.length}).`);
  return powers;
}

/** A batch's thumbnail size, within the engine's bounds (operations.ts' thumbnailSpec): out of them it would fail every slide. */
function thumbnailSpec(values: { power?: string | undefined; mpp?: string | undefined; size?: string | undefined }): ThumbnailSpec {
  const chosen = [values.power, values.mpp, values.size].filter((v) => v !== undefined).length;
  if (chosen > 1) throw new UsageError('Give one of --power, --mpp or --size.');
  if (values.power !== undefined) return { kind: 'power', objectivePower: need(powerOption(values.power), 'power') };
  if (values.mpp !== undefined) {
    const mpp = need(num(values.mpp, 'mpp'), 'mpp');
    if (!(mpp > 0) || mpp > LIMITS.maxMpp) throw new UsageError(`--mpp must be µm per pixel above 0 and at most ${LIMITS.maxMpp} (got "${values.mpp}").`);
    return { kind: 'mpp', mpp };
  }
  return { kind: 'size', longestSide: wholeNumber(values.size, 'size', 1, LIMITS.maxThumbnailSide, 'a whole number of pixels') ?? 1024 };
}

/** --colour: the slides' ICC profiles applied (sRGB, the default, as the app shows them) or the pixels as stored (as OpenSlide reads them). */
function colourOption(value: string | undefined): ExportColour | undefined {
  if (value === undefined || value === 'srgb') return undefined;
  if (value === 'stored') return { managed: false };
  throw new UsageError(`--colour must be srgb or stored (got "${value}").`);
}

/** --detections: a file of one slide's detections. */
function detectionsOption(value: string | undefined, slides: number): string | undefined {
  if (value === undefined) return undefined;
  if (slides !== 1) throw new UsageError("--detections FILE draws one slide's detections into its images: give one slide.");
  return resolve(value);
}

/** --annotations, --detections and --detection-style: what is drawn into the images of `slides` slides. */
function drawnOptions(values: Options, slides: number): DrawnFiles {
  const detections = detectionsOption(values.detections, slides);
  return {
    annotations: annotationsOption(values.annotations, slides),
    detections,
    detectionDrawing: detectionStyleOption(values['detection-style'], detections),
  };
}

/** --annotations: a file (given as an absolute path) or, with "stored", each slide's own. */
function annotationsOption(value: string | undefined, slides: number): string | undefined {
  if (value === undefined || value === 'stored') return value;
  if (slides !== 1) throw new UsageError("--annotations FILE draws one file into one slide's images: give one slide, or --annotations stored.");
  return resolve(value);
}

async function reportCommand(args: string[], json: boolean, slowest: number): Promise<number> {
  if (args[0] !== 'merge') throw new UsageError(`report has one command, merge${args[0] ? ` (got "${args[0]}")` : ''}.`);
  if (args.length < 2) throw new UsageError('report merge takes one or more report files (.jsonl).');
  const summary = summarise(
    await readReports(args.slice(1)).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`Cannot read a report: ${error.message}`);
    }),
    slowest,
  );
  process.stdout.write(json ? `${JSON.stringify(summary, null, 2)}\n` : `${summaryText(summary)}\n`);
  return mergeExitCode(summary);
}

/** `thumbnail` over a batch: inputs, this shard's share, the jobs, the report, the stop on a signal. */
async function thumbnailBatch(positionals: string[], values: Options, cacheJournal: string, launchEngine: EngineLauncher): Promise<number> {
  if ((positionals.length === 0 && values.list === undefined) || !values.out)
    throw new UsageError('thumbnail takes slides, folders or --list FILE, and --out DIR.');
  const spec = thumbnailSpec(values);
  const outDir = resolve(values.out);
  // Missing, or out of reach: made, or refused, once the slides are listed.
  if (statOrNull(outDir)?.isDirectory() === false) throw new UsageError(`--out ${values.out} is a file, not a folder.`);
  if (imageFormatOfName(outDir) !== null && !existsSync(outDir))
    throw new UsageError(`--out is the folder the thumbnails go in, and ${values.out} names an image file: give a folder.`);
  const imageFormat = format(values.format, 'png');
  const shard = values.shard === undefined ? null : parseShard(values.shard, process.env);
  // A container's or scheduler job's limits, which Node's count of the cores does not see.
  const limits = readContainerLimits();
  const machineCores = availableParallelism();
  const cores = batchCores(machineCores, limits.cpus);
  const budget = memoryBudget(values['max-memory'], limits.memoryBytes);
  const plan = planConcurrency(parseJobs(values.jobs, cores), readEngineSettings(process.env).memoryCapBytes, budget, cores);
  const graceSeconds = num(values.grace, 'grace') ?? 20;
  // A day at most: Node's timers stop at 24.8 days, past which the grace would end at once.
  if (graceSeconds < 0 || graceSeconds > 86_400) throw new UsageError(`--grace must be from 0 to 86400 seconds (got ${values.grace}).`);
  const endEarly = endOnStopSignals((code) => void endNow(code));
  const partialWritesDir = await writableJournal(cacheJournal);
  // The first job's engine process starts while the inputs are listed (a shard of a cohort pays both),
  // and looks into the folders that may be DICOM slides.
  const firstEngine = jobEngine(launchEngine, plan, partialWritesDir);
  firstEngine.start();
  let all: SlideInput[];
  /** Other shards' DICOM folders left unopened: `all` counts each as one slide. */
  let unopened = 0;
  let inputs: SlideInput[];
  let lines: ReportLine[];
  let stopError: ErrorInfo | null;
  let reportError: ErrorInfo | null;
  let interrupt: ReturnType<typeof watchInterrupts> | undefined;
  try {
    // The output folder is left out of a folder scan: a rerun would take its outputs (TIFF) for slides.
    const {
      inputs: collected,
      unreadSubfolders,
      outputFolderSkipped,
      listed,
      allAbsent,
      cohort,
    } = await collectInputs({
      args: positionals,
      list: values.list,
      recursive: values.recursive === true,
      exclude: outDir,
      root: values.root,
    }).catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`Cannot read the inputs: ${error.message}`);
    });
    // None there: a share not mounted on this node, or a list's paths read from the wrong folder. As
    // inputs they would fail in one shard alone (a missing cohort folder is one input), the others ending 0.
    if (allAbsent) {
      const [first] = allAbsent;
      const what = allAbsent.length === 1 ? `${shown(first!)} does not exist` : `none of the ${allAbsent.length} paths given exists, such as ${shown(first!)}`;
      const list = values.list !== undefined && values.list !== '-' ? "; a list's relative paths are read from the list's folder" : '';
      throw new UsageError(`Cannot read the inputs: ${what} (a share not mounted on this machine, or mistyped${list}).`);
    }
    if (outputFolderSkipped) process.stderr.write(`slidescope: --out ${values.out} lies among the folders read: the files in it are not taken for slides\n`);
    const folders = folderFiles();
    const sharded = await shardSlides(collected, firstEngine, (key) => shard === null || inShard(key, shard), folders);
    const { slides: expanded, mine } = sharded;
    unopened = sharded.unopened;
    const own = withoutOwnOutputs(expanded, outDir, imageFormat, folders);
    all = await withoutEarlierThumbnails(own.kept);
    if (own.left) process.stderr.write(`slidescope: ${own.left} file(s) named as this batch's thumbnails left out, not taken for slides\n`);
    if (all.length < own.kept.length)
      process.stderr.write(
        `slidescope: ${own.kept.length - all.length} TIFF thumbnail(s) an earlier run wrote among the slides left out, not taken for slides\n`,
      );
    // A list naming nothing is a retry list with nothing left to retry: done, not a mistake (one whose
    // folders hold no slide, an unmounted share, stays one).
    const nothingListed = all.length === 0 && positionals.length === 0 && listed === 0;
    if (all.length === 0 && !nothingListed) throw new UsageError(noSlidesFound(positionals, values, unreadSubfolders));
    if (unreadSubfolders.length > 0)
      process.stderr.write(
        `slidescope: ${unreadSubfolders.length} subfolder(s) not read, such as ${unreadSubfolders[0]}: add --recursive to read the slides in them\n`,
      );
    const reportPath = values.report;
    const openReportOption = async () =>
      reportPath === undefined
        ? null
        : await openReport(resolve(reportPath)).catch((error: NodeJS.ErrnoException) => {
            throw new UsageError(`Cannot write the report ${reportPath}: ${error.message}`);
          });
    if (nothingListed) {
      // Made if missing, as a run's would be.
      await (await openReportOption())?.close();
      process.stderr.write(`slidescope: --list ${values.list} names no path: nothing to do\n`);
      return 0;
    }
    inputs = all.filter(mine);
    const drawn = drawnOptions(values, all.length);
    const stems = outputStems(all, outDir, folders);
    // After the usage errors above (nothing written), before the output folder: a report that cannot
    // be written leaves no empty folder behind.
    const report = await openReportOption();
    // Made before any slide: a folder the system refuses fails the batch once, not each slide in turn.
    await makeOutputFolder(outDir).catch(async (error: unknown) => {
      await report?.close();
      throw error;
    });
    if (values.jobs === undefined && cores < machineCores)
      process.stderr.write(
        `slidescope: ${cores} job(s) by default: this process may use ${limits.cpus} CPUs (its cgroup's quota) of the machine's ${machineCores}\n`,
      );
    if (budget?.warning) process.stderr.write(`slidescope: ${budget.warning}\n`);
    if (plan.note) process.stderr.write(`slidescope: ${plan.note}\n`);
    // Watched once the slides are known: while the inputs are listed (synchronously, for speed) a
    // signal ends the command at once, as Node's default does, with nothing written.
    interrupt = watchInterrupts(graceSeconds * 1000, (signal, graceMs) =>
      process.stderr.write(
        graceMs === 0
          ? `\nslidescope: ${signal}: no new slides; abandoning those being made\n`
          : `\nslidescope: ${signal}: no new slides; finishing those being made (up to ${graceSeconds} s; again to abandon them)\n`,
      ),
    );
    endEarly();
    try {
      ({ lines, stopError, reportError } = await runBatch({
        command: 'thumbnail',
        outputSet: thumbnailOutputSet(spec, colourOption(values.colour), shownOption(values.channels, values.plane), imageFormat, drawn),
        cohort,
        inputs,
        plan,
        work: thumbnailWork(
          spec,
          imageFormat,
          stems,
          values.overwrite === true,
          drawn,
          colourOption(values.colour),
          shownOption(values.channels, values.plane),
        ),
        interrupt,
        progress: batchProgress(),
        report,
        shard: shard && shardName(shard),
        batchInputs: new Set(all.map(inputKey)).size,
        partialWritesDir,
        launchEngine,
        firstEngine,
        onGiveUp: () => noteReadGivenUp(interrupt?.exitCode() ?? 1),
      }));
    } finally {
      await report?.close();
    }
  } finally {
    endEarly();
    interrupt?.dispose();
    await firstEngine.dispose();
  }
  for (const line of lines) if (line.status === 'written') for (const o of line.outputs) process.stdout.write(`${o.path}\n`);
  const unlisted = new Set(inputs.filter((input) => input.unreadable !== undefined).map((input) => input.path));
  // A line per slide that opened with warnings: written all the same, but a person must know.
  for (const l of lines) writeSlideWarnings(l.path, l.warnings);
  reportFailures(lines, unlisted);
  const summary = batchSummary(
    lines,
    unlisted,
    shard && {
      name: shardName(shard),
      of: all.filter((input) => input.unreadable === undefined).length,
      atLeast: unopened > 0,
    },
  );
  process.stderr.write(`slidescope: ${summary.text}\n`);
  const count = (status: ReportLine['status']) => summary.statuses[status];
  const interrupted = interrupt.exitCode();
  // A report that could not be written, or a full disk, stopped the batch as a signal does: the same
  // list, then its error.
  if (interrupted !== null || (stopError && count('not-done'))) {
    const again = values.overwrite === true ? 'the same command again without --overwrite' : 'the same command again';
    process.stderr.write(`slidescope: stopped; not done (run ${again} to finish them):\n`);
    for (const l of lines) if (l.status === 'not-done') process.stderr.write(`  ${shown(l.slide)}\n`);
  }
  // A full disk wins over a signal: a retry would meet the same disk.
  if (stopError) {
    printError(stopError);
    // The report failed after the batch had stopped for another reason (the same full disk): it lacks lines.
    if (reportError && reportError !== stopError) printError(reportError);
    return 1;
  }
  if (interrupted !== null) return interrupted;
  return summary.failed ? 1 : 0;
}

/**
 * The journal of temporary files, or null where it cannot be written (a compute node whose home is
 * read-only or over its quota): the engines would otherwise fail every slide, after its decode, for
 * want of what only cleans up after a crash. Said once.
 */
export async function writableJournal(dir: string, write: typeof writeFile = writeFile): Promise<string | null> {
  const probe = join(dir, `.probe-${process.pid}`);
  try {
    await makeFolder(dir);
    // As long as an entry: a full disk or a quota reached still makes an empty file, and refuses its bytes.
    await write(probe, JSON.stringify({ temp: join(dir, `.${'x'.repeat(200)}.partial`), pid: process.pid, host: hostname() }));
    await rm(probe);
    return dir;
  } catch (error) {
    await rm(probe, { force: true }).catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    const where = process.platform === 'linux' ? ' (XDG_CACHE_HOME sets where it is)' : '';
    process.stderr.write(
      `slidescope: ${shown(dir)} cannot be written (${code}): the thumbnails are made without the list of files being written kept there${where}, and a run killed outright may leave a hidden .partial file beside a thumbnail\n`,
    );
    return null;
  }
}

/**
 * The inputs less this batch's own outputs: with --out at or above a folder scanned, a rerun lists
 * the thumbnails written beside the slides, and a TIFF one reads as a slide. Decided by name alone
 * (real folders, case folded), repeated until no input is another's output, so that every shard
 * splits the same set whether or not another shard has written its outputs yet.
 */
function withoutOwnOutputs(inputs: SlideInput[], outDir: string, imageFormat: ImageFormat, folders: FolderFiles): { kept: SlideInput[]; left: number } {
  const realOut = realPathOr(outDir);
  const real = throughRealFolders();
  const nameOf = (path: string) => real(path).normalize('NFC').toLowerCase();
  let kept = inputs;
  for (;;) {
    const outputs = new Set([...outputStems(kept, realOut, folders).values()].map((stem) => nameOf(thumbnailFileName(stem, imageFormat))));
    const fewer = kept.filter((input) => input.unreadable !== undefined || !outputs.has(nameOf(input.path)));
    if (fewer.length === kept.length) return { kept, left: inputs.length - kept.length };
    kept = fewer;
  }
}

/** Where no slide was found, and, for a folder read without --recursive that has subfolders, the option that reads them. */
function noSlidesFound(positionals: string[], values: Options, unread: readonly string[]): string {
  const where = values.list !== undefined ? `the paths of --list ${values.list}` : positionals.join(', ');
  return `No slide files found in ${where}.${unread.length > 0 ? ` ${unread.length} subfolder(s) were not read, such as ${unread[0]}: add --recursive to read them.` : ''}`;
}

/**
 * The inputs less TIFF thumbnails Slidescope wrote among them in an earlier run to another --out
 * (withoutOwnOutputs knows only this batch's names): a file named as a thumbnail that says it is one.
 */
async function withoutEarlierThumbnails(inputs: SlideInput[]): Promise<SlideInput[]> {
  const ours = new Set<SlideInput>();
  // A few files open at a time: a cohort's thousands at once would run out of file descriptors. Ours
  // are regular files; anything else so named is the engine's to refuse (a FIFO's open would wait for
  // a writer for good).
  const thumbnailLike = (input: SlideInput) =>
    input.unreadable === undefined && TIFF_THUMBNAIL_NAME.test(input.path) && statOrNull(input.path)?.isFile() === true;
  await forEachLimited(inputs, 16, async (input) => {
    if (thumbnailLike(input) && (await outputProvenance(input.path, 'tiff')) !== null) ours.add(input);
  });
  return inputs.filter((input) => !ours.has(input));
}

/** "X,Y" or "WxH" as two numbers, or a usage error saying what was expected. */
function pair(value: string, separator: string, what: string): [number, number] {
  const parts = value.split(separator).map(decimal);
  if (parts.length !== 2 || !parts.every(Number.isFinite)) throw new UsageError(`${what} (got "${value}").`);
  return [parts[0]!, parts[1]!];
}

/** A comparison panel's WxH (512x512 when not given), each side a whole number up to maxPanelSide. */
function panelSize(value: string | undefined, name: string): [number, number] {
  const what = `--${name} must be WxH, e.g. 512x512, at most ${LIMITS.maxPanelSide}x${LIMITS.maxPanelSide}`;
  const size = pair(value ?? '512x512', 'x', what);
  if (!size.every((n) => Number.isInteger(n) && n > 0 && n <= LIMITS.maxPanelSide)) throw new UsageError(`${what} (got "${value}").`);
  return size;
}

/** `compare A B [C D]`: the slides side by side (compare-slides.ts). */
async function compareSlides(engine: Engine, paths: string[], values: Options, overwrite: boolean): Promise<number> {
  if (paths.length > LIMITS.maxComparedSlides)
    throw new UsageError(`compare shows 2 to ${LIMITS.maxComparedSlides} slides side by side (got ${paths.length}).`);
  if (!values.out) throw new UsageError('compare takes --out FILE.');
  const power = need(powerOption(values.power), 'power');
  const center = values.center === undefined ? null : pair(values.center, ',', '--center must be X,Y: a level-0 pixel of the first slide');
  const [width, height] = panelSize(values.size, 'size');
  await makeOutputFolder(dirname(resolve(values.out)));
  const out = await runCompareSlides(engine, paths, {
    power,
    center: center && { x: center[0], y: center[1] },
    panel: { width, height },
    alignment: values.alignment,
    format: fileFormat(values.format, values.out),
    out: values.out,
    overwrite,
    colour: colourOption(values.colour),
    shown: shownOption(values.channels, values.plane),
  });
  if (!out.ok) return printError(out.error);
  process.stdout.write(`${out.value}\n`);
  return 0;
}

/** A command's lines of HELP's usage (each entry and the lines that continue it); null for no command. */
function commandUsage(command: string): string | null {
  const block = HELP.slice(HELP.indexOf('Usage:\n') + 7, HELP.indexOf('\n\n', HELP.indexOf('Usage:\n')));
  const lines: string[] = [];
  let mine = false;
  for (const line of block.split('\n')) {
    const entry = /^ {2}slidescope (\S+)/.exec(line);
    if (entry) mine = entry[1] === command;
    if (mine) lines.push(line);
  }
  return lines.length ? lines.join('\n') : null;
}

/** Node's parser's words said plainly: the option named, and for a misspelt one the option meant. */
function parseErrorText(error: Error & { code?: string }): string {
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const given = /'(-{1,2}[^']*)'/.exec(error.message)?.[1] ?? '';
    const name = given.replace(/^-+/, '').split('=')[0]!;
    const meant = Object.keys(PARSE_OPTIONS).find((option) => editDistance(option, name) <= 2 || (name.length >= 3 && option.startsWith(name)));
    return `Unknown option ${given}${meant ? ` (did you mean --${meant}?)` : ''}.`;
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const option = /'(--[a-z-]+)/.exec(error.message)?.[1];
    if (option && /ambiguous/.test(error.message)) return `${option} needs a value; one that starts with "-" is written ${option}=-VALUE.`;
  }
  return error.message;
}

/** Letters to change, add or drop to make one word the other. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The first failure to write standard output (a full disk or quota, not a reader gone): what it holds is incomplete. */
let lostOutput: string | null = null;
let streamsWatched = false;
/**
 * Output read by a program that stops early (`| head`, `2>&1 | head`) is no failure of the command:
 * the rest is not printed, and the work and its exit code go on. Nor is a log that cannot be written
 * (a Slurm log on a full quota): a batch stopped by it would lose its report lines and its signal's
 * exit code; standard output lost is said at the end (a script reading it gets part), and exits 1.
 */
function watchOutputStreams(): void {
  if (streamsWatched) return;
  streamsWatched = true;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') lostOutput ??= error.code ?? error.message;
  });
  process.stderr.on('error', () => undefined);
}

/** The command's exit code, 1 rather than 0 where its standard output could not be written. */
async function withLostOutput(code: number): Promise<number> {
  // A write's error is emitted a tick or two after the write (a file's, which is synchronous).
  await new Promise((resolve) => setImmediate(resolve));
  if (lostOutput === null) return code;
  process.stderr.write(`slidescope: the standard output could not be written (${lostOutput}): what it printed is incomplete.\n`);
  return code === 0 ? 1 : code;
}

export async function runCli(argv: string[], launchEngine: EngineLauncher): Promise<number> {
  watchOutputStreams();
  return withLostOutput(await runCommand(argv, launchEngine));
}

async function runCommand(argv: string[], launchEngine: EngineLauncher): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  const ownArgs = rest.includes('--') ? rest.slice(0, rest.indexOf('--')) : rest;
  if (ownArgs.includes('--help') || ownArgs.includes('-h')) {
    const usage = commandUsage(command);
    if (usage === null) {
      process.stderr.write(`slidescope: Unknown command "${command}". Run "slidescope --help" for usage.\n`);
      return 2;
    }
    process.stdout.write(`Usage:\n${usage}\n(slidescope --help: every command, and what the options mean)\n`);
    return 0;
  }
  if (command === 'version' || command === '--version') {
    if (rest.length > 0) {
      process.stderr.write(`slidescope: version takes nothing (got "${rest.join(' ')}").\nRun "slidescope --help" for usage.\n`);
      return 2;
    }
    process.stdout.write(`slidescope ${SLIDESCOPE_VERSION}\n`);
    return 0;
  }
  // The engine runs in a process of its own: a slide that crashes it or runs away with memory ends
  // that process, and the CLI reports it. Started when a command needs it.
  const partialWritesDir = join(userCacheDir(), 'partial-writes');
  let started: Engine | null = null;
  const engine = () => {
    started ??= new EngineClient(launchEngine({ partialWritesDir, warmUp: false }));
    return started;
  };
  try {
    const { values, positionals, tokens } = parseArgs({ args: rest, allowPositionals: true, options: PARSE_OPTIONS, tokens: true });
    // parseArgs keeps the last of an option given twice: `--size 64 --size 128` is a mistake, not a choice.
    const named = tokens.flatMap((token) => (token.kind === 'option' ? [token.name] : []));
    const twice = named.find((name, i) => named.indexOf(name) !== i);
    if (twice !== undefined) throw new UsageError(`--${twice} is given twice.`);
    const usage = usageOf(command, positionals);
    if (usage === null) throw new UsageError(`Unknown command "${command}".`);
    rejectUnusedOptions(usage, values);
    // An unset shell variable ("$SLIDE") must not become the current folder, or an option's default.
    if (positionals.some((p) => p.trim() === '')) throw new UsageError('An empty path was given (an unset variable?).');
    const badEnvironment = command === 'report' ? null : engineEnvironmentProblem(process.env);
    if (badEnvironment) throw new UsageError(badEnvironment);
    const empty = Object.entries(values).find(([, value]) => typeof value === 'string' && value.trim() === '');
    if (empty) throw new UsageError(`--${empty[0]} is empty.`);
    for (const option of ['out', 'export'] as const) {
      const file = values[option];
      if (command !== 'thumbnail' && file !== undefined && statOrNull(file)?.isDirectory())
        throw new UsageError(
          `--${option} ${file} is a folder: give the file to write, e.g. ${join(file, command === 'annotations' ? 'annotations.geojson' : `${command}.png`)}.`,
        );
    }
    const overwrite = values.overwrite === true;
    switch (command) {
      case 'info': {
        if (positionals.length !== 1) throw new UsageError('info takes one slide.');
        const info = await withSlide(engine(), positionals[0]!, async (_slideId, info) => ({ ok: true, value: info }));
        if (!info.ok) return printError(info.error);
        process.stdout.write(values.json ? `${JSON.stringify(infoJson(info.value), null, 2)}\n` : `${infoText(info.value)}\n`);
        return 0;
      }
      case 'region': {
        if (positionals.length !== 1 || !values.out) throw new UsageError('region takes one slide and --out FILE.');
        if (values.level !== undefined && values.power !== undefined) throw new UsageError('Give --level or --power, not both.');
        const level = wholeNumber(values.level, 'level', 0, LIMITS.maxIndex, 'a level number');
        const power = powerOption(values.power);
        const side = (name: 'width' | 'height') => need(wholeNumber(values[name], name, 1, LIMITS.maxRegionSide, 'a whole number of pixels'), name);
        const args = {
          x: need(num(values.x, 'x'), 'x'),
          y: need(num(values.y, 'y'), 'y'),
          width: side('width'),
          height: side('height'),
          ...(level !== undefined ? { level } : {}),
          ...(power !== undefined ? { power } : {}),
        };
        if (power === undefined && (values.annotations !== undefined || values.detections !== undefined || values['scale-bar']))
          throw new UsageError('--annotations, --detections and --scale-bar draw into a region read at a --power, not at a --level.');
        const drawn = { ...drawnOptions(values, 1), scaleBar: values['scale-bar'] === true };
        const out = await runRegion(
          engine(),
          positionals[0]!,
          { ...args, ...drawn },
          values.out,
          fileFormat(values.format, values.out),
          overwrite,
          colourOption(values.colour),
          shownOption(values.channels, values.plane),
        );
        if (!out.ok) return printError(out.error);
        process.stdout.write(`${out.value}\n`);
        return 0;
      }
      case 'thumbnail':
        return await thumbnailBatch(positionals, values, partialWritesDir, launchEngine);
      case 'compare': {
        if (positionals.length > 1) return await compareSlides(engine(), positionals, values, overwrite);
        if (positionals.length !== 1 || !values.out)
          throw new UsageError('compare takes one slide (its magnifications) or 2 to 4 slides (side by side), and --out FILE.');
        const powers = powersOption(values.powers);
        let mode: ComparisonMode = { kind: 'slide' };
        if ((values.mode ?? 'slide') === 'field') {
          const [centerX, centerY] = pair(values.center ?? '', ',', '--mode field needs --center X,Y (level-0 pixels)');
          const [panelWidth, panelHeight] = panelSize(values.panel, 'panel');
          mode = { kind: 'field', centerX, centerY, panelWidth, panelHeight };
        } else if (values.mode !== undefined && values.mode !== 'slide') {
          throw new UsageError('--mode must be slide or field.');
        }
        const drawn = drawnOptions(values, 1);
        const files = await runCompare(
          engine(),
          positionals[0]!,
          powers,
          mode,
          fileFormat(values.format, values.out),
          values.out,
          overwrite,
          drawn,
          colourOption(values.colour),
          shownOption(values.channels, values.plane),
        );
        if (!files.ok) return printError(files.error);
        for (const f of files.value) process.stdout.write(`${f}\n`);
        return 0;
      }
      case 'annotations': {
        if (positionals.length === 0)
          throw new UsageError('annotations takes a slide (or several, with --export FILE.csv: one measurement table of them all).');
        if (values.rows !== undefined && (values.detections === undefined || values.export === undefined))
          throw new UsageError('--rows goes with --detections FILE --export FILE.csv: what a row of that table is.');
        if (values.detections !== undefined) {
          const table = values.export;
          if (positionals.length > 1 || values.import !== undefined || (table !== undefined && annotationFormat(values.format, table) !== 'csv'))
            throw new UsageError('annotations SLIDE --detections FILE takes one slide, and --export FILE.csv (or .tsv) for their measurement table.');
          const rows = TABLE_ROWS.find((r) => r === (values.rows ?? 'detections'));
          if (!rows) throw new UsageError(`--rows must be ${TABLE_ROWS.join(' or ')} (got "${values.rows}").`);
          const done = await runDetections(engine(), new AnnotationStore({ dataDir: defaultAnnotationsDir() }), positionals[0]!, {
            file: values.detections,
            exportFile: table,
            rows,
            overwrite,
            json: values.json === true,
          });
          if (!done.ok) return printError(done.error);
          process.stdout.write(`${done.value}\n`);
          return 0;
        }
        const store = new AnnotationStore({ dataDir: defaultAnnotationsDir() });
        if (positionals.length > 1) {
          const table = values.export;
          if (table === undefined || values.import !== undefined || values.json === true || annotationFormat(values.format, table) !== 'csv')
            throw new UsageError('Several slides take --export FILE.csv (or .tsv, or --format csv) only: one measurement table of them all.');
          const done = await runAnnotationsTable(engine(), store, positionals, table, overwrite);
          for (const error of done.failed) printError(error);
          process.stdout.write(`${done.written}\n`);
          return done.failed.length > 0 ? 1 : 0;
        }
        const done = await runAnnotations(engine(), store, positionals[0]!, {
          importFile: values.import,
          exportFile: values.export,
          format: values.format,
          overwrite,
          json: values.json === true,
        });
        if (!done.ok) return printError(done.error);
        process.stdout.write(`${done.value}\n`);
        return 0;
      }
      case 'report':
        return await reportCommand(positionals, values.json === true, slowestOption(values.slowest));
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof UsageError || code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      process.stderr.write(`slidescope: ${parseErrorText(error as Error)}\nRun "slidescope --help" for usage.\n`);
      return 2;
    }
    return printError(toErrorInfo(error));
  } finally {
    await (started as Engine | null)?.dispose();
  }
}
