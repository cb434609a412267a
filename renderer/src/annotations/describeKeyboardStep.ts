// What a screen reader hears at each step of a shape drawn from the keyboard, in the window's
// language: where a point went (µm from the slide's top-left corner), and the finished shape's
// measurement as the annotation list gives it.

import type { DetectionSet } from '../../../shared/detections';
import { classLabel } from '../../../shared/i18n/class-label';
import type { Mpp } from '../../../shared/slide';
import { formatPosition } from '../i18n/format';
import { t } from '../i18n/i18n';
import { describeMeasurement } from './describeMeasurement';
import { detectionKind } from './detectionLayer';
import type { KeyboardTool, Placed, Point } from './keyboardDraft';

const STARTED = {
  ruler: 'keyboardDrawing.rulerStarted',
  rectangle: 'keyboardDrawing.rectangleStarted',
  ellipse: 'keyboardDrawing.ellipseStarted',
  polygon: 'keyboardDrawing.polygonStarted',
  point: 'keyboardDrawing.pointAdded',
} as const;

/** "x 1,234 µm" and "y 567 µm" of a level-0 point (pixels when the slide has no scale). */
function position(at: Point, mpp: Mpp | null): { x: string; y: string } {
  return mpp
    ? { x: formatPosition(at.x * mpp.x, 'µm'), y: formatPosition(at.y * mpp.y, 'µm') }
    : { x: formatPosition(at.x, 'px'), y: formatPosition(at.y, 'px') };
}

export function describePlaced(placed: Placed, tool: KeyboardTool, mpp: Mpp | null): string {
  switch (placed.kind) {
    case 'started':
      return t(STARTED[tool], position(placed.at, mpp));
    case 'vertex':
      return t('keyboardDrawing.vertexAdded', { number: placed.number, ...position(placed.at, mpp) });
    case 'finished':
      if (placed.shape.kind === 'point') return t('keyboardDrawing.pointAdded', position(placed.at, mpp));
      return t('keyboardDrawing.finished', { shape: t(`shapes.${placed.shape.kind}`), measurement: describeMeasurement(placed.shape, mpp) });
    case 'same-place':
      return t('keyboardDrawing.samePlace');
    case 'flat':
      return t('keyboardDrawing.flat');
    case 'too-few':
      return t('keyboardDrawing.tooFew');
  }
}

/** Backspace took vertex `number` back (the draft goes on). */
export function describeRemoved(number: number): string {
  return t('keyboardDrawing.vertexRemoved', { number });
}

export function describeCancelled(tool: KeyboardTool): string {
  return t('keyboardDrawing.cancelled', { shape: t(`tools.${tool}`) });
}

/** Enter with the freehand tool: a stroke cannot be traced from the keyboard. */
export function describeMouseOnly(): string {
  return t('keyboardDrawing.freehandMouseOnly');
}

/** A detection picked from the keyboard: its kind and class, and where it is in the order from the view's centre. */
export function describeDetectionStep(set: DetectionSet, index: number, number: number, count: number): string {
  const cls = set.classes[set.classOf[index]!]!;
  return t('detections.stepped', { kind: t(`detections.${detectionKind(set, index)}`), cls: classLabel(t, cls.name), number, count });
}

export function describeNoDetections(): string {
  return t('detections.noneInView');
}
