// dicom-parser (the kept DICOM parser) as the engine uses it: a CommonJS bundle without a default
// export in its types, loaded once here, with the constructors its types leave out.

import { createRequire } from 'node:module';
import type * as DicomParserModule from 'dicom-parser';

export type { ByteStream, DataSet, Element } from 'dicom-parser';

type Parser = typeof DicomParserModule & {
  DataSet: new (
    byteArrayParser: DicomParserModule.ByteArrayParser,
    byteArray: Uint8Array,
    elements: Record<string, DicomParserModule.Element>,
  ) => DicomParserModule.DataSet;
};

const require = createRequire(import.meta.url);
export const dicomParser = require('dicom-parser') as Parser;

/** A data set over `bytes` holding `elements` (their offsets are into `bytes`). */
export function dataSetOf(bytes: Uint8Array, elements: Record<string, DicomParserModule.Element>): DicomParserModule.DataSet {
  return new dicomParser.DataSet(dicomParser.littleEndianByteArrayParser, bytes, elements);
}

/** A little-endian stream over `bytes` from `position`. */
export function streamOf(bytes: Uint8Array, position: number): DicomParserModule.ByteStream {
  return new dicomParser.ByteStream(dicomParser.littleEndianByteArrayParser, bytes, position);
}
