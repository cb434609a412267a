// Exports never leave a partial file: bytes go to a hidden temporary name beside the target, are
// flushed to the disk (fsync), and only then take the target's name. Without overwrite, an existing
// file is refused (EXISTS): by hard-linking the temporary file to the name, which fails if the name
// is taken even when two exports race. FAT/exFAT drives and some network shares have no hard links
// (they answer EPERM, ENOTSUP or EXDEV, which would read as "permission denied"): there the name is
// checked and the file renamed into place. A temporary file a crash left behind is listed in a
// journal (one small file per write, in the app's data folder or the CLI's cache) and removed the
// next time the engine starts.

import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { MAX_NAME_BYTES, startWithin } from '../../../shared/export-plan';
import { noSpaceError, SlideError, writeFailureCode } from '../errors';
import { makeFolder } from './make-folder';

/** Where in-flight temporary files are listed; unset, crashes are not cleaned up after (tests). */
let journalDir: string | null = null;

export function setPartialWriteJournal(dir: string | null): void {
  journalDir = dir;
}

/** Errors link() gives where a file system has no hard links. */
const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV', 'ENOSYS']);

/**
 * `.<name>.<pid>.<random>.partial` beside the target, the name's start only where the whole would pass
 * 255 bytes: a name that fits the disk must not fail for its temporary one.
 */
function temporaryName(path: string): string {
  const tail = `.${process.pid}.${randomUUID().slice(0, 8)}.partial`;
  const name = startWithin(basename(path), MAX_NAME_BYTES - 1 - Buffer.byteLength(tail));
  return join(dirname(path), `.${name}${tail}`);
}

export async function writeFileAtomic(path: string, bytes: Uint8Array, overwrite: boolean): Promise<void> {
  const temp = temporaryName(path);
  const entry = journalDir ? join(journalDir, `${randomUUID()}.json`) : null;
  try {
    if (entry) {
      const writeEntry = () => fs.writeFile(entry, JSON.stringify({ temp, pid: process.pid, host: hostname() }));
      // The journal's folder is made at its first use (or again, a cache emptied meanwhile); its own error is the one said.
      await writeEntry()
        .catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'ENOENT') throw error;
          await makeFolder(dirname(entry));
          await writeEntry();
        })
        .catch((error) => journalError(error, dirname(entry)));
    }
    const handle = await fs.open(temp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    if (overwrite) await fs.rename(temp, path);
    else await linkOrRename(temp, path);
  } catch (error) {
    throw writeError(error, path);
  } finally {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    if (entry) await fs.rm(entry, { force: true }).catch(() => undefined);
  }
}

async function linkOrRename(temp: string, path: string): Promise<void> {
  try {
    await fs.link(temp, path);
  } catch (error) {
    if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
    // No hard links here: refuse a name that is taken, then move the file in.
    const taken = await fs.lstat(path).then(
      () => true,
      () => false,
    );
    if (taken) throw Object.assign(new Error('exists'), { code: 'EEXIST' });
    await fs.rename(temp, path);
  }
}

/** A write of `path` its folder refuses (the system's `code`): its permissions, or a read-only mount; null for any other code. */
export function refusedWrite(code: string | undefined, path: string): SlideError | null {
  const reason = code === 'EROFS' ? 'a read-only file system' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : null;
  return reason && new SlideError('IO_ERROR', `Cannot write to ${dirname(path)} (${reason}).`, path);
}

function writeError(error: unknown, path: string): SlideError {
  if (error instanceof SlideError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EEXIST') return new SlideError('EXISTS', `${basename(path)} already exists.`, path);
  if (code === 'ENOENT') return new SlideError('NOT_FOUND', `The folder ${dirname(path)} does not exist.`, path);
  const full = noSpaceError(error, path);
  if (full) return full;
  const refused = refusedWrite(code, path);
  if (refused) return refused;
  return new SlideError('IO_ERROR', `Writing ${basename(path)} failed (${code ?? String(error)}).`, path);
}

/** The journal (often on another disk than the output: the home folder's quota) could not list a write. */
function journalError(error: unknown, dir: string): never {
  const code = (error as NodeJS.ErrnoException).code ?? String(error);
  const full = noSpaceError(error, dir);
  throw new SlideError(
    writeFailureCode(error),
    `${full ? `${full.message} ` : ''}Slidescope lists the files it is writing in ${dir}, and could not (${code}).`,
    dir,
  );
}

/**
 * An entry older than this is a dead writer's wherever it ran: a write is one buffer and an fsync,
 * minutes at most, and a cluster's shard killed on one node is rerun on another, which cannot ask
 * the first whether its writer lives.
 */
const STALE_ENTRY_MS = 60 * 60 * 1000;

/** Whether the process that wrote an entry may still be running (on this machine: a shared home folder serves many). */
function writerAlive(pid: unknown, host: unknown, ageMs: number): boolean {
  if (ageMs > STALE_ENTRY_MS) return false;
  if (host !== hostname()) return true;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const JOURNAL_ENTRY_MAX_BYTES = 64 * 1024;

/**
 * Removes the temporary files that writes listed in the journal and did not finish because their
 * process died mid-write (entries of a process still running, here or on another machine sharing
 * the folder, are left to it until their entry is stale). Run when the engine starts.
 */
export async function removeUnfinishedWrites(dir: string): Promise<string[]> {
  const removed: string[] = [];
  await makeFolder(dir);
  for (const name of await fs.readdir(dir)) {
    if (!name.endsWith('.json')) continue;
    const entry = join(dir, name);
    try {
      const info = await fs.stat(entry);
      // An entry is a path, a pid and a host: one much larger is not one of ours.
      if (info.size > JOURNAL_ENTRY_MAX_BYTES) continue;
      const { temp, pid, host } = JSON.parse(await fs.readFile(entry, 'utf8')) as { temp?: unknown; pid?: unknown; host?: unknown };
      if (writerAlive(pid, host, Date.now() - info.mtimeMs)) continue;
      // Only ever one of our own hidden temporary names.
      if (typeof temp === 'string' && /\.partial$/.test(temp) && basename(temp).startsWith('.')) {
        const existed = await fs.rm(temp).then(
          () => true,
          () => false,
        );
        if (existed) removed.push(temp);
      }
      await fs.rm(entry, { force: true });
    } catch {
      // A half-written entry: its writer's, while it may be running; once stale, a writer killed as it
      // wrote it (no temporary file yet), which would otherwise stay for good.
      const age = await fs.stat(entry).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      );
      if (age > STALE_ENTRY_MS) await fs.rm(entry, { force: true }).catch(() => undefined);
    }
  }
  return removed;
}
