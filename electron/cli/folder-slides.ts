// Folders of DICOM files in a batch: each holds one slide (the folder is then the input) or several
// (each becomes an input: the file that opens it, as the engine names them, in its folder's shard).
// The engine looks (the batch's first job's engine process, started before the inputs were listed),
// as it reads every slide; what it cannot open stays an input, to fail in the batch with its reason.

import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Result } from '../../shared/errors';
import type { OpenedSlide } from '../../shared/operations';
import { collectInputs, type FolderFiles, type FolderInput, isFolderInput, namesDependOn, type SlideInput } from './inputs';

export interface FolderOpener {
  open(path: string, client: null): Promise<Result<OpenedSlide>>;
  close(slideId: string): Promise<Result<void>>;
}

/**
 * The inputs with their DICOM folders opened: each stays an input where it is one slide (or none),
 * and gives way to its slides where it holds several. With `opens`, only the folders it accepts: a
 * shard opens its own and those its names depend on (namesDependOn), and leaves another shard's as
 * they are, an input it does not take (every shard opening every folder cost each ~35 ms a folder).
 */
async function expandFolderSlides(inputs: readonly SlideInput[], engine: FolderOpener, opens: (folder: FolderInput) => boolean): Promise<SlideInput[]> {
  const out: SlideInput[] = [];
  for (const input of inputs) {
    if (!isFolderInput(input) || !opens(input)) {
      out.push(input);
      continue;
    }
    let opened = await engine.open(input.path, null);
    // An engine restarted under it (another slide's crash): once more, or what the folder holds would be
    // decided by chance, and another shard looking at it could name its slides otherwise.
    if (!opened.ok && opened.error.code === 'WORKER_FAILED') opened = await engine.open(input.path, null);
    if (opened.ok) {
      await engine.close(opened.value.slideId);
      out.push(input);
    } else if (opened.error.code === 'SEVERAL_SLIDES' && opened.error.choices) {
      for (const choice of opened.error.choices) {
        const key = `${input.folder.within}${relative(input.path, choice.path).split(sep).join('/')}`;
        const listedIn = input.listedIn === undefined ? {} : { listedIn: input.listedIn };
        out.push({ path: choice.path, key, shardKey: input.key, bytes: (await stat(choice.path).catch(() => null))?.size ?? 0, ...listedIn });
      }
    } else {
      out.push(input);
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/**
 * The input a slide was listed as (the unit --shard splits on): its DICOM folder for a slide of a
 * folder of several, else the slide itself. Every shard counts the batch's inputs alike, though each
 * opens only its own folders.
 */
export function inputKey(slide: SlideInput): string {
  return slide.shardKey ?? slide.key;
}

/**
 * A batch's slides, its DICOM folders opened as far as this shard needs (all of them without a shard),
 * which of them are this shard's (`taken` says of a key whether the shard takes it), and how many
 * folders were left unopened (each then one of the slides, though it may hold several).
 */
export async function shardSlides(
  inputs: readonly SlideInput[],
  engine: FolderOpener,
  taken: (key: string) => boolean,
  folders: FolderFiles,
): Promise<{ slides: SlideInput[]; mine: (input: SlideInput) => boolean; unopened: number }> {
  const mine = (input: SlideInput) => taken(inputKey(input));
  if (!inputs.some(isFolderInput)) return { slides: [...inputs], mine, unopened: 0 };
  // Worked out at the first folder of another shard: a run without shards never needs it.
  let dependsOn: ((folder: FolderInput) => boolean) | undefined;
  let unopened = 0;
  const slides = await expandFolderSlides(inputs, engine, (folder) => {
    if (mine(folder)) return true;
    dependsOn ??= namesDependOn(inputs, mine, folders);
    if (dependsOn(folder)) return true;
    unopened++;
    return false;
  });
  return { slides, mine, unopened };
}

/** A slide a folder holds, as a batch given the folder lists it: its path, and its name within the folder. */
export interface FolderSlide {
  path: string;
  /** '/'-separated, relative to the folder (a DICOM slide's file in a subfolder: `case/series-1.dcm`). */
  name: string;
}

/**
 * The slides of one folder as `slidescope thumbnail <folder>` lists them (without --recursive): its
 * slide files, a MIRAX slide for its key file, and its DICOM folders (the folder itself among them),
 * each one slide or, where it holds several, each of those. The app's gallery of a folder lists it so.
 * Throws as the CLI does when the folder cannot be read.
 */
export async function listFolderSlides(folder: string, engine: FolderOpener): Promise<FolderSlide[]> {
  const { inputs } = await collectInputs({ args: [folder], recursive: false });
  const slides = await expandFolderSlides(inputs, engine, () => true);
  return slides.map((slide) => ({ path: slide.path, name: slide.key }));
}
