// Folders of DICOM files in a batch: each holds one slide (the folder is then the input) or several
// (each becomes an input: the file that opens it, as the engine names them). The engine looks (the
// batch's first job's engine process, started before the inputs were listed), as it reads every
// slide; what it cannot open stays an input, to fail in the batch with its reason.

import { stat } from 'node:fs/promises';
import { relative, sep } from 'node:path';
import type { Result } from '../../shared/errors';
import type { OpenedSlide } from '../../shared/operations';
import type { SlideInput } from './inputs';

export interface FolderOpener {
  open(path: string, client: null): Promise<Result<OpenedSlide>>;
  close(slideId: string): Promise<Result<void>>;
}

export async function expandFolderSlides(inputs: readonly SlideInput[], engine: FolderOpener): Promise<SlideInput[]> {
  const out: SlideInput[] = [];
  for (const input of inputs) {
    if (!input.folder) {
      out.push(input);
      continue;
    }
    const opened = await engine.open(input.path, null);
    if (opened.ok) {
      await engine.close(opened.value.slideId);
      out.push(input);
    } else if (opened.error.code === 'SEVERAL_SLIDES' && opened.error.choices) {
      for (const choice of opened.error.choices) {
        const key = `${input.folder.within}${relative(input.path, choice.path).split(sep).join('/')}`;
        out.push({ path: choice.path, key, bytes: (await stat(choice.path).catch(() => null))?.size ?? 0 });
      }
    } else {
      out.push(input);
    }
  }
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
