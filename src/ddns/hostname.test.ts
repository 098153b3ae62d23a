import { describe, expect, it } from 'vitest';
import { displayHostname, hostnameField, normaliseHostname, parseHostname } from './hostname.js';

// 253 characters: the longest name DNS can carry.
const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;

describe('normaliseHostname: the stored form or undefined', () => {
  it.each([
    ['home.example.test', 'home.example.test'],
    ['HOME.Example.Test.', 'home.example.test'],
    ['  home.example.test ', 'home.example.test'],
    ['a-b.c0.example', 'a-b.c0.example'],
    ['ab--c.example', 'ab--c.example'],
    ['home', undefined],
    ['', undefined],
    ['   ', undefined],
    ['-home.example.test', undefined],
    ['home-.example.test', undefined],
    ['home.example-', undefined],
    ['ho_me.example.test', undefined],
    ['_acme-challenge.example.test', undefined],
    ['home..example.test', undefined],
    ['home.example.test..', undefined],
    ['.home.example.test', undefined],
    ['10.0.0.1', undefined],
    ['10.0.0.10', undefined],
    [`${'a'.repeat(64)}.example.test`, undefined],
    [`${'a'.repeat(63)}.example.test`, `${'a'.repeat(63)}.example.test`],
    [`${'abcdefghi.'.repeat(25)}test`, undefined],
    [longest, longest],
    [`${longest}.`, longest],
    [`a${longest}`, undefined],
    ['example.test', 'example.test'],
    ['a.example.test', 'a.example.test'],
    ['home.a1', 'home.a1'],
    ['home.1a', 'home.1a'],
    ['home.123.test', 'home.123.test'],
    ['.', undefined],
    // Internationalised names: A-labels, lower case.
    ['café.example.com', 'xn--caf-dma.example.com'],
    ['ÄRGER.example', 'xn--rger-koa.example'],
    ['Bücher.DE.', 'xn--bcher-kva.de'],
    ['x.café。', 'x.xn--caf-dma'],
    ['ｅｘａｍｐｌｅ。com', 'example.com'],
    ['XN--CAF-DMA.example', 'xn--caf-dma.example'],
    ['xn--caf-dma.example.com', 'xn--caf-dma.example.com'],
    ['xn--zz.example', undefined],
    ['xn--.example', undefined],
    ['münchen-.de', undefined],
    ['-münchen.de', undefined],
    ['ａ＿b.com', undefined],
    [`${'é'.repeat(60)}.example`, undefined],
    // What a URL parser would read as syntax never reaches it.
    ['a/b.example', undefined],
    ['a%41.example', undefined],
    ['a:b.example', undefined],
    ['exa mple.com', undefined],
    ['é/b.example', undefined],
    ['a／b.com', undefined],
    ['a％41.com', undefined],
    ['0x7f.1', undefined],
    ['é.0x7f.1', undefined],
    ['home\u200d.example', undefined],
    // ASCII names never pass through the URL parser, which would read this one as an (invalid) IPv4 address.
    ['home.0x7f', 'home.0x7f'],
  ])('%j → %j', (text, expected) => {
    expect(normaliseHostname(text)).toBe(expected);
  });
});

describe('parseHostname: what is wrong, in words', () => {
  it.each([
    ['', 'is empty'],
    [' . ', 'is empty'],
    ['home', '"home" is not a fully qualified domain name (at least two labels, e.g. home.example.com)'],
    ['home..example', '"home..example" has an empty label'],
    [
      `${'a'.repeat(64)}.example`,
      `${JSON.stringify(`${'a'.repeat(64)}.example`.slice(0, 80))} has a label longer than 63 characters (in its ASCII form)`,
    ],
    [
      `${'äöüßéñ'.repeat(10)}.example`,
      `${JSON.stringify(`${'äöüßéñ'.repeat(10)}.example`)} has a label longer than 63 characters (in its ASCII form)`,
    ],
    [
      `a${longest}`,
      `${JSON.stringify(`a${longest}`.slice(0, 80))} is longer than 253 characters (in its ASCII form)`,
    ],
    ['-a.example', '"-a.example": a label may not begin or end with a hyphen'],
    ['-a.0x7f', '"-a.0x7f": a label may not begin or end with a hyphen'],
    ['münchen-.de', '"münchen-.de": a label may not begin or end with a hyphen'],
    ['a_b.example', '"a_b.example": "_" is not a hostname character'],
    ['a*b.example', '"a*b.example" may hold only letters, digits, hyphens and dots'],
    ['é:1.example', '"é:1.example" may hold only letters, digits, hyphens and dots'],
    ['xn--zz.example', '"xn--zz.example" is not a valid internationalised domain name'],
    ['10.0.0.1', '"10.0.0.1" is an IP address, not a domain name'],
  ])('%j: %s', (text, message) => {
    expect(parseHostname(text)).toEqual({ ok: false, error: message });
  });

  it('cuts a long name in its message to 80 characters', () => {
    const r = parseHostname('x'.repeat(100));
    expect(r).toEqual({
      ok: false,
      error: `"${'x'.repeat(80)}" is not a fully qualified domain name (at least two labels, e.g. home.example.com)`,
    });
  });
});

describe('underscore labels (owner names of TXT records)', () => {
  it.each([
    ['_acme-challenge.home.example.test', '_acme-challenge.home.example.test'],
    ['_ACME-Challenge.example.test.', '_acme-challenge.example.test'],
    ['_dmarc.example.test', '_dmarc.example.test'],
    ['_a.example.test', '_a.example.test'],
    ['_acme-challenge.café.example', '_acme-challenge.xn--caf-dma.example'],
    ['home.example.test', 'home.example.test'],
    ['a_b.example.test', undefined],
    ['__a.example.test', undefined],
    ['_.example.test', undefined],
    ['_-a.example.test', undefined],
  ])('%j → %j', (text, expected) => {
    expect(normaliseHostname(text, { underscoreLabels: true })).toBe(expected);
  });

  it('says where an underscore may stand', () => {
    expect(parseHostname('a_b.example', { underscoreLabels: true })).toEqual({
      ok: false,
      error: '"a_b.example": "_" may only begin a label (as in _acme-challenge)',
    });
  });
});

describe('hostnameField', () => {
  it('gives the stored form, or one custom issue with the reason', () => {
    const field = hostnameField();
    expect(field.parse(' Café.Example.Test. ')).toBe('xn--caf-dma.example.test');
    expect(field.safeParse('home').error?.issues).toEqual([
      {
        code: 'custom',
        path: [],
        message: '"home" is not a fully qualified domain name (at least two labels, e.g. home.example.com)',
      },
    ]);
    expect(hostnameField({ underscoreLabels: true }).parse('_acme-challenge.example.test')).toBe(
      '_acme-challenge.example.test',
    );
    expect(field.safeParse('_acme-challenge.example.test').success).toBe(false);
  });

  it('reads no more than 1024 characters', () => {
    const issues = hostnameField().safeParse(`${'a.'.repeat(512)}b`).error?.issues;
    expect(issues?.map((i) => i.message)).toEqual(['is longer than 253 characters']);
  });
});

describe('displayHostname', () => {
  it.each([
    ['xn--caf-dma.example.com', 'café.example.com'],
    ['xn--rger-koa.example', 'ärger.example'],
    ['home.example.test', 'home.example.test'],
    ['', ''],
  ])('%j → %j', (name, shown) => {
    expect(displayHostname(name)).toBe(shown);
  });
});
