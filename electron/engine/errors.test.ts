// readError: how a failure while reading a slide reaches the caller.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { codecReason, damagedError, decodeError, readError, SlideError } from './errors';

const PATH = '/slides/a.svs';

test('readError: a typed failure keeps its code and gains the path; an abort is CANCELLED', () => {
  assert.deepEqual(pick(readError(new SlideError('TOO_LARGE', 'too large'), PATH)), ['TOO_LARGE', PATH]);
  assert.deepEqual(pick(readError(Object.assign(new Error('aborted'), { name: 'AbortError' }), PATH)), ['CANCELLED', PATH]);
  assert.deepEqual(pick(readError(Object.assign(new Error('x'), { code: 'ABORT_ERR' }), PATH)), ['CANCELLED', PATH]);
});

test("readError: a system call's failure (a network share's) is IO_ERROR, naming the code; anything else untyped CORRUPT_DATA", () => {
  const eio = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' });
  const failure = readError(eio, PATH);
  assert.deepEqual(pick(failure), ['IO_ERROR', PATH]);
  assert.match(failure.message, /EIO, read/);
  assert.deepEqual(pick(readError(new Error('Invalid byte order value.'), PATH)), ['CORRUPT_DATA', PATH]);
  // A code without a system call is a library's own (sharp, geotiff), not the system's.
  assert.deepEqual(pick(readError(Object.assign(new Error('bad'), { code: 'ERR_X' }), PATH)), ['CORRUPT_DATA', PATH]);
  assert.equal(readError('a string', PATH).code, 'CORRUPT_DATA');
});

test("decodeError: the part named, readError's code, one full stop", () => {
  const failure = decodeError(new Error('its JPEG data is damaged.'), 'The macro image', PATH);
  assert.deepEqual(pick(failure), ['CORRUPT_DATA', PATH]);
  assert.equal(failure.message, 'The macro image cannot be decoded: its JPEG data is damaged.');
});

test("damagedError: the part named and the reason's first line as CORRUPT_DATA; another code kept", () => {
  const failure = damagedError(new Error('VipsJpeg: Premature end\nmore'), 'Tile 3,4 of level 0', PATH);
  assert.deepEqual(pick(failure), ['CORRUPT_DATA', PATH]);
  assert.equal(failure.message, 'Tile 3,4 of level 0 is damaged and cannot be decoded (VipsJpeg: Premature end).');
  assert.equal(
    damagedError('its red data is not a JPEG', 'Tile 0,0 of level 1', PATH).message,
    'Tile 0,0 of level 1 is damaged and cannot be decoded (its red data is not a JPEG).',
  );
  assert.deepEqual(pick(damagedError(Object.assign(new Error('x'), { name: 'AbortError' }), 'Tile 0,0 of level 0', PATH)), ['CANCELLED', PATH]);
  assert.deepEqual(pick(damagedError(new SlideError('TOO_LARGE', 'too large'), 'Tile 0,0 of level 0', PATH)), ['TOO_LARGE', PATH]);
});

test("codecReason: a decoder's first line, without sharp's prefix or a closing full stop; an empty reason said to be one", () => {
  const sharp = 'Input buffer has corrupt header: VipsJpeg: Bogus Huffman table definition\nVipsJpeg: Bogus Huffman table definition\n';
  assert.equal(codecReason(new Error(sharp)), 'VipsJpeg: Bogus Huffman table definition');
  assert.equal(
    decodeError(new Error(sharp), 'Image 0 of level 0', PATH).message,
    'Image 0 of level 0 cannot be decoded: VipsJpeg: Bogus Huffman table definition.',
  );
  for (const none of ['Unknown error', 'No error', '', 'Input buffer has corrupt header: ', 'unknown error.'])
    assert.equal(codecReason(new Error(none)), 'the decoder gave no reason', JSON.stringify(none));
  assert.equal(
    damagedError(new Error('Unknown error'), 'Tile 1,1 of image 0', PATH).message,
    'Tile 1,1 of image 0 is damaged and cannot be decoded (the decoder gave no reason).',
  );
});

function pick(error: SlideError): [string, string | undefined] {
  return [error.code, error.path];
}
