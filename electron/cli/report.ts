// --report FILE.jsonl: one JSON line per slide as it finishes. The file is opened for appending
// (O_APPEND) and each line goes in one write (more only when the system writes it short), so a rerun
// adds to it and a line is never interleaved with another writer's on a local disk (shards on a
// cluster write a file each: O_APPEND is not atomic over NFS). `slidescope report merge` reads any
// number of them; a slide's last line wins, so a resumed run's lines replace the interrupted run's
// (but a slide done stays done: slideLine).

import { open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SlideError, writeFailureCode } from '../engine/errors';
import { makeFolder } from '../engine/export/make-folder';
import { fileProblem } from './inputs';

export const SLIDE_STATUSES = ['written', 'skipped', 'failed', 'not-done'] as const;
export type SlideStatus = (typeof SLIDE_STATUSES)[number];

export interface ReportLine {
  /** Relative to the inputs' common folder: the same on every node. */
  slide: string;
  path: string;
  status: SlideStatus;
  command: string;
  outputs: Array<{ path: string; bytes: number }>;
  vendor: string | null;
  width: number | null;
  height: number | null;
  /** ISO time the slide's work started, and how long it took. */
  started: string;
  ms: number;
  error: { code: string; message: string } | null;
  shard: string | null;
  /**
   * The batch's slides over all its shards (each line of a slide or an unreadable folder), so that a
   * merge of the shards' reports can tell whether one is missing: at least that many where other
   * shards' DICOM folders, each counted as one, were not opened.
   */
  batchSlides: number;
  batchSlidesAtLeast: boolean;
  host: string;
  pid: number;
  /** The Slidescope that made the line. */
  version: string;
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

function isReportLine(value: unknown): value is ReportLine {
  const v = value as Partial<ReportLine> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.slide === 'string' &&
    typeof v.status === 'string' &&
    typeof v.started === 'string' &&
    typeof v.path === 'string' &&
    (SLIDE_STATUSES as readonly string[]).includes(v.status) &&
    typeof v.ms === 'number'
  );
}

export interface ReadReports {
  /** The last line of each slide, over all files in the order given. */
  slides: ReportLine[];
  /** Lines that are not report lines (a file cut short, another tool's). */
  unreadable: number;
}

/** The later of two lines by start, and of two that started together the one written last. */
function later(a: ReportLine, b: ReportLine): ReportLine {
  return b.started > a.started || (b.started === a.started && JSON.stringify(b) > JSON.stringify(a)) ? b : a;
}

/**
 * A slide's line over all its lines, the same whatever order the files come in: the latest (a resumed
 * run's over the interrupted one's), but an interrupted rerun's "not-done" does not undo a slide that
 * was done, and a rerun's "skipped" does not hide the line of the run that wrote the output (its time,
 * its vendor).
 */
function slideLine(lines: readonly ReportLine[]): ReportLine {
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
function baseName(line: ReportLine): string {
  const parts = line.path.split(/[\\/]/);
  return parts[parts.length - line.slide.split('/').length - 1] ?? '';
}

export async function readReports(paths: string[]): Promise<ReadReports> {
  const bySlide = new Map<string, ReportLine[]>();
  let unreadable = 0;
  for (const path of paths) {
    const content = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${path} ${fileProblem(error)}`);
    });
    for (const text of content.split('\n')) {
      if (text.trim() === '') continue;
      let line: unknown;
      try {
        line = JSON.parse(text);
      } catch {
        line = null;
      }
      if (!isReportLine(line)) {
        unreadable++;
        continue;
      }
      const key = `${line.command ?? ''}\0${baseName(line)}\0${line.slide}`;
      const lines = bySlide.get(key);
      if (lines) lines.push(line);
      else bySlide.set(key, [line]);
    }
  }
  return { slides: [...bySlide.values()].map(slideLine), unreadable };
}

export interface ReportSummary {
  slides: number;
  statuses: Record<SlideStatus, number>;
  errors: Record<string, number>;
  /** Time spent on the slides that were written (ms), and the mean per slide. */
  totalMs: number;
  meanMs: number | null;
  slowest: Array<{ slide: string; ms: number; vendor: string | null; width: number | null; height: number | null }>;
  failed: Array<{ slide: string; code: string; message: string }>;
  notDone: string[];
  unreadable: number;
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
      .map((l) => ({ slide: l.slide, code: l.error?.code ?? 'INTERNAL', message: l.error?.message ?? '' }))
      .sort(bySlide),
    notDone: read.slides
      .filter((l) => l.status === 'not-done')
      .map((l) => l.slide)
      .sort(),
    unreadable: read.unreadable,
  };
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
  const folders = unlisted.size === 0 ? '' : `; ${unlisted.size} ${unlisted.size === 1 ? 'folder or name' : 'folders or names'} could not be read`;
  const text = `${of}: ${statuses.written} written, ${statuses.skipped} skipped (already done), ${statuses.failed} failed, ${statuses['not-done']} not done${folders}`;
  return { text, statuses, failed: statuses.failed + unlisted.size };
}

export function summaryText(summary: ReportSummary): string {
  const s = summary.statuses;
  const lines = [`${summary.slides} slides: ${s.written} written, ${s.skipped} skipped (already done), ${s.failed} failed, ${s['not-done']} not done`];
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
    for (const f of summary.failed) lines.push(`  ${f.slide}: ${f.code}: ${f.message}`);
  }
  if (summary.notDone.length) {
    lines.push('not done (run again to finish them):');
    for (const slide of summary.notDone) lines.push(`  ${slide}`);
  }
  if (summary.unreadable) lines.push(`${summary.unreadable} line(s) were not report lines and were ignored`);
  return lines.join('\n');
}
