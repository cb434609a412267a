// QuPath's measurements of an annotation worked out from the detections in it by class: which columns,
// their names and order, and their values, as QuPath chooses them in
// qupath-gui-fx/src/main/java/qupath/lib/gui/measure/measurements/DerivedMeasurementManager.java and counts
// them in DetectionPathClassCounts.java beside it (the same from 0.4 to 0.6), with the intensity classes of
// qupath-core/src/main/java/qupath/lib/objects/classes/PathClassTools.java: a positive cell detection's
// "Negative", "1+", "2+", "3+" or "Positive", also derived ("Tumor: 1+"), give the IHC scores: Positive %,
// H-score and Allred.

/** A derived class's parts are joined so (PathClass.toString: "Tumor: 1+" is "1+" derived from "Tumor"). */
const PART = ': ';

/** The class a class is derived from ("Tumor" of "Tumor: 1+"); null for a base class. */
function parentOf(name: string): string | null {
  const at = name.lastIndexOf(PART);
  return at < 0 ? null : name.slice(0, at);
}

/** The class's own name, its last part (PathClass.getName). */
function ownName(name: string): string {
  const at = name.lastIndexOf(PART);
  return at < 0 ? name : name.slice(at + PART.length);
}

/** The class's first part (PathClass.getBaseClass). */
const baseOf = (name: string): string => name.split(PART)[0]!;

/** Java's String order (UTF-16 code units), as Collections.sort orders PathClasses by their names. */
const javaOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** PathClassTools' intensity classes, by their own names: the graded ones score 1 to 3. */
const GRADES: ReadonlyMap<string, number> = new Map([
  ['1+', 1],
  ['2+', 2],
  ['3+', 3],
]);
const POSITIVE = 'Positive';
const NEGATIVE = 'Negative';

/**
 * Whether a detection of class `name` counts for `ancestor` (DetectionPathClassCounts.getCountForAncestor):
 * for none (null), a base class; else the ancestor itself or a class derived from it.
 */
function isUnder(name: string, ancestor: string | null): boolean {
  return ancestor === null ? parentOf(name) === null : name === ancestor || name.startsWith(ancestor + PART);
}

/** An annotation's detections, as a row's derived measurements are worked out from them. */
export interface ClassCounts {
  /** The detections in it of a class, by the class's name. */
  of: (name: string) => number;
  /** Its area in the density's unit (mm², or px² in a table in pixels); undefined for a line or points, or unknown. */
  area: number | undefined;
}

/** A column: QuPath's name, and its value for an annotation (NaN where there is none, as 0 / 0). */
export interface ClassColumn {
  name: string;
  value: (counts: ClassCounts) => number;
}

/** The intensity classes' counts under some classes (summed for each, as QuPath sums them). */
interface Tally {
  negative: number;
  /** Positive, 1+, 2+ and 3+ (isPositiveOrGradedIntensityClass). */
  positive: number;
  /** 1+, 2+ and 3+ only. */
  graded: number;
  /** 1 x 1+ + 2 x 2+ + 3 x 3+. */
  weighted: number;
}

/** The positive cells' percentage of those positive or negative (getPositivePercentage); NaN for none. */
const positivePercent = (t: Tally): number => (t.positive / (t.positive + t.negative)) * 100;

/**
 * QuPath's Allred proportion score (DetectionPathClassCounts.getAllredProportion) at its default minimum
 * positive percentage, 0 (PathPrefs.allredMinPercentagePositive): NaN (no cells) scores 0. From the
 * percentage over 100, as QuPath has it: 2 of 3 positive is then just under 2/3, and scores 4, not 5.
 */
function allredProportion(t: Tally): number {
  const p = positivePercent(t) / 100;
  return p >= 2 / 3 ? 5 : p >= 1 / 3 ? 4 : p >= 0.1 ? 3 : p >= 0.01 ? 2 : p > 0 ? 1 : 0;
}

/** Its intensity score (getAllredIntensity): the positive cells' mean grade, where any proportion scores. */
function allredIntensity(t: Tally): number {
  if (allredProportion(t) === 0) return 0;
  const mean = t.weighted / t.positive;
  return mean > 7 / 3 ? 3 : mean > 5 / 3 ? 2 : 1;
}

/** The intensity classes' counts of `members`: the classes under some, a class under two counted for each, as QuPath sums them. */
function tally(members: readonly string[], counts: ClassCounts): Tally {
  const t: Tally = { negative: 0, positive: 0, graded: 0, weighted: 0 };
  for (const name of members) {
    const [own, n] = [ownName(name), counts.of(name)];
    const grade = GRADES.get(own);
    if (own === NEGATIVE) t.negative += n;
    else if (own === POSITIVE) t.positive += n;
    else if (grade !== undefined) {
      t.positive += n;
      t.graded += n;
      t.weighted += grade * n;
    }
  }
  return t;
}

/**
 * A score's name for the classes it is worked out under (DetectionCountMeasurementBuilder.getNameForClasses):
 * bare for the base intensity classes, after the base of one class ("Tumor: H-score"), or after the own
 * names of several, sorted and joined by " + " (none's is empty: " + Tumor: Positive %").
 */
function scoreName(score: string, ancestors: ReadonlyArray<string | null>): string {
  const [one] = ancestors;
  if (ancestors.length === 1) return one === null || one === undefined ? score : `${baseOf(one)}: ${score}`;
  return `${ancestors
    .map((a) => (a === null ? '' : ownName(a)))
    .sort(javaOrder)
    .join(' + ')}: ${score}`;
}

/**
 * The columns QuPath derives from the detections' classes (those represented, in the order they first
 * appear, as its LinkedHashSet of them), in its order: "Num <class> (base)" for each class an intensity
 * class derives from (sorted), a "Num <class>" each (sorted), "Positive %" under each class the Positive,
 * Negative or graded ones derive from (and under all of them together, where several), H-score and the
 * three Allred scores under each the graded ones derive from (the same), then "Num Positive per mm^2"
 * (px^2 without a pixel size) where a class is Positive.
 */
export function classColumns(classNames: readonly string[], densityUnit: 'mm' | 'px'): ClassColumn[] {
  // The classes the intensity classes derive from (null: none, base intensity classes), as first met.
  const graded = new Set<string | null>();
  const positiveNegative = new Set<string | null>();
  for (const name of classNames) {
    const own = ownName(name);
    if (GRADES.has(own)) graded.add(parentOf(name));
    if (GRADES.has(own) || own === POSITIVE || own === NEGATIVE) positiveNegative.add(parentOf(name));
  }
  const sorted = [...classNames].sort(javaOrder);
  // The classes each column sums, found once: a row then looks at those only (1,000 classes, 200,000 rows).
  const membersOf = (ancestors: ReadonlyArray<string | null>) => ancestors.flatMap((a) => classNames.filter((name) => isUnder(name, a)));
  const sum = (members: readonly string[]) => (counts: ClassCounts) => members.reduce((n, name) => n + counts.of(name), 0);
  /** Scores under each of the classes, then under all of them together where several. */
  const scored = (ancestors: ReadonlySet<string | null>, scores: ReadonlyArray<[string, (t: Tally) => number]>): ClassColumn[] =>
    [...[...ancestors].map((a) => [a]), ...(ancestors.size > 1 ? [[...ancestors]] : [])].flatMap((group) => {
      const members = membersOf(group);
      return scores.map(([score, value]) => ({ name: scoreName(score, group), value: (counts: ClassCounts) => value(tally(members, counts)) }));
    });
  return [
    ...[...positiveNegative]
      .flatMap((a) => (a === null ? [] : [a]))
      .sort(javaOrder)
      .map((base) => ({ name: `Num ${base} (base)`, value: sum(membersOf([base])) })),
    ...sorted.map((name) => ({ name: `Num ${name}`, value: (counts: ClassCounts) => counts.of(name) })),
    ...scored(positiveNegative, [['Positive %', positivePercent]]),
    ...scored(graded, [
      ['H-score', (t) => (t.weighted / (t.graded + t.negative)) * 100],
      ['Allred proportion', allredProportion],
      ['Allred intensity', allredIntensity],
      ['Allred score', (t) => allredProportion(t) + allredIntensity(t)],
    ]),
    // QuPath's only density: of a base Positive class, its derived ones counted (ClassDensityMeasurementBuilder).
    ...sorted
      .filter((name) => name === POSITIVE)
      .map((name) => {
        const positive = sum(membersOf([name]));
        return { name: `Num ${name} per ${densityUnit}^2`, value: (counts: ClassCounts) => (counts.area ? positive(counts) / counts.area : Number.NaN) };
      }),
  ];
}
