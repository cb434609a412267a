// What an exported image was made from, carried inside it as XMP (PNG, JPEG and TIFF all hold a
// packet): a batch rerun tells its own finished output from another slide's, or from one made with
// other options, before it skips the slide. Written by the engine, read back by the CLI. No name or
// path of the slide goes in (they can carry a patient's): its identity is a hash.

import { decodeXmlReferences, escapeXml } from './xml-text';

/** The record; every field is plain text. */
export interface Provenance {
  /** The program and version, XMP's CreatorTool: "Slidescope 0.1.0". */
  tool: string;
  /** The slide's content identity (size and a hash of its start): the same slide wherever it is mounted. */
  identity: string;
  /** What was made of it and how: the options that decide the pixels. */
  recipe: string;
}

const NAMESPACE = 'https://slidescope.org/ns/provenance/1.0/';
const FIELDS = ['identity', 'recipe'] as const;

/** The XMP packet of a record. */
export function provenanceXmp(p: Provenance): string {
  const fields = FIELDS.map((name) => ` slidescope:${name}="${escapeXml(p[name])}"`).join('');
  return (
    '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
    `<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:slidescope="${NAMESPACE}"` +
    ` xmp:CreatorTool="${escapeXml(p.tool)}"${fields}/></rdf:RDF></x:xmpmeta>`
  );
}

/** The record in an XMP packet; null when the packet holds none (another program's, or no packet). */
export function parseProvenance(xmp: string): Provenance | null {
  if (!xmp.includes(`xmlns:slidescope="${NAMESPACE}"`)) return null;
  const attribute = (name: string): string | null => {
    const found = new RegExp(`\\s${name}="([^"]*)"`).exec(xmp);
    if (!found) return null;
    try {
      return decodeXmlReferences(found[1]!);
    } catch {
      return null;
    }
  };
  const tool = attribute('xmp:CreatorTool');
  const [identity, recipe] = FIELDS.map((name) => attribute(`slidescope:${name}`));
  return tool !== null && identity != null && recipe != null ? { tool, identity, recipe } : null;
}
