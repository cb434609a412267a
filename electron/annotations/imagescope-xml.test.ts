import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readImageScopeXml } from './imagescope-xml';

let counter = 0;
const newId = () => `00000000-0000-4000-8000-${String(++counter).padStart(12, '0')}`;

/** A layer as ImageScope writes one: its Id, Name and LineColor, a rectangle region. */
const layer = (
  id: number,
  name: string,
  color: number,
) => `<Annotation Id="${id}" Name="${name}" ReadOnly="0" NameReadOnly="0" LineColorReadOnly="0" Incremental="0" Type="4" LineColor="${color}" Visible="1" Selected="0" MarkupImagePath="" MacroName="">
  <Attributes><Attribute Name="Description" Id="0" Value=""/></Attributes>
  <Regions>
    <Region Id="1" Type="1" Zoom="1" Selected="0" ImageLocation="" ImageFocus="-1" Length="40" Area="100" LengthMicrons="10" AreaMicrons="6.3" Text="" NegativeROA="0" InputRegionId="0" Analyze="1" DisplayId="1">
      <Attributes/>
      <Vertices><Vertex X="${id}" Y="0" Z="0"/><Vertex X="${id + 10}" Y="0" Z="0"/><Vertex X="${id + 10}" Y="10" Z="0"/><Vertex X="${id}" Y="10" Z="0"/></Vertices>
    </Region>
  </Regions>
  <Plots/>
</Annotation>`;
const file = (...layers: string[]) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<Annotations MicronsPerPixel="0.252100">\n${layers.join('\n')}\n</Annotations>\n`;

describe('ImageScope XML layers', () => {
  it('keeps unnamed layers apart by their colour, as ImageScope users tell them apart: "Layer <Id>" classes', () => {
    // ImageScope leaves a layer's Name empty unless the user types one; green tumour, yellow stroma.
    const doc = readImageScopeXml(file(layer(1, '', 65280), layer(2, '', 65535), layer(3, 'Necrosis', 3289650)), { newId });
    assert.deepEqual(doc.classes, [
      { name: 'Layer 1', color: [0, 255, 0] },
      { name: 'Layer 2', color: [255, 255, 0] },
      { name: 'Necrosis', color: [50, 50, 50] },
    ]);
    assert.deepEqual(
      doc.annotations.map((a) => a.classification),
      ['Layer 1', 'Layer 2', 'Necrosis'],
    );
  });

  it('one unnamed layer (what Slidescope writes for unclassified annotations) stays unclassified', () => {
    const doc = readImageScopeXml(file(layer(1, '', 255), layer(2, 'Tumor', 200)), { newId });
    assert.deepEqual(
      doc.annotations.map((a) => a.classification),
      [null, 'Tumor'],
    );
  });

  it('an unnamed layer without regions does not make another unnamed one a class', () => {
    const empty = '<Annotation Id="1" Name="" LineColor="65280"><Regions><RegionAttributeHeaders/></Regions></Annotation>';
    const doc = readImageScopeXml(file(empty, layer(2, '', 255)), { newId });
    assert.deepEqual(doc.classes, []);
    assert.deepEqual(
      doc.annotations.map((a) => a.classification),
      [null],
    );
  });
});
