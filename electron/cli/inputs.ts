// A batch's slides: files, folders (--recursive) and list files (--list, `-` for stdin), each named by
// its path relative to the inputs' common folder ('/'-separated). That relative name is what shards
// split on and what outputs mirror, so it is the same on every node whatever the drive's mount point,
// and two slide.svs in different folders never write the same file.

import { createHash } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, readdirSync, realpathSync, type Stats, statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, parse, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { slideStem } from '../../shared/export-plan';
import { hasFolderSlideExtension, hasSlideExtension } from '../../shared/slide-formats';
import { dataFolderOf, keyFileOfDataFolder, EXTENSION as MIRAX_EXTENSION } from '../engine/formats/mirax/mirax-files';
import { firstControl, printable } from './printable';
import { UsageError } from './usage-error';

export interface SlideInput {
  /** Absolute path. */
  path: string;
  /** Relative to the inputs' common folder, '/'-separated: the shard key and the output's relative place. */
  key: string;
  /**
   * The slide's size (0 when missing), its data files' included (a MIRAX slide's folder): a batch's
   * jobs start the largest first (job-queue.ts), so that no job is left with one at the end.
   */
  bytes: number;
  /**
   * A folder of DICOM files: one slide or several, as the engine finds (expandFolderSlides); the
   * key of a file in it is `within` + its path in the folder.
   */
  folder?: { within: string };
  /**
   * The key --shard splits on, where it is not the slide's own: a slide of a DICOM folder of several
   * goes where its folder goes, so that each shard opens only its own folders (expandFolderSlides).
   */
  shardKey?: string;
  /**
   * A folder found while listing a given one that could not be read (the system's code, e.g.
   * EACCES), or an entry whose name is not UTF-8 (EILSEQ: Node reads such names with their bytes
   * replaced, so the entry cannot be opened): the batch reports it failed and goes on with the slides
   * it could list.
   */
  unreadable?: string;
  /**
   * The key of the given folder whose recursive listing found it ('' for the inputs' common folder);
   * absent for a slide named itself. A report merge takes a later line under a folder that once could
   * not be listed, from a listing of that folder or one above it, as that folder listed whole.
   */
  listedIn?: string;
}

/** A folder of DICOM files among the inputs (its slides known once the engine has opened it). */
export type FolderInput = SlideInput & { folder: { within: string } };

export const isFolderInput = (input: SlideInput): input is FolderInput => input.folder !== undefined;

export interface InputOptions {
  /** Files and folders from the command line. */
  args: string[];
  /** A file of paths, one a line ('-': standard input); relative lines are read from the list's folder. */
  list?: string | undefined;
  recursive: boolean;
  stdin?: Readable;
  /** The output folder: a folder scan leaves it out, so that a rerun does not take the outputs (a TIFF thumbnail) for slides. */
  exclude?: string | undefined;
  /**
   * The folder slides are named relative to (--root), rather than the inputs' common folder: a rerun
   * of some of a cohort's slides (a list of the failures) then names them, and writes them, as the
   * whole run did. Every input must lie in it.
   */
  root?: string | undefined;
}

/**
 * A --list's bounds: a cohort of a few million slides (a million paths of 75 bytes take 350 MB to
 * read), never what a binary file or a runaway `yes` would cost.
 */
export const MAX_LIST_BYTES = 256 * 1024 * 1024;
export const MAX_LIST_ENTRIES = 4_000_000;

/** The folder scan's reason for a name that is not UTF-8 (batch.ts); a --list line adds LIST_NOT_UTF8's. */
export const NAME_NOT_UTF8 = 'This name is not valid UTF-8, so what it names cannot be opened: rename it to read it.';
/** A list line's bytes that are not UTF-8 are most often the list's encoding (Windows' ANSI), not the name on disk. */
export const LIST_NOT_UTF8 = 'This line is not valid UTF-8: save the list as UTF-8 (or UTF-16); if the name on disk is not UTF-8 either, rename the file.';

/** Why a list cannot be taken, and where in it ("line 3"): readList names the file. */
export class ListProblem extends Error {
  constructor(
    message: string,
    readonly where?: string,
  ) {
    super(message);
  }
}

async function readList(list: string, stdin: Readable): Promise<string[]> {
  const name = `the list ${printable(list)}`;
  const stream = list === '-' ? stdin : createReadStream(list);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += (chunk as Uint8Array).length;
      // Read in pieces, so that a file too large (or a FIFO that never ends) costs no more than the bound.
      if (size > MAX_LIST_BYTES) throw new ListProblem(`is larger than ${MAX_LIST_BYTES / 1024 / 1024} MB: split the cohort into lists of fewer paths`);
      chunks.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (error) {
    if (list !== '-') (stream as ReturnType<typeof createReadStream>).destroy();
    if (error instanceof ListProblem) throw new UsageError(`${name} ${error.message}`);
    throw new UsageError(`${name} ${fileProblem(error as NodeJS.ErrnoException)}`);
  }
  const from = list === '-' ? process.cwd() : dirname(resolve(list));
  let entries: string[];
  try {
    entries = listEntries(Buffer.concat(chunks));
  } catch (error) {
    if (error instanceof ListProblem) throw new UsageError(`${name}${error.where ? `, ${error.where}` : ''} ${error.message}`);
    throw error;
  }
  const paths = entries.map((path) => resolve(from, path));
  // Never a slide's folder, and what a list misread (its encoding) would give: a scan of every disk.
  const root = paths.find((path) => parse(path).root === path);
  if (root !== undefined) throw new Error(`${name} names ${printable(root)}, the root of a file system: name the cohort's folders`);
  return paths;
}

/** The pieces of `text` between separators, without an array of them all. */
function* piecesOf(text: string, separator: string): Generator<string> {
  for (let start = 0; start <= text.length; ) {
    const end = text.indexOf(separator, start);
    yield text.slice(start, end === -1 ? text.length : end);
    if (end === -1) return;
    start = end + 1;
  }
}

/**
 * A list's paths: a line each (blank lines and # comments left out), or NUL-separated as `find
 * -print0` writes them (no path holds a NUL). UTF-16 is what Windows PowerShell's `>` writes: read by
 * its byte-order mark, or, without one, where it decodes to lines of text. A list that is not text (a
 * control character, bytes that are not UTF-8) or holds more than MAX_LIST_ENTRIES paths throws a
 * ListProblem naming the line.
 */
export function listEntries(bytes: Buffer): string[] {
  const { text, utf8 } = listText(bytes);
  const separated = text.includes('\0');
  // Bytes that are not UTF-8 decode to U+FFFD: where the file has such bytes, a line holding one names no file.
  const lossy = utf8 && !validUtf8(bytes);
  const entries: string[] = [];
  let number = 0;
  for (const piece of piecesOf(text, separated ? '\0' : '\n')) {
    number++;
    const entry = separated ? piece : piece.trim();
    if (entry.length === 0) continue;
    const where = `${separated ? 'name' : 'line'} ${number}`;
    // A find -print0 name may hold a line end; a line, only a tab.
    const control = firstControl(entry, separated ? '\t\n\r' : '\t');
    if (control !== -1) {
      throw new ListProblem(
        `holds a control character (${printable(entry.slice(control, control + 1))}): it is not a text file of paths, one a line ("${printable(entry, 80)}")`,
        where,
      );
    }
    if (lossy && entry.includes('\uFFFD')) throw new ListProblem(`("${printable(entry, 200)}"): ${LIST_NOT_UTF8}`, where);
    if (!separated && entry.startsWith('#')) continue;
    if (entries.length === MAX_LIST_ENTRIES) throw new ListProblem(`holds more than ${MAX_LIST_ENTRIES} paths: split the cohort into lists of fewer`, where);
    entries.push(entry);
  }
  return entries;
}

function validUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The list's text, and whether it was read as UTF-8 (its bytes not UTF-8 then show as U+FFFD). */
function listText(bytes: Buffer): { text: string; utf8: boolean } {
  // UTF-16 is two bytes a unit: an odd count after its mark is a file that merely starts with those bytes.
  if (((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) && bytes.length % 2 !== 0) {
    throw new ListProblem('starts as UTF-16 (its byte-order mark) but has an odd number of bytes: it is not a text file of paths');
  }
  const marked =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? bytes.subarray(2).toString('utf16le')
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? Buffer.from(bytes.subarray(2)).swap16().toString('utf16le')
        : null;
  // Paths hold '/', '.' or a line end: UTF-16 with not one ASCII character is other bytes after those two.
  if (marked !== null && marked.length > 0 && !/[^\u0080-\uffff]/.test(marked)) {
    throw new ListProblem('starts as UTF-16 (its byte-order mark) but holds no path, not one ASCII character: it is not a text file of paths');
  }
  if (marked !== null) return { text: marked, utf8: false };
  const utf8 = bytes.toString('utf8').replace(/^\ufeff/, '');
  const asUtf8 = { text: utf8, utf8: true };
  if (!utf8.includes('\0') || bytes.length % 2 !== 0) return asUtf8;
  // NULs without a mark: find -print0's names, or UTF-16, whose reading as UTF-8 gives control
  // characters (other scripts than Latin) or names of a character each (ASCII).
  const decoded = [bytes.toString('utf16le'), Buffer.from(bytes).swap16().toString('utf16le')].filter(textLike);
  const lines = decoded.find((text) => text.includes('\n'));
  if (lines !== undefined) return { text: lines, utf8: false };
  const names = utf8.split('\0').filter((name) => name.length > 0);
  // Names of a character each are a path's ASCII in UTF-16 where their reading holds a path's '/' or
  // '.'; else short names (numbered folders: 1, 2, 3).
  const oneEach = names.every((name) => name.length === 1);
  const pathLike = decoded.filter((text) => /[/\\.]/.test(text));
  if ((names.every(textLike) && !(oneEach && pathLike.length > 0)) || decoded.length === 0) return asUtf8;
  // One name and no line end: the byte order whose reading has the more ASCII ('/', '.', letters).
  const ascii = (text: string) => text.split('').filter((c) => c < '\x80').length;
  return { text: decoded.sort((a, b) => ascii(b) - ascii(a))[0]!, utf8: false };
}

/** No NUL, no undecodable unit, no control character but tab and line ends. */
function textLike(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f || c === 0xfffd) return false;
    // A surrogate pair's halves, in order; either alone is no character.
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/** Why a file given to read could not be: "is a folder", "does not exist", or the system's reason. */
export function fileProblem(error: NodeJS.ErrnoException): string {
  if (error.code === 'EISDIR') return 'is a folder, not a file';
  if (error.code === 'ENOENT') return 'does not exist';
  return `cannot be read (${error.code ?? error.message})`;
}

/**
 * A path through its folder's real path (one realpath per folder, however many files it holds): the
 * same for a file reached through a linked folder. A file whose own name is a symbolic link keeps it
 * here (a listing follows such a link with realPathOr). Hard links stay apart: two names, two paths.
 */
export function throughRealFolders(): (path: string) => string {
  const realFolders = new Map<string, string>();
  return (path) => {
    const folder = dirname(path);
    const real = realFolders.get(folder) ?? realPathOr(folder);
    realFolders.set(folder, real);
    return join(real, basename(path));
  };
}

/** A path's real path, or the path itself where it has none (missing). */
export function realPathOr(path: string): string {
  try {
    return realpathSync.native(path);
  } catch {
    return path;
  }
}

/** What a path leads to; null where it is not there or cannot be reached. */
export function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * What a path is (null where it is not there), and whether its own name is a symbolic link: one
 * lstat, and a stat more for a link only (`info` is then what it leads to, null where it leads
 * nowhere: a dangling link, a loop, a target the system refuses). `absent`: the path names no entry
 * at all (not one the system refuses to show).
 */
function linkedStat(path: string): { info: Stats | null; link: boolean; absent: boolean } {
  let own: Stats;
  try {
    own = lstatSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { info: null, link: false, absent: code === 'ENOENT' || code === 'ENOTDIR' };
  }
  return own.isSymbolicLink() ? { info: statOrNull(path), link: true, absent: false } : { info: own, link: false, absent: false };
}

function namesIn(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** What each entry of a folder is, by the folder's own listing (no stat: a name not UTF-8 cannot be opened). */
function entryKinds(dir: string): Map<string, 'folder' | 'other'> {
  try {
    return new Map(readdirSync(dir, { withFileTypes: true }).map((entry) => [entry.name, entry.isDirectory() ? 'folder' : 'other']));
  } catch {
    return new Map();
  }
}

/** The bytes of the files `names` in `dir` (a missing one counts 0). */
function bytesIn(dir: string, names: readonly string[]): number {
  let bytes = 0;
  for (const name of names) bytes += statOrNull(join(dir, name))?.size ?? 0;
  return bytes;
}

/** A slide file's bytes and, for a MIRAX key file, those of the data folder beside it. */
function slideFileBytes(path: string, size: number): number {
  if (!path.toLowerCase().endsWith(MIRAX_EXTENSION)) return size;
  const folder = dataFolderOf(path);
  return size + bytesIn(folder, namesIn(folder));
}

/**
 * Whether a folder holds slides made of its files (DICOM series: a slide's files together are the
 * slide), and the bytes of those files; null when it holds none.
 */
function folderSlideBytes(dir: string, names = namesIn(dir)): number | null {
  const parts = names.filter((n) => !n.startsWith('.') && hasFolderSlideExtension(n));
  return parts.length === 0 ? null : bytesIn(dir, parts);
}

/** A folder scan's state, shared by the folders it lists. */
interface Scan {
  recursive: boolean;
  /** Real paths of the folders listed: symlink loops are cut. */
  seen: Set<string>;
  /** Slides found, and their bytes. */
  files: Map<string, number>;
  /**
   * A slide file's path through its folder's real path, or a symbolic link's real path (the file it
   * leads to): one file reached through a linked folder or a link to it as well (a list beside the
   * folder) is one slide. Hard links stay apart: two names, two slides.
   */
  identities: Map<string, string>;
  /** The slide files found whose own name is a symbolic link: of one file's names, the one that is not a link is kept (onceEach). */
  links: Set<string>;
  /** Subfolders that could not be listed, and why (the system's code). */
  unreadable: Map<string, string>;
  /** Subfolders a scan without --recursive leaves unread (no slide themselves, nor a MIRAX slide's data). */
  unread: string[];
  /** The given folder being listed, and (recursive scans) the given folder each slide was found by. */
  given: string;
  foundIn: Map<string, string>;
  /** The output folder's real path, or null. */
  exclude: string | null;
  /** Whether a scan came upon the output folder among the inputs (and left it out). */
  excluded: boolean;
}

/**
 * Slide files in a folder, sorted, and the folder itself and its subfolders where they are slides
 * (DICOM); hidden entries (ours are temporary files) and the output folder are skipped; symlink loops
 * are cut. A folder given that cannot be read throws (a usage error); a subfolder is noted in
 * `unreadable`, and the scan goes on.
 * Synchronous: nothing else runs while a batch lists its inputs, and each of a cohort's folders took
 * several trips to libuv's thread pool one after another (200 slides in 204 folders: 180-270 ms,
 * docs/performance.md).
 */
function scanFolder(dir: string, scan: Scan, given = false): void {
  let real = dir;
  try {
    real = realpathSync.native(dir);
  } catch {}
  // A folder given is scanned even if it is the output folder: the user named it.
  if (scan.seen.has(real)) return;
  if (!given && real === scan.exclude) {
    scan.excluded = true;
    return;
  }
  scan.seen.add(real);
  let listed: string[];
  try {
    listed = readdirSync(dir);
  } catch (error) {
    if (given) throw error;
    scan.unreadable.set(dir, (error as NodeJS.ErrnoException).code ?? String(error));
    return;
  }
  const names = listed.filter((n) => !n.startsWith('.')).sort();
  // A folder of DICOM files holds a slide or several; its other slide files are slides too.
  const slide = folderSlideBytes(dir, names);
  if (slide !== null) found(scan, dir, slide);
  const lossy = names.some((name) => name.includes('\uFFFD')) ? entryKinds(dir) : null;
  // A MIRAX slide's data folder, named as its key file less the extension, is part of that slide.
  const miraxData = new Set(names.filter((n) => n.toLowerCase().endsWith(MIRAX_EXTENSION)).map((n) => n.slice(0, -MIRAX_EXTENSION.length).toLowerCase()));
  for (const name of names) {
    const path = join(dir, name);
    if (lossy && name.includes('\uFFFD') && statOrNull(path) === null) {
      // A slide file, or a folder a recursive scan would look into: reported; anything else is no slide's.
      const kind = lossy.get(name);
      if ((kind !== 'folder' && hasSlideExtension(name)) || (kind === 'folder' && scan.recursive)) scan.unreadable.set(path, 'EILSEQ');
      continue;
    }
    if (hasFolderSlideExtension(name)) continue; // the folder is the slide (collectInputs)
    if (hasSlideExtension(name)) {
      const { info, link } = linkedStat(path);
      if (info?.isFile()) {
        found(scan, path, slideFileBytes(path, info.size));
        scan.identities.set(path, link ? realPathOr(path) : join(real, name));
        if (link) scan.links.add(path);
      } else if (info?.isDirectory()) {
        if (scan.recursive) scanFolder(path, scan);
        else leftUnread(scan, path);
      } else if (link && info === null) {
        // A link named as a slide that leads nowhere is an input, failing as the path given alone
        // does (NOT_FOUND): a slide moved away on a share must show in the report.
        found(scan, path, 0);
      }
    } else {
      if (!statOrNull(path)?.isDirectory()) continue;
      if (scan.recursive) {
        scanFolder(path, scan);
        continue;
      }
      const inner = folderSlideBytes(path);
      if (inner !== null) found(scan, path, inner);
      else if (!miraxData.has(name.toLowerCase())) leftUnread(scan, path);
    }
  }
}

/** A subfolder a scan without --recursive does not read, unless it is the output folder. */
function leftUnread(scan: Scan, path: string): void {
  if (realPathOr(path) !== scan.exclude) scan.unread.push(path);
}

/** A slide the scan found, and (recursive scans) the given folder whose listing found it. */
function found(scan: Scan, path: string, bytes: number): void {
  scan.files.set(path, bytes);
  if (scan.recursive) scan.foundIn.set(path, scan.given);
}

/** Whether a relative path leaves its folder: `..` as its first part (not a folder named `..old`), or another drive. */
function climbsOut(rel: string): boolean {
  return rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel);
}

/** The deepest folder holding every one of `dirs` (absolute); null across drives. */
export function commonFolder(dirs: string[]): string | null {
  let common = dirs[0]!;
  for (const dir of dirs.slice(1)) {
    while (climbsOut(relative(common, dir))) {
      const up = dirname(common);
      if (up === common) return null;
      common = up;
    }
  }
  return common;
}

/**
 * The root given, once every input is found in it: as the paths are written, or else through their
 * real folders (a root given as the shell's $PWD in a linked folder, where Node resolves relative
 * inputs through the link); `real` says which, and so how the inputs are keyed.
 */
function withinRoot(root: string, inputs: string[]): { base: string; real: boolean } {
  if (!existsSync(root)) throw new Error(`--root ${root} does not exist`);
  if (!statSync(root).isDirectory()) throw new Error(`--root ${root} is not a folder`);
  if (!inputs.some((input) => climbsOut(relative(root, input)))) return { base: root, real: false };
  const realRoot = realPathOr(root);
  const outside = inputs.find((input) => climbsOut(relative(realRoot, realPathOr(input))));
  if (outside !== undefined) throw new Error(`${outside} is not in --root ${root}`);
  return { base: realRoot, real: true };
}

/** A path's key: relative to the common folder, or (no common folder: several drives) the path less its root. */
function relativeKey(path: string, base: string | null): string {
  const rel = base === null ? path.slice(parse(path).root.length) : relative(base, path);
  return rel.split(sep).join('/');
}

/** A batch's inputs as listed. */
export interface CollectedInputs {
  /** The slides, deduplicated, sorted by key (plain code-unit order: the same on every machine). */
  inputs: SlideInput[];
  /** The subfolders of the folders given that a scan without --recursive leaves unread. */
  unreadSubfolders: string[];
  /** The output folder lies among the folders scanned, and its files were not taken for slides. */
  outputFolderSkipped: boolean;
  /** The paths --list named (null without --list). */
  listed: number | null;
  /**
   * The paths given (arguments and list), where not one of them is there (no entry, ENOENT: a link to
   * nothing is a slide's name, and a path the system refuses fails with its reason); else null.
   */
  allAbsent: string[] | null;
  /** The real name of the folder the keys are relative to ('' for inputs with no common folder: several drives). */
  cohort: string;
}

export async function collectInputs(options: InputOptions): Promise<CollectedInputs> {
  const given = options.args.map((a) => resolve(a));
  const listed = options.list === undefined ? null : await readList(options.list, options.stdin ?? process.stdin);
  if (listed) given.push(...listed);
  const files = new Map<string, number>();
  const roots: string[] = [];
  const exclude = options.exclude === undefined ? null : resolve(options.exclude);
  const identities = new Map<string, string>();
  const links = new Set<string>();
  const throughRealFolder = throughRealFolders();
  const scan: Scan = {
    recursive: options.recursive,
    seen: new Set(),
    files,
    identities,
    links,
    unreadable: new Map(),
    unread: [],
    given: '',
    foundIn: new Map(),
    exclude: exclude && realPathOr(exclude),
    excluded: false,
  };
  // In the order of their paths, not as given (a list made by `find` on each node): a folder reached
  // by two paths (a linked folder) is listed once, by the first, and that must be the same path on
  // every node, as must the given folder whose listing finds each slide (a folder given inside another).
  const absent: string[] = [];
  for (const path of given.sort()) {
    const { info, link, absent: none } = linkedStat(path);
    if (none) absent.push(path);
    const miraxKey = info?.isDirectory() ? await keyFileOfDataFolder(path) : null;
    if (miraxKey !== null) {
      // A MIRAX slide's data folder stands for its key file beside it.
      roots.push(dirname(miraxKey));
      files.set(miraxKey, slideFileBytes(miraxKey, (await stat(miraxKey)).size));
      identities.set(miraxKey, throughRealFolder(miraxKey));
    } else if (info?.isDirectory()) {
      roots.push(path);
      scan.given = path;
      scanFolder(path, scan, true);
    } else {
      roots.push(dirname(path));
      files.set(path, slideFileBytes(path, info?.size ?? 0)); // a missing file is reported per file, with its reason
      if (info?.isFile()) {
        identities.set(path, link ? realPathOr(path) : throughRealFolder(path));
        if (link) links.add(path);
      }
    }
  }
  const folders = new Set<string>();
  for (const path of files.keys()) if (statOrNull(path)?.isDirectory()) folders.add(path);
  withinFolderSlides(files, folders, identities);
  const unreadSubfolders = scan.unread.sort();
  const outputFolderSkipped = scan.excluded;
  const found = {
    unreadSubfolders,
    outputFolderSkipped,
    listed: listed?.length ?? null,
    allAbsent: given.length > 0 && absent.length === given.length ? absent : null,
  };
  if (files.size === 0 && scan.unreadable.size === 0) return { inputs: [], ...found, cohort: '' };
  const rooted = options.root === undefined ? { base: commonFolder(roots), real: false } : withinRoot(resolve(options.root), roots);
  const base = rooted.base;
  const keyOf = (path: string) => {
    if (!rooted.real) return relativeKey(path, base);
    const key = relativeKey(throughRealFolder(path), base);
    if (!climbsOut(key.split('/').join(sep))) return key;
    // A link below a given folder leads out of the root: keyed as reached from that folder, so that
    // its output stays under --out.
    const given = scan.foundIn.get(path);
    const reached = given === undefined ? key : relativeKey(join(realPathOr(given), relative(given, path)), base);
    if (climbsOut(reached.split('/').join(sep))) throw new Error(`${path} lies outside --root ${options.root} (through a link)`);
    return reached;
  };
  // The real name of the folder keys are relative to: the base's, or, for a folder slide that is the
  // base (keyed by its own name, below), its parent's; a file system's root has no name: itself.
  const keyFolder = base === null ? null : realPathOr([...folders].some((path) => keyOf(path) === '') ? dirname(base) : base);
  const cohort = keyFolder === null ? '' : basename(keyFolder) || keyFolder;
  const listedIn = (path: string) => {
    const given = scan.foundIn.get(path);
    return given === undefined ? {} : { listedIn: keyOf(given) };
  };
  const inputs = [...files]
    .map(([path, bytes]): SlideInput => {
      const key = keyOf(path);
      if (!folders.has(path)) return { path, key, bytes, ...listedIn(path) };
      // A folder that is the inputs' common folder is keyed by its own name, and its files by theirs.
      const folder = key ? { key, folder: { within: `${key}/` } } : { key: basename(path), folder: { within: '' } };
      return { path, bytes, ...folder, ...listedIn(path) };
    })
    .concat([...scan.unreadable].map(([path, reason]): SlideInput => ({ path, key: keyOf(path), bytes: 0, unreadable: reason })))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { inputs: onceEach(inputs, identities, links), ...found, cohort };
}

/**
 * Drops the DICOM files given (a --list naming series1-level0.dcm) whose folder is itself among the
 * inputs: the folder is their slide, opened whole (expandFolderSlides: one slide, or each of several,
 * that file's among them), and the file on its own would make that slide twice.
 */
function withinFolderSlides(files: Map<string, number>, folders: ReadonlySet<string>, identities: ReadonlyMap<string, string>): void {
  if (folders.size === 0) return;
  const realFolders = new Set([...folders].map(realPathOr));
  for (const path of files.keys()) {
    const identity = identities.get(path);
    if (identity !== undefined && hasFolderSlideExtension(basename(path)) && realFolders.has(dirname(identity))) files.delete(path);
  }
}

/**
 * One slide per file, the same choice in every shard: of the names of a file reached through several
 * (linked folders, symbolic links to it), the first in key order that is not itself a link, else the
 * first. Hard links are two files here.
 */
function onceEach(sorted: SlideInput[], identities: ReadonlyMap<string, string>, links: ReadonlySet<string>): SlideInput[] {
  const kept = new Map<string, string>();
  for (const { path } of sorted) {
    const identity = identities.get(path);
    if (identity === undefined) continue;
    const first = kept.get(identity);
    if (first === undefined || (links.has(first) && !links.has(path))) kept.set(identity, path);
  }
  return sorted.filter(({ path }) => {
    const identity = identities.get(path);
    return identity === undefined || kept.get(identity) === path;
  });
}

/** A TIFF thumbnail's name (thumbnailFileName's), which a folder scan must not take for a slide. */
export const TIFF_THUMBNAIL_NAME = /_thumbnail\.tiff?$/i;

/**
 * A folder's files' names, each folder listed once however often it is asked about (a batch names its
 * outputs more than once); symbolic links among them too, but those to folders, as a folder scan takes
 * them for slides (one leading nowhere as well).
 */
export type FolderFiles = (dir: string) => readonly string[];

export function folderFiles(): FolderFiles {
  const listed = new Map<string, string[]>();
  return (dir) => {
    let names = listed.get(dir);
    if (names === undefined) {
      try {
        names = readdirSync(dir, { withFileTypes: true })
          .filter((entry) => entry.isFile() || (entry.isSymbolicLink() && !statOrNull(join(dir, entry.name))?.isDirectory()))
          .map((entry) => entry.name);
      } catch {
        names = [];
      }
      listed.set(dir, names);
    }
    return names;
  };
}

/** The slide files beside the inputs that are not among them, keyed as they would be. */
function siblingsOnDisk(inputs: readonly SlideInput[], folders: FolderFiles): Array<Pick<SlideInput, 'path' | 'key'>> {
  const given = new Set(inputs.map((input) => input.path));
  const listed = new Set<string>();
  const siblings: Array<Pick<SlideInput, 'path' | 'key'>> = [];
  for (const input of inputs) {
    const dir = dirname(input.path);
    if (input.folder || input.unreadable !== undefined || listed.has(dir)) continue;
    listed.add(dir);
    const keyDir = dirname(input.key);
    for (const name of folders(dir)) {
      const path = join(dir, name);
      // Not a TIFF thumbnail of ours: what it is named after depends on these very names.
      // Nor a DICOM series' files: the folder is the slide.
      if (name.startsWith('.') || !hasSlideExtension(name) || hasFolderSlideExtension(name) || given.has(path) || TIFF_THUMBNAIL_NAME.test(name)) continue;
      siblings.push({ path, key: keyDir === '.' ? name : `${keyDir}/${name}` });
    }
  }
  return siblings;
}

/** A name as a case-insensitive disk (macOS, Windows, an SMB share) compares it. */
const folded = (name: string) => name.normalize('NFC').toLowerCase();

function countOf(names: string[]): Map<string, number> {
  const count = new Map<string, number>();
  for (const name of names) count.set(name, (count.get(name) ?? 0) + 1);
  return count;
}

/** A slide's stem in its folder, as outputStems compares them. */
const stemOf = (key: string) => folded(`${dirname(key)}/${slideStem({ path: key })}`);

/** A slide's name as its stem where another in its folder has the same stem: a.svs as a_svs. */
const withExtension = (name: string) => name.replace(/\.([^.]*)$/, '_$1');

/** The folder part of a key with its '/', '' at the top. */
const folderOfKey = (key: string) => key.slice(0, key.lastIndexOf('/') + 1);

/** A batch thumbnail's name, its stem before `_thumbnail.` (withoutOwnOutputs takes such a file for one). */
const THUMBNAIL_NAME = /^(.*)_thumbnail\.[^./]+$/i;

/**
 * The names a slide could take in its folder, case folded: its stem, its name with the extension
 * kept (a.svs as a_svs), and for a file named like a thumbnail the stem it would be the thumbnail of.
 */
function namesOf(key: string): Set<string> {
  const dir = dirname(key);
  const name = basename(key);
  const names = new Set([stemOf(key), folded(`${dir}/${withExtension(name)}`)]);
  const thumbnail = THUMBNAIL_NAME.exec(name);
  if (thumbnail) names.add(folded(`${dir}/${thumbnail[1]}`));
  return names;
}

/**
 * Whether the names a batch gives this shard's slides (outputStems, withoutOwnOutputs) depend on a
 * DICOM folder being one slide, several (its files then the inputs, and the folder not) or none: a
 * slide of this shard's inside it, it inside a folder of this shard's (whose files may become slides),
 * or any slide of its folder, in any shard or on disk beside them, that could take one of its names.
 * A shard opens another shard's folder only then.
 */
export function namesDependOn(inputs: readonly SlideInput[], ours: (input: SlideInput) => boolean, folders: FolderFiles): (folder: FolderInput) => boolean {
  const taken = new Map<string, number>();
  for (const { key } of [...inputs, ...siblingsOnDisk(inputs, folders)]) for (const name of namesOf(key)) taken.set(name, (taken.get(name) ?? 0) + 1);
  const holding = new Set<string>();
  const ourFolders = new Set<string>();
  for (const input of inputs) {
    if (!ours(input)) continue;
    const key = folded(input.key);
    for (let at = key.indexOf('/'); at >= 0; at = key.indexOf('/', at + 1)) holding.add(key.slice(0, at + 1));
    if (input.folder) ourFolders.add(folded(input.folder.within));
  }
  return ({ key, folder }) =>
    folder.within === '' ||
    holding.has(folded(folder.within)) ||
    ourFolders.has(folded(folderOfKey(key))) ||
    [...namesOf(key)].some((name) => taken.get(name)! > 1);
}

/**
 * Each slide's output stem (without `_thumbnail.png`): the output folder mirrors the key's folder.
 * Two slides of one folder with the same stem (a.svs, a.tif) keep their extension in it (a_svs, a_tif);
 * stems that still collide (a_svs.tif's with a.svs's; A.svs and a.svs, one name on a case-insensitive
 * disk) take a hash of their key. Names are compared case-folded, and decided over all the inputs so
 * that every run and every shard names them alike.
 */
export function outputStems(inputs: SlideInput[], outDir: string, folders: FolderFiles = folderFiles()): Map<string, string> {
  // Named among their folders' other slide files too, given or not: a rerun of some of them names
  // them as the whole run did.
  const siblings = siblingsOnDisk(inputs, folders);
  const all: Array<Pick<SlideInput, 'path' | 'key'>> = [...inputs, ...siblings];
  const count = countOf(all.map((input) => stemOf(input.key)));
  const named = all.map((input) => {
    const parts = input.key.split('/');
    const name = parts.pop()!;
    const stem = count.get(stemOf(input.key))! > 1 ? withExtension(name) : slideStem({ path: name });
    return { input, parts: [...parts, stem] };
  });
  const taken = countOf(named.map(({ parts }) => folded(parts.join('/'))));
  const stems = new Map<string, string>();
  for (const { input, parts } of named) {
    if (taken.get(folded(parts.join('/')))! > 1) parts.push(`${parts.pop()!}_${createHash('sha256').update(input.key).digest('hex').slice(0, 8)}`);
    stems.set(input.path, join(outDir, ...parts));
  }
  for (const sibling of siblings) stems.delete(sibling.path);
  return stems;
}
