// The alignment file dialogs as the unit tests and the e2e host see them: they answer what the test
// chose (cancel until told otherwise) and record what they were asked.

import type { AlignmentDialogs } from '../../electron/main/compare-alignments';

export type AlignmentDialogCall = { dialog: 'load'; defaultFolder: string } | { dialog: 'save'; defaultPath: string };

export class StubAlignmentDialogs implements AlignmentDialogs {
  /** The file the open dialog answers; null: cancelled. */
  loadPath: string | null = null;
  /** The path the save dialog answers; null: cancelled. */
  savePath: string | null = null;
  readonly calls: AlignmentDialogCall[] = [];

  async chooseAlignmentFile(_senderId: number, defaultFolder: string): Promise<string | null> {
    this.calls.push({ dialog: 'load', defaultFolder });
    return this.loadPath;
  }

  async chooseAlignmentPath(_senderId: number, defaultPath: string): Promise<string | null> {
    this.calls.push({ dialog: 'save', defaultPath });
    return this.savePath;
  }
}
