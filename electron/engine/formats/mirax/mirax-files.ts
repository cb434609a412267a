// Where a MIRAX slide's files are: the key file (.mrxs) and, beside it, its data folder of the same
// name. Apart from the reader so that the CLI's input scan can use it without loading the reader.

import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { poolCall } from '../../pool-reads';

export const EXTENSION = '.mrxs';
export const SLIDEDAT = 'Slidedat.ini';

/** The .mrxs beside a MIRAX slide's data folder (same name, holding Slidedat.ini); null for any other folder. */
export async function keyFileOfDataFolder(folder: string): Promise<string | null> {
  const beside = `${folder.replace(/[/\\]+$/, '')}${EXTENSION}`;
  const isFile = async (path: string) => (await poolCall(stat(path)).catch(() => null))?.isFile() === true;
  return (await isFile(beside)) && (await isFile(join(folder, SLIDEDAT))) ? beside : null;
}

/** A key file's data folder: beside it, its name less the extension. */
export function dataFolderOf(keyFile: string): string {
  return join(dirname(keyFile), basename(keyFile).slice(0, -EXTENSION.length));
}
