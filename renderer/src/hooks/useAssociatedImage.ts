// Loads an associated image (label, macro, thumbnail) as a blob: URL, revoked when no longer shown.

import { useEffect, useState } from 'react';
import type { ErrorInfo } from '../../../shared/errors';
import type { SlideId, SlidescopeApi } from '../../../shared/ipc';

export interface AssociatedImageState {
  url: string | null;
  width: number;
  height: number;
  error: ErrorInfo | null;
}

const EMPTY: AssociatedImageState = { url: null, width: 0, height: 0, error: null };

export function useAssociatedImage(api: SlidescopeApi, slideId: SlideId, name: string): AssociatedImageState {
  const [state, setState] = useState<AssociatedImageState>(EMPTY);

  useEffect(() => {
    let url: string | null = null;
    let live = true;
    setState(EMPTY);
    void api.getAssociatedImage({ slideId, name }).then((result) => {
      if (!live) return;
      if (!result.ok) {
        setState({ ...EMPTY, error: result.error });
        return;
      }
      const { bytes, mime, width, height } = result.value;
      url = URL.createObjectURL(new Blob([bytes.slice()], { type: mime }));
      setState({ url, width, height, error: null });
    });
    return () => {
      live = false;
      if (url) URL.revokeObjectURL(url);
    };
  }, [api, slideId, name]);

  return state;
}
