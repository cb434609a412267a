// The OME-XML read alone (no TIFF): where each channel's plane is for a TiffData layout, and hostile
// descriptions (many TiffData, many Images) read in time proportional to their size.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type OmeImage, planeIfds, readOmeMetadata } from './ome-metadata';
import { parseXml } from './xml-document';

const PATH = '/slides/hostile.ome.tif';

function metadata(images: string) {
  const xml = `<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">${images}</OME>`;
  return readOmeMetadata(parseXml(xml, 'OME-XML', PATH), PATH);
}

/** Each channel's IFD at (z, t); null where its plane is in another file or nowhere. */
function ifdsAt(image: OmeImage, z = 0, t = 0): Array<number | null> {
  return planeIfds(image.planes, z, t).map((where) => (where !== null && 'ifd' in where ? where.ifd : null));
}

function pixels(attributes: string, content: string): string {
  return `<Image ID="Image:0" Name="slide"><Pixels ID="Pixels:0" Type="uint16" SizeX="10" SizeY="10" ${attributes}>${content}</Pixels></Image>`;
}

test('thousands of TiffData over the most channels are read once, not once a channel', () => {
  // Each TiffData one T plane, none of them a channel's Z = T = 0 but the last: every channel looked for through all.
  const count = 100_000;
  const runs = Array.from({ length: count }, (_, i) => `<TiffData FirstT="${i + 1}" IFD="${i + 256}" PlaneCount="1"/>`).join('');
  const xml = pixels(`DimensionOrder="XYCZT" SizeC="256" SizeZ="1" SizeT="${count + 1}"`, `${runs}<TiffData IFD="0" PlaneCount="256"/>`);
  const started = performance.now();
  const { slide } = metadata(xml);
  const ifds = ifdsAt(slide);
  const took = performance.now() - started;
  assert.deepEqual(
    ifds,
    Array.from({ length: 256 }, (_, c) => c),
  );
  assert.ok(took < 2000, `${Math.round(took)} ms`);
});

test("many Images of the most channels each: only the slide's and its associated images' channels are read", () => {
  const image = '<Image ID="I"><Pixels Type="uint8" SizeX="1" SizeY="1" SizeC="256"/></Image>';
  const started = performance.now();
  const read = metadata(image.repeat(60_000));
  const took = performance.now() - started;
  assert.equal(read.slide.channels.length, 256);
  assert.ok(took < 2000, `${Math.round(took)} ms`);
});

test('a TiffData naming no IFD covers every plane from its first (its PlaneCount is all of them), as tifffile and the OME-TIFF spec read it', () => {
  const { slide } = metadata(pixels('DimensionOrder="XYZCT" SizeC="3" SizeZ="2" SizeT="1"', '<TiffData FirstC="0" FirstZ="0" FirstT="0"/>'));
  assert.deepEqual(ifdsAt(slide), [0, 2, 4]);
  // An IFD named without a PlaneCount is that one plane.
  const one = metadata(pixels('DimensionOrder="XYCZT" SizeC="2"', '<TiffData IFD="3"/>'));
  assert.deepEqual(ifdsAt(one.slide), [3, null]);
});

test('channel planes by DimensionOrder and TiffData runs; a run starting past the sizes (ImageJ crops) is passed over as tifffile does', () => {
  const orders: Array<[string, number[]]> = [
    ['XYCZT', [0, 1, 2]],
    ['XYZCT', [0, 2, 4]],
    ['XYZTC', [0, 6, 12]],
    ['XYTZC', [0, 6, 12]],
    ['XYCTZ', [0, 1, 2]],
    ['XYTCZ', [0, 3, 6]],
  ];
  for (const [order, ifds] of orders) {
    const { slide } = metadata(pixels(`DimensionOrder="${order}" SizeC="3" SizeZ="2" SizeT="3"`, '<TiffData IFD="0" PlaneCount="18"/>'));
    assert.deepEqual(ifdsAt(slide), ifds, order);
  }
  const runs =
    // Z = 3 of channel 0 is past SizeZ: read as a plane index, it would be channel 1's first.
    '<TiffData FirstZ="3" IFD="40" PlaneCount="1"/><TiffData FirstC="1" IFD="7" PlaneCount="1"/><TiffData FirstC="0" IFD="9" PlaneCount="1"/>';
  const { slide } = metadata(pixels('DimensionOrder="XYZCT" SizeC="2" SizeZ="3"', runs));
  assert.deepEqual(ifdsAt(slide), [9, 7]);
});

test('each channel at every (Z, T) by DimensionOrder, through TiffData runs of one plane each, and a plane of another file named by it', () => {
  const sizes = { C: 3, Z: 2, T: 3 };
  for (const order of ['XYCZT', 'XYZCT', 'XYZTC', 'XYTZC', 'XYCTZ', 'XYTCZ']) {
    const axes = order.slice(2).split('') as Array<'C' | 'Z' | 'T'>;
    const index = (at: Record<'C' | 'Z' | 'T', number>) => axes.reduceRight((i, axis) => i * sizes[axis] + at[axis], 0);
    // One TiffData a plane, written in reverse order, each at IFD 100 + its index.
    const runs: string[] = [];
    for (let t = 2; t >= 0; t--)
      for (let z = 1; z >= 0; z--)
        for (let c = 2; c >= 0; c--)
          runs.push(`<TiffData FirstC="${c}" FirstZ="${z}" FirstT="${t}" IFD="${100 + index({ C: c, Z: z, T: t })}" PlaneCount="1"/>`);
    const { slide } = metadata(pixels(`DimensionOrder="${order}" SizeC="3" SizeZ="2" SizeT="3"`, runs.join('')));
    const whole = metadata(pixels(`DimensionOrder="${order}" SizeC="3" SizeZ="2" SizeT="3"`, '<TiffData IFD="100" PlaneCount="18"/>')).slide;
    for (let t = 0; t < 3; t++)
      for (let z = 0; z < 2; z++) {
        const expected = [0, 1, 2].map((c) => 100 + index({ C: c, Z: z, T: t }));
        assert.deepEqual(ifdsAt(slide, z, t), expected, `${order} z=${z} t=${t}, a run a plane`);
        assert.deepEqual(ifdsAt(whole, z, t), expected, `${order} z=${z} t=${t}, one run`);
      }
    assert.deepEqual(ifdsAt(slide, 2, 0), [null, null, null], 'past SizeZ: no planes');
  }
  const xml = `<OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06" UUID="urn:uuid:here">${pixels(
    'DimensionOrder="XYCZT" SizeC="1" SizeZ="2"',
    '<TiffData FirstZ="0" IFD="0" PlaneCount="1"><UUID FileName="here.ome.tif">urn:uuid:here</UUID></TiffData><TiffData FirstZ="1" IFD="0" PlaneCount="1"><UUID FileName="z1.ome.tif">urn:uuid:other</UUID></TiffData>',
  )}</OME>`;
  const { slide } = readOmeMetadata(parseXml(xml, 'OME-XML', PATH), PATH);
  assert.deepEqual(planeIfds(slide.planes, 0, 0), [{ ifd: 0 }]);
  assert.deepEqual(planeIfds(slide.planes, 1, 0), [{ file: 'z1.ome.tif' }]);
});
