// The alignment of compared slides as a file (docs/compare.md): each slide, by file name, with its
// offset in µm and its clockwise rotation in degrees. The app remembers one per set of slides, saves
// and loads such files, and the CLI's `compare --alignment` reads them. Everything read is bounded
// and checked before use: the file comes from anywhere.

import * as v from 'valibot';
import { NO_PLACEMENT, normaliseDegrees, type Placement } from './compare-geometry';
import { type ErrorCode, fail, ok, type Result } from './errors';
import { LIMITS } from './limits';

export const ALIGNMENT_FORMAT = 'slidescope-alignment';
export const ALIGNMENT_VERSION = 1;

export interface SlideAlignment extends Placement {
  /** The slide's file name (no folder): the same set aligns wherever its files are. */
  name: string;
}

export interface AlignmentFile {
  format: typeof ALIGNMENT_FORMAT;
  version: typeof ALIGNMENT_VERSION;
  slides: SlideAlignment[];
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

/** An alignment's offset along one axis, in µm (the file, and main's operations). */
export const micrometres = v.pipe(
  v.number('must be a number'),
  v.finite('must be finite'),
  v.minValue(-LIMITS.maxAlignmentOffset, `must be at least -${LIMITS.maxAlignmentOffset} µm`),
  v.maxValue(LIMITS.maxAlignmentOffset, `must be at most ${LIMITS.maxAlignmentOffset} µm`),
);

/** A clockwise rotation in degrees, one turn either way (the file, the placements, the export's panels). */
export const rotationDegrees = v.pipe(
  v.number('must be a number'),
  v.finite('must be finite'),
  v.minValue(-360, 'must be at least -360'),
  v.maxValue(360, 'must be at most 360'),
);

const slideEntry = v.strictObject({
  name: v.pipe(
    v.string('must be a string'),
    v.minLength(1, 'must not be empty'),
    v.maxLength(LIMITS.alignmentNameLength, `is longer than ${LIMITS.alignmentNameLength} characters`),
    v.check((s) => !CONTROL_CHARS.test(s) && !/[\\/]/.test(s), 'must be a file name, without folders or control characters'),
  ),
  offsetMicrons: v.strictObject({ x: micrometres, y: micrometres }),
  rotationDegrees,
});

/** The file as stored (the names a reader sees); `AlignmentFile` is what the code uses. */
export const alignmentFileSchema = v.strictObject({
  format: v.literal(ALIGNMENT_FORMAT, `must be "${ALIGNMENT_FORMAT}"`),
  version: v.literal(ALIGNMENT_VERSION, `must be ${ALIGNMENT_VERSION}`),
  slides: v.pipe(
    v.array(slideEntry, 'must be an array'),
    v.minLength(1, `must have 1 to ${LIMITS.maxComparedSlides} entries`),
    v.maxLength(LIMITS.maxComparedSlides, `must have 1 to ${LIMITS.maxComparedSlides} entries`),
  ),
});
export type StoredAlignment = v.InferOutput<typeof alignmentFileSchema>;

function describeIssue(issue: v.BaseIssue<unknown>): string {
  const path = (issue.path ?? []).map((item) => (typeof item.key === 'number' ? `[${item.key}]` : `.${String(item.key)}`)).join('');
  let message = issue.message;
  if (issue.type === 'strict_object' && issue.input === undefined) message = 'is missing';
  else if (issue.type === 'strict_object') message = 'is an unexpected field';
  return `${path ? `${path.replace(/^\./, '')} ` : ''}${message}`;
}

function invalid(code: ErrorCode, message: string, source: string | undefined): Result<never> {
  return fail(code, `${source ? `${source}: ` : ''}${message}`, source);
}

/** A stored alignment (already parsed JSON) checked and turned into the code's form. */
export function readAlignment(raw: unknown, source?: string): Result<AlignmentFile> {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    return invalid('CORRUPT_DATA', 'not a Slidescope alignment file: must be a JSON object', source);
  const checked = v.safeParse(alignmentFileSchema, raw);
  if (!checked.success) return invalid('CORRUPT_DATA', `not a Slidescope alignment file: ${describeIssue(checked.issues[0])}`, source);
  return ok({
    format: ALIGNMENT_FORMAT,
    version: ALIGNMENT_VERSION,
    slides: checked.output.slides.map((s) => ({ name: s.name, offset: { ...s.offsetMicrons }, rotation: normaliseDegrees(s.rotationDegrees) })),
  });
}

/** An alignment file's text (at most LIMITS.maxAlignmentFileBytes of UTF-8) as an alignment. */
export function parseAlignment(text: string, source?: string): Result<AlignmentFile> {
  const bytes = new TextEncoder().encode(text).length;
  if (bytes > LIMITS.maxAlignmentFileBytes)
    return invalid('TOO_LARGE', `${bytes} bytes, more than the ${LIMITS.maxAlignmentFileBytes} an alignment file may be`, source);
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    return invalid('CORRUPT_DATA', `not JSON (${(error as Error).message})`, source);
  }
  return readAlignment(raw, source);
}

/** The file's text: the names a reader sees, rounded to what a scanner can tell apart. */
export function formatAlignment(alignment: AlignmentFile): string {
  const stored: StoredAlignment = {
    format: ALIGNMENT_FORMAT,
    version: ALIGNMENT_VERSION,
    slides: alignment.slides.map((s) => ({
      name: s.name,
      offsetMicrons: { x: round(s.offset.x, 3), y: round(s.offset.y, 3) },
      rotationDegrees: round(s.rotation, 4),
    })),
  };
  return `${JSON.stringify(stored, null, 2)}\n`;
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  // -0 reads oddly in a file.
  return Math.round(value * f) / f + 0;
}

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** An alignment naming each of the slides (file paths or names) with its placement. */
export function alignmentOf(paths: readonly string[], placements: readonly Placement[]): AlignmentFile {
  return {
    format: ALIGNMENT_FORMAT,
    version: ALIGNMENT_VERSION,
    slides: paths.map((path, i) => ({ name: baseName(path), ...(placements[i] ?? NO_PLACEMENT) })),
  };
}

/**
 * Each compared slide's placement from a file: matched by file name (in order, when two slides share
 * a name); a slide the file does not name stays as scanned. A file naming a slide that is not being
 * compared is refused: it was made for another set.
 */
export function placementsFor(alignment: AlignmentFile, paths: readonly string[], source?: string): Result<Placement[]> {
  const names = paths.map(baseName);
  const taken = new Set<number>();
  const placements: Placement[] = names.map(() => NO_PLACEMENT);
  for (const entry of alignment.slides) {
    const index = names.findIndex((name, i) => name === entry.name && !taken.has(i));
    if (index < 0) {
      const compared = names.filter((name) => name === entry.name).length;
      if (compared > 0) {
        const named = alignment.slides.filter((other) => other.name === entry.name).length;
        return invalid(
          'INVALID_ARGUMENT',
          `the alignment names ${entry.name} ${named} times, but ${compared === 1 ? 'one slide of that name is' : `${compared} slides of that name are`} compared`,
          source,
        );
      }
      return invalid('INVALID_ARGUMENT', `the alignment names ${entry.name}, which is not among the compared slides (${names.join(', ')})`, source);
    }
    taken.add(index);
    placements[index] = { offset: { ...entry.offset }, rotation: entry.rotation };
  }
  return ok(placements);
}
