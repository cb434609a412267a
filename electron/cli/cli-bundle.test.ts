// The CLI's own process reads no slide: the engine processes do. Its bundle must not pull in the
// format readers or codecs (a MIRAX helper imported from the reader once made every run 0.1 s slower
// to start, and a cohort in shards pays that per shard).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

test("the CLI's bundle holds no format reader, TIFF reader or codec", async () => {
  const result = await build({
    entryPoints: [`${ROOT}electron/cli/main.ts`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const engine = Object.keys(result.metafile.inputs).filter((path) => path.startsWith('electron/engine/'));
  const readers = engine.filter(
    (path) =>
      /^electron\/engine\/(tiff\/(?!field-types\.ts$)|codecs\/|colour\/)/.test(path) ||
      /^electron\/engine\/formats\/(?!mirax\/mirax-files\.ts$|xml-document\.ts$)/.test(path),
  );
  assert.deepEqual(readers, [], `the CLI bundles ${readers.join(', ')}`);
  assert.ok(engine.includes('electron/engine/formats/mirax/mirax-files.ts'), 'the test sees the bundle the CLI makes');
});
