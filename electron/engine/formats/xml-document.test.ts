// The one XML reader of the format plugins: its bounds (typed errors before a large tree is built)
// and the helpers Ventana and OME read their metadata with.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SlideError } from '../errors';
import { childElements, firstChild, MAX_XML_LENGTH, ownText, parseXml, textContent } from './xml-document';

function refused(xml: string, code: string, message: RegExp): void {
  assert.throws(
    () => parseXml(xml, 'test XML', '/slides/x.tif'),
    (error: unknown) => {
      assert.ok(error instanceof SlideError, String(error));
      assert.equal(error.code, code);
      assert.match(error.message, message);
      assert.equal(error.path, '/slides/x.tif');
      return true;
    },
  );
}

describe('xml-document', () => {
  test('more than two million elements is TOO_LARGE, counted before the parser builds a tree', () => {
    const started = Date.now();
    refused(`<a>${'<b/>'.repeat(2_000_001)}</a>`, 'TOO_LARGE', /more than 2000000 elements/);
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
  });

  test('past MAX_XML_LENGTH is TOO_LARGE; a DOCTYPE, too deep a nesting and a bare & are CORRUPT_DATA', () => {
    refused(`<a>${' '.repeat(MAX_XML_LENGTH)}</a>`, 'TOO_LARGE', /characters of XML/);
    refused('<!DOCTYPE a [<!ENTITY e "ee">]><a>&e;</a>', 'CORRUPT_DATA', /DOCTYPE/);
    refused(`${'<a>'.repeat(100)}${'</a>'.repeat(100)}`, 'CORRUPT_DATA', /not valid XML/);
    refused('<a b="x & y"/>', 'CORRUPT_DATA', /not valid XML/);
  });

  test('first child, children by name, own text against all text, prefixes resolved', () => {
    const root = parseXml(
      '<OME xmlns="urn:ome" xmlns:x="urn:x"><Image Name="a"><Date> 2024 <x:Note>n</x:Note>-01 </Date></Image><x:Image/><Image Name="b"/></OME>',
      'test XML',
      '/p',
    );
    assert.equal(firstChild(root, 'Image')?.attributes.get('Name'), 'a');
    assert.equal(childElements(root, 'Image').length, 3);
    assert.equal(childElements(root, 'Image', 'urn:ome').length, 2);
    assert.equal(firstChild(root, 'Image', 'urn:x')?.namespace, 'urn:x');
    assert.equal(firstChild(root, 'Missing'), undefined);
    const date = firstChild(firstChild(root, 'Image')!, 'Date')!;
    assert.equal(ownText(date), ' 2024 -01 ');
    assert.equal(textContent(date), ' 2024 n-01 ');
  });
});
