/** @module A ReachabilityReport built from scripted IPv4 source answers, as one real probe would make it. */
import { decideAddress } from '../../src/reach/consensus.js';
import type { ReachabilityReport } from '../../src/reach/probe.js';
import type { SourceResult } from '../../src/reach/types.js';
import { classifyReachability } from '../../src/reach/verdict.js';

export function scriptedReport(
  v4: SourceResult[],
  options: { path?: (string | null)[] | null; publicRanges?: string[] } = {},
): ReachabilityReport {
  const policy = { quorum: 2, trustedSource: null, publicRanges: options.publicRanges ?? [] };
  const c4 = decideAddress('ipv4', v4, policy);
  const c6 = decideAddress('ipv6', [], policy);
  const base = { localAddresses: ['10.0.0.2'], router: [], tcpWorks: true };
  const stunResults = v4
    .filter((r) => r.source.startsWith('stun'))
    .map((r) => ({ server: r.source, mapped: r.kind === 'known' ? { address: r.address, port: 1 } : null }));
  const facts = {
    ipv4: { ...base, stun: { localPort: 1, results: stunResults }, path: options.path ?? null },
    ipv6: { ...base, localAddresses: [], stun: null, path: null },
    pathError: null,
    portMapping: null,
  };
  return {
    at: new Date().toISOString(),
    verdict: classifyReachability({
      ipv4: { ...facts.ipv4, consensus: c4 },
      ipv6: { ...facts.ipv6, consensus: c6 },
      portMapping: null,
      wireguardPort: 51820,
    }),
    consensus: { ipv4: c4, ipv6: c6 },
    sources: v4,
    facts,
  };
}
