// A slide opened past damage (SlideInfo.warnings: a copy cut short) is still read, and what is
// made of it may lack a level or an image: the person running the command is told on stderr.

import { shown } from './printable';

export function writeSlideWarnings(path: string, warnings: readonly string[] | undefined): void {
  if (!warnings?.length) return;
  process.stderr.write(`slidescope: ${shown(path)}: warning: ${shown(warnings.join(' '))}\n`);
}
