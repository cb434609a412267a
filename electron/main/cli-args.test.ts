import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

import { headlessCliArgv, isSecondInstanceData, parseCliArgs } from './cli-args';

const cwd = resolve('/home/user/work');

describe('parseCliArgs', () => {
  it('packaged: every non-flag argument is a slide, resolved against cwd', () => {
    const args = parseCliArgs(['/opt/Slidescope/slidescope', 'a.svs', '--no-sandbox', '/data/b.tiff', 'a.svs'], { cwd, defaultApp: false });
    assert.deepEqual(args.slides, [resolve(cwd, 'a.svs'), resolve('/data/b.tiff')]);
    assert.equal(args.sample, false);
  });

  it('development: skips the app path given to electron, even after flags', () => {
    assert.deepEqual(parseCliArgs(['/x/electron', '.', 'c.svs'], { cwd, defaultApp: true }).slides, [resolve(cwd, 'c.svs')]);
    assert.deepEqual(parseCliArgs(['/x/electron', '--inspect=5858', '.', 'c.svs'], { cwd, defaultApp: true }).slides, [resolve(cwd, 'c.svs')]);
    assert.deepEqual(parseCliArgs(['/x/electron', '.'], { cwd, defaultApp: true }).slides, []);
  });

  it('skips Electron/Chromium switches and macOS -psn, honours --', () => {
    const args = parseCliArgs(['slidescope', '-psn_0_12345', '--enable-logging', '--', '--weird-name.svs'], { cwd, defaultApp: false });
    assert.deepEqual(args.slides, [resolve(cwd, '--weird-name.svs')]);
  });

  it('accepts file:// URLs (Linux desktop entries pass %U) and ignores other URLs', () => {
    const file = resolve('/data/slide one.svs');
    const args = parseCliArgs(['slidescope', pathToFileURL(file).href, 'https://example.com/x.svs'], { cwd, defaultApp: false });
    assert.deepEqual(args.slides, [file]);
  });

  it('--sample and --no-sample', () => {
    assert.equal(parseCliArgs(['slidescope', '--sample'], { cwd, defaultApp: false }).sample, true);
    assert.equal(parseCliArgs(['slidescope', '--no-sample'], { cwd, defaultApp: false }).noSample, true);
  });

  it('second-instance data', () => {
    assert.equal(isSecondInstanceData({ argv: ['a'], cwd: '/' }), true);
    assert.equal(isSecondInstanceData({ argv: [1], cwd: '/' }), false);
    assert.equal(isSecondInstanceData(null), false);
  });
});

describe('headlessCliArgv', () => {
  it('a CLI command first (after Chromium switches the launcher adds) runs the command line; anything else the viewer', () => {
    const packaged = { defaultApp: false };
    assert.deepEqual(
      headlessCliArgv(['/opt/Slidescope/slidescope', '--ozone-platform=headless', '--disable-gpu', 'thumbnail', 'd', '--out', 'o', '--jobs', '2'], packaged),
      ['thumbnail', 'd', '--out', 'o', '--jobs', '2'],
    );
    assert.deepEqual(headlessCliArgv(['Slidescope.exe', 'report', 'merge', 'a.jsonl'], packaged), ['report', 'merge', 'a.jsonl']);
    assert.deepEqual(headlessCliArgv(['slidescope', '--help'], packaged), ['--help']);
    assert.deepEqual(headlessCliArgv(['electron', '.', 'info', 'a.svs', '--json'], { defaultApp: true }), ['info', 'a.svs', '--json']);
    assert.equal(headlessCliArgv(['slidescope', 'a.svs'], packaged), null);
    assert.equal(headlessCliArgv(['slidescope', '--no-sandbox', '/data/thumbnail'], packaged), null);
    assert.equal(headlessCliArgv(['slidescope'], packaged), null);
    assert.equal(headlessCliArgv(['electron', '.'], { defaultApp: true }), null);
  });
});
