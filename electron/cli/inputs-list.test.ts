// --list's paths however the list was made: lines (CRLF, blank lines, comments), `find -print0`'s
// NUL-separated names, and UTF-16 as Windows PowerShell's `>` writes it, with or without its mark.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, describe, test } from 'node:test';
import { collectInputs, LIST_NOT_UTF8, ListProblem, listEntries, MAX_LIST_BYTES, MAX_LIST_ENTRIES } from './inputs';
import { firstControl } from './printable';
import { UsageError } from './usage-error';

const paths = ['site a/case 1/slide.svs', '병원/케이스-2/슬라이드.ndpi', 'x.tif'];

function utf16be(text: string): Buffer {
  return Buffer.from(text, 'utf16le').swap16();
}

describe('--list entries', () => {
  test('lines: CRLF, blank lines, # comments and surrounding spaces', () => {
    assert.deepEqual(listEntries(Buffer.from(`# cohort\r\n${paths[0]}\r\n\r\n  ${paths[1]}  \n${paths[2]}`)), paths);
  });

  test('NUL-separated (find -print0): names kept whole, even with a newline or a leading #, in an even or odd number of bytes', () => {
    // An even number of bytes also decodes as UTF-16 "text": the names must win over it.
    for (const names of [
      paths,
      ['#first.svs', 'two\nlines.svs'],
      ['ab/c.svs', 'x.tif'],
      ['./조직.tif', './b.svs'],
      ['.', './a/b.svs'],
      ['a', 'b'],
      ['1', '2', '3', '4'],
    ]) {
      for (const more of ['', 'x']) {
        const list = [`${more}${names[0]}`, ...names.slice(1)];
        const bytes = Buffer.from(`${list.join('\0')}\0`);
        assert.deepEqual(listEntries(bytes), list, `${bytes.length} bytes: ${JSON.stringify(list)}`);
      }
    }
  });

  test('UTF-16 little- and big-endian, with a byte-order mark (Korean names too) or ASCII without one', () => {
    const text = `${paths.join('\r\n')}\r\n`;
    assert.deepEqual(listEntries(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])), paths);
    assert.deepEqual(listEntries(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])), paths);
    assert.deepEqual(listEntries(Buffer.from('a/b.svs\r\nc.tif\r\n', 'utf16le')), ['a/b.svs', 'c.tif']);
    assert.deepEqual(listEntries(utf16be('a/b.svs\nc.tif\n')), ['a/b.svs', 'c.tif']);
  });

  test('UTF-16 without a mark holding Korean names, or one name without a line end: never split at its NULs', () => {
    // Read as UTF-8 and split at NULs, each character became a path, "/" among them: a whole-disk scan.
    const korean = ['/data/병원 A/케이스 2/조직.tif', '/data/site b/case 3/s.scn'];
    assert.deepEqual(listEntries(Buffer.from(`${korean.join('\n')}\n`, 'utf16le')), korean);
    assert.deepEqual(listEntries(utf16be(`${korean.join('\r\n')}\r\n`)), korean);
    for (const one of ['/data/a.svs', '/d/조직.tif', '/данные/срез.svs', '切片.svs', 'Δείγμα.svs', 'próbka.svs']) {
      assert.deepEqual(listEntries(Buffer.from(one, 'utf16le')), [one], one);
      assert.deepEqual(listEntries(utf16be(one)), [one], one);
    }
  });

  test('UTF-8 with its mark, lines or NUL-separated', () => {
    assert.deepEqual(listEntries(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(paths.join('\n'))])), paths);
    assert.deepEqual(listEntries(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`${paths.join('\0')}\0`)])), paths);
  });
});

describe('--list - from find -print0', () => {
  let top = '';
  after(() => rm(top, { recursive: true, force: true }));

  test('each file one slide, relative to the working folder', async () => {
    top = await mkdtemp(join(tmpdir(), 'slidescope-list-'));
    for (const path of paths) {
      await mkdir(join(top, path, '..'), { recursive: true });
      await writeFile(join(top, path), 'not a slide');
    }
    const cwd = process.cwd();
    process.chdir(top);
    try {
      const { inputs } = await collectInputs({ args: [], list: '-', recursive: false, stdin: Readable.from([Buffer.from(`${paths.join('\0')}\0`)]) });
      assert.deepEqual(inputs.map((input) => input.path).sort(), paths.map((path) => join(top, path)).sort());
    } finally {
      process.chdir(cwd);
    }
  });

  test("a list none of whose paths is there says so (allAbsent: the CLI's usage error); one missing among others is an input that fails", async () => {
    const list = join(top, 'lists', 'retry.txt');
    await mkdir(join(list, '..'), { recursive: true });
    await writeFile(list, `${paths[0]}\n${paths[2]}\n`);
    const none = await collectInputs({ args: [], list, recursive: false });
    assert.deepEqual(none.allAbsent, [join(top, 'lists', paths[0]!), join(top, 'lists', paths[2]!)]);
    await writeFile(list, `../${paths[0]}\n${paths[2]}\n`);
    const some = await collectInputs({ args: [], list, recursive: false });
    assert.equal(some.allAbsent, null);
    assert.deepEqual(
      some.inputs.map((input) => input.path),
      [join(top, 'lists', paths[2]!), join(top, paths[0]!)],
    );
  });

  test('a list naming the root of a file system is refused: never a cohort, and what a misread list gives', async () => {
    await assert.rejects(
      () => collectInputs({ args: [], list: '-', recursive: true, stdin: Readable.from([Buffer.from('/data/a.svs\n/\n')]) }),
      /the list - names \/, the root of a file system/,
    );
  });
});

describe('--list that is not a list of paths', () => {
  const dir = mkdtempSync(join(tmpdir(), 'slidescope-badlist-'));
  after(() => rm(dir, { recursive: true, force: true }));
  const listOf = async (name: string, bytes: Buffer) => {
    await writeFile(join(dir, name), bytes);
    return collectInputs({ args: [], list: join(dir, name), recursive: false });
  };
  /** The error's message, with no control character in it raw. */
  const refusal = async (name: string, bytes: Buffer): Promise<string> => {
    const error = await listOf(name, bytes).then(
      () => assert.fail(`${name} was taken`),
      (e: unknown) => e,
    );
    assert.ok(error instanceof UsageError, String(error));
    assert.equal(firstControl(error.message), -1, JSON.stringify(error.message));
    return error.message;
  };

  test('a binary file (a PNG) is refused naming the file, the line and the control character, escaped', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    assert.match(await refusal('image.png', png), /the list .*image\.png, name 1 holds a control character \(\\x1A\): it is not a text file of paths/);
    assert.match(await refusal('esc.txt', Buffer.from('a.svs\n# \x1b[31mred\n')), /esc\.txt, line 2 holds a control character \(\\x1B\).*\\x1B\[31mred/);
    assert.match(await refusal('odd16.txt', Buffer.from([0xff, 0xfe, 0xfd, 0x0a, 0x2f])), /odd16\.txt starts as UTF-16 .* odd number of bytes/);
    assert.match(await refusal('not16.txt', Buffer.from([0xff, 0xfe, 0xfd, 0x0a, 0x2f, 0x74])), /not16\.txt starts as UTF-16 .* not one ASCII character/);
  });

  test("a name not UTF-8 gives the folder scan's reason, naming the list and its line", async () => {
    const latin = Buffer.concat([Buffer.from('good.svs\n/data/caf'), Buffer.from([0xe9]), Buffer.from('.svs\n')]);
    const message = await refusal('latin.txt', latin);
    assert.ok(message.includes(`latin.txt, line 2 ("/data/caf\uFFFD.svs"): ${LIST_NOT_UTF8}`), message);
    const separated = Buffer.concat([Buffer.from('/data/caf'), Buffer.from([0xe9]), Buffer.from('.svs\0')]);
    assert.ok((await refusal('latin0.txt', separated)).includes(`latin0.txt, name 1 ("/data/caf\uFFFD.svs"): ${LIST_NOT_UTF8}`));
    // U+FFFD written as such in a UTF-8 list is a name's own character.
    assert.deepEqual(listEntries(Buffer.from('caf\uFFFD.svs\n')), ['caf\uFFFD.svs']);
  });

  test('a list larger than MAX_LIST_BYTES, or of more than MAX_LIST_ENTRIES paths, is refused before it costs memory without bound', async () => {
    assert.throws(
      () => listEntries(Buffer.from('a\n'.repeat(MAX_LIST_ENTRIES + 1))),
      (e: unknown) => e instanceof ListProblem && /more than 4000000 paths/.test(e.message) && e.where === `line ${MAX_LIST_ENTRIES + 1}`,
    );
    let sent = 0;
    const endless = new Readable({
      read() {
        sent += 1 << 20;
        this.push(Buffer.alloc(1 << 20, 'a\n'));
      },
    });
    await assert.rejects(() => collectInputs({ args: [], list: '-', recursive: false, stdin: endless }), /the list - is larger than 256 MB/);
    assert.ok(sent <= MAX_LIST_BYTES + (2 << 20), `${sent} bytes read`);
  });
});
