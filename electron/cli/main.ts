// slidescope: the headless command line. `slidescope --help` lists the commands.

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type ErrorInfo, toErrorInfo } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import type { ComparisonMode, ImageFormat, ThumbnailSpec } from '../../shared/operations';
import { SLIDE_EXTENSIONS } from '../../shared/slide-formats';
import { EngineClient } from '../engine-host/engine-client';
import { userCacheDir } from '../engine-host/engine-settings';
import { forkEngine } from '../engine-host/fork-engine';
import { type BatchFailure, expandInputs, infoJson, infoText, runCompare, runRegion, runThumbnails, withSlide } from './commands';
import { terminalProgress } from './progress';

const HELP = `slidescope - whole-slide images without Python, Docker or a network

Usage:
  slidescope info SLIDE [--json]
  slidescope region SLIDE --x X --y Y --width W --height H [--level N | --power P] --out FILE
  slidescope thumbnail SLIDE... | DIR [--power 1.25 | --mpp 8 | --size 1024] [--format png|jpeg|tiff] --out DIR
  slidescope compare SLIDE [--powers 1.25,2.5,5,10] [--mode slide | --mode field --center X,Y [--panel 512x512]] --out FILE

  X, Y are level-0 pixels (the top-left corner); W, H are output pixels at the level or power.
  --level N indexes the levels of \`info --json\`. Existing files are kept unless --overwrite.
  Folders are read for ${SLIDE_EXTENSIONS.map((e) => `.${e}`).join('/')} files. Exit code 1 when any slide failed (each is named with
  its reason); the good ones are still written. Exit code 2 for a usage error.
`;

class UsageError extends Error {}

/** A slide's error as the CLI prints it: the file, the code, the reason. */
function printError(error: ErrorInfo): number {
  process.stderr.write(`slidescope: ${error.path ? `${error.path}: ` : ''}${error.code}: ${error.message}\n`);
  return 1;
}

function num(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number (got "${value}").`);
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

function formatFromFile(file: string): ImageFormat {
  const ext = file.toLowerCase().split('.').pop() ?? '';
  return ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'tif' || ext === 'tiff' ? 'tiff' : 'png';
}

function reportFailures(failures: BatchFailure[]): void {
  if (failures.length === 0) return;
  process.stderr.write(`\n${failures.length} slide(s) failed:\n`);
  for (const f of failures) process.stderr.write(`  ${f.path}: ${f.code}: ${f.message}\n`);
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return command ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      json: { type: 'boolean' },
      out: { type: 'string', short: 'o' },
      x: { type: 'string' },
      y: { type: 'string' },
      width: { type: 'string' },
      height: { type: 'string' },
      level: { type: 'string' },
      power: { type: 'string' },
      powers: { type: 'string' },
      mpp: { type: 'string' },
      size: { type: 'string' },
      format: { type: 'string' },
      mode: { type: 'string' },
      center: { type: 'string' },
      panel: { type: 'string' },
      overwrite: { type: 'boolean' },
    },
  });
  // The engine runs in a process of its own: a slide that crashes it or runs away with memory ends
  // that process, and the CLI reports it.
  const engine = new EngineClient(forkEngine({ partialWritesDir: join(userCacheDir(), 'partial-writes') }));
  const overwrite = values.overwrite === true;
  try {
    switch (command) {
      case 'info': {
        if (positionals.length !== 1) throw new UsageError('info takes one slide.');
        const info = await withSlide(engine, positionals[0]!, async (_slideId, info) => ({ ok: true, value: info }));
        if (!info.ok) return printError(info.error);
        process.stdout.write(values.json ? `${JSON.stringify(infoJson(info.value), null, 2)}\n` : `${infoText(info.value)}\n`);
        return 0;
      }
      case 'region': {
        if (positionals.length !== 1 || !values.out) throw new UsageError('region takes one slide and --out FILE.');
        if (values.level !== undefined && values.power !== undefined) throw new UsageError('Give --level or --power, not both.');
        const level = num(values.level, 'level');
        const power = num(values.power, 'power');
        const args = {
          x: need(num(values.x, 'x'), 'x'),
          y: need(num(values.y, 'y'), 'y'),
          width: need(num(values.width, 'width'), 'width'),
          height: need(num(values.height, 'height'), 'height'),
          ...(level !== undefined ? { level } : {}),
          ...(power !== undefined ? { power } : {}),
        };
        const out = await runRegion(engine, positionals[0]!, args, values.out, format(values.format, formatFromFile(values.out)), overwrite);
        if (!out.ok) return printError(out.error);
        process.stdout.write(`${out.value}\n`);
        return 0;
      }
      case 'thumbnail': {
        if (positionals.length === 0 || !values.out) throw new UsageError('thumbnail takes slides or folders and --out DIR.');
        const chosen = [values.power, values.mpp, values.size].filter((v) => v !== undefined).length;
        if (chosen > 1) throw new UsageError('Give one of --power, --mpp or --size.');
        const spec: ThumbnailSpec =
          values.power !== undefined
            ? { kind: 'power', objectivePower: need(num(values.power, 'power'), 'power') }
            : values.mpp !== undefined
              ? { kind: 'mpp', mpp: need(num(values.mpp, 'mpp'), 'mpp') }
              : { kind: 'size', longestSide: num(values.size, 'size') ?? 1024 };
        const paths = await expandInputs(positionals);
        if (paths.length === 0) throw new UsageError('No slide files found.');
        const { written, failures } = await runThumbnails(engine, paths, spec, format(values.format, 'png'), values.out, overwrite, terminalProgress());
        for (const w of written) process.stdout.write(`${w}\n`);
        reportFailures(failures);
        return failures.length ? 1 : 0;
      }
      case 'compare': {
        if (positionals.length !== 1 || !values.out) throw new UsageError('compare takes one slide and --out FILE.');
        const powers = values.powers ? values.powers.split(',').map((p) => need(num(p.trim(), 'powers'), 'powers')) : [];
        let mode: ComparisonMode = { kind: 'slide' };
        if ((values.mode ?? 'slide') === 'field') {
          const center = (values.center ?? '').split(',').map(Number);
          if (center.length !== 2 || !center.every(Number.isFinite)) throw new UsageError('--mode field needs --center X,Y (level-0 pixels).');
          const panel = (values.panel ?? '512x512').split('x').map(Number);
          if (panel.length !== 2 || !panel.every((n) => Number.isInteger(n) && n > 0 && n <= LIMITS.maxPanelSide)) {
            throw new UsageError(`--panel must be WxH, e.g. 512x512, at most ${LIMITS.maxPanelSide}x${LIMITS.maxPanelSide}.`);
          }
          mode = { kind: 'field', centerX: center[0]!, centerY: center[1]!, panelWidth: panel[0]!, panelHeight: panel[1]! };
        } else if (values.mode !== undefined && values.mode !== 'slide') {
          throw new UsageError('--mode must be slide or field.');
        }
        const files = await runCompare(engine, positionals[0]!, powers, mode, format(values.format, formatFromFile(values.out)), values.out, overwrite);
        if (!files.ok) return printError(files.error);
        for (const f of files.value) process.stdout.write(`${f}\n`);
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (
      error instanceof UsageError ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
      (error as { code?: string }).code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    ) {
      process.stderr.write(`slidescope: ${(error as Error).message}\nRun "slidescope --help" for usage.\n`);
      return 2;
    }
    return printError(toErrorInfo(error));
  } finally {
    await engine.dispose();
  }
}

process.exitCode = await main(process.argv.slice(2));
