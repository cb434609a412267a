// Key files (".ini") as GLib's GKeyFile reads them, which is how OpenSlide 3.4.1 reads MIRAX's
// Slidedat.ini and Hamamatsu's .vms/.vmu: groups in brackets, `key = value` lines, '#' comments,
// a UTF-8 BOM skipped, CRLF or LF line ends. A line that is none of these fails the whole file, as
// in GLib; values are kept raw (no escapes undone: OpenSlide's properties show them so); a later
// key replaces an earlier one, a repeated group continues the first; keys with a [locale] suffix
// are dropped (OpenSlide runs in the C locale, where none is "interesting").

export class KeyFileError extends Error {}

export class KeyFile {
  /** Groups in file order, each with its keys in file order. */
  readonly groups: ReadonlyMap<string, ReadonlyMap<string, string>>;

  private constructor(groups: Map<string, Map<string, string>>) {
    this.groups = groups;
  }

  /** Parses a key file's bytes; KeyFileError names the first line GLib would refuse. */
  static parse(bytes: Uint8Array): KeyFile {
    const bom = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf;
    const text = new TextDecoder('utf-8').decode(bom ? bytes.subarray(3) : bytes);
    const groups = new Map<string, Map<string, string>>();
    let current: Map<string, string> | null = null;
    const lines = text.split('\n');
    lines.forEach((raw, i) => {
      // GLib drops the '\r' of a "\r\n" line end (not of a last line without '\n').
      const line = (i < lines.length - 1 && raw.endsWith('\r') ? raw.slice(0, -1) : raw).replace(/^[ \t\n\v\f\r]+/, '');
      if (line === '' || line.startsWith('#')) return;
      const group = /^\[([^\]]*)\][ \t]*$/.exec(line);
      if (group) {
        const name = group[1]!;
        if (name === '' || [...name].some((c) => c === '[' || c.charCodeAt(0) < 0x20 || c === '\x7f')) throw new KeyFileError(`Invalid group name: ${name}`);
        current = groups.get(name) ?? new Map<string, string>();
        groups.set(name, current);
        return;
      }
      const eq = line.indexOf('=');
      if (eq <= 0) throw new KeyFileError(`Key file contains line “${line}” which is not a key-value pair, group, or comment`);
      if (!current) throw new KeyFileError('Key file does not start with a group');
      const key = line.slice(0, eq).replace(/[ \t\n\v\f\r]+$/, '');
      if (!isKeyName(key)) throw new KeyFileError(`Invalid key name: ${key}`);
      if (key.endsWith(']')) return; // a translation
      const value = line.slice(eq + 1).replace(/^[ \t\n\v\f\r]+/, '');
      current.delete(key);
      current.set(key, value);
    });
    return new KeyFile(groups);
  }

  hasGroup(group: string): boolean {
    return this.groups.has(group);
  }

  /** g_key_file_get_value: the raw value. */
  value(group: string, key: string): string {
    const keys = this.groups.get(group);
    if (!keys) throw new KeyFileError(`Key file does not have group “${group}”`);
    const value = keys.get(key);
    if (value === undefined) throw new KeyFileError(`Key file does not have key “${key}” in group “${group}”`);
    return value;
  }

  /** g_key_file_get_integer: strtol's digits, then nothing or whitespace (anything may follow it), within a C int. */
  integer(group: string, key: string): number {
    const value = this.value(group, key);
    const match = /^[ \t\n\v\f\r]*([+-]?\d+)(?:[ \t\n\v\f\r]|$)/.exec(value);
    const n = match ? Number(match[1]) : Number.NaN;
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 31) throw uninterpretable(group, key);
    return n;
  }

  /** g_key_file_get_double: g_ascii_strtod over the whole value. */
  double(group: string, key: string): number {
    const value = this.value(group, key);
    const match = /^[ \t\n\v\f\r]*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan))$/i.exec(value);
    if (!match) throw uninterpretable(group, key);
    const text = match[1]!.toLowerCase();
    if (text.endsWith('nan')) return Number.NaN;
    if (text.includes('inf')) return text.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
    return Number.parseFloat(text);
  }
}

function uninterpretable(group: string, key: string): KeyFileError {
  return new KeyFileError(`Key file contains key “${key}” in group “${group}” which has a value that cannot be interpreted`);
}

/** g_key_file_is_key_name: no '=', '[' or ']' but a trailing [locale], no space at either end. */
function isKeyName(key: string): boolean {
  const match = /^([^=[\]]+)(\[[\p{L}\p{N}\-_.@]*\])?$/u.exec(key);
  return match !== null && !match[1]!.startsWith(' ') && !match[1]!.endsWith(' ');
}
