import { describe, expect, it } from 'vitest';
import {
  canonicalAddress,
  canonicalValue,
  quoteTxtString,
  quoteTxtStrings,
  relativeName,
  sameValues,
  unquoteTxt,
  zoneCandidates,
} from './values.js';

describe('provider values and names', () => {
  it.each([
    ['a.b.example.com', ['a.b.example.com', 'b.example.com', 'example.com']],
    ['example.com', ['example.com']],
    ['com', []],
  ])('zoneCandidates(%s)', (name, expected) => {
    expect(zoneCandidates(name)).toEqual(expected);
  });

  it.each([
    ['plain', '"plain"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['back\\slash', '"back\\\\slash"'],
    ['', '""'],
    ['y'.repeat(255), `"${'y'.repeat(255)}"`],
    ['y'.repeat(256), `"${'y'.repeat(255)}" "y"`],
  ])('quoteTxtStrings(%s) and back', (value, quoted) => {
    expect(quoteTxtStrings(value)).toBe(quoted);
    expect(unquoteTxt(quoted)).toBe(value);
  });

  it.each([
    ['"part one" "part two"', 'part onepart two'],
    ['unquoted text', 'unquoted text'],
    ['""', ''],
    ['  "padded"  ', 'padded'],
    ['"esc \\"q\\" \\\\ end"', 'esc "q" \\ end'],
    ['"trailing\\', 'trailing\\'],
    ['ends with"', 'ends with"'],
    ['"a"x"b"', 'ab'],
  ])('unquoteTxt(%s)', (content, value) => {
    expect(unquoteTxt(content)).toBe(value);
  });

  it.each([
    ['TXT', '"a" "b"', 'ab'],
    ['AAAA', '2001:DB8:0:0::1', '2001:db8::1'],
    ['AAAA', 'not an address', 'not an address'],
    ['A', '198.51.100.7', '198.51.100.7'],
  ] as const)('canonicalValue(%s, %s) = %s', (type, content, value) => {
    expect(canonicalValue(type, content)).toBe(value);
  });

  it.each([
    ['home.example.com', 'example.com', 'home'],
    ['example.com', 'example.com', ''],
    ['x.home.example.com', 'example.com', 'x.home'],
    ['homeexample.com', 'example.com', undefined],
  ])('relativeName(%s, %s, "") = %j (OVHcloud)', (name, zone, sub) => {
    expect(relativeName(name, zone, '')).toBe(sub);
  });

  it.each([
    ['home.example.com', 'example.com', 'home'],
    ['a.b.example.com', 'example.com', 'a.b'],
    ['example.com', 'example.com', ''],
    ['badexample.com', 'example.com', undefined],
  ])('relativeName(%s, %s, "") = %j (Porkbun)', (name, zone, sub) => {
    expect(relativeName(name, zone, '')).toBe(sub);
  });

  it.each([
    ['example.com', '@'],
    ['home.example.com', 'home'],
    ['a.b.example.com', 'a.b'],
    ['example.org', undefined],
    ['badexample.com', undefined],
  ])('relativeName(%s, example.com, "@") = %s (Namecheap)', (name, host) => {
    expect(relativeName(name, 'example.com', '@')).toBe(host);
  });

  it.each([
    ['home.example.com', 'example.com', 'home'],
    ['a.b.example.com', 'example.com', 'a.b'],
    ['example.com', 'example.com', '@'],
    ['example.com.evil', 'example.com', undefined],
    ['notexample.com', 'example.com', undefined],
  ])('relativeName(%s, %s, "@") = %s (Gandi)', (name, zone, rel) => {
    expect(relativeName(name, zone, '@')).toBe(rel);
  });

  it.each([
    ['token', '"token"'],
    ['a "q" \\ b', '"a \\"q\\" \\\\ b"'],
    ['', '""'],
  ])('quoteTxtString(%j) = %s, and back', (text, quoted) => {
    expect(quoteTxtString(text)).toBe(quoted);
    expect(unquoteTxt(quoted)).toBe(text);
  });

  it.each([
    ['plain', 'plain'],
    ['"a" "b"', 'ab'],
    [' "x" ', 'x'],
    ['"abc', 'abc'],
    ['"a\\', 'a\\'],
    ['"a\\"b"', 'a"b'],
  ])('unquoteTxt(%j) = %j (Gandi values)', (value, text) => {
    expect(unquoteTxt(value)).toBe(text);
  });

  it.each([
    ['"a b"', 'a b'],
    ['"a" "b"', 'ab'],
    ['plain', 'plain'],
    ['"q\\"x"', 'q"x'],
    ['"abc', 'abc'],
    ['"a\\', 'a\\'],
    ['\t"a"\n', 'a'],
    ['a"', 'a"'],
  ])('unquoteTxt(%j) = %j (OVHcloud targets)', (value, text) => {
    expect(unquoteTxt(value)).toBe(text);
  });

  it.each([
    ['AAAA', '2001:DB8:0:0::1', '2001:db8::1'],
    ['AAAA', 'not an address', 'not an address'],
    ['A', '198.51.100.7', '198.51.100.7'],
    ['TXT', '"a" "b"', '"a" "b"'],
    ['TXT', '2001:DB8::1', '2001:DB8::1'],
    ['A', '::1', '::1'],
  ] as const)('canonicalAddress(%s, %s) = %s', (type, content, value) => {
    expect(canonicalAddress(type, content)).toBe(value);
  });
});

describe('sameValues', () => {
  it.each([
    [[], [], true],
    [['a'], ['a'], true],
    [['a', 'b'], ['a', 'b'], true],
    [['a'], ['b'], false],
    [['a'], ['a', 'b'], false],
    [['a', 'b'], ['a'], false],
    [['a', 'b'], ['a', 'c'], false],
  ])('%j, %j → %s', (a, b, same) => {
    expect(sameValues(a, b)).toBe(same);
  });
});
