/** @module Pure formatting: timestamps for people, audit details, SVG as an image data URL. */

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const dateTimeSeconds = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A local date and time, or the raw text when it is not a timestamp. */
export function formatDateTime(iso: string, options: { seconds?: boolean } = {}): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return (options.seconds ? dateTimeSeconds : dateTime).format(d);
}

/** "just now", "5 min ago", "3 h ago", "2 d ago", "in 6 d": coarse on purpose. */
export function formatRelative(iso: string, now: Date): string {
  const t = new Date(iso).getTime();
  if (Number.isNaN(t)) return iso;
  const seconds = Math.round((t - now.getTime()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 45) return 'just now';
  const [amount, unit] =
    abs < 3600
      ? [Math.round(abs / 60), 'min']
      : abs < 86_400
        ? [Math.round(abs / 3600), 'h']
        : [Math.round(abs / 86_400), 'd'];
  return seconds < 0 ? `${amount} ${unit} ago` : `in ${amount} ${unit}`;
}

/** Audit details as `key=value` pairs in a stable order. */
export function formatDetails(details: Readonly<Record<string, string | number | boolean | null>>): string {
  return Object.keys(details)
    .sort()
    .map((k) => `${k}=${String(details[k])}`)
    .join(' ');
}

/** "sessionsEnded" → "sessions ended", "kind" → "kind": a details key in words. */
export function keyInWords(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[-_.]+/g, ' ')
    .toLowerCase();
}

/** Audit details as words, in a stable order: [["sessions ended", "3"], ["unsaved", "yes"]]. */
export function detailsInWords(
  details: Readonly<Record<string, string | number | boolean | null>>,
): [label: string, value: string][] {
  return Object.keys(details)
    .sort()
    .map((k) => {
      const v = details[k];
      const value =
        v === true ? 'yes' : v === false ? 'no' : v === null || v === undefined ? 'none' : String(v);
      return [keyInWords(k), value];
    });
}

/** An SVG document as a data: URL for <img src>, which the CSP allows (img-src data:) unlike inline markup. */
export function svgDataUrl(svg: string): string {
  const bytes = new TextEncoder().encode(svg);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}

/** Shortens a browser user-agent string to "Browser on OS" where it can tell. */
export function describeUserAgent(ua: string): string {
  if (ua === '') return 'unknown client';
  const browser = /Edg\//.test(ua)
    ? 'Edge'
    : /Firefox\//.test(ua)
      ? 'Firefox'
      : /Chrome\/|Chromium\//.test(ua)
        ? 'Chrome'
        : /Safari\//.test(ua)
          ? 'Safari'
          : /^curl\//.test(ua)
            ? 'curl'
            : undefined;
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Mac OS X/.test(ua)
        ? 'macOS'
        : /Windows/.test(ua)
          ? 'Windows'
          : /Linux/.test(ua)
            ? 'Linux'
            : undefined;
  if (browser && os) return `${browser} on ${os}`;
  return browser ?? os ?? (ua.length > 40 ? `${ua.slice(0, 40)}…` : ua);
}
