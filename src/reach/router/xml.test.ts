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
});
