/** @module When no source answered, the sources table collapses to one line per kind of failure. Pure. */

export interface SourceRow {
  readonly source: string;
  readonly status: 'known' | 'unavailable';
  readonly reason: string | null;
}

export interface FailureGroup {
  /** ENOTFOUND, ENETUNREACH, … or "no answer in time", or the reason itself. */
  readonly kind: string;
  readonly count: number;
  /** One source of the group and its reason, as an example. */
  readonly example: { readonly source: string; readonly reason: string };
}

/** The kind of a failure: the system error code, a timeout, or the reason itself (as the doctor's text). */
export function failureKind(reason: string): string {
  const code = /\b(E[A-Z][A-Z_]{2,})\b/.exec(reason)?.[1];
  if (code) return code;
  if (/within|timed? ?out|no answer/i.test(reason)) return 'no answer in time';
  return reason;
}

/** null when any source answered (show the table); otherwise the failures grouped, most frequent first. */
export function failureGroups(rows: readonly SourceRow[]): FailureGroup[] | null {
  if (rows.length === 0 || rows.some((r) => r.status === 'known')) return null;
  const groups = new Map<string, { count: number; example: { source: string; reason: string } }>();
  for (const r of rows) {
    const reason = r.reason ?? 'no reason given';
    const kind = failureKind(reason);
    const g = groups.get(kind);
    if (g) g.count += 1;
    else groups.set(kind, { count: 1, example: { source: r.source, reason } });
  }
  return [...groups.entries()]
    .map(([kind, g]) => ({ kind, count: g.count, example: g.example }))
    .sort((a, b) => b.count - a.count);
}
