// What the app remembers per key in one JSON file of the user-data folder (the compared slides'
// alignments, a slide's channels): the least recently saved go first past a bound, an entry that no
// longer reads is passed over, and a corrupt file reads as empty and is replaced by the next save.
// Writes are atomic and one at a time.

import { join } from 'node:path';
import * as v from 'valibot';
import { readJsonFile, SerialQueue, writeJsonAtomic } from './json-file';

/** An entry read by a schema: what it parses to, or an Error with its first issue. */
export function readBy<S extends v.GenericSchema>(schema: S): (raw: unknown) => v.InferOutput<S> | Error {
  return (raw) => {
    const read = v.safeParse(schema, raw);
    return read.success ? read.output : new Error(read.issues[0].message);
  };
}

interface StoredEntries {
  version: 1;
  /** Key -> entry, the least recently saved first. */
  sets: Record<string, unknown>;
}

export interface RememberedEntriesOptions<T> {
  dir: string;
  /** The file's name in `dir`. */
  name: string;
  /** Entries kept at most. */
  max: number;
  /** What was stored as the entry it was, or an Error saying why it no longer reads. */
  read: (raw: unknown) => T | Error;
  /** What is stored of an entry (JSON). */
  write: (entry: T) => unknown;
  /** What these entries are, for messages ("the remembered alignments"). */
  what: string;
  onError?: (message: string, error: unknown) => void;
}

export class RememberedEntries<T> {
  readonly file: string;
  private readonly writes = new SerialQueue();
  private entries: Map<string, unknown> | null = null;

  constructor(private readonly options: RememberedEntriesOptions<T>) {
    this.file = join(options.dir, options.name);
  }

  /** The entry remembered under the key, or null (none, or one that no longer reads). */
  async load(key: string): Promise<T | null> {
    const raw = (await this.read()).get(key);
    if (raw === undefined) return null;
    const entry = this.options.read(raw);
    if (!(entry instanceof Error)) return entry;
    this.options.onError?.(`${this.options.what} of ${key.replaceAll('\n', ', ')}: unreadable`, entry);
    return null;
  }

  /** Remembers the entry (null: forgets the key's). */
  save(key: string, entry: T | null): Promise<void> {
    return this.writes.run(async () => {
      const entries = await this.read();
      if (entry === null && !entries.has(key)) return;
      entries.delete(key); // re-inserted last: the most recently saved
      if (entry !== null) entries.set(key, this.options.write(entry));
      while (entries.size > Math.max(1, this.options.max)) entries.delete(entries.keys().next().value!);
      await this.write(entries);
    });
  }

  /**
   * Forgets the key's entry if `still` holds of it when its turn comes (a finding that was true when
   * asked may be overtaken by a save queued before it); one that no longer reads is left for save.
   */
  forgetIf(key: string, still: (entry: T) => boolean): Promise<void> {
    return this.writes.run(async () => {
      const entries = await this.read();
      const raw = entries.get(key);
      if (raw === undefined) return;
      const entry = this.options.read(raw);
      if (entry instanceof Error || !still(entry)) return;
      entries.delete(key);
      await this.write(entries);
    });
  }

  private write(entries: Map<string, unknown>): Promise<void> {
    const stored: StoredEntries = { version: 1, sets: Object.fromEntries(entries) };
    return writeJsonAtomic(this.file, stored);
  }

  private async read(): Promise<Map<string, unknown>> {
    if (this.entries) return this.entries;
    const read = await readJsonFile(this.file);
    const value = read.kind === 'ok' ? (read.value as Partial<StoredEntries> | null) : null;
    const valid = value?.version === 1 && typeof value.sets === 'object' && value.sets !== null;
    if (read.kind === 'corrupt' || (read.kind === 'ok' && !valid))
      this.options.onError?.(`${this.file} is unreadable; ${this.options.what} start afresh`, read.kind === 'corrupt' ? read.error : value);
    this.entries = new Map(valid ? Object.entries(value.sets!) : []);
    return this.entries;
  }
}
