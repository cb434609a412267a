// The one XML reader of the format plugins: its bounds (typed errors before a large tree is built)
// and the helpers Ventana and OME read their metadata with.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SlideError } from '../errors';
import { childElements, firstChild, MAX_XML_LENGTH, ownText, parseXml, textContent, type XmlElement } from './xml-document';

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

  test('what is not well-formed is CORRUPT_DATA naming the line and the reason', () => {
    const cases: Array<[string, RegExp]> = [
      ['<a><b></a>', /line 1: <\/a> ends <b>/],
      ['<a>\n<b>\n</b>', /line 3: <a> is not closed/],
      ['<a/><b/>', /a second root element/],
      ['<a/>tail', /text outside the root element/],
      ['<![CDATA[x]]><a/>', /text outside the root element/],
      ['', /no root element/],
      ['<a b=c/>', /not quoted/],
      ['<a b/>', /has no value/],
      ['<a b="1" b="2"/>', /the attribute b twice/],
      ['<a b="<"/>', /'<' in its value/],
      ['<a b="1"c="2"/>', /not closed by '>'/],
      ['<a><!-- open</a>', /a comment is not closed/],
      ['<a><![CDATA[x</a>', /a CDATA section is not closed/],
      ['<a>&nope;</a>', /undefined entity &nope;/],
      ['<a>&#0;</a>', /undefined entity/],
      ['<1a/>', /does not start an element/],
      ['<a', /not closed by '>'/],
      ['<a></a', /not closed by '>'/],
      ['<a><!ELEMENT b></a>', /not XML markup/],
      ['<a>&constructor;</a>', /undefined entity &constructor;/],
      ['<a b="&__proto__;"/>', /undefined entity/],
      ['<a>x ]]> y</a>', /']]>' in text/],
      ['<a><!-- a -- b --></a>', /a comment holds '--'/],
      ['<a>&#1;</a>', /undefined entity &#1;/],
      ['<a>&#xFFFE;</a>', /undefined entity/],
      ['<a>\u0001</a>', /the character U\+0001 is not allowed/],
      ['<a/>\u00A0', /text outside the root element/],
      ['<a\u00A0b="1"/>', /does not start an element/],
      ['<a:/>', /does not start an element/],
      ['<a xmlns:="urn:x"/>', /is not an attribute name/],
      ['<a><?xml version="1.0"?></a>', /an XML declaration after the start/],
      ['<?xml version="1.0"', /the XML declaration is not closed/],
    ];
    for (const [xml, reason] of cases) refused(xml, 'CORRUPT_DATA', reason);
  });

  test('text, CDATA, references, comments and processing instructions read as libxml2 reads them', () => {
    const root = parseXml(
      '\uFEFF<?xml version="1.0"?>\r\n<!-- c --><a x="1&#x9;&amp;\t2" y=\'q"\' >t&lt;1<!-- c --><![CDATA[<b>&amp;]]><?pi x?>&#x1F600;</a >\n',
      'test XML',
      '/p',
    );
    assert.equal(root.name, 'a');
    assert.equal(root.attributes.get('x'), '1\t& 2');
    assert.equal(root.attributes.get('y'), 'q"');
    assert.deepEqual(
      root.children.map((c) => ('text' in c ? c.text : c.name)),
      ['t<1', '<b>&amp;', '\u{1F600}'],
    );
    assert.equal(textContent(root), 't<1<b>&amp;\u{1F600}');
  });

  test('leading zeros in a character reference, and a processing instruction named xml-something, are XML', () => {
    const root = parseXml('<?xml version="1.0"?><?xml-stylesheet href="s"?><a>&#x00000041;&#0066;</a>', 'test XML', '/p');
    assert.equal(textContent(root), 'AB');
  });

  test('thousands of namespace declarations stay linear in time and memory (each prefix a stack, no map copied per element)', () => {
    const n = 20_000;
    const declarations = Array.from({ length: n }, (_, i) => ` xmlns:p${i}="urn:${i}"`).join('');
    const started = Date.now();
    const root = parseXml(`<r${declarations}>${'<c xmlns="urn:d"><p7:e/></c>'.repeat(n)}</r>`, 'test XML', '/p');
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.equal(root.children.length, n);
    const c = root.children[n - 1] as XmlElement;
    assert.equal(c.namespace, 'urn:d');
    assert.equal((c.children[0] as XmlElement).namespace, 'urn:7');
  });

  test('a default namespace declared inside applies below it, and an undeclared prefix reads as none', () => {
    const root = parseXml('<r><s xmlns="urn:s"><t/><u:v xmlns:u="urn:u"><w/></u:v></s><t/><z:q/></r>', 'test XML', '/p');
    const s = firstChild(root, 's')!;
    assert.equal(root.namespace, '');
    assert.equal(s.namespace, 'urn:s');
    assert.equal(firstChild(s, 't')!.namespace, 'urn:s');
    const v = firstChild(s, 'v')!;
    assert.equal(v.namespace, 'urn:u');
    assert.equal(firstChild(v, 'w')!.namespace, 'urn:s');
    assert.equal(firstChild(root, 't')!.namespace, '');
    assert.equal(firstChild(root, 'q')!.namespace, '');
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
