// The recent-files list kept by main; refreshed after every open.

import { useCallback, useEffect, useState } from 'react';
import type { RecentFile, SlidescopeApi } from '../../../shared/ipc';

export interface RecentFiles {
  files: RecentFile[];
  refresh: () => void;
  clear: () => void;
}

export function useRecentFiles(api: SlidescopeApi): RecentFiles {
  const [files, setFiles] = useState<RecentFile[]>([]);

  const refresh = useCallback(() => {
    void api.listRecent().then((result) => {
      // A failed listing leaves the last known list: it is a convenience, not worth an error.
      if (result.ok) setFiles(result.value);
    });
  }, [api]);

  const clear = useCallback(() => {
    void api.clearRecent().then((result) => {
      if (result.ok) setFiles([]);
    });
  }, [api]);

  useEffect(refresh, [refresh]);

  return { files, refresh, clear };
}
