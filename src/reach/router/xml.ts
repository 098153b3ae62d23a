/**
 * @module A small, strict XML reader for router descriptions and SOAP answers: elements, attributes, text,
 * CDATA and the five predefined entities. No DTDs, no external entities, bounded size and depth. Pure.
 */

export interface XmlElement {
  /** Local name, the namespace prefix removed (`u:GetExternalIPAddressResponse` → `GetExternalIPAddressResponse`). */
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: readonly XmlElement[];
  /** The element's own text (children's text not included), entities decoded, untrimmed. */
  readonly text: string;
}

export type XmlParseResult =
  { readonly ok: true; readonly root: XmlElement } | { readonly ok: false; readonly reason: string };

export const maxXmlChars = 512 * 1024;
const maxDepth = 64;

interface Building {
  name: string;
  qname: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const predefined: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith('#x')) return safeCodePoint(parseInt(ref.slice(2), 16)) ?? whole;
    if (ref.startsWith('#')) return safeCodePoint(parseInt(ref.slice(1), 10)) ?? whole;
    return predefined[ref] ?? whole;
  });
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

function localName(qname: string): string {
  // Without a prefix indexOf is -1, and the slice starts at 0.
  return qname.slice(qname.indexOf(':') + 1);
}

/** Parses a whole document; anything malformed is a reason, never a throw. */
export function parseXml(input: string): XmlParseResult {
  if (input.length > maxXmlChars) return { ok: false, reason: `XML larger than ${maxXmlChars} characters` };
  const s = input.startsWith('\ufeff') ? input.slice(1) : input;
  const stack: Building[] = [];
  let root: XmlElement | undefined;
  let i = 0;
  const fail = (reason: string): XmlParseResult => ({ ok: false, reason: `${reason} at offset ${i}` });
  /** Where `token` starts at or after `from`, or undefined. */
  const find = (token: string, from: number): number | undefined => {
    const at = s.indexOf(token, from);
    // A hit is at or after `from`; a miss is -1.
    return at >= from ? at : undefined;
  };
  const finish = (b: Building): XmlElement => ({
    name: localName(b.name),
    attributes: b.attributes,
    children: b.children,
    text: b.text,
  });

  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > i) {
      const text = s.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.text += decodeEntities(text);
      else if (text.trim() !== '') return fail('text outside the root element');
      i = textEnd;
      continue;
    }
    if (s.startsWith('<?', i)) {
      const end = find('?>', i + 2);
      if (end === undefined) return fail('unterminated processing instruction');
      i = end + 2;
    } else if (s.startsWith('<!--', i)) {
      const end = find('-->', i + 4);
      if (end === undefined) return fail('unterminated comment');
      i = end + 3;
    } else if (s.startsWith('<![CDATA[', i)) {
      const end = find(']]>', i + 9);
      if (end === undefined) return fail('unterminated CDATA section');
      const top = stack[stack.length - 1];
      if (!top) return fail('CDATA outside the root element');
      top.text += s.slice(i + 9, end);
      i = end + 3;
    } else if (s.startsWith('<!', i)) {
      // DOCTYPE and friends: refused when they carry declarations (entity expansion is an attack surface).
      const end = find('>', i);
      if (end === undefined) return fail('unterminated declaration');
      if (s.slice(i, end).includes('[')) return fail('DTD declarations are not accepted');
      i = end + 1;
    } else if (s.startsWith('</', i)) {
      const end = find('>', i);
      if (end === undefined) return fail('unterminated end tag');
      const name = s.slice(i + 2, end).trim();
      const top = stack.pop();
      if (!top) return fail(`end tag </${name}> without a start tag`);
      if (top.qname !== name) return fail(`end tag </${name}> does not close <${top.qname}>`);
      const el = finish(top);
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else root = el;
      i = end + 1;
    } else {
      // A start tag: find its end outside quoted attribute values.
      let j = i + 1;
      let quote: string | undefined;
      // j starts at most at the end (i is inside s), so this stops there at the latest.
      for (; j !== s.length; j++) {
        const c = s[j];
        if (quote) {
          if (c === quote) quote = undefined;
        } else if (c === '"' || c === "'") quote = c;
        else if (c === '>') break;
      }
      if (j >= s.length) return fail('unterminated start tag');
      let body = s.slice(i + 1, j);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const m = /^([A-Za-z_][\w.:-]*)([\s\S]*)/.exec(body);
      if (!m?.[1]) return fail('malformed start tag');
      const qname = m[1];
      const attributes: Record<string, string> = {};
      // Stryker disable next-line StringLiteral: the second group always takes part in the match
      const rest = m[2] ?? '';
      const attrRe = /\s+([A-Za-z_][\w.:-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/gy;
      let consumed = 0;
      for (let a = attrRe.exec(rest); a; a = attrRe.exec(rest)) {
        // Stryker disable next-line StringLiteral: the name group always matches, and one of the two value groups does
        attributes[a[1] ?? ''] = decodeEntities(a[2] ?? a[3] ?? '');
        consumed = attrRe.lastIndex;
      }
      if (rest.slice(consumed).trim() !== '') return fail(`malformed attributes in <${qname}>`);
      // Once the root element has closed nothing is open: any later start tag is a second root.
      if (root) return fail('a second root element');
      const building: Building = { name: qname, qname, attributes, children: [], text: '' };
      if (selfClosing) {
        const el = finish(building);
        const parent = stack[stack.length - 1];
        if (parent) parent.children.push(el);
        else root = el;
      } else {
        if (stack.length >= maxDepth) return fail(`elements nested deeper than ${maxDepth}`);
        stack.push(building);
      }
      i = j + 1;
    }
  }
  const open = stack[stack.length - 1];
  if (open) return fail(`<${open.qname}> is never closed`);
  if (!root) return fail('no root element');
  return { ok: true, root };
}

/** Every element named `name` (local name, case-sensitive) under `el`, depth first, `el` included. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  const walk = (e: XmlElement): void => {
    if (e.name === name) out.push(e);
    e.children.forEach(walk);
  };
  walk(el);
  return out;
}

export function findFirst(el: XmlElement, name: string): XmlElement | undefined {
  return findAll(el, name)[0];
}

/** Trimmed text of the first direct child named `name`. */
export function childText(el: XmlElement, name: string): string | undefined {
  return el.children.find((c) => c.name === name)?.text.trim();
}
