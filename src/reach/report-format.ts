/** @module The reachability report for people (`gatehouse doctor`) and for scripts (stable JSON). Pure. */
import type { ReachabilityReport } from './probe.js';

/** Stable JSON for `gatehouse doctor --json` and the API: field names are a contract. */
export function reportJson(r: ReachabilityReport) {
  return {
    at: r.at,
    headline: r.verdict.headline,
    inbound: r.verdict.inbound,
    ipv4: {
      kind: r.verdict.ipv4.kind,
      publicAddress: r.verdict.ipv4.publicAddress,
      mapping: r.verdict.ipv4.mapping,
      udp: r.verdict.ipv4.udp,
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
    /** Whether the WireGuard port mapping holds (null when no mapper runs, as in `gatehouse doctor`). */
    portMappingStatus: r.facts.portMapping
      ? {
          state: r.facts.portMapping.state,
          protocol: r.facts.portMapping.protocol ?? null,
          externalPort: r.facts.portMapping.externalPort ?? null,
          error: r.facts.portMapping.error ?? null,
        }
      : null,
    evidence: [...r.verdict.evidence],
    remedies: [...r.verdict.remedies],
    sources: r.sources.map((s) =>
      s.kind === 'known'
        ? { source: s.source, family: s.family, status: 'known' as const, address: s.address, reason: null }
        : {
            source: s.source,
            family: s.family,
            status: 'unavailable' as const,
            address: null,
            reason: s.reason,
          },
    ),
  };
}

export type ReportJson = ReturnType<typeof reportJson>;

export function reportText(r: ReachabilityReport): string {
  const j = reportJson(r);
  const lines = [
    j.headline,
    '',
    `IPv4  ${j.ipv4.kind.padEnd(10)} public ${j.ipv4.publicAddress ?? '-'}  mapping ${j.ipv4.mapping}  UDP ${j.ipv4.udp}  port mapping ${j.ipv4.portMapping}`,
    `IPv6  ${j.ipv6.globalReachable ? 'reachable ' : 'no        '} public ${j.ipv6.publicAddress ?? '-'}`,
    '',
    'Evidence:',
    ...(j.evidence.length > 0 ? j.evidence.map((e) => `  - ${e}`) : ['  (none)']),
  ];
  if (j.ipv4.pathError !== null) {
    lines.push('', `Path not traced: ${j.ipv4.pathError}; the verdict relies on the router's answers.`);
  }
  if (j.remedies.length > 0) lines.push('', 'What to do:', ...j.remedies.map((m, i) => `  ${i + 1}. ${m}`));
  lines.push('', 'Sources:');
  for (const s of j.sources) {
    const answer = s.status === 'known' ? s.address : `unavailable: ${s.reason}`;
    lines.push(`  ${s.family}  ${s.source.padEnd(36)} ${answer}`);
  }
  return `${lines.join('\n')}\n`;
}
