// Inline SVG icons (no icon font or image requests; they take the text colour).

export type IconName =
  | 'plus'
  | 'minus'
  | 'fit'
  | 'rotate-left'
  | 'rotate-right'
  | 'navigator'
  | 'info'
  | 'fullscreen'
  | 'fullscreen-exit'
  | 'help'
  | 'close'
  | 'open'
  | 'sample'
  | 'drop'
  | 'warning'
  | 'grid'
  | 'export'
  | 'copy'
  | 'folder'
  | 'select'
  | 'ruler'
  | 'point'
  | 'rectangle'
  | 'ellipse'
  | 'polygon'
  | 'freehand'
  | 'undo'
  | 'redo'
  | 'list'
  | 'trash';

const PATHS: Record<IconName, string> = {
  plus: 'M12 5v14M5 12h14',
  minus: 'M5 12h14',
  fit: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5',
  'rotate-left': 'M4 4v6h6M4.6 15a8 8 0 1 0 1.9-8.3L4 10',
  'rotate-right': 'M20 4v6h-6M19.4 15a8 8 0 1 1-1.9-8.3L20 10',
  navigator: 'M3 5h18v14H3zM13 12h6v5h-6z',
  info: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM12 11v6M12 7.5v.5',
  fullscreen: 'M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5M9 9h6v6H9z',
  'fullscreen-exit': 'M9 4v5H4M15 4v5h5M9 20v-5H4M15 20v-5h5',
  help: 'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6v.6M12 16.5v.5',
  close: 'M6 6l12 12M18 6L6 18',
  open: 'M3 7v12h16l2-8H7l-2 8M3 7V5h6l2 2h8v4',
  sample: 'M9 3h6M10 3v6l-5 9a2 2 0 0 0 1.8 3h10.4a2 2 0 0 0 1.8-3l-5-9V3M7.5 14h9',
  drop: 'M12 3v12M7 10l5 5 5-5M4 17v3h16v-3',
  warning: 'M12 3l10 18H2zM12 10v5M12 17.5v.5',
  grid: 'M4 4h7v7H4zM13 4h7v7h-7zM4 13h7v7H4zM13 13h7v7h-7z',
  export: 'M12 15V3M7 8l5-5 5 5M4 14v6h16v-6',
  copy: 'M9 9h11v11H9zM5 15H4V4h11v1',
  folder: 'M3 6v13h18V8h-9l-2-2z',
  select: 'M5 3l14 8-6 2-3 6z',
  ruler: 'M3 17L17 3l4 4L7 21zM7 13l2 2M10 10l2 2M13 7l2 2',
  point: 'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM12 3v3M12 18v3M3 12h3M18 12h3',
  rectangle: 'M4 6h16v12H4z',
  ellipse: 'M12 18c4.4 0 8-2.7 8-6s-3.6-6-8-6-8 2.7-8 6 3.6 6 8 6z',
  polygon: 'M12 3l9 7-4 10H7L3 10z',
  freehand: 'M4 16c2-6 5-10 8-8s-1 8 3 9 4-6 5-9',
  undo: 'M9 14L4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3',
  redo: 'M15 14l5-5-5-5M20 9H9a5 5 0 0 0 0 10h3',
  list: 'M8 6h13M8 12h13M8 18h13M3.5 6h.5M3.5 12h.5M3.5 18h.5',
  trash: 'M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3',
};

export function Icon({ name, size = 18 }: { name: IconName; size?: number }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
