/**
 * @module The one hostname rule of DDNS (records, zones, inbound clients): an FQDN of two or more labels, stored
 * and sent to providers in its ASCII form — lower case, no trailing dot, an internationalised label as its A-label
 * (`café.example.com` → `xn--caf-dma.example.com`, UTS #46 through the WHATWG URL standard's `domainToASCII`).
 */
import { domainToASCII, domainToUnicode } from 'node:url';
import { z } from 'zod';
import { fail, ok, type Outcome } from '../core/outcome.js';

/** The longest name DNS can carry in presentation form, without the trailing dot (RFC 1035 §2.3.4). */
export const maxHostnameLength = 253;
/** The longest label (RFC 1035 §2.3.4), counted in octets of its A-label. */
export const maxLabelLength = 63;

export interface HostnameOptions {
  /**
   * Whether labels may begin with an underscore, as the owner names of TXT and SRV records do (`_acme-challenge`,
   * `_dmarc`; RFC 8552). Hostnames of address records never do: an underscore is not a hostname character
   * (RFC 952, RFC 1123 §2.1), and some providers refuse it.
   */
  readonly underscoreLabels?: boolean;
}

const ldhLabel = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const underscoredLabel = /^_?[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * The name in its stored form, or a sentence saying what is wrong with it (for a message that names the field).
 * Unicode labels become A-labels; a label already given as an A-label (`xn--…`) must be a valid one.
 */
export function parseHostname(text: string, options: HostnameOptions = {}): Outcome<string, string> {
  const typed = text.trim();
  const shown = JSON.stringify(typed.slice(0, 80));
  // One trailing dot (the root), also as the full stops UTS #46 reads as dots.
  const trimmed = typed.replace(/[.\u3002\uff0e\uff61]$/, '');
  if (trimmed === '') return fail('is empty');
  // ASCII beside letters, digits, `-`, `_` and `.` would mean something to the URL parser behind domainToASCII.
  if (/[^\P{ASCII}\w.-]/u.test(trimmed))
    return fail(`${shown} may hold only letters, digits, hyphens and dots`);
  const lower = trimmed.toLowerCase();
  const name = /\P{ASCII}|(^|\.)xn--/u.test(lower) ? toAscii(lower) : lower;
  if (name === undefined) return fail(`${shown} is not a valid internationalised domain name`);
  if (name.length > maxHostnameLength)
    return fail(`${shown} is longer than ${maxHostnameLength} characters (in its ASCII form)`);
  const labels = name.split('.');
  if (labels.length < 2)
    return fail(`${shown} is not a fully qualified domain name (at least two labels, e.g. home.example.com)`);
  // The hyphen rule holds for the label as written, not only for its A-label (`münchen-` is `xn--mnchen--n2a`).
  const written = name.includes('xn--') ? domainToUnicode(name).split('.') : labels;
  const underscores = options.underscoreLabels === true;
  for (const [i, label] of labels.entries()) {
    if (label === '') return fail(`${shown} has an empty label`);
    if (label.length > maxLabelLength)
      return fail(`${shown} has a label longer than ${maxLabelLength} characters (in its ASCII form)`);
    const asWritten = written[i] ?? label;
    if (asWritten.startsWith('-') || asWritten.endsWith('-'))
      return fail(`${shown}: a label may not begin or end with a hyphen`);
    // Only characters of names get here, and a label ends in no hyphen: what fails now is an underscore.
    if (!(underscores ? underscoredLabel : ldhLabel).test(label))
      return fail(
        underscores
          ? `${shown}: "_" may only begin a label (as in _acme-challenge)`
          : `${shown}: "_" is not a hostname character`,
      );
  }
  // A top-level label of digits only is an IPv4 address, not a name.
  if (/^\d+$/.test(String(labels.at(-1)))) return fail(`${shown} is an IP address, not a domain name`);
  return ok(name);
}

/** The stored form, or undefined when `text` is not a hostname ({@link parseHostname} says why). */
export function normaliseHostname(text: string, options: HostnameOptions = {}): string | undefined {
  const r = parseHostname(text, options);
  return r.ok ? r.value : undefined;
}

/** A stored name as people write it: A-labels shown in Unicode (`xn--caf-dma.example.com` → `café.example.com`). */
export function displayHostname(name: string): string {
  return domainToUnicode(name) || name;
}

/** The A-label form, or undefined when UTS #46 refuses the name (an invalid `xn--` label, a forbidden code point). */
function toAscii(text: string): string | undefined {
  const ascii = domainToASCII(text);
  return ascii === '' ? undefined : ascii;
}

/**
 * A zod field for a hostname: the stored form, or an issue saying what is wrong (the caller's path names the
 * field). The input is bounded before it is read.
 */
export function hostnameField(options: HostnameOptions = {}): z.ZodType<string, string> {
  return z
    .string()
    .max(1024, `is longer than ${maxHostnameLength} characters`)
    .transform((text, ctx) => {
      const r = parseHostname(text, options);
      if (r.ok) return r.value;
      ctx.addIssue({ code: 'custom', message: r.error });
      return z.NEVER;
    });
}
