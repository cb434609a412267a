// The operation table: every request one of Slidescope's processes can make of another, declared
// once. Its name, where it runs (main process or engine process), who may call it, its request
// schema (checked wherever the request crosses into a process), its response type, whether it can
// be cancelled, how the engine routes it to its lanes, and what progress it reports. Everything
// else derives from it: window.slidescope (the preload bridge), the ipcMain registration, the
// engine-process protocol and its proxy, request validation and the types of each side.

import * as v from 'valibot';
import { ANNOTATION_FORMATS, type AnnotationLocation, annotationDocumentSchema, type ImportedAnnotations, type SlideAnnotations } from './annotations';
import { ADJUSTMENT_RANGES, type ColourAdjustment, type ExportColour } from './colour';
import { micrometres, rotationDegrees } from './compare-alignment';
import type { Placement } from './compare-geometry';
import { DETECTION_STYLES, type DetectionDisplay, type DetectionDrawing, type DetectionSet, type RememberedDetections } from './detections';
import { fail, ok, type Result } from './errors';
import type { LanguageState } from './i18n/languages';
import { LIMITS } from './limits';
import type { ChannelChoice, EncodedImage, EncodedTile, Mpp, PlaneChoice, RgbImage, SlideInfo, StoredJpegTiles } from './slide';

// ---- Schema building blocks ------------------------------------------------------------------

// Control characters (C0, DEL, C1) never belong in ids, names or paths we accept.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** True for an absolute POSIX path, a Windows drive path (C:\ or C:/) or a UNC path (\\server\share). */
export function isAbsolutePath(value: string): boolean {
  return value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || /^\\\\[^\\]/.test(value);
}

const text = (maxLength: number) =>
  v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(maxLength, `is longer than ${maxLength} characters`),
    v.check((s) => !CONTROL_CHARS.test(s), 'contains control characters'),
  );
const int = (min: number, max: number) =>
  v.pipe(
    v.number('must be a number'),
    v.integer(`must be an integer from ${min} to ${max}`),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
const positive = (max: number) =>
  v.pipe(v.number('must be a number'), v.finite('must be finite'), v.gtValue(0, 'must be greater than 0'), v.maxValue(max, `must be at most ${max}`));
const coordinate = v.pipe(
  v.number('must be a number'),
  v.finite('must be finite'),
  v.minValue(-LIMITS.maxCoordinate, 'is too far outside the slide'),
  v.maxValue(LIMITS.maxCoordinate, 'is too far outside the slide'),
);
/** A rectangle in level-0 pixels, its corner anywhere near the slide. */
const levelZeroRect = { x: coordinate, y: coordinate, width: positive(LIMITS.maxCoordinate), height: positive(LIMITS.maxCoordinate) };
const none = v.pipe(
  v.nullish(v.never('takes no arguments')),
  v.transform((): undefined => undefined),
);

export const slideId = v.pipe(text(LIMITS.slideIdLength), v.regex(/^\S+$/, 'must not contain white space'));
export const absolutePath = v.pipe(text(LIMITS.pathLength), v.check(isAbsolutePath, 'must be an absolute path'));
/** Channels of one slide a caller may name (OME's fluorescence images have up to a few dozen). */
const MAX_CHANNELS = 256;
export const channelChoices: v.GenericSchema<ChannelChoice[]> = v.pipe(
  v.array(
    v.strictObject({
      channel: v.union([int(0, MAX_CHANNELS - 1), text(200)], 'must be a channel number or name'),
      colour: v.optional(v.pipe(v.string('must be a string'), v.regex(/^#[0-9a-f]{6}$/i, 'must be a colour as #rrggbb'))),
      low: v.optional(int(0, 2 ** 32 - 1)),
      high: v.optional(int(0, 2 ** 32 - 1)),
    }),
    'must be an array',
  ),
  v.maxLength(MAX_CHANNELS, `has more than ${MAX_CHANNELS} channels`),
);
/** A focal plane and timepoint, from 0 (OME's SizeZ and SizeT are 32-bit). */
export const planeChoice: v.GenericSchema<PlaneChoice> = v.strictObject({ z: int(0, 2 ** 31 - 1), t: int(0, 2 ** 31 - 1) });
/**
 * The channels as chosen (null: as the slide first showed them) at a plane (absent: Z = T = 0): the
 * plane is the slide's, not a channel's, and stays apart from them so a reset of the channels keeps it.
 */
const channelsRequest = v.strictObject({ slideId, channels: v.nullable(channelChoices), plane: v.optional(planeChoice) });
export const galleryId = v.pipe(text(LIMITS.galleryIdLength), v.regex(/^[\w-]+$/, "may hold only letters, digits, '_' and '-'"));
export const imageFormat = v.picklist(['png', 'jpeg', 'tiff'], 'must be one of png, jpeg, tiff');
const requestId = int(0, Number.MAX_SAFE_INTEGER);
const associatedName = v.pipe(
  text(LIMITS.associatedNameLength),
  v.regex(/^[A-Za-z0-9][A-Za-z0-9 _.-]*$/, "may hold only letters, digits, space, '_', '.' and '-'"),
);

export const thumbnailSpec = v.variant(
  'kind',
  [
    v.strictObject({ kind: v.literal('size'), longestSide: int(1, LIMITS.maxThumbnailSide) }),
    v.strictObject({ kind: v.literal('power'), objectivePower: positive(LIMITS.maxPower) }),
    v.strictObject({ kind: v.literal('mpp'), mpp: positive(LIMITS.maxMpp) }),
  ],
  'must be one of size, power, mpp',
);

/**
 * Whole slide (one thumbnail per magnification), or a field of view: what a grid cell of
 * panelWidth x panelHeight screen pixels shows around a level-0 centre at each magnification.
 */
export const comparisonMode = v.variant(
  'kind',
  [
    v.strictObject({ kind: v.literal('slide') }),
    v.strictObject({
      kind: v.literal('field'),
      centerX: coordinate,
      centerY: coordinate,
      panelWidth: positive(LIMITS.maxPanelSide),
      panelHeight: positive(LIMITS.maxPanelSide),
    }),
  ],
  'must be one of slide, field',
);

const inRange = (key: keyof ColourAdjustment) => {
  const { min, max } = ADJUSTMENT_RANGES[key];
  return v.pipe(
    v.number('must be a number'),
    v.finite('must be finite'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );
};

/** An export's colour: the slide's ICC profile to sRGB or not, and the view's brightness, contrast and gamma. */
export const exportColour: v.GenericSchema<ExportColour> = v.strictObject({
  managed: v.boolean('must be true or false'),
  adjustment: v.optional(v.strictObject({ brightness: inRange('brightness'), contrast: inRange('contrast'), gamma: inRange('gamma') })),
});

export type ThumbnailSpec = v.InferOutput<typeof thumbnailSpec>;
export type ComparisonMode = v.InferOutput<typeof comparisonMode>;
export type ImageFormat = v.InferOutput<typeof imageFormat>;

const powers = v.pipe(
  v.array(positive(LIMITS.maxPower), 'must be an array'),
  v.minLength(1, `must have 1 to ${LIMITS.maxComparisonPanels} entries`),
  v.maxLength(LIMITS.maxComparisonPanels, `must have 1 to ${LIMITS.maxComparisonPanels} entries`),
);

const slideRef = v.strictObject({ slideId });

const tileRequest = v.strictObject({
  slideId,
  dzLevel: int(0, LIMITS.maxDzLevel),
  col: int(0, LIMITS.maxIndex),
  row: int(0, LIMITS.maxIndex),
  /** Caller-chosen id, so that slide:cancel-tiles can name the request. */
  requestId,
});

const prefetchRequest = v.pipe(
  v.strictObject({
    slideId,
    dzLevel: int(0, LIMITS.maxDzLevel),
    colStart: int(0, LIMITS.maxIndex),
    colEnd: int(0, LIMITS.maxIndex),
    rowStart: int(0, LIMITS.maxIndex),
    rowEnd: int(0, LIMITS.maxIndex),
    /** Set by the engine process's router for its lanes: it reads this level's stored tiles itself, so lanes skip them. */
    storedReadByRouter: v.optional(v.boolean()),
  }),
  v.check((r) => r.colEnd >= r.colStart && r.rowEnd >= r.rowStart, 'a range ends before it starts'),
  v.check((r) => (r.colEnd - r.colStart + 1) * (r.rowEnd - r.rowStart + 1) <= LIMITS.maxPrefetchTiles, `more than ${LIMITS.maxPrefetchTiles} tiles`),
);

/**
 * Compared slides' field of view (the compare view, `slidescope compare A B`): each slide's level-0
 * centre, clockwise rotation and colour (its ICC profile applied or not, as its view shows it), all
 * at one µm per output pixel, panels of one size.
 */
const sideBySideField = {
  panels: v.pipe(
    v.array(
      v.strictObject({
        slideId,
        centerX: coordinate,
        centerY: coordinate,
        rotation: rotationDegrees,
        colour: v.optional(exportColour),
      }),
      'must be an array',
    ),
    v.minLength(2, `must have 2 to ${LIMITS.maxComparedSlides} entries`),
    v.maxLength(LIMITS.maxComparedSlides, `must have 2 to ${LIMITS.maxComparedSlides} entries`),
  ),
  micronsPerPixel: positive(LIMITS.maxMpp),
  panelWidth: int(1, LIMITS.maxPanelSide),
  panelHeight: int(1, LIMITS.maxPanelSide),
};

/** The compared slides of a window, in their panels' order. */
const comparedSlides = v.pipe(
  v.array(slideId, 'must be an array'),
  v.minLength(2, `must have 2 to ${LIMITS.maxComparedSlides} entries`),
  v.maxLength(LIMITS.maxComparedSlides, `must have 2 to ${LIMITS.maxComparedSlides} entries`),
);
/** Each compared slide's alignment, in the order of slideIds: offset in µm, clockwise rotation in degrees. */
const placements = v.pipe(
  v.array(
    v.strictObject({
      offset: v.strictObject({ x: micrometres, y: micrometres }),
      rotation: rotationDegrees,
    }),
    'must be an array',
  ),
  v.maxLength(LIMITS.maxComparedSlides, `has more than ${LIMITS.maxComparedSlides} entries`),
);
const alignmentRequest = v.pipe(
  v.strictObject({ slideIds: comparedSlides, placements }),
  v.check((r) => r.placements.length === r.slideIds.length, 'placements must have one entry per slide'),
);

const exportTarget = { format: imageFormat, overwrite: v.boolean('must be true or false'), colour: v.optional(exportColour) };
/**
 * The page asks for the slide's stored annotations, or the detections it shows (detections:read), to be
 * drawn into an export; main names their files to the engine.
 */
/** The detection classes drawn (as the window shows them; absent: every one), by name (null: unclassified). */
const detectionClassNames = v.pipe(
  v.array(
    v.nullable(v.pipe(v.string('must be a string'), v.maxLength(LIMITS.annotationNameLength, `is longer than ${LIMITS.annotationNameLength} characters`))),
    'must be an array',
  ),
  v.maxLength(LIMITS.maxAnnotationClasses, `has more than ${LIMITS.maxAnnotationClasses} entries`),
);
const detectionClasses = v.optional(detectionClassNames);
const detectionDrawingEntries = {
  style: v.picklist(DETECTION_STYLES, `must be one of ${DETECTION_STYLES.join(', ')}`),
  nuclei: v.boolean('must be true or false'),
  opacity: v.pipe(v.number('must be a number'), v.minValue(0.1, 'must be at least 0.1'), v.maxValue(1, 'must be at most 1')),
};
/** How detections are drawn into an export (absent: outlines, nuclei, opaque). */
const detectionDrawing = v.optional(v.strictObject(detectionDrawingEntries) satisfies v.GenericSchema<DetectionDrawing>);
/** How a slide's detections are shown (detections:remember, and as main keeps it). */
export const detectionDisplay: v.GenericSchema<DetectionDisplay> = v.strictObject({ hidden: detectionClassNames, ...detectionDrawingEntries });
const burnAnnotations = {
  annotations: v.optional(v.boolean('must be true or false')),
  detections: v.optional(v.boolean('must be true or false')),
  detectionClasses,
  detectionDrawing,
};
/** How a drawn legend names the classes it can say in the user's language (the CLI's, absent: as stored, 'Unclassified'). */
const legendLabels = v.strictObject({
  unclassified: text(200),
  classes: v.pipe(v.array(v.strictObject({ name: text(200), label: text(200) }), 'must be an array'), v.maxLength(64, 'has more than 64 entries')),
});
export type LegendLabels = v.InferOutput<typeof legendLabels>;
/** Files drawn into an export: annotations (GeoJSON or ImageScope XML), QuPath's detections (GeoJSON), the legend's words. */
const annotationsFile = {
  annotations: v.optional(absolutePath),
  detections: v.optional(absolutePath),
  detectionClasses,
  detectionDrawing,
  legend: v.optional(legendLabels),
};
/** A scale bar drawn into an image read at an objective power (the slide must give its pixel size). */
/** A table the engine writes of an open slide's annotations (its stored file) and a file of detections. */
const tableRequest = v.strictObject({
  slideId,
  detections: absolutePath,
  annotations: v.optional(absolutePath),
  path: absolutePath,
  overwrite: v.boolean('must be true or false'),
});
const scaleBar = v.optional(v.boolean('must be true or false'));
/** A region the engine reads for an export: at a slide level, or at an objective power with annotations and a scale bar drawn in. */
const engineRegion = {
  slideId,
  x: coordinate,
  y: coordinate,
  width: int(1, LIMITS.maxRegionSide),
  height: int(1, LIMITS.maxRegionSide),
  at: v.variant('kind', [
    v.strictObject({ kind: v.literal('level'), level: int(0, LIMITS.maxIndex) }),
    v.strictObject({ kind: v.literal('power'), objectivePower: positive(LIMITS.maxPower) }),
  ]),
  ...annotationsFile,
  scaleBar,
};
/** What a batch's output is made from, written into it (shared/provenance.ts). */
const provenance = v.strictObject({ tool: text(200), identity: text(200), recipe: text(2000) });

// ---- Response types of the app's own operations ----------------------------------------------

export interface OpenedSlide {
  slideId: string;
  info: SlideInfo;
}

/** A slide of a folder's gallery: its path and its name within the folder ('/'-separated). */
export interface GallerySlide {
  path: string;
  name: string;
}

/**
 * A folder of several slides, opened as a gallery (one card per slide): its slides as the CLI lists
 * them. The window may ask for previews of these slides, and open them, under `galleryId`.
 */
export interface FolderGallery {
  gallery: {
    galleryId: string;
    folder: string;
    /** The folder's own name. */
    name: string;
    slides: GallerySlide[];
  };
}

/** What a slide:open of a folder gives: its slide, or (several) its gallery. */
export type OpenedPath = OpenedSlide | FolderGallery;

export const isGallery = (opened: OpenedPath): opened is FolderGallery => 'gallery' in opened;

/** A gallery card's facts and small thumbnail, made by the engine (engine:preview). */
export interface SlidePreview {
  format: string;
  vendor: string;
  width: number;
  height: number;
  objectivePower: number | null;
  mpp: Mpp | null;
  levels: number;
  /** The engine's sentences on damage it passed over to open the slide. */
  warnings: string[];
  /** JPEG, its longest side at most the size asked. */
  image: EncodedImage;
}

/** What a recent entry reopens: a slide (a file, or a folder that is one), or a folder's gallery. */
export type RecentKind = 'slide' | 'folder';

export interface RecentFile {
  path: string;
  name: string;
  openedAt: string; // ISO time
  kind: RecentKind;
}

export interface ExportResult {
  /** Files written, absolute paths. Empty when the user cancelled the save dialog. */
  files: string[];
}

/** How far an export has got: steps done of total, and what it is doing. */
export interface ExportStep {
  done: number;
  total: number;
  label: string;
}

export interface AppVersions {
  app: string;
  electron: string;
  chrome: string;
  node: string;
}

/** What the engine process says of itself (benchmarks, tests, the about box). */
export interface EngineStats {
  pid: number;
  rssBytes: number;
  /** Highest resident memory of the engine process so far (the whole process, every thread). */
  peakRssBytes: number;
  /** Its memory cap: above it the process ends itself. */
  memoryCapBytes: number;
  lanes: number;
  /** Lane workers and codec threads replaced after a crash or stall. */
  restarts: number;
}

// ---- The table -------------------------------------------------------------------------------

declare const responseType: unique symbol;
/** A type carried by the table for the compiler only: responses are produced by our own code. */
export type Returns<T> = { readonly [responseType]?: T };
export const returns = <T>(): Returns<T> => ({});

/**
 * Who may call an operation:
 * - 'page': the renderer page, as a method of window.slidescope;
 * - 'preload': only the preload, on the page's behalf (a dropped file's path, which the page cannot forge);
 * - 'host': only the main process, the CLI and the tests (never the renderer).
 */
export type Exposure = 'page' | 'preload' | 'host';

/**
 * Where the engine process runs an operation: 'tile' one lane chosen by the tile (so a tile's work
 * and cache entry are never doubled), 'any' the least busy lane, 'all' every lane (an open is answered
 * by the least busy lane, and each other lane opens the slide when first asked about it; a close
 * reaches every lane that did), 'process' the engine process itself.
 */
export type Route = 'tile' | 'any' | 'all' | 'process';

interface OperationSpec {
  /** The process that answers it. */
  at: 'main' | 'engine';
  exposure: Exposure;
  /** Its method name: on window.slidescope ('page' operations), on the engine (engine operations). */
  method: string;
  request: v.GenericSchema;
  response: Returns<unknown>;
  /** Engine operations only. */
  route?: Route;
  /** The caller may cancel it: its handler receives an AbortSignal. */
  cancellable?: boolean;
  /** What it reports while it runs, if anything. */
  progress?: Returns<unknown>;
  /** Engine operations: seconds it may run before it is stopped (TIMED_OUT); default 60. */
  deadline?: number;
}

function defineOperations<const T extends Record<string, OperationSpec>>(table: T): T {
  return table;
}

export const OPERATIONS = defineOperations({
  // Main process: choosing, authorising and opening files, the recent list, exports' dialogs.
  'slide:open-dialog': { at: 'main', exposure: 'page', method: 'openDialog', request: none, response: returns<OpenedSlide | null>() },
  /** A path of the recent list, opened as a path the user gives: a folder of several slides answers its gallery. */
  'slide:open-recent': {
    at: 'main',
    exposure: 'page',
    method: 'openRecent',
    request: v.strictObject({ path: absolutePath }),
    response: returns<OpenedPath>(),
  },
  /** A dropped file, or folder: a folder of several slides answers its gallery. */
  'slide:open-dropped': {
    at: 'main',
    exposure: 'preload',
    method: 'openDroppedPath',
    request: v.strictObject({ path: absolutePath }),
    response: returns<OpenedPath>(),
  },
  /** File > Open Folder… from the page (the welcome screen): the folder's slide, or its gallery; null when cancelled. */
  'slide:open-folder-dialog': { at: 'main', exposure: 'page', method: 'openFolderDialog', request: none, response: returns<OpenedPath | null>() },
  /** A gallery card's facts and thumbnail: only of a slide the window's gallery lists (a folder the user gave). */
  'gallery:preview': {
    at: 'main',
    exposure: 'page',
    method: 'galleryPreview',
    request: v.strictObject({ galleryId, path: absolutePath }),
    response: returns<SlidePreview>(),
  },
  /** Opens a slide the window's gallery lists, as a dropped slide opens. */
  'gallery:open': {
    at: 'main',
    exposure: 'page',
    method: 'galleryOpen',
    request: v.strictObject({ galleryId, path: absolutePath }),
    response: returns<OpenedSlide>(),
  },
  /** The gallery is closed: its previews under way are cancelled, and its slides may no longer be asked for. */
  'gallery:close': { at: 'main', exposure: 'page', method: 'galleryClose', request: v.strictObject({ galleryId }), response: returns<void>() },
  'slide:open-sample': { at: 'main', exposure: 'page', method: 'openSample', request: none, response: returns<OpenedSlide>() },
  'slide:close': { at: 'main', exposure: 'page', method: 'closeSlide', request: slideRef, response: returns<void>() },
  /** Shows the slide's fluorescence channels as chosen (null: as it first showed them) at a plane (absent: Z = T = 0; a brightfield z-stack's too); answers the slide as now shown. */
  'slide:set-channels': { at: 'main', exposure: 'page', method: 'setChannels', request: channelsRequest, response: returns<SlideInfo>() },
  'recent:list': { at: 'main', exposure: 'page', method: 'listRecent', request: none, response: returns<RecentFile[]>() },
  'recent:clear': { at: 'main', exposure: 'page', method: 'clearRecent', request: none, response: returns<void>() },
  'export:thumbnail': {
    at: 'main',
    exposure: 'page',
    method: 'exportThumbnail',
    request: v.strictObject({ slideId, spec: thumbnailSpec, format: imageFormat, colour: v.optional(exportColour), ...burnAnnotations }),
    response: returns<ExportResult>(),
  },
  'export:comparison': {
    at: 'main',
    exposure: 'page',
    method: 'exportComparison',
    request: v.strictObject({ slideId, powers, mode: comparisonMode, format: imageFormat, colour: v.optional(exportColour), ...burnAnnotations }),
    response: returns<ExportResult>(),
  },
  /**
   * A level-0 rectangle (the view, an annotation's bounds) as one image at an objective power, saved
   * where the user chooses, with the annotations and a scale bar drawn in if asked.
   */
  'export:region': {
    at: 'main',
    exposure: 'page',
    method: 'exportRegion',
    request: v.strictObject({
      slideId,
      ...levelZeroRect,
      objectivePower: positive(LIMITS.maxPower),
      format: imageFormat,
      colour: v.optional(exportColour),
      ...burnAnnotations,
      scaleBar,
    }),
    response: returns<ExportResult>(),
  },
  /** The region as export:region makes it, put on the clipboard as a PNG (Edit > Copy View): its size in pixels. */
  'export:copy-region': {
    at: 'main',
    exposure: 'page',
    method: 'copyRegion',
    request: v.strictObject({
      slideId,
      ...levelZeroRect,
      objectivePower: positive(LIMITS.maxPower),
      colour: v.optional(exportColour),
      ...burnAnnotations,
      scaleBar,
    }),
    response: returns<{ width: number; height: number }>(),
  },
  /** Compared slides side by side as one labelled image, saved where the user chooses. */
  'export:side-by-side': {
    at: 'main',
    exposure: 'page',
    method: 'exportSideBySide',
    request: v.strictObject({ ...sideBySideField, format: imageFormat }),
    response: returns<ExportResult>(),
  },
  'export:show-in-folder': { at: 'main', exposure: 'page', method: 'showInFolder', request: v.strictObject({ path: absolutePath }), response: returns<void>() },
  'app:versions': { at: 'main', exposure: 'page', method: 'versions', request: none, response: returns<AppVersions>() },
  /** The language this window shows (View > Language, or the system's), asked once at start. */
  'app:language': { at: 'main', exposure: 'page', method: 'language', request: none, response: returns<LanguageState>() },

  // Main process: a slide's annotations, kept beside it (or in the app's data folder), imported and exported as files.
  'annotations:load': { at: 'main', exposure: 'page', method: 'loadAnnotations', request: slideRef, response: returns<SlideAnnotations>() },
  /** Replaces what is stored (atomically): the page saves without asking, after each change. */
  'annotations:save': {
    at: 'main',
    exposure: 'page',
    method: 'saveAnnotations',
    request: v.strictObject({ slideId, document: annotationDocumentSchema }),
    response: returns<AnnotationLocation>(),
  },
  /** Reads a GeoJSON or ImageScope file the user chooses; the page merges it (one undoable step) and saves. */
  'annotations:import': { at: 'main', exposure: 'page', method: 'importAnnotations', request: slideRef, response: returns<ImportedAnnotations | null>() },
  /** Asks for a GeoJSON file of QuPath's detections to show over the slide (which detections:read may then read); null: cancelled. */
  'detections:choose': { at: 'main', exposure: 'page', method: 'chooseDetections', request: slideRef, response: returns<string | null>() },
  /** Reads QuPath's detections for the layer over the slide: only the file chosen for it, or the one remembered for it. */
  'detections:read': {
    at: 'main',
    exposure: 'page',
    method: 'readDetectionFile',
    request: v.strictObject({ slideId, path: absolutePath }),
    response: returns<DetectionSet>(),
  },
  /** The detections file shown over the slide when it was last open, and how; null: none. */
  'detections:recall': { at: 'main', exposure: 'page', method: 'recallDetections', request: slideRef, response: returns<RememberedDetections | null>() },
  /** Remembers how the slide's detections are shown (null: removed, forgotten), for its next opening. */
  'detections:remember': {
    at: 'main',
    exposure: 'page',
    method: 'rememberDetections',
    request: v.strictObject({ slideId, display: v.nullable(detectionDisplay) }),
    response: returns<void>(),
  },
  /** The detections the slide's window shows as QuPath's detection measurement table (CSV or TSV), where the user chooses. */
  'detections:export-table': { at: 'main', exposure: 'page', method: 'exportDetectionTable', request: slideRef, response: returns<ExportResult>() },
  /** Writes what is stored as GeoJSON or ImageScope XML where the user chooses. */
  'annotations:export': {
    at: 'main',
    exposure: 'page',
    method: 'exportAnnotations',
    request: v.strictObject({ slideId, format: v.picklist(ANNOTATION_FORMATS, `must be one of ${ANNOTATION_FORMATS.join(', ')}`) }),
    response: returns<ExportResult>(),
  },

  // Main process: the alignment of compared slides, remembered per set of slides, saved and loaded as files.
  /** The alignment remembered for this set of slides (whatever their order), or null. */
  'compare:load-alignment': {
    at: 'main',
    exposure: 'page',
    method: 'loadAlignment',
    request: v.strictObject({ slideIds: comparedSlides }),
    response: returns<Placement[] | null>(),
  },
  'compare:save-alignment': { at: 'main', exposure: 'page', method: 'saveAlignment', request: alignmentRequest, response: returns<void>() },
  /** Reads an alignment file the user picks, matched to these slides by file name; null when cancelled. */
  'compare:import-alignment': {
    at: 'main',
    exposure: 'page',
    method: 'importAlignment',
    request: v.strictObject({ slideIds: comparedSlides }),
    response: returns<Placement[] | null>(),
  },
  /** Writes the alignment as a file where the user chooses (docs/compare.md). */
  'compare:export-alignment': { at: 'main', exposure: 'page', method: 'exportAlignment', request: alignmentRequest, response: returns<ExportResult>() },

  // Engine process, straight from the page over its own port: the viewer's tiles.
  'slide:tile': {
    at: 'engine',
    exposure: 'page',
    method: 'getTile',
    request: tileRequest,
    response: returns<EncodedTile>(),
    route: 'tile',
    deadline: 30,
    cancellable: true,
  },
  'slide:cancel-tiles': {
    at: 'engine',
    exposure: 'page',
    method: 'cancelTiles',
    request: v.strictObject({
      slideId,
      requestIds: v.pipe(v.array(requestId, 'must be an array'), v.maxLength(LIMITS.maxCancelIds, `has more than ${LIMITS.maxCancelIds} entries`)),
    }),
    response: returns<void>(),
    route: 'process',
  },
  /** Replaces this slide's prefetch: tiles around the view, made while the engine is idle. */
  'slide:prefetch': { at: 'engine', exposure: 'page', method: 'prefetchTiles', request: prefetchRequest, response: returns<void>(), route: 'all' },
  'slide:associated': {
    at: 'engine',
    exposure: 'page',
    method: 'getAssociatedImage',
    request: v.strictObject({ slideId, name: associatedName }),
    response: returns<EncodedImage>(),
    route: 'any',
  },

  // Engine process, for the main process, the CLI and the tests only.
  /** Opens a file under an id the caller chose; `client` is the window whose port may read it. */
  'engine:open': {
    at: 'engine',
    exposure: 'host',
    method: 'open',
    request: v.strictObject({
      slideId,
      path: absolutePath,
      client: v.nullable(int(0, LIMITS.maxIndex)),
      tileSize: v.optional(int(64, 4096)),
      /** The fluorescence channels to show, and how (the rest hidden); ignored for a slide without channels. */
      channels: v.optional(channelChoices),
      /**
       * The plane of a z-stack or time series to show (absent: Z = T = 0); refused beyond the slide's
       * planes along an axis it has, passed by along one it lacks (a brightfield slide: both), as channels are.
       */
      plane: v.optional(planeChoice),
    }),
    response: returns<SlideInfo>(),
    route: 'all',
  },
  'engine:close': { at: 'engine', exposure: 'host', method: 'close', request: slideRef, response: returns<void>(), route: 'all' },
  /** Shows an open slide's channels as chosen (null: as it first showed them) at a plane (a brightfield z-stack's too); its tiles are made again. */
  'engine:set-channels': { at: 'engine', exposure: 'host', method: 'chooseChannels', request: channelsRequest, response: returns<SlideInfo>(), route: 'all' },
  /** RGBA pixels of a region: x, y in level-0 pixels, width and height in pixels of the slide level. */
  'engine:region': {
    at: 'engine',
    exposure: 'host',
    method: 'readRegion',
    request: v.strictObject({
      slideId,
      level: int(0, LIMITS.maxIndex),
      x: coordinate,
      y: coordinate,
      width: int(1, LIMITS.maxRegionSide),
      height: int(1, LIMITS.maxRegionSide),
    }),
    response: returns<RgbImage>(),
    route: 'any',
    deadline: 120,
    cancellable: true,
  },
  /** RGB pixels of a level-0 rectangle resampled to outWidth x outHeight, from the coarsest level with enough detail. */
  'engine:scaled-region': {
    at: 'engine',
    exposure: 'host',
    method: 'readScaledRegion',
    request: v.strictObject({
      slideId,
      ...levelZeroRect,
      outWidth: int(1, LIMITS.maxRegionSide),
      outHeight: int(1, LIMITS.maxRegionSide),
    }),
    response: returns<RgbImage>(),
    route: 'any',
    deadline: 120,
    cancellable: true,
  },
  'engine:thumbnail': {
    at: 'engine',
    exposure: 'host',
    method: 'thumbnail',
    request: v.strictObject({ slideId, spec: thumbnailSpec }),
    response: returns<RgbImage>(),
    route: 'any',
    deadline: 300,
    cancellable: true,
  },
  /** An associated image (thumbnail, label, macro) decoded to RGB. */
  'engine:associated-pixels': {
    at: 'engine',
    exposure: 'host',
    method: 'readAssociated',
    request: v.strictObject({ slideId, name: associatedName }),
    response: returns<RgbImage>(),
    route: 'any',
  },
  /** Writes a thumbnail (atomically; an existing file only with overwrite), with the annotations of a file drawn in. */
  'engine:export-thumbnail': {
    at: 'engine',
    exposure: 'host',
    method: 'writeThumbnail',
    request: v.strictObject({ slideId, spec: thumbnailSpec, path: absolutePath, ...exportTarget, ...annotationsFile, provenance: v.optional(provenance) }),
    response: returns<ExportResult>(),
    route: 'any',
    deadline: 900,
    cancellable: true,
    progress: returns<ExportStep>(),
  },
  /** One image per magnification and the labelled composite, into a folder (all made before any is written), annotations drawn in. */
  'engine:export-comparison': {
    at: 'engine',
    exposure: 'host',
    method: 'writeComparison',
    request: v.strictObject({
      slideId,
      powers,
      mode: comparisonMode,
      folder: absolutePath,
      comparisonPath: v.optional(absolutePath),
      ...exportTarget,
      ...annotationsFile,
    }),
    response: returns<ExportResult>(),
    route: 'any',
    deadline: 900,
    cancellable: true,
    progress: returns<ExportStep>(),
  },
  /** A region written as an image: at a slide level (OpenSlide's read_region) or an objective power (TIAToolbox's read_rect). */
  'engine:export-region': {
    at: 'engine',
    exposure: 'host',
    method: 'writeRegion',
    request: v.strictObject({ ...engineRegion, path: absolutePath, ...exportTarget }),
    response: returns<ExportResult>(),
    route: 'any',
    deadline: 900,
    cancellable: true,
  },
  /** The same region's image as a PNG in memory, for the clipboard. */
  'engine:region-png': {
    at: 'engine',
    exposure: 'host',
    method: 'regionPng',
    request: v.strictObject({ ...engineRegion, colour: v.optional(exportColour) }),
    response: returns<EncodedImage>(),
    route: 'any',
    deadline: 900,
    cancellable: true,
  },
  /** Compared slides' panels side by side in one labelled image (atomically; an existing file only with overwrite). */
  'engine:export-side-by-side': {
    at: 'engine',
    exposure: 'host',
    method: 'writeSideBySide',
    request: v.strictObject({ ...sideBySideField, path: absolutePath, format: imageFormat, overwrite: v.boolean('must be true or false') }),
    response: returns<ExportResult>(),
    route: 'any',
    deadline: 900,
    cancellable: true,
    progress: returns<ExportStep>(),
  },
  /**
   * A gallery card's preview: the file opened, a thumbnail of at most `longestSide` from the coarsest
   * level that has the detail, as a JPEG, and the file closed, in one lane call.
   */
  'engine:preview': {
    at: 'engine',
    exposure: 'host',
    method: 'preview',
    request: v.strictObject({ path: absolutePath, longestSide: int(16, LIMITS.maxPreviewSide) }),
    response: returns<SlidePreview>(),
    route: 'any',
    deadline: 20,
    cancellable: true,
  },
  /** QuPath's detections in a GeoJSON file, for the layer over a slide (read in a lane: a 500 MB file takes seconds). */
  'engine:read-detections': {
    at: 'engine',
    exposure: 'host',
    method: 'readDetections',
    request: v.strictObject({ path: absolutePath }),
    response: returns<DetectionSet>(),
    route: 'any',
    deadline: 120,
  },
  /**
   * An open slide's detections (a file of QuPath's) as QuPath's detection measurement table, each under
   * the annotation of `annotations` (the slide's stored file) that holds it, written whole or not at all.
   */
  'engine:detection-table': {
    at: 'engine',
    exposure: 'host',
    method: 'writeDetectionTable',
    request: tableRequest,
    response: returns<ExportResult>(),
    route: 'any',
    deadline: 300,
  },
  /**
   * An open slide's annotations (`annotations`, its stored file; none without one) as QuPath's annotation
   * measurement table, with the detections of `detections` counted in each, written whole or not at all.
   */
  'engine:measurement-table': {
    at: 'engine',
    exposure: 'host',
    method: 'writeMeasurementTable',
    request: tableRequest,
    response: returns<ExportResult>(),
    route: 'any',
    deadline: 300,
  },
  /** Makes the built-in sample slide in `dir` on first use; answers its path. */
  'engine:ensure-sample': {
    at: 'engine',
    exposure: 'host',
    method: 'ensureSample',
    request: v.strictObject({ dir: absolutePath }),
    response: returns<string>(),
    route: 'any',
    deadline: 900,
  },
  /**
   * Where a deep-zoom level's tiles lie when they are a stored level's JPEG tiles as they are (null
   * otherwise): the engine process's router then reads them itself, without a lane.
   */
  'engine:stored-tiles': {
    at: 'engine',
    exposure: 'host',
    method: 'storedTiles',
    request: v.strictObject({ slideId, dzLevel: int(0, LIMITS.maxIndex) }),
    response: returns<StoredJpegTiles | null>(),
    route: 'any',
  },
  'engine:stats': { at: 'engine', exposure: 'host', method: 'stats', request: none, response: returns<EngineStats>(), route: 'process' },
});

// ---- What derives from it --------------------------------------------------------------------

type Table = typeof OPERATIONS;
export type OperationName = keyof Table;
/** A request as its handler receives it (checked by the schema). */
export type RequestOf<O extends OperationName> = v.InferOutput<Table[O]['request']>;
/** A request as a caller writes it. */
export type RequestInput<O extends OperationName> = v.InferInput<Table[O]['request']>;
export type ResponseOf<O extends OperationName> = Table[O]['response'] extends Returns<infer T> ? T : never;
export type ProgressOf<O extends OperationName> = Table[O] extends { progress: Returns<infer P> } ? P : never;
export type MethodOf<O extends OperationName> = Table[O]['method'];

type Where<K extends keyof OperationSpec, V> = { [O in OperationName]: Table[O] extends Record<K, V> ? O : never }[OperationName];
export type MainOperation = Where<'at', 'main'>;
export type EngineOperation = Where<'at', 'engine'>;
/** Engine operations the engine process answers itself; the rest go to its lanes. */
export type ProcessOperation = Where<'route', 'process'>;
export type TileOperation = Where<'route', 'tile'>;
/** Operations whose caller may cancel them: only these take a caller's AbortSignal. */
export type CancellableOperation = Where<'cancellable', true>;
export type LaneOperation = Exclude<EngineOperation, ProcessOperation>;
export type PageOperation = Where<'exposure', 'page'>;
export type RendererOperation = Where<'exposure', 'page' | 'preload'>;

export const OPERATION_NAMES = Object.keys(OPERATIONS) as OperationName[];

function namesWhere(test: (spec: OperationSpec) => boolean): OperationName[] {
  return OPERATION_NAMES.filter((name) => test(OPERATIONS[name]));
}
export const MAIN_OPERATIONS = namesWhere((s) => s.at === 'main') as MainOperation[];
export const ENGINE_OPERATIONS = namesWhere((s) => s.at === 'engine') as EngineOperation[];
export const LANE_OPERATIONS = namesWhere((s) => s.at === 'engine' && s.route !== 'process') as LaneOperation[];

/** How long an engine operation may run before it is stopped. */
export function deadlineMs(name: OperationName): number {
  return ((OPERATIONS[name] as OperationSpec).deadline ?? 60) * 1000;
}

export function isOperation(value: unknown): value is OperationName {
  return typeof value === 'string' && Object.hasOwn(OPERATIONS, value);
}

/** The spec of an operation, widened for code that handles any of them. */
export function operationSpec(name: OperationName): OperationSpec {
  return OPERATIONS[name];
}

/** A plain data tree (what structured clone delivers): objects with Object's or no prototype, arrays, primitives. */
function isPlainData(value: unknown, depth = 0): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (depth > 8) return false;
  if (Array.isArray(value)) return value.every((item) => isPlainData(item, depth + 1));
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(value).every((item) => isPlainData(item, depth + 1));
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = (issue.path ?? []).map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('');
  let message = issue.message;
  if (issue.type === 'strict_object' && path === '') message = 'the request must be an object';
  else if (issue.type === 'strict_object' && issue.input === undefined) message = 'is missing';
  else if (issue.type === 'strict_object') message = 'is an unexpected field';
  return `${path ? `${path.slice(path.startsWith('.') ? 1 : 0)} ` : ''}${message}`;
}

/**
 * Checks a request that arrived from another process against its operation's schema. Answers a
 * fresh object built from the checked fields (never the caller's), or INVALID_ARGUMENT naming the
 * field and the rule.
 */
export function validateRequest<O extends OperationName>(name: O, raw: unknown): Result<RequestOf<O>> {
  if (!isOperation(name)) return fail('INVALID_ARGUMENT', `unknown operation ${String(name).slice(0, 40)}`);
  if (!isPlainData(raw)) return fail('INVALID_ARGUMENT', `${name}: the request must be plain data (an object)`);
  if (Array.isArray(raw)) return fail('INVALID_ARGUMENT', `${name}: the request must be an object, not an array`);
  const checked = v.safeParse(OPERATIONS[name].request, raw);
  if (checked.success) return ok(checked.output as RequestOf<O>);
  return fail('INVALID_ARGUMENT', `${name}: ${describeIssue(checked.issues[0])}`);
}
