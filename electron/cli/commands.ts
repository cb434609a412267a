// The CLI's commands over the engine process (forked): what users ran in Python inside Docker, as one
// command with no Python, no Docker and no network. Exports are the same engine operations the app
// uses; answers are Results, reported per slide.

import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import type { ExportColour } from '../../shared/colour';
import type { DetectionDrawing } from '../../shared/detections';
import { type ErrorInfo, fail, type Result, toErrorInfo } from '../../shared/errors';
import { DEFAULT_POWERS, thumbnailFileName } from '../../shared/export-plan';
import type { ComparisonMode, ImageFormat, ThumbnailSpec } from '../../shared/operations';
import type { Provenance } from '../../shared/provenance';
import type { ChannelInfo, IccProfileInfo, PlaneInfo, SlideInfo, SlideShown } from '../../shared/slide';
import { formatLabel } from '../../shared/slide-formats';
import { AnnotationStore, defaultAnnotationsDir } from '../annotations/annotation-store';
import { SlideError, writeFailureCode } from '../engine/errors';
import { makeFolder } from '../engine/export/make-folder';
import { slideIdentity } from '../engine/slide-identity';
import type { EngineClient } from '../engine-host/engine-client';
import { settledOrAborted, untilSettledOrAborted } from '../rpc/abortable';
import type { SlideOutcome, SlideWork } from './batch';
import { channelsText } from './channel-option';
import { examineOutput } from './complete-output';
import { detectionStyleText } from './detection-style-option';
import { printable } from './printable';
import { writeSlideWarnings } from './slide-warnings';
import { UsageError } from './usage-error';
import { SLIDESCOPE_VERSION } from './version';

export type Engine = EngineClient<unknown>;

export interface InfoJson {
  vendor: string | null;
  width: number;
  height: number;
  objectivePower: number | null;
  mpp: { x: number; y: number } | null;
  levels: Array<{ width: number; height: number; downsample: number; tileWidth: number; tileHeight: number }>;
  associated: string[];
  /** The embedded ICC profile: its description and size (and why it is not applied, if it is not); null when none. */
  iccProfile: IccProfileInfo | null;
  /** The engine's sentences on damage passed over at open (SlideInfo.warnings); empty for a whole slide. */
  warnings: string[];
  /** A fluorescence slide's channels as shown (name, colour, display range); absent for others. */
  channels?: ChannelInfo[];
  /** A fluorescence slide's focal planes and timepoints and the one shown (from 0, as OME numbers them); absent for others. */
  plane?: PlaneInfo;
  properties: Record<string, string>;
}

export function infoJson(info: SlideInfo): InfoJson {
  return {
    vendor: info.vendor ?? null,
    width: info.width,
    height: info.height,
    objectivePower: info.objectivePower,
    mpp: info.mpp,
    levels: info.levels.map(({ width, height, downsample, tileWidth, tileHeight }) => ({ width, height, downsample, tileWidth, tileHeight })),
    associated: info.associated,
    iccProfile: info.iccProfile,
    warnings: info.warnings,
    ...(info.channels ? { channels: info.channels } : {}),
    ...(info.plane ? { plane: info.plane } : {}),
    properties: info.properties,
  };
}

export function infoText(info: SlideInfo): string {
  const lines = [
    `${info.name}`,
    // First: a damaged file is what a person must see before trusting the rest. Names in them are from disk.
    ...info.warnings.map((warning) => `  warning       ${printable(warning, Number.POSITIVE_INFINITY)}`),
    `  format        ${formatLabel(info.format)} (vendor ${info.vendor})`,
    `  dimensions    ${info.width} x ${info.height}`,
    `  objective     ${info.objectivePower === null ? 'unknown' : `${info.objectivePower}x`}`,
    `  µm/px         ${info.mpp ? `${significant(info.mpp.x)} x ${significant(info.mpp.y)}` : 'unknown'}`,
    `  associated    ${info.associated.join(', ') || 'none'}`,
    `  ICC profile   ${describeIccProfile(info.iccProfile)}`,
    ...(info.channels ?? []).map(
      (c, i) =>
        `  ${i === 0 ? 'channels' : '        '}      ${i + 1} ${printable(c.name, 80)}  ${c.colour}  ${c.low}-${c.high} of ${c.max}${c.shown ? '' : '  hidden'}`,
    ),
    // Numbered from 1, as --plane takes them.
    ...(info.plane ? [`  planes        SizeZ ${info.plane.sizeZ}, SizeT ${info.plane.sizeT} (shown: Z ${info.plane.z + 1}, T ${info.plane.t + 1})`] : []),
    `  levels`,
    ...info.levels.map((l, i) => `    ${i}  ${l.width} x ${l.height}  downsample ${Number(l.downsample.toFixed(4))}  tiles ${l.tileWidth} x ${l.tileHeight}`),
  ];
  return lines.join('\n');
}

/** Six significant digits: a DICOM's 16.782999999999998 µm/px reads 16.783 (--json keeps the number as stored). */
function significant(n: number): number {
  return Number(n.toPrecision(6));
}

function describeIccProfile(profile: IccProfileInfo | null): string {
  if (!profile) return 'none';
  const name = profile.description ? `"${profile.description}"` : 'no description';
  return profile.unusable ? `${name}, not applied: ${profile.unusable}` : `${name} (${profile.bytes} bytes)`;
}

/**
 * Opens the slide for `work` and closes it after: the work's Result, or why the slide would not open.
 * Once `abandon` aborts (a batch told to stop), an open or close still waiting ends there: an engine
 * that no longer answers (a stalled mount, a stopped process) must not hold the batch past its grace.
 */
export async function withSlide<T>(
  engine: Engine,
  path: string,
  work: (slideId: string, info: SlideInfo) => Promise<Result<T>>,
  abandon?: AbortSignal,
  shown?: SlideShown,
): Promise<Result<T>> {
  const open = engine.open(resolve(path), null, shown);
  const opened = abandon ? ((await settledOrAborted(open, abandon)) ?? fail('CANCELLED', 'The slide was abandoned: the batch was told to stop.')) : await open;
  if (!opened.ok) return opened;
  try {
    return await work(opened.value.slideId, opened.value.info);
  } finally {
    await untilSettledOrAborted(engine.close(opened.value.slideId), abandon);
  }
}

async function modifiedSince(path: string, time: number): Promise<boolean> {
  return ((await stat(path).catch(() => null))?.mtimeMs ?? 0) >= time - 1000;
}

async function sized(paths: string[]): Promise<Array<{ path: string; bytes: number }>> {
  return Promise.all(paths.map(async (path) => ({ path, bytes: (await stat(path).catch(() => null))?.size ?? 0 })));
}

/** What an export draws in: a file's annotations (or "stored": each slide's own) and a file of QuPath's detections. */
export interface DrawnFiles {
  annotations?: string | undefined;
  detections?: string | undefined;
  /** How the detections are drawn (--detection-style); absent: outlined, opaque. */
  detectionDrawing?: DetectionDrawing | undefined;
}

/** The annotations file an export of this slide draws in: the one given, or (`stored`) the slide's own, if it has any. */
async function annotationsFor(slide: string, annotations: string | undefined, identity?: () => Promise<string>): Promise<string | undefined> {
  if (annotations !== 'stored') return annotations;
  const location = await new AnnotationStore({ dataDir: defaultAnnotationsDir(), identity }).locate(slide);
  return location?.path;
}

/** What a batch's line tells of a slide once it is opened. */
type Seen = Pick<SlideOutcome, 'vendor' | 'width' | 'height' | 'warnings'>;

/**
 * A batch's thumbnail of one slide, at `<stem>_thumbnail.<ext>` (stems from outputStems): skipped when
 * a complete one is there that was made from the same slide with the same options (a resumed run, or
 * another run that wrote it first), redone when --overwrite or when the one there is cut short, and
 * refused (EXISTS) when the one there is another slide's or was made otherwise: a rerun never passes
 * off a different image as this slide's.
 * `given.annotations`: a file drawn in, or "stored" for the slide's own.
 */
export function thumbnailWork(
  spec: ThumbnailSpec,
  format: ImageFormat,
  stems: Map<string, string>,
  overwrite: boolean,
  given: DrawnFiles = {},
  colour?: ExportColour,
  shown?: SlideShown,
): SlideWork {
  return async (engineOf, input, abandon, folders) => {
    const out = thumbnailFileName(stems.get(input.path)!, format);
    const none = { vendor: null, width: null, height: null };
    const started = Date.now();
    // Worked out once for the slide, whichever of its stored annotations, its record and the output's asks first.
    let identityOnce: Promise<string> | undefined;
    const identity = () => {
      if (!identityOnce) {
        identityOnce = slideIdentity(input.path);
        identityOnce.catch(() => undefined);
      }
      return identityOnce;
    };
    let drawn: DrawnFiles = { detections: given.detections, detectionDrawing: given.detectionDrawing };
    let recipe: string;
    try {
      drawn = { ...drawn, annotations: await annotationsFor(input.path, given.annotations, identity) };
      recipe = await thumbnailRecipe(spec, colour, shown, drawn);
    } catch (error) {
      return { status: 'failed', outputs: [], ...none, error: namingItsFile(toErrorInfo(error, input.path), drawn) };
    }
    /**
     * Why the complete output there is not this slide's as asked, or null when it is: its record names
     * this recipe and this slide. One without a record (an earlier Slidescope's) counts as done, as
     * one of a slide that can no longer be read does: neither can be told apart.
     */
    const otherwise = async (there: Provenance | null): Promise<string | null> => {
      if (!there) return null;
      if (there.recipe !== recipe)
        return `${basename(out)} is already there, made with ${there.recipe}: give this batch another --out, or --overwrite to make every one of its slides again with ${recipe}.`;
      const slide = await identity().catch(() => null);
      if (slide === null || slide === there.identity) return null;
      return `${basename(out)} is already there, made from another slide of the same name: slides of one name in different folders, run apart, meet in one --out unless the runs are given their common folder as --root (outputs then mirror their folders); or give this batch another --out, or --overwrite to replace it.`;
    };
    const found = async (seen: Seen, there: Provenance | null): Promise<SlideOutcome> => {
      const message = await otherwise(there);
      if (message === null) return { status: 'skipped', outputs: await sized([out]), ...seen, error: null };
      return { status: 'failed', outputs: [], ...seen, error: { code: 'EXISTS', message, path: input.path } };
    };
    const before = await examineOutput(out, format);
    const complete = before.complete;
    if (complete && !overwrite) return found(none, before.provenance);
    const replace =
      overwrite ||
      (await stat(out).then(
        () => true,
        () => false,
      ));
    const makeOutputFolder = () =>
      folders.make(dirname(out)).then(
        () => null,
        (error: NodeJS.ErrnoException) => folderFailure(error, dirname(out), input.path),
      );
    const folderError = await makeOutputFolder();
    if (folderError) return { status: 'failed', outputs: [], ...none, error: folderError };
    const refusal = await folders.refusal(out);
    if (refusal) return { status: 'failed', outputs: [], ...none, error: toErrorInfo(refusal) };
    const engine = await engineOf();
    let seen: Seen = none;
    // The slide's identity once the engine has opened it: a slide that will not open fails with the engine's reason.
    const exportThumbnail = () =>
      withSlide(
        engine,
        input.path,
        async (slideId, info) => {
          seen = { vendor: info.vendor ?? null, width: info.width, height: info.height, warnings: info.warnings };
          const provenance = { tool: `Slidescope ${SLIDESCOPE_VERSION}`, identity: await identity(), recipe };
          return engine.call(
            'engine:export-thumbnail',
            { slideId, spec, path: out, format, overwrite: replace, ...drawn, colour, provenance },
            { signal: abandon },
          );
        },
        abandon,
        shown,
      ).catch((error: unknown) => ({ ok: false as const, error: toErrorInfo(error, input.path) }));
    let result = await exportThumbnail();
    // The folder went meanwhile: another shard writing the same tree removed it, empty, at its end (OutputFolders).
    if (!result.ok && result.error.code === 'NOT_FOUND' && result.error.path === out && !abandon.aborted && (await makeOutputFolder()) === null) {
      result = await exportThumbnail();
    }
    if (!result.ok) {
      // Another run made it meanwhile (a resubmitted task beside the old one in its grace period).
      if (result.error.code === 'EXISTS' && !overwrite) {
        const now = await examineOutput(out, format);
        if (now.complete) return found(seen, now.provenance);
      }
      const error = namingItsFile({ ...result.error, path: result.error.path ?? input.path }, drawn);
      // Written after all if a whole file of this slide's is there now that was not before (or that --overwrite replaced).
      const landed = async () => {
        const now = await examineOutput(out, format);
        return now.complete && (!complete || (await modifiedSince(out, started))) && (await otherwise(now.provenance)) === null ? sized([out]) : null;
      };
      return { status: 'failed', outputs: [], ...seen, error, landed };
    }
    return { status: 'written', outputs: await sized(result.value.files), ...seen, error: null };
  };
}

/**
 * A slide's failure that is another file's (the --annotations or --detections file drawn in) says
 * which: the report and the summary show it under the slide's path.
 */
function namingItsFile(error: ErrorInfo, drawn: DrawnFiles): ErrorInfo {
  const other = [drawn.annotations, drawn.detections].some((file) => file && error.path && resolve(error.path) === resolve(file));
  return other ? { ...error, message: `${error.path}: ${error.message}` } : error;
}

/** The options that decide a thumbnail's pixels, but for drawn annotations. */
function pixelOptions(spec: ThumbnailSpec, colour: ExportColour | undefined, shown: SlideShown | undefined): string[] {
  const size = spec.kind === 'size' ? `--size ${spec.longestSide}` : spec.kind === 'power' ? `--power ${spec.objectivePower}` : `--mpp ${spec.mpp}`;
  return ['thumbnail', size, `--colour ${colour?.managed === false ? 'stored' : 'srgb'}`, ...channelsText(shown)];
}

/** What a thumbnail batch makes of each slide (ReportLine.outputSet): its pixels' options, its format, the files it draws. */
export function thumbnailOutputSet(
  spec: ThumbnailSpec,
  colour: ExportColour | undefined,
  shown: SlideShown | undefined,
  format: ImageFormat,
  { annotations, detections, detectionDrawing }: DrawnFiles,
): string {
  const drawn = [
    ...(annotations === undefined ? [] : [`--annotations ${annotations === 'stored' ? 'stored' : basename(annotations)}`]),
    ...(detections === undefined ? [] : [`--detections ${basename(detections)}`, ...detectionStyleText(detectionDrawing)]),
  ];
  return [...pixelOptions(spec, colour, shown), `--format ${format}`, ...drawn].join(' ');
}

/** The options that decide a thumbnail's pixels, as the command line gives them; the files drawn in by their content. */
async function thumbnailRecipe(spec: ThumbnailSpec, colour: ExportColour | undefined, shown: SlideShown | undefined, drawn: DrawnFiles): Promise<string> {
  const parts = pixelOptions(spec, colour, shown);
  for (const [option, file] of [
    ['annotations', drawn.annotations],
    ['detections', drawn.detections],
  ] as const) {
    if (file === undefined) continue;
    const content = await readFile(file).catch((error: NodeJS.ErrnoException) => {
      throw new SlideError('NOT_FOUND', `The ${option} file cannot be read (${error.code ?? error.message}).`, file);
    });
    parts.push(`--${option} sha256:${createHash('sha256').update(content).digest('hex').slice(0, 16)}`);
  }
  if (drawn.detections !== undefined) parts.push(...detectionStyleText(drawn.detectionDrawing));
  return parts.join(' ');
}

/** Why an output folder could not be made; a full disk or quota (NO_SPACE) makes a batch stop. */
function folderFailure(error: NodeJS.ErrnoException, folder: string, path: string): ErrorInfo {
  return { code: writeFailureCode(error), message: `Cannot create the output folder ${folder} (${error.code ?? error.message}).`, path };
}

/**
 * An output folder (a batch's --out, the folder an output file goes in), made with the parents it
 * lacks before any slide is read. A file in its way is the command's mistake (a usage error); the
 * system's refusal, a full disk, a share gone are the machine's (IO_ERROR, NO_SPACE: exit 1), which
 * a scheduler may retry.
 */
export async function makeOutputFolder(folder: string): Promise<void> {
  await makeFolder(folder).catch((error: NodeJS.ErrnoException) => {
    const { code, message } = folderFailure(error, folder, folder);
    if (error.code === 'ENOTDIR') throw new UsageError(message);
    // Something not a folder in its place that a walk could not tell from one: a link to nothing.
    if (error.code === 'EEXIST')
      throw new UsageError(
        `Cannot create the output folder ${folder}: on its way, a link to nothing, or something else that is not a folder, is in the place of a folder.`,
      );
    throw new SlideError(code, message, folder);
  });
}

/** Why a comparison's centre (level-0 pixels) cannot be taken: outside the slide; null when inside. */
export function centreOutside(center: { x: number; y: number }, info: SlideInfo): string | null {
  if (center.x >= 0 && center.y >= 0 && center.x <= info.width && center.y <= info.height) return null;
  return `The centre (${center.x}, ${center.y}) is outside ${info.name}, which is ${info.width} x ${info.height} level-0 pixels.`;
}

export async function runCompare(
  engine: Engine,
  path: string,
  powers: number[],
  mode: ComparisonMode,
  format: ImageFormat,
  outFile: string,
  overwrite: boolean,
  given: DrawnFiles = {},
  colour?: ExportColour,
  shown?: SlideShown,
): Promise<Result<string[]>> {
  const comparisonPath = resolve(outFile);
  await makeOutputFolder(dirname(comparisonPath));
  const drawn = { ...given, annotations: await annotationsFor(resolve(path), given.annotations) };
  const result = await withSlide(
    engine,
    path,
    async (slideId, info) => {
      writeSlideWarnings(info.path, info.warnings);
      const outside = mode.kind === 'field' ? centreOutside({ x: mode.centerX, y: mode.centerY }, info) : null;
      if (outside) return fail('INVALID_ARGUMENT', outside, info.path);
      return engine.call('engine:export-comparison', {
        slideId,
        powers: powers.length ? powers : DEFAULT_POWERS,
        mode,
        folder: dirname(comparisonPath),
        comparisonPath,
        format,
        overwrite,
        ...drawn,
        colour,
      });
    },
    undefined,
    shown,
  );
  return result.ok ? { ok: true, value: result.value.files } : result;
}

export interface RegionArgs {
  x: number;
  y: number;
  width: number;
  height: number;
  level?: number;
  power?: number;
  /** Drawn in at a power: a file's annotations or the slide's stored ones ("stored"), a file's detections, and a scale bar. */
  annotations?: string | undefined;
  detections?: string | undefined;
  detectionDrawing?: DetectionDrawing | undefined;
  scaleBar?: boolean;
}

/** As OpenSlide's read_region (level) or TIAToolbox's read_rect (power): x, y in level-0 pixels. */
export async function runRegion(
  engine: Engine,
  path: string,
  args: RegionArgs,
  outFile: string,
  format: ImageFormat,
  overwrite: boolean,
  colour?: ExportColour,
  shown?: SlideShown,
): Promise<Result<string>> {
  const at = args.power !== undefined ? { kind: 'power' as const, objectivePower: args.power } : { kind: 'level' as const, level: args.level ?? 0 };
  await makeOutputFolder(dirname(resolve(outFile)));
  const annotations = await annotationsFor(resolve(path), args.annotations);
  const result = await withSlide(
    engine,
    path,
    (slideId, info) => {
      writeSlideWarnings(info.path, info.warnings);
      return engine.call('engine:export-region', {
        slideId,
        x: args.x,
        y: args.y,
        width: args.width,
        height: args.height,
        at,
        path: resolve(outFile),
        format,
        overwrite,
        colour,
        annotations,
        detections: args.detections,
        detectionDrawing: args.detectionDrawing,
        scaleBar: args.scaleBar,
      });
    },
    undefined,
    shown,
  );
  return result.ok ? { ok: true, value: resolve(outFile) } : result;
}
