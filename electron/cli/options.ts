// The CLI's options, each declared once with the commands that use it. parseArgs reads them all (one
// option list for every command); a command given an option it does not use is then a usage error
// naming the option and the command, not an option silently ignored (`info X --report r.jsonl`
// writing no report). `compare` has two forms, one slide's magnifications and slides side by side,
// which take different options.

import type { parseArgs } from 'node:util';
import type { CLI_COMMANDS } from './command-names';
import { UsageError } from './usage-error';

/** What an option can apply to: a command (CLI_COMMANDS, the help and version aside), or compare's second form. */
export type Usage = Exclude<(typeof CLI_COMMANDS)[number], 'help' | '--help' | '-h' | 'version' | '--version'> | 'compare-slides';

/** Names of the usages as messages give them. */
const USAGE_NAMES: Record<Usage, string> = {
  info: 'info',
  region: 'region',
  thumbnail: 'thumbnail',
  compare: 'compare with one slide',
  'compare-slides': 'compare with 2 to 4 slides',
  annotations: 'annotations',
  report: 'report',
};

const IMAGE_WRITERS = ['region', 'thumbnail', 'compare', 'compare-slides'] as const;

/** Every option: parseArgs' configuration, and `for`: the usages that take it. */
export const OPTIONS = {
  json: { type: 'boolean', for: ['info', 'annotations', 'report'] },
  out: { type: 'string', short: 'o', for: IMAGE_WRITERS },
  x: { type: 'string', for: ['region'] },
  y: { type: 'string', for: ['region'] },
  width: { type: 'string', for: ['region'] },
  height: { type: 'string', for: ['region'] },
  level: { type: 'string', for: ['region'] },
  power: { type: 'string', for: ['region', 'thumbnail', 'compare-slides'] },
  powers: { type: 'string', for: ['compare'] },
  mpp: { type: 'string', for: ['thumbnail'] },
  size: { type: 'string', for: ['thumbnail', 'compare-slides'] },
  format: { type: 'string', for: [...IMAGE_WRITERS, 'annotations'] },
  mode: { type: 'string', for: ['compare'] },
  center: { type: 'string', for: ['compare', 'compare-slides'] },
  panel: { type: 'string', for: ['compare'] },
  overwrite: { type: 'boolean', for: [...IMAGE_WRITERS, 'annotations'] },
  recursive: { type: 'boolean', short: 'r', for: ['thumbnail'] },
  list: { type: 'string', for: ['thumbnail'] },
  root: { type: 'string', for: ['thumbnail'] },
  shard: { type: 'string', for: ['thumbnail'] },
  report: { type: 'string', for: ['thumbnail'] },
  jobs: { type: 'string', short: 'j', for: ['thumbnail'] },
  'max-memory': { type: 'string', for: ['thumbnail'] },
  grace: { type: 'string', for: ['thumbnail'] },
  slowest: { type: 'string', for: ['report'] },
  annotations: { type: 'string', for: ['thumbnail', 'compare', 'region'] },
  detections: { type: 'string', for: ['thumbnail', 'compare', 'region', 'annotations'] },
  'detection-style': { type: 'string', for: ['thumbnail', 'compare', 'region'] },
  'scale-bar': { type: 'boolean', for: ['region'] },
  import: { type: 'string', for: ['annotations'] },
  export: { type: 'string', for: ['annotations'] },
  rows: { type: 'string', for: ['annotations'] },
  alignment: { type: 'string', for: ['compare-slides'] },
  colour: { type: 'string', for: IMAGE_WRITERS },
  channels: { type: 'string', for: IMAGE_WRITERS },
  plane: { type: 'string', for: IMAGE_WRITERS },
} as const satisfies Record<string, { type: 'string' | 'boolean'; short?: string; for: readonly Usage[] }>;

type Declared = typeof OPTIONS;
type OptionName = keyof Declared;

/** The options as parseArgs takes them (without `for`). */
export const PARSE_OPTIONS = Object.fromEntries(Object.entries(OPTIONS).map(([name, { for: _usages, ...config }]) => [name, config])) as unknown as {
  [K in OptionName]: Omit<Declared[K], 'for'>;
};

export type Options = ReturnType<typeof parseArgs<{ options: typeof PARSE_OPTIONS; allowPositionals: true }>>['values'];

const usagesOf = (name: OptionName): readonly Usage[] => OPTIONS[name].for;

/** The options a usage takes, in the declaration's order. */
export function optionsOf(usage: Usage): string[] {
  return (Object.keys(OPTIONS) as OptionName[]).filter((name) => usagesOf(name).includes(usage));
}

/** The usage a command line is: compare's form by its number of slides; null for an unknown command. */
export function usageOf(command: string, positionals: readonly string[]): Usage | null {
  if (command === 'compare') return positionals.length > 1 ? 'compare-slides' : 'compare';
  return Object.hasOwn(USAGE_NAMES, command) && command !== 'compare-slides' ? (command as Usage) : null;
}

/** "a", "a and b", "a, b and c". */
function listed(items: string[]): string {
  return items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** The usages an option applies to, both forms of compare named as "compare". */
function usagesText(usages: readonly Usage[]): string {
  const both = usages.includes('compare') && usages.includes('compare-slides');
  return listed(usages.filter((u) => !(both && u === 'compare-slides')).map((u) => (both && u === 'compare' ? 'compare' : USAGE_NAMES[u])));
}

/** A usage error for the first option given that the usage does not take. */
export function rejectUnusedOptions(usage: Usage, values: Readonly<Record<string, unknown>>): void {
  for (const name of Object.keys(OPTIONS) as OptionName[]) {
    if (values[name] === undefined || usagesOf(name).includes(usage)) continue;
    const takes = optionsOf(usage).map((o) => `--${o}`);
    throw new UsageError(`--${name} applies to ${usagesText(usagesOf(name))} only, not ${USAGE_NAMES[usage]} (which takes ${listed(takes)}).`);
  }
}
