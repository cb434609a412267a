// The engine does not depend on the slide generator: no module under electron/engine/ reaches
// electron/synth/, directly or through other modules (static and dynamic imports, re-exports, and
// worker scripts named with a literal new URL(..., import.meta.url)), nor does the engine process's
// code (its main thread, lanes and codec threads): a lane loads the built-in sample's generator from
// its own bundle when the sample is first asked for. Tests (*.test.ts) are not the engine: they may
// make their slides with the synth.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENGINE = join(ROOT, 'electron/engine');
const SYNTH = join(ROOT, 'electron/synth');

const REFERENCES = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
  /\bimport\s*['"]([^'"]+)['"]/g,
  /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url/g,
];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/** The file a relative specifier names (as tsx resolves it), or the bare path when none exists. */
function resolveSpecifier(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidates = [base, `${base}.ts`, `${base}.mts`, join(base, 'index.ts'), base.replace(/\.m?js$/, '.ts'), base.replace(/\.mjs$/, '.mts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile()) ?? base;
}

/** Every module the roots reach through relative references, each with the chain that reached it. */
function reached(roots: string[]): Map<string, string[]> {
  const chains = new Map<string, string[]>(roots.map((r) => [r, [r]]));
  const queue = [...roots];
  for (let file = queue.shift(); file; file = queue.shift()) {
    if (!/\.(m?ts|m?js)$/.test(file) || !existsSync(file)) continue;
    const text = readFileSync(file, 'utf8');
    for (const pattern of REFERENCES) {
      for (const [, specifier] of text.matchAll(pattern)) {
        if (!specifier?.startsWith('.')) continue; // packages and node: builtins
        const target = resolveSpecifier(file, specifier);
        if (chains.has(target)) continue;
        chains.set(target, [...chains.get(file)!, target]);
        queue.push(target);
      }
    }
  }
  return chains;
}

function intoSynth(chains: Map<string, string[]>): string[] {
  return [...chains].filter(([file]) => !relative(SYNTH, file).startsWith('..')).map(([, chain]) => chain.map((f) => relative(ROOT, f)).join(' -> '));
}

test('no module of the engine imports the slide generator (electron/synth/), directly or indirectly', () => {
  const roots = sourceFiles(ENGINE);
  const chains = reached(roots);
  assert.ok(roots.length > 30 && chains.size >= roots.length, `scanned ${roots.length} engine modules, reached ${chains.size}`);
  assert.deepEqual(intoSynth(chains), []);
});

// Each thread's entry is a root of its own: the engine process names its lanes' and codec threads'
// scripts with URLs computed at run time, which the scan does not follow, as it does not the sample's
// generator, loaded by such a URL when the sample is first asked for.
test('nor does the engine process: its main thread, its lanes and their codec threads', () => {
  const roots = ['engine-host/engine-process.ts', 'engine-host/lane.ts', 'engine/codecs/codec-thread.ts'].map((f) => join(ROOT, 'electron', f));
  const chains = reached(roots);
  assert.ok(chains.size > 60, `reached ${chains.size} modules`);
  assert.deepEqual(intoSynth(chains), []);
});

test('the scan finds such an import where there is one (the script that stores the warm-up slide)', () => {
  const chains = reached([join(ROOT, 'scripts/make-warm-up-slide.ts')]);
  assert.ok(intoSynth(chains).includes('scripts/make-warm-up-slide.ts -> electron/synth/warm-up-slide.ts'), intoSynth(chains).join('\n'));
});
