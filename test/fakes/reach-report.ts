/** @module A ReachabilityReport built from scripted IPv4 source answers, as one real probe would make it. */
import { decideAddress } from '../../src/reach/consensus.js';
import type { ReachabilityReport } from '../../src/reach/probe.js';
import type { SourceResult } from '../../src/reach/types.js';
import { classifyReachability, type RouterObservation } from '../../src/reach/verdict.js';

export interface ScriptedReportOptions {
  /** When the probe ran (the report's `at`): from the test's clock, never the wall clock. */
  readonly now: Date;
  /** Hops of the IPv4 path (traceroute); null when it was not traced. */
  readonly path?: (string | null)[] | null;
  readonly publicRanges?: string[];
  /** What the router's port-mapping protocols said (IPv4); none by default. */
  readonly router?: RouterObservation[];
  /** Whether an HTTP echo got through over TCP; true by default (so silent STUN reads as UDP blocked). */
  readonly tcpWorks?: boolean;
  /** The box's own IPv4 addresses; a private one by default (the box is behind a NAT). */
  readonly localAddresses?: string[];
}

export function scriptedReport(v4: SourceResult[], options: ScriptedReportOptions): ReachabilityReport {
  const policy = { quorum: 2, trustedSource: null, publicRanges: options.publicRanges ?? [] };
  const c4 = decideAddress('ipv4', v4, policy);
  const c6 = decideAddress('ipv6', [], policy);
  const tcpWorks = options.tcpWorks ?? true;
  const stunResults = v4
    .filter((r) => r.source.startsWith('stun'))
    .map((r) => ({ server: r.source, mapped: r.kind === 'known' ? { address: r.address, port: 1 } : null }));
  const facts = {
    ipv4: {
      localAddresses: options.localAddresses ?? ['10.0.0.2'],
      router: options.router ?? [],
      tcpWorks,
      stun: { localPort: 1, results: stunResults },
      path: options.path ?? null,
    },
    // IPv6 is out of the script: no address, no router (its protocols are IPv4 only), no STUN.
    ipv6: { localAddresses: [], router: [], tcpWorks, stun: null, path: null },
    pathError: null,
    portMapping: null,
  };
  return {
    at: options.now.toISOString(),
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
