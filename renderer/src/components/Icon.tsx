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
  | 'folder';

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
  folder: 'M3 6v13h18V8h-9l-2-2z',
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
