// The detections shown over the slide that an annotation holds, by class (QuPath's rule: by their
// centroid), and per mm² where the slide gives its pixel size: what QuPath's annotation measurements
// "Num Detections" and "Num Tumor" say, beside the annotation being edited.

import { useMemo } from 'react';
import type { Annotation } from '../../../shared/annotations';
import { countDetectionsIn, type DetectionCentroids, detectionCentroids } from '../../../shared/detection-counts';
import type { DetectionSet } from '../../../shared/detections';
import { classLabel } from '../../../shared/i18n/class-label';
import type { SlideId } from '../../../shared/ipc';
import type { Mpp } from '../../../shared/slide';
import { useDetectionStore, useSlideDetections } from '../annotations/DetectionContext';
import type { DetectionStore } from '../annotations/detectionStore';
import { formatCount, formatNumber } from '../i18n/format';
import { useT } from '../i18n/i18n';

/** Each set's centroids, worked out once (a set is never changed, only replaced). */
const centroidsOf = new WeakMap<DetectionSet, DetectionCentroids>();

function centroids(set: DetectionSet): DetectionCentroids {
  let found = centroidsOf.get(set);
  if (!found) {
    found = detectionCentroids(set);
    centroidsOf.set(set, found);
  }
  return found;
}

export function DetectionCounts(props: { slideId: SlideId; annotation: Annotation; mpp: Mpp | null }) {
  const store = useDetectionStore();
  return store ? <Counts store={store} {...props} /> : null;
}

function Counts({ store, slideId, annotation, mpp }: { store: DetectionStore; slideId: SlideId; annotation: Annotation; mpp: Mpp | null }) {
  const t = useT();
  const state = useSlideDetections(store, slideId);
  const set = state?.status === 'shown' ? state.layer.set : null;
  const counted = useMemo(() => (set ? countDetectionsIn(set, centroids(set), annotation.shape, mpp) : null), [set, annotation.shape, mpp]);
  if (!set || !counted) return null;
  const density = (n: number) => (counted.areaMm2 ? t('detections.perMm2', { n: formatNumber(n / counted.areaMm2, { significant: 3 }) }) : '');
  return (
    <div className="detection-counts" data-testid="annotation-detection-counts">
      <p className="small">
        {t('detections.inside', { n: formatCount(counted.total) })}
        {counted.total > 0 && density(counted.total) ? ` · ${density(counted.total)}` : ''}
      </p>
      {counted.total > 0 && (
        <ul className="detection-count-list small">
          {set.classes.map((c, index) =>
            counted.byClass[index]! > 0 ? (
              <li key={c.name ?? ''} data-testid="annotation-detection-count">
                {classLabel(t, c.name)} {formatCount(counted.byClass[index]!)} (
                {formatNumber((100 * counted.byClass[index]!) / counted.total, { significant: 3 })}%)
                {density(counted.byClass[index]!) ? ` · ${density(counted.byClass[index]!)}` : ''}
              </li>
            ) : null,
          )}
        </ul>
      )}
    </div>
  );
}
