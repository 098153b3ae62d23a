/** @module The reachability report for people (`gatehouse doctor`) and for scripts (stable JSON). Pure. */
import type { ReachabilityReport } from './probe.js';

/** Stable JSON for `gatehouse doctor --json` and the API: field names are a contract. */
export function reportJson(r: ReachabilityReport) {
  const sources = r.sources.map((s) =>
    s.kind === 'known'
      ? { source: s.source, family: s.family, status: 'known' as const, address: s.address, reason: null }
      : {
          source: s.source,
          family: s.family,
          status: 'unavailable' as const,
          address: null,
          reason: s.reason,
        },
  );
  return {
    at: r.at,
    headline: r.verdict.headline,
    /** How sure the verdict is: proven (an inbound packet was seen), likely, unlikely, impossible. */
    level: r.verdict.level,
    inbound: r.verdict.inbound,
    ipv4: {
      kind: r.verdict.ipv4.kind,
      publicAddress: r.verdict.ipv4.publicAddress,
      mapping: r.verdict.ipv4.mapping,
      udp: r.verdict.ipv4.udp,
      cgnat: r.verdict.ipv4.cgnat,
      portMapping: r.verdict.ipv4.portMapping,
      consensus: r.consensus.ipv4.kind,
      localAddresses: [...r.facts.ipv4.localAddresses],
      path: r.facts.ipv4.path ? [...r.facts.ipv4.path] : null,
      /** Why the path was not traced (e.g. traceroute is not installed): the CGNAT / double-NAT evidence is thinner. */
      pathError: r.facts.pathError,
    },
    ipv6: {
      publicAddress: r.verdict.ipv6.publicAddress,
      globalReachable: r.verdict.ipv6.globalReachable,
      consensus: r.consensus.ipv6.kind,
      localAddresses: [...r.facts.ipv6.localAddresses],
    },
    /**
     * What the router did with the WireGuard port: the server's mapper, or `gatehouse doctor`'s short test mapping
     * (`test: true`, removed again); null when no mapping was tried.
     */
    portMappingStatus: r.facts.portMapping
      ? {
          state: r.facts.portMapping.state,
          protocol: r.facts.portMapping.protocol ?? null,
          externalPort: r.facts.portMapping.externalPort ?? null,
          externalAddress: r.facts.portMapping.externalAddress ?? null,
          error: r.facts.portMapping.error ?? null,
          test: r.facts.portMapping.test ?? false,
        }
      : null,
    evidence: [...r.verdict.evidence],
    remedies: [...r.verdict.remedies],
    sources,
    /** When no source answered: the failures by kind (the doctor and the UI show this instead of the table). */
    sourcesSummary: failureGroups(sources),
  };
}

export type ReportJson = ReturnType<typeof reportJson>;

export interface FailureGroup {
  /** ENOTFOUND, EAI_AGAIN, … or "no answer in time", or the reason itself. */
  readonly kind: string;
  readonly count: number;
  /** One source of the group and its reason. */
  readonly example: { readonly source: string; readonly reason: string };
}

/**
 * When not one source answered, the failures grouped by kind, most frequent first (`3 × ENOTFOUND …`): nineteen
 * rows of the same failure hide the one thing to read. null when any source answered (then the table is shown).
 */
export function failureGroups(
  sources: readonly { readonly source: string; readonly status: string; readonly reason: string | null }[],
): FailureGroup[] | null {
  if (sources.length === 0 || sources.some((s) => s.status === 'known')) return null;
  const groups = new Map<string, { count: number; example: { source: string; reason: string } }>();
  for (const s of sources) {
    const reason = s.reason ?? 'no reason given';
    const kind = failureKind(reason);
    const g = groups.get(kind);
    if (g) g.count += 1;
    else groups.set(kind, { count: 1, example: { source: s.source, reason } });
  }
  return [...groups.entries()]
    .map(([kind, g]) => ({ kind, count: g.count, example: g.example }))
    .sort((a, b) => b.count - a.count);
}

/** The kind of a failure: the system error code (ENOTFOUND, ENETUNREACH, …), a timeout, or the reason itself. */
export function failureKind(reason: string): string {
  const code = /\b(E[A-Z][A-Z_]{2,})\b/.exec(reason)?.[1];
  if (code) return code;
  if (/within|timed? ?out|no answer/i.test(reason)) return 'no answer in time';
  if (/reports only the router's IPv4 address/.test(reason)) return "IPv4 only (the router's protocols)";
  const noGlobal = /no global ipv([46]) address/i.exec(reason)?.[1];
  if (noGlobal) return `no global IPv${noGlobal} address on this box`;
  if (/only non-public/.test(reason)) return "no public address on the box's interfaces";
  return reason;
}

/** The sources table, or the summary of failures when none answered. */
export function sourceLines(j: Pick<ReportJson, 'sources' | 'sourcesSummary'>): string[] {
  if (j.sourcesSummary === null)
    return j.sources.map(
      (s) =>
        `${s.family}  ${s.source.padEnd(36)} ${s.status === 'known' ? s.address : `unavailable: ${s.reason}`}`,
    );
  return [
    `${j.sources.length} sources, none answered:`,
    ...j.sourcesSummary.map(
      (g) => `  ${g.count} × ${g.kind} (e.g. ${g.example.source}: ${g.example.reason})`,
    ),
  ];
}

/** Who said what when the sources do not agree (the doctor text shows it, not only the evidence). */
function disagreementLines(r: ReachabilityReport): string[] {
  const lines: string[] = [];
  for (const c of [r.consensus.ipv4, r.consensus.ipv6]) {
    const family = c.family === 'ipv4' ? 'IPv4' : 'IPv6';
    if (c.kind === 'accepted' && c.dissent.length > 0) {
      lines.push(`  ${family}: ${c.address} (${c.sources.join(', ')}) — outvoted:`);
      for (const d of c.dissent) lines.push(`    ${d.source} said ${d.address}`);
    } else if (c.kind === 'disagreement') {
      lines.push(`  ${family}: no quorum, the sources disagree:`);
      for (const a of c.answers) lines.push(`    ${a.source} said ${a.address}`);
    }
  }
  return lines;
}

export function reportText(r: ReachabilityReport): string {
  const j = reportJson(r);
  const lines = [
    j.headline,
    '',
    `Verdict: ${j.level}`,
    `IPv4  ${j.ipv4.kind.padEnd(10)} public ${j.ipv4.publicAddress ?? '-'}  mapping ${j.ipv4.mapping}  UDP ${j.ipv4.udp}  CGNAT ${j.ipv4.cgnat}  port mapping ${j.ipv4.portMapping}`,
    `IPv6  ${j.ipv6.globalReachable ? 'reachable ' : 'no        '} public ${j.ipv6.publicAddress ?? '-'}`,
    '',
    'Evidence:',
    ...(j.evidence.length > 0 ? j.evidence.map((e) => `  - ${e}`) : ['  (none)']),
  ];
  const disagreement = disagreementLines(r);
  if (disagreement.length > 0) lines.push('', 'Disagreement:', ...disagreement);
  if (j.ipv4.pathError !== null) {
    lines.push('', `Path not traced: ${j.ipv4.pathError}; the verdict relies on the router's answers.`);
  }
  if (j.remedies.length > 0) lines.push('', 'What to do:', ...j.remedies.map((m, i) => `  ${i + 1}. ${m}`));
  lines.push('', 'Sources:', ...sourceLines(j).map((l) => `  ${l}`));
  return `${lines.join('\n')}\n`;
}
