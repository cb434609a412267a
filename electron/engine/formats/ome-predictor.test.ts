// Fluorescence OME-TIFF planes stored with Predictor 2 (horizontal differencing, tifffile's
// `predictor=True`): composited as the same planes stored without it, 8- and
// 16-bit, in either byte order.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SlideEngine } from '../engine';

const engine = new SlideEngine({ tileEncoding: 'png' });
after(() => engine.closeAll());

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'slidescope-ome-predictor-'));
});
after(() => rm(dir, { recursive: true, force: true }));

/** tifffile's OME-TIFF of two named channels (CYX, tiled), the same samples for each `variants` entry. */
function writeVariants(dtype: 'uint8' | 'uint16', variants: Record<string, string>): Record<string, string> {
  const paths = Object.fromEntries(Object.keys(variants).map((name) => [name, join(dir, `${dtype}-${name}.ome.tif`)]));
  const script = `
import sys, json, numpy as np, tifffile
paths, variants = json.loads(sys.argv[1]), json.loads(sys.argv[2])
rng = np.random.default_rng(4)
top = 255 if '${dtype}' == 'uint8' else 4095
# Smooth gradients and noise: differencing changes every stored byte.
y, x = np.mgrid[0:150, 0:170]
data = np.stack([(x * 7 + y * 3) % top, rng.integers(0, top, size=(150, 170))]).astype('${dtype}')
meta = {'axes': 'CYX', 'Channel': {'Name': ['DAPI', 'FITC']}}
for name, args in variants.items():
    tifffile.imwrite(paths[name], data, tile=(64, 64), photometric='minisblack', metadata=meta, **eval('dict(' + args + ')'))
`;
  const run = spawnSync('/usr/bin/python3', ['-c', script, JSON.stringify(paths), JSON.stringify(variants)], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return paths;
}

async function composite(path: string): Promise<Uint8Array> {
  const slideId = randomUUID();
  const info = await engine.open({ slideId, path, client: null });
  try {
    assert.equal(info.channels?.length, 2, path);
    return (await engine.readRegion({ slideId, level: 0, x: 0, y: 0, width: 170, height: 150 })).data;
  } finally {
    await engine.close({ slideId });
  }
}

for (const dtype of ['uint8', 'uint16'] as const) {
  test(`${dtype} channels stored with Predictor 2 (Deflate; ${dtype === 'uint16' ? 'both byte orders' : 'one byte order'}): the composite of the same samples stored without it`, async () => {
    const paths = writeVariants(dtype, {
      plain: "compression='zlib'",
      deflate: "compression='zlib', predictor=True",
      ...(dtype === 'uint16' ? { big: "compression='zlib', predictor=True, byteorder='>'" } : {}),
    });
    const plain = await composite(paths.plain!);
    for (const name of Object.keys(paths).filter((n) => n !== 'plain')) assert.deepEqual(await composite(paths[name]!), plain, name);
  });
}
