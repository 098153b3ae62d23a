import { describe, expect, it } from 'vitest';
import { contentOf, readChildren, readTlv } from './der.js';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('readTlv', () => {
  it.each([
    ['short length', bytes(0x02, 0x01, 0x05), 0, { tag: 0x02, start: 2, end: 3 }],
    ['zero length', bytes(0x05, 0x00), 0, { tag: 0x05, start: 2, end: 2 }],
    ['at an offset', bytes(0xff, 0x04, 0x02, 0xaa, 0xbb), 1, { tag: 0x04, start: 3, end: 5 }],
    ['one length octet', bytes(0x04, 0x81, 0x02, 0xaa, 0xbb), 0, { tag: 0x04, start: 3, end: 5 }],
    [
      'two length octets',
      Uint8Array.from([0x04, 0x82, 0x01, 0x00, ...new Array<number>(256).fill(1)]),
      0,
      { tag: 0x04, start: 4, end: 260 },
    ],
    [
      'one length octet saying zero, at the very end',
      bytes(0x04, 0x81, 0x00),
      0,
      { tag: 0x04, start: 3, end: 3 },
    ],
    [
      'a length of exactly 127',
      Uint8Array.from([0x04, 0x7f, ...new Array<number>(127).fill(1)]),
      0,
      { tag: 0x04, start: 2, end: 129 },
    ],
  ])('%s', (_name, input, offset, expected) => {
    expect(readTlv(input, offset)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['empty input', bytes(), 0, 'truncated element at 0'],
    ['a tag without a length', bytes(0x30), 0, 'truncated element at 0'],
    ['a multi-byte tag', bytes(0x1f, 0x01, 0x00), 0, 'multi-byte tag at 0'],
    ['the indefinite length of BER', bytes(0x30, 0x80, 0x00, 0x00), 0, 'unsupported length form at 0'],
    ['five length octets', bytes(0x04, 0x85, 0, 0, 0, 0, 1, 0), 0, 'unsupported length form at 0'],
    ['length octets cut off', bytes(0x04, 0x82, 0x01), 0, 'truncated length at 0'],
    ['content cut off', bytes(0x04, 0x03, 0xaa, 0xbb), 0, 'element at 0 runs past its container'],
  ])('refuses %s', (_name, input, offset, message) => {
    expect(readTlv(input, offset)).toEqual({ ok: false, error: message });
  });

  it('accepts four length octets (the most a certificate could need)', () => {
    // 0x00000001: one content byte, four length octets.
    expect(readTlv(bytes(0x04, 0x84, 0, 0, 0, 1, 0xaa), 0)).toEqual({
      ok: true,
      value: { tag: 0x04, start: 6, end: 7 },
    });
  });

  it('keeps an element inside the limit it is given (its container), not just the buffer', () => {
    const input = bytes(0x04, 0x02, 0xaa, 0xbb);
    expect(readTlv(input, 0, 4).ok).toBe(true);
    expect(readTlv(input, 0, 3)).toEqual({ ok: false, error: 'element at 0 runs past its container' });
    expect(readTlv(input, 0, 1)).toEqual({ ok: false, error: 'truncated element at 0' });
    expect(readTlv(bytes(0x04, 0x81, 0x01, 0xaa), 0, 2)).toEqual({
      ok: false,
      error: 'truncated length at 0',
    });
  });
});

describe('readChildren', () => {
  it('lists the elements of a SEQUENCE in order', () => {
    const input = bytes(0x30, 0x06, 0x02, 0x01, 0x07, 0x04, 0x01, 0x08);
    const seq = readTlv(input, 0);
    if (!seq.ok) throw new Error(seq.error);
    expect(readChildren(input, seq.value)).toEqual({
      ok: true,
      value: [
        { tag: 0x02, start: 4, end: 5 },
        { tag: 0x04, start: 7, end: 8 },
      ],
    });
    expect(contentOf(input, { tag: 0x04, start: 7, end: 8 })).toEqual(bytes(0x08));
  });

  it('is empty for an empty SEQUENCE', () => {
    expect(readChildren(bytes(0x30, 0x00), { tag: 0x30, start: 2, end: 2 })).toEqual({ ok: true, value: [] });
  });

  it('refuses a child that runs past its parent even when the buffer goes on', () => {
    const input = bytes(0x30, 0x03, 0x02, 0x02, 0x07, 0x08);
    expect(readChildren(input, { tag: 0x30, start: 2, end: 5 })).toEqual({
      ok: false,
      error: 'element at 2 runs past its container',
    });
  });
});
