import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeXmlReferences, escapeXml } from './xml-text';

test('escaped text decodes back to itself, markup, quotes and line breaks included', () => {
  const text = `a < b && "c" > 'd'\n\tsecond line\r 한국어 &amp;`;
  const escaped = escapeXml(text);
  assert.doesNotMatch(escaped, /[<>"'\n\r\t]/);
  assert.equal(decodeXmlReferences(escaped), text);
});

test('references outside XML are refused', () => {
  assert.equal(decodeXmlReferences('&#x1F600;&#65;'), '😀A');
  assert.throws(() => decodeXmlReferences('&nbsp;'), /undefined entity &nbsp;/);
  assert.throws(() => decodeXmlReferences('&#0;'), /undefined entity/);
  assert.throws(() => decodeXmlReferences('fish & chips'), /bare '&'/);
});
