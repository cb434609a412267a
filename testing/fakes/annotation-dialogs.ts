// The annotation dialogs as the unit tests and the e2e host see them: they answer what the test chose
// (cancel until told otherwise) and record what they were asked.

import type { AnnotationDialogs } from '../../electron/main/slide-annotations';
import type { AnnotationFormat } from '../../shared/annotations';

export type AnnotationDialogCall =
  | { dialog: 'import' | 'detections'; defaultFolder: string }
  | { dialog: 'export'; defaultPath: string; format: AnnotationFormat };

export class StubAnnotationDialogs implements AnnotationDialogs {
  /** The file the import dialog answers; null: cancelled. */
  importPath: string | null = null;
  /** The file the detections dialog answers; null: cancelled. */
  detectionsPath: string | null = null;
  /** The path the export dialog answers; null: cancelled. */
  exportPath: string | null = null;
  readonly calls: AnnotationDialogCall[] = [];

  async chooseImportFile(_senderId: number, defaultFolder: string): Promise<string | null> {
    this.calls.push({ dialog: 'import', defaultFolder });
    return this.importPath;
  }

  async chooseDetectionsFile(_senderId: number, defaultFolder: string): Promise<string | null> {
    this.calls.push({ dialog: 'detections', defaultFolder });
    return this.detectionsPath;
  }

  async chooseExportPath(_senderId: number, defaultPath: string, format: AnnotationFormat): Promise<string | null> {
    this.calls.push({ dialog: 'export', defaultPath, format });
    return this.exportPath;
  }
}
