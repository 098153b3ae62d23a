/**
 * @module Names and values as the HTTP DNS APIs spell them, shared by the adapters: a record's name relative to its
 * zone, the zones a name may lie in, TXT strings quoted and unquoted, and values back in the form the engine writes.
 */
import type { RecordType } from '../provider.js';

/** The zone candidates for a name, longest first: `a.b.example.com`, `b.example.com`, `example.com` (never a TLD). */
export function zoneCandidates(name: string): string[] {
  const labels = name.split('.');
  const out: string[] = [];
  for (let i = 0; i <= labels.length - 2; i++) out.push(labels.slice(i).join('.'));
  return out;
}

/**
 * The name relative to its zone (`home` for `home.example.com` in `example.com`), `apex` for the zone itself (the
 * APIs write it `@` or as the empty string), undefined when the name is not in the zone.
 */
export function relativeName(name: string, zone: string, apex: '' | '@'): string | undefined {
  if (name === zone) return apex;
  return name.endsWith(`.${zone}`) ? name.slice(0, -(zone.length + 1)) : undefined;
}

/** One TXT string as a zone file writes it: quoted, `"` and `\` escaped. */
export function quoteTxtString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * One TXT value in presentation format, as Cloudflare, Hetzner and deSEC take it: quoted RFC 1035 character-strings
 * of at most 255 characters each (`"a…" "…z"`), `"` and `\` escaped. Cloudflare would split a long one itself.
 */
export function quoteTxtStrings(value: string): string {
  const parts: string[] = [];
  for (let i = 0; i < value.length || parts.length === 0; i += 255) parts.push(value.slice(i, i + 255));
  return parts.map(quoteTxtString).join(' ');
}

/**
 * TXT content as the providers hold it, back to the text: quoted strings (`"a" "b"`) are joined, escapes undone;
 * unquoted content (older records) is taken as it is.
 */
export function unquoteTxt(content: string): string {
  const text = content.trim();
  if (!text.startsWith('"')) return content;
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] !== '"') {
      i++;
      continue;
    }
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < text.length) i++;
      out += text.charAt(i);
      i++;
    }
    i++;
  }
  return out;
}

/**
 * An address as the engine writes it: IPv6 in its canonical text (`2001:db8::1`, as the URL standard serialises
 * it); anything else (IPv4, TXT text) as it is.
 */
export function canonicalAddress(type: RecordType, value: string): string {
  if (type !== 'AAAA') return value;
  try {
    return new URL(`http://[${value}]/`).hostname.slice(1, -1);
  } catch {
    return value;
  }
}

/** A value as the engine writes it, from content a provider holds in presentation form: TXT without its quotes. */
export function canonicalValue(type: RecordType, content: string): string {
  return type === 'TXT' ? unquoteTxt(content) : canonicalAddress(type, content);
}

/** Whether two value lists, each sorted and without repeats, are the same set. */
export function sameValues(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
