// The annotations of the slide on screen, outside React: the document (immutable snapshots), undo and
// redo, the selection, the tool and class in use, and saving. Every view of the slide (the single
// view, each grid cell) draws from it and edits through it; the list and the toolbar read it with
// useSyncExternalStore. A change is saved without asking, a moment after the last one (each save
// replaces the stored file whole), and before the slide goes away.

import { type Box, shapeBounds } from '../../../shared/annotation-geometry';
import { GridIndex } from '../../../shared/annotation-index';
import {
  type Annotation,
  type AnnotationClass,
  type AnnotationDocument,
  type AnnotationLocation,
  checkDocument,
  type DocumentProblem,
  emptyDocument,
  type ImportedAnnotations,
  mergeDocuments,
} from '../../../shared/annotations';
import type { ErrorInfo } from '../../../shared/errors';
import type { SlidescopeApi } from '../../../shared/ipc';
import type { SlideInfo } from '../../../shared/slide';
import { t } from '../i18n/i18n';

export type Tool = 'select' | 'ruler' | 'point' | 'rectangle' | 'ellipse' | 'polygon' | 'freehand';

/** Saves in flight, by slide: a session let go of (another tab shown) may still be storing its last change. */
const savesInFlight = new Map<string, Promise<void>>();

/** Resolves once no save of the slide's annotations is under way: its engine handle may then be let go. */
export async function annotationsStored(slideId: string): Promise<void> {
  for (let saving = savesInFlight.get(slideId); saving; saving = savesInFlight.get(slideId)) await saving;
}

/** A shape being drawn in one view: the keyboard finishes or cancels it there. */
export interface Draft {
  finish(): void;
  cancel(): void;
  /** Takes back the last vertex of a polygon being drawn; false when there is none to take. */
  removeLastVertex(): boolean;
}

export type SaveStatus =
  | { state: 'loading' }
  | { state: 'saved'; location: AnnotationLocation | null }
  | { state: 'saving' }
  | { state: 'failed'; error: ErrorInfo };

/** Where the right-click menu opens (client pixels) and for which annotation. */
export interface ContextMenuAt {
  x: number;
  y: number;
  annotationId: string | null;
}

export interface SessionState {
  document: AnnotationDocument;
  selectedId: string | null;
  tool: Tool;
  /** The class new annotations get (null: unclassified). */
  activeClass: string | null;
  canUndo: boolean;
  canRedo: boolean;
  save: SaveStatus;
  contextMenu: ContextMenuAt | null;
  /** The last step of a shape drawn from the keyboard, said by the toolbar's live region; `id` makes a repeat heard again. */
  announcement: { text: string; id: number } | null;
}

/** Undo steps kept: each is a snapshot sharing all unchanged annotations with its neighbours. */
const HISTORY = 200;
/** Saved this long after the last change: a drag of many steps is one write. */
const SAVE_DELAY_MS = 300;

/** What can go wrong with a slide's stored annotations. */
export type SessionProblem = 'load' | 'unreadable' | 'save';

type Listener = () => void;
type FocusListener = (box: Box) => void;

export class AnnotationSession {
  readonly slideId: string;
  readonly info: SlideInfo;
  #state: SessionState;
  readonly #api: SlidescopeApi;
  readonly #onError: (problem: SessionProblem, error: ErrorInfo) => void;
  readonly #listeners = new Set<Listener>();
  readonly #focusListeners = new Set<FocusListener>();
  #undo: AnnotationDocument[] = [];
  #redo: AnnotationDocument[] = [];
  #index: { document: AnnotationDocument; index: GridIndex; boxes: Box[] } | null = null;
  #draft: Draft | null = null;
  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** The save in flight; a change meanwhile is saved after it. */
  #saving: Promise<void> | null = null;
  #dirty = false;
  #loaded = false;
  #disposed = false;

  constructor(api: SlidescopeApi, slide: { slideId: string; info: SlideInfo }, onError: (problem: SessionProblem, error: ErrorInfo) => void) {
    this.#api = api;
    this.slideId = slide.slideId;
    this.info = slide.info;
    this.#onError = onError;
    this.#state = {
      document: emptyDocument(),
      selectedId: null,
      tool: 'select',
      activeClass: null,
      canUndo: false,
      canRedo: false,
      save: { state: 'loading' },
      contextMenu: null,
      announcement: null,
    };
  }

  // ---- Subscription ------------------------------------------------------------------------------

  readonly subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  readonly getState = (): SessionState => this.#state;

  #set(patch: Partial<SessionState>): void {
    this.#state = { ...this.#state, ...patch, canUndo: this.#undo.length > 0, canRedo: this.#redo.length > 0 };
    for (const listener of [...this.#listeners]) listener();
  }

  /** Views hear where to centre when an annotation is picked in the list. */
  onFocus(listener: FocusListener): () => void {
    this.#focusListeners.add(listener);
    return () => this.#focusListeners.delete(listener);
  }

  // ---- Loading and saving ------------------------------------------------------------------------

  async load(): Promise<void> {
    const result = await this.#api.loadAnnotations({ slideId: this.slideId });
    if (this.#disposed) return;
    this.#loaded = true;
    if (!result.ok) {
      this.#set({ save: { state: 'failed', error: result.error } });
      this.#onError('load', result.error);
      return;
    }
    const { document, location, unreadable } = result.value;
    if (unreadable) {
      const { code, message, keptAs } = unreadable;
      this.#onError('unreadable', { code, message: keptAs ? t('annotations.keptAs', { message, file: keptAs }) : message });
    }
    this.#set({ document, save: { state: 'saved', location } });
  }

  #scheduleSave(): void {
    this.#dirty = true;
    // Not saved until the write after this change is done.
    if (this.#state.save.state !== 'saving') this.#set({ save: { state: 'saving' } });
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      void this.flush();
    }, SAVE_DELAY_MS);
  }

  /** Saves now what is not saved yet; resolves when what was asked before it is stored. */
  async flush(): Promise<void> {
    if (this.#saveTimer) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
    }
    while (this.#saving) await this.#saving;
    if (!this.#dirty || !this.#loaded) return;
    this.#dirty = false;
    const document = this.#state.document;
    const saving = this.#api.saveAnnotations({ slideId: this.slideId, document }).then((result) => {
      this.#saving = null;
      if (savesInFlight.get(this.slideId) === saving) savesInFlight.delete(this.slideId);
      // A failed last save is told even after the session is let go: the change is not stored.
      if (!result.ok) this.#onError('save', result.error);
      if (this.#disposed) return;
      if (result.ok) {
        if (!this.#dirty) this.#set({ save: { state: 'saved', location: result.value } });
      } else {
        this.#set({ save: { state: 'failed', error: result.error } });
      }
    });
    this.#saving = saving;
    savesInFlight.set(this.slideId, saving);
    await saving;
  }

  /** The slide goes away: what is not saved is saved, and nothing is heard from the session again but that save failing. */
  async dispose(): Promise<void> {
    const saved = this.flush();
    this.#disposed = true;
    this.#listeners.clear();
    this.#focusListeners.clear();
    await saved;
  }

  // ---- Editing -----------------------------------------------------------------------------------

  /** Replaces the document as one undoable step, and saves it. */
  commit(document: AnnotationDocument, selectedId = this.#state.selectedId): void {
    if (!this.#loaded) return;
    this.#undo.push(this.#state.document);
    if (this.#undo.length > HISTORY) this.#undo.shift();
    this.#redo = [];
    this.#set({ document, selectedId: document.annotations.some((a) => a.id === selectedId) ? selectedId : null });
    this.#scheduleSave();
  }

  add(annotation: Omit<Annotation, 'classification'>): void {
    const { document, activeClass } = this.#state;
    this.commit({ ...document, annotations: [...document.annotations, { ...annotation, classification: activeClass }] }, annotation.id);
  }

  update(id: string, change: (annotation: Annotation) => Annotation): void {
    const { document } = this.#state;
    this.commit({ ...document, annotations: document.annotations.map((a) => (a.id === id ? change(a) : a)) });
  }

  remove(id: string): void {
    const { document } = this.#state;
    if (!document.annotations.some((a) => a.id === id)) return;
    this.commit({ ...document, annotations: document.annotations.filter((a) => a.id !== id) });
  }

  /**
   * A file read by main: added after what is there, as one undoable step. Answers how many were added
   * (none held already), or why the two together are refused (past a slide's limits): then nothing is added.
   */
  merge(imported: ImportedAnnotations): { added: number } | { refused: DocumentProblem } {
    const before = this.#state.document.annotations.length;
    const merged = mergeDocuments(this.#state.document, imported.document, () => crypto.randomUUID());
    const added = merged.annotations.length - before;
    // Nothing new (the same file again): no step to undo, nothing to save.
    if (added === 0 && merged.classes.length === this.#state.document.classes.length) return { added };
    // Kept only if it can be saved: otherwise every save after it would fail until it was undone.
    const checked = checkDocument(merged);
    if (!checked.ok) return { refused: checked.problem };
    this.commit(merged, null);
    return { added };
  }

  setClasses(classes: AnnotationClass[]): void {
    const names = new Set(classes.map((c) => c.name));
    const { document } = this.#state;
    // Annotations of a class that is gone become unclassified.
    const annotations = document.annotations.map((a) => (a.classification !== null && !names.has(a.classification) ? { ...a, classification: null } : a));
    this.commit({ ...document, classes, annotations });
    if (this.#state.activeClass !== null && !names.has(this.#state.activeClass)) this.#set({ activeClass: null });
  }

  /** Renames a class and every annotation of it. */
  renameClass(from: string, to: string): void {
    const { document } = this.#state;
    this.commit({
      ...document,
      classes: document.classes.map((c) => (c.name === from ? { ...c, name: to } : c)),
      annotations: document.annotations.map((a) => (a.classification === from ? { ...a, classification: to } : a)),
    });
    if (this.#state.activeClass === from) this.#set({ activeClass: to });
  }

  undo(): void {
    // Mid-shape, undo takes back what is being drawn (its last vertex, or the shape), as Backspace
    // does: not an annotation finished before it, unseen behind the shape.
    if (this.#draft) {
      if (!this.#draft.removeLastVertex()) this.#draft.cancel();
      return;
    }
    const previous = this.#undo.pop();
    if (!previous) return;
    this.#redo.push(this.#state.document);
    this.#restore(previous);
  }

  redo(): void {
    const next = this.#redo.pop();
    if (!next) return;
    this.#undo.push(this.#state.document);
    this.#restore(next);
  }

  #restore(document: AnnotationDocument): void {
    const { selectedId } = this.#state;
    this.#set({ document, selectedId: document.annotations.some((a) => a.id === selectedId) ? selectedId : null });
    this.#scheduleSave();
  }

  // ---- What the views share ----------------------------------------------------------------------

  select(id: string | null): void {
    if (id !== this.#state.selectedId) this.#set({ selectedId: id });
  }

  setTool(tool: Tool): void {
    this.#draft?.cancel();
    if (tool !== this.#state.tool) this.#set({ tool });
  }

  setActiveClass(name: string | null): void {
    this.#set({ activeClass: name });
  }

  openContextMenu(at: ContextMenuAt | null): void {
    this.#set({ contextMenu: at });
  }

  /** Tells a screen reader what a view did (a vertex placed, a shape drawn). */
  announce(text: string): void {
    this.#set({ announcement: { text, id: (this.#state.announcement?.id ?? 0) + 1 } });
  }

  /** The annotation's box to every view: each centres on it. */
  focus(id: string): void {
    const annotation = this.#state.document.annotations.find((a) => a.id === id);
    if (!annotation) return;
    this.select(id);
    const box = shapeBounds(annotation.shape);
    for (const listener of [...this.#focusListeners]) listener(box);
  }

  /** The grid index over the current document's annotations (rebuilt when the document changes). */
  index(): { index: GridIndex; boxes: Box[] } {
    const { document } = this.#state;
    if (this.#index?.document !== document) {
      const boxes = document.annotations.map((a) => shapeBounds(a.shape));
      this.#index = { document, index: new GridIndex(boxes), boxes };
    }
    return this.#index;
  }

  get draft(): Draft | null {
    return this.#draft;
  }

  /** A view starts (or ends, with null) drawing a shape: the keyboard speaks to it. */
  setDraft(draft: Draft | null): void {
    if (this.#draft && draft && this.#draft !== draft) this.#draft.cancel();
    this.#draft = draft;
  }
}
