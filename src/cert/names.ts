/**
 * @module The names a certificate may carry: DDNS's hostname rule (src/ddns/hostname.ts: ASCII form, lower case,
 * two or more labels), plus wildcards of exactly one leading `*.` label (RFC 8555 §7.1.3; validated by DNS-01 only).
 */
import { fail, ok, type Outcome } from '../core/outcome.js';
import { parseHostname } from '../ddns/hostname.js';

/** The names in their stored form, duplicates dropped, order kept; or what is wrong with the first bad one. */
export function checkCertificateNames(names: readonly string[]): Outcome<string[], string> {
  const out: string[] = [];
  for (const [i, raw] of names.entries()) {
    const text = raw.trim();
    const wildcard = text.startsWith('*.');
    const base = parseHostname(wildcard ? text.slice(2) : text);
    // A `*` anywhere else is refused by the hostname rule ("may hold only letters, digits, hyphens and dots").
    if (!base.ok) return fail(`names.${String(i)}: ${base.error}`);
    const name = wildcard ? `*.${base.value}` : base.value;
    if (!out.includes(name)) out.push(name);
  }
  if (out.length === 0) return fail('names: give at least one name');
  return ok(out);
}
