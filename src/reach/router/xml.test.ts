import { describe, expect, it } from 'vitest';
import { childText, findAll, findFirst, maxXmlChars, parseXml } from './xml.js';

describe('parseXml', () => {
  it('reads elements, namespaces, attributes, entities, CDATA, comments and the prolog', () => {
    const r = parseXml(
      '\ufeff<?xml version="1.0"?>\n<!-- a router -->\n<s:Envelope xmlns:s="x" a=\'1 &amp; 2\'>' +
        '<s:Body><u:R xmlns:u="y"><V>a &lt;b&gt; &#65;&#x42; <![CDATA[<raw>]]></V><E/><E k="v"/></u:R></s:Body></s:Envelope>',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.root.name).toBe('Envelope');
    expect(r.root.attributes).toEqual({ 'xmlns:s': 'x', a: '1 & 2' });
    const body = findFirst(r.root, 'R');
    expect(body && childText(body, 'V')).toBe('a <b> AB <raw>');
    expect(findAll(r.root, 'E').map((e) => e.attributes)).toEqual([{}, { k: 'v' }]);
  });

  it('keeps unknown entities as written rather than inventing text', () => {
    const r = parseXml('<a>&nbsp;&#0;</a>');
    expect(r.ok && r.root.text).toBe('&nbsp;&#0;');
  });

  it.each([
    ['mismatched end tag', '<a><b></a>', /does not close/],
    ['unclosed element', '<a><b></b>', /never closed/],
    ['stray end tag', '</a>', /without a start tag/],
    ['text outside the root', 'hello <a/>', /outside the root/],
    ['two roots', '<a/><b/>', /second root/],
    ['an internal DTD subset', '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>', /DTD/],
    ['malformed attributes', '<a b=c/>', /malformed attributes/],
    ['an unterminated comment', '<a><!-- x</a>', /comment/],
    ['an unterminated start tag', '<a b="1"', /unterminated start tag/],
    ['nothing', '  ', /no root/],
    ['deep nesting', '<a>'.repeat(100) + '</a>'.repeat(100), /deeper/],
    ['a huge document', `<a>${'x'.repeat(maxXmlChars)}</a>`, /larger/],
  ])('refuses %s', (_name, text, reason) => {
    const r = parseXml(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(reason);
  });

  it('accepts a plain DOCTYPE without declarations', () => {
    expect(parseXml('<!DOCTYPE root><root/>').ok).toBe(true);
  });
  it.each<[string, string, string]>([
    ['mismatched end tag', '<a><b></a>', 'end tag </a> does not close <b> at offset 6'],
    ['unclosed element', '<a><b></b>', '<a> is never closed at offset 10'],
    ['stray end tag', '</a>', 'end tag </a> without a start tag at offset 0'],
    ['text outside the root', 'hello <a/>', 'text outside the root element at offset 0'],
    ['text after the root', '<a/>x', 'text outside the root element at offset 4'],
    ['two roots', '<a/><b/>', 'a second root element at offset 4'],
    ['two roots, the second open', '<a></a><b></b>', 'a second root element at offset 7'],
    [
      'an internal DTD subset',
      '<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
      'DTD declarations are not accepted at offset 0',
    ],
    ['malformed attributes', '<a b=c/>', 'malformed attributes in <a> at offset 0'],
    ['an attribute without a value', '<a b/>', 'malformed attributes in <a> at offset 0'],
    ['attributes run together', '<a b="1"c="2"/>', 'malformed attributes in <a> at offset 0'],
    ['an unterminated comment', '<a><!-- x</a>', 'unterminated comment at offset 3'],
    ['an unterminated start tag', '<a b="1"', 'unterminated start tag at offset 0'],
    ['an unterminated start tag in a quote', '<a b="1>', 'unterminated start tag at offset 0'],
    [
      'an unterminated processing instruction',
      '<?xml version="1.0"',
      'unterminated processing instruction at offset 0',
    ],
    ['an unterminated CDATA section', '<a><![CDATA[x</a>', 'unterminated CDATA section at offset 3'],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', 'CDATA outside the root element at offset 0'],
    ['an unterminated declaration', '<!DOCTYPE a', 'unterminated declaration at offset 0'],
    ['an unterminated end tag', '<a></a', 'unterminated end tag at offset 3'],
    ['a start tag without a name', '< a/>', 'malformed start tag at offset 0'],
    ['a name that starts with a digit', '<1a/>', 'malformed start tag at offset 0'],
    ['nothing', '  ', 'no root element at offset 2'],
    ['only a comment', '<!-- x -->', 'no root element at offset 10'],
    ['65 levels', '<a>'.repeat(65) + '</a>'.repeat(65), 'elements nested deeper than 64 at offset 192'],
  ])('refuses %s, saying where', (_name, text, reason) => {
    expect(parseXml(text)).toEqual({ ok: false, reason });
  });

  it('takes 64 levels of nesting, and a document of exactly the size limit', () => {
    expect(parseXml('<a>'.repeat(64) + '</a>'.repeat(64)).ok).toBe(true);
    expect(parseXml(`<a>${'x'.repeat(maxXmlChars - 7)}</a>`).ok).toBe(true);
    expect(parseXml(`<a>${'x'.repeat(maxXmlChars - 6)}</a>`)).toEqual({
      ok: false,
      reason: `XML larger than ${maxXmlChars} characters`,
    });
  });

  it("keeps an element's own text untrimmed, without its children's text", () => {
    const r = parseXml('<a> x <b>y</b> z </a>\n');
    expect(r).toEqual({
      ok: true,
      root: {
        name: 'a',
        attributes: {},
        children: [{ name: 'b', attributes: {}, children: [], text: 'y' }],
        text: ' x  z ',
      },
    });
  });

  it('reads quoted ">" and the other quote inside attribute values, spaces around "=", and end tags with spaces', () => {
    const r = parseXml(`<p:a b = "x>y" c='1"2' d="&quot;&apos;&gt;&lt;&amp;" ></p:a >`);
    expect(r).toEqual({
      ok: true,
      root: { name: 'a', attributes: { b: 'x>y', c: '1"2', d: `"'><&` }, children: [], text: '' },
    });
  });

  it('reads self-closing elements with and without a space, and dotted or dashed names', () => {
    const r = parseXml('<x.y-z_1><e /><ns:f.g/></x.y-z_1>');
    expect(r.ok && r.root.name).toBe('x.y-z_1');
    expect(r.ok && r.root.children.map((c) => c.name)).toEqual(['e', 'f.g']);
  });

  it.each([
    ['&#x41;&#x6a;&#X41;', 'Aj&#X41;'],
    ['&#65;&#1114111;', `A${String.fromCodePoint(0x10ffff)}`],
    ['&#1114112;&#x110000;&#-1;', '&#1114112;&#x110000;&#-1;'],
    ['&lt;&gt;&amp;&quot;&apos;', `<>&"'`],
    ['&LT;&amp', '&LT;&amp'],
    ['&amp;lt;', '&lt;'],
  ])('decodes the entities in %s', (text, decoded) => {
    const r = parseXml(`<a>${text}</a>`);
    expect(r.ok && r.root.text).toBe(decoded);
  });

  it.each([
    [
      'a processing instruction closed by its own opening',
      '<?><a/>',
      'unterminated processing instruction at offset 0',
    ],
    ['a comment closed by its own opening', '<!--><a/>', 'unterminated comment at offset 0'],
    [
      'a CDATA section after a "]]>" in the text',
      '<a>]]><![CDATA[x</a>',
      'unterminated CDATA section at offset 6',
    ],
    [
      'an unclosed element after a byte order mark (offsets without it)',
      '\ufeff<a>',
      '<a> is never closed at offset 3',
    ],
  ])('refuses %s', (_name, text, reason) => {
    expect(parseXml(text)).toEqual({ ok: false, reason });
  });

  it('a "[" after a plain DOCTYPE is text, not a DTD', () => {
    expect(parseXml('<!DOCTYPE a><a>[x]</a>')).toMatchObject({ ok: true, root: { text: '[x]' } });
  });

  it('attributes may be apart by any white space', () => {
    expect(parseXml(`<a  b="1"\n\tc='2'/>`)).toMatchObject({
      ok: true,
      root: { attributes: { b: '1', c: '2' } },
    });
  });

  it('a byte order mark counts only at the start', () => {
    expect(parseXml('\ufeff<a/>').ok).toBe(true);
    expect(parseXml('<a>\ufeff</a>')).toMatchObject({ ok: true, root: { text: '\ufeff' } });
  });

  it('skips comments holding markup, and processing instructions inside the root', () => {
    const r = parseXml('<a><!-- <b> -- > --><?pi x?><c/></a>');
    expect(r.ok && r.root.children.map((c) => c.name)).toEqual(['c']);
  });

  it('reads an empty comment, processing instruction and CDATA section (the end token right where the search starts)', () => {
    expect(parseXml('<a>x<!---->y<??>z<![CDATA[]]></a>')).toMatchObject({
      ok: true,
      root: { text: 'xyz', children: [] },
    });
  });
});

describe('findAll, findFirst, childText', () => {
  const parsed = parseXml('<r><a i="1"><a i="2"/></a><b><a i="3"/><c> t </c></b><c>direct</c></r>');
  const root = parsed.ok ? parsed.root : undefined;

  it('findAll walks depth first and includes the element itself', () => {
    expect(root && findAll(root, 'a').map((e) => e.attributes['i'])).toEqual(['1', '2', '3']);
    expect(root && findAll(root, 'r')).toHaveLength(1);
    expect(root && findAll(root, 'A')).toEqual([]);
  });

  it('findFirst is the first of findAll, or undefined', () => {
    expect(root && findFirst(root, 'a')?.attributes).toEqual({ i: '1' });
    expect(root && findFirst(root, 'zz')).toBeUndefined();
  });

  it('childText reads only direct children, trimmed', () => {
    expect(root && childText(root, 'c')).toBe('direct');
    const b = root && findFirst(root, 'b');
    expect(b && childText(b, 'c')).toBe('t');
    expect(root && childText(root, 'zz')).toBeUndefined();
  });
});
