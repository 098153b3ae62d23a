/**
 * @module One reachability probe: ask every source, settle each family's address as soon as no pending source could
 * change it (settle-plan.ts), then, with every answer in, decide (quorum) and classify (verdict).
 */
import type { ReachabilitySettings } from '../config/index.js';
import type { Clock } from '../core/clock.js';
import type { Fetch } from '../core/fetch.js';
import { setMaxListeners } from 'node:events';
import type { CommandRunner } from '../core/runner.js';
import { familyOf } from './addresses.js';
import { decideAddress, type Consensus } from './consensus.js';
import { dnsEchoSource } from './dns-echo.js';
import { httpEchoSource } from './http-echo.js';
import { boxAddresses, interfaceSource, readInterfaceAddresses } from './interfaces.js';
import { tracePath } from './path-probe.js';
import { routerObservations } from './router/router-source.js';
import { planSettlement, type AcceptedConsensus } from './settle-plan.js';
import { splitHostPort, type StunClient, type StunQueryResult } from './stun-client.js';
import { known, unavailable, type Family, type PublicIpSource, type SourceResult } from './types.js';
import {
  classifyReachability,
  udpAnswers,
  type FamilyFacts,
  type InboundObservation,
  type PortMappingFacts,
  type StunObservation,
  type Verdict,
} from './verdict.js';

export interface ProbeDeps {
  readonly runner: CommandRunner;
  readonly fetch: Fetch;
  readonly stun: StunClient;
  readonly clock: Clock;
  /** UPnP / NAT-PMP / PCP sources (IPv4), the router push, and any other source. */
  readonly extraSources?: readonly PublicIpSource[];
  /** The port mapper's current state, if one runs. */
  readonly portMapping?: () => PortMappingFacts | null;
  /** The last inbound packet from a public endpoint (e.g. a WireGuard handshake), if something watches for one. */
  readonly inboundSeen?: () => InboundObservation | null;
  /** How long a source may take before it counts as unavailable (default 15 s). */
  readonly sourceLimitMs?: number;
}

/**
 * What a running probe tells its caller before the report: the service accepts an address at quorum instead of
 * waiting for the slowest source (router protocols that time out, traceroute).
 */
export interface ProbeProgress {
  /**
   * A family's address is settled: the quorum agrees and no source still pending (ids in `pending`) could change
   * it (see settle-plan.ts); the report's consensus for the family will accept the same address. At most once per
   * family, never for a family whose sources do not agree. Must not throw.
   */
  settled(consensus: AcceptedConsensus, pending: readonly string[]): void;
  /**
   * Every family is settled or has all its answers: whatever still runs only adds evidence to the report.
   * Once per probe, after the last `settled`. Must not throw.
   */
  decided(): void;
}

export interface ReachabilityReport {
  readonly at: string;
  readonly verdict: Verdict;
  readonly consensus: { readonly ipv4: Consensus; readonly ipv6: Consensus };
  /** Every source's answer, for the evidence table. */
  readonly sources: readonly SourceResult[];
  readonly facts: {
    readonly ipv4: Omit<FamilyFacts, 'consensus'>;
    readonly ipv6: Omit<FamilyFacts, 'consensus'>;
    readonly pathError: string | null;
    /** The port mapper's state at the time of the probe (null: no mapper ran, e.g. `gatehouse doctor`). */
    readonly portMapping: PortMappingFacts | null;
  };
}

const stunTimeoutMs = 2500;
const httpTimeoutMs = 4000;
/** A source that has not answered by then is reported as such: one stuck source never stalls the loop. */
const defaultSourceLimitMs = 15_000;
/** Sources and STUN queries still running this long after the probe began are cancelled (a last resort). */
const probeLimitMs = 60_000;

/** The promise's value, or `fallback()` once `ms` have passed on `clock` without one. */
function settleWithin<T>(clock: Clock, promise: Promise<T>, ms: number, fallback: () => T): Promise<T> {
  const wait = new AbortController();
  const late = clock.sleep(ms, wait.signal).then(fallback);
  // The losing sleep is aborted (its rejection is expected and dropped).
  late.catch(() => undefined);
  return Promise.race([promise, late]).finally(() => wait.abort());
}

/** How long an inbound packet from the internet counts as proof that the way in works. */
export const inboundFreshMs = 10 * 60_000;

/** The observation if it is recent (not older than inboundFreshMs, not from the future), else null. */
export function fresh(seen: InboundObservation | null, now: Date): InboundObservation | null {
  if (!seen) return null;
  const age = now.getTime() - Date.parse(seen.at);
  return age >= 0 && age <= inboundFreshMs ? seen : null;
}

export async function probeReachability(
  deps: ProbeDeps,
  settings: ReachabilitySettings,
  outer: AbortSignal = new AbortController().signal,
  progress?: ProbeProgress,
): Promise<ReachabilityReport> {
  // One scope for the whole probe: the sources and STUN queries listen on it (more than Node's default of 10
  // listeners per signal), the caller's signal gets one listener instead of one per source, and whatever is
  // still running after a minute is told to stop.
  const scope = new AbortController();
  const follow = () => scope.abort(outer.reason);
  if (outer.aborted) follow();
  else outer.addEventListener('abort', follow, { once: true });
  setMaxListeners(64, scope.signal);
  const timer = new AbortController();
  deps.clock.sleep(probeLimitMs, timer.signal).then(
    () => scope.abort(new DOMException(`timed out after ${probeLimitMs} ms`, 'TimeoutError')),
    () => undefined,
  );
  try {
    return await probeWithin(deps, settings, scope.signal, progress);
  } finally {
    timer.abort();
    outer.removeEventListener('abort', follow);
  }
}

/** A source as the probe runs it: what it may answer for (its ids), so that settling knows what is still to come. */
interface SourceUnit {
  readonly source: PublicIpSource;
  /** Every id the source may answer with (their independence groups are the votes it can still cast). */
  readonly ids: readonly string[];
}

/** `http:<host>`, as the HTTP echo source names its answers. */
const httpEchoId = (url: string): string => `http:${URL.canParse(url) ? new URL(url).host : url}`;

async function probeWithin(
  deps: ProbeDeps,
  settings: ReachabilitySettings,
  signal: AbortSignal,
  progress: ProbeProgress | undefined,
): Promise<ReachabilityReport> {
  const interfaces = await readInterfaceAddresses(deps.runner);
  // One source per echo endpoint, so each is waited for (and settles) on its own.
  const sources: SourceUnit[] = [
    { source: interfaceSource(deps.runner, settings.publicRanges), ids: ['interface'] },
    ...settings.httpEcho.map((e) => ({
      source: httpEchoSource([e], deps.fetch, httpTimeoutMs),
      ids: [httpEchoId(e.url)],
    })),
    ...settings.dnsEcho.map((e) => ({ source: dnsEchoSource([e], httpTimeoutMs), ids: [`dns:${e.server}`] })),
    ...(deps.extraSources ?? []).map((s) => ({ source: s, ids: [s.id] })),
  ];
  const firstStun = settings.stunServers[0];
  const sourceLimitMs = deps.sourceLimitMs ?? defaultSourceLimitMs;
  const policy = {
    quorum: settings.quorum,
    trustedSource: settings.trustedSource,
    publicRanges: settings.publicRanges,
  };
  // The probe is decided once both families are (settled, or every answer in).
  let undecided = 2;
  const familyDecided = () => {
    undecided--;
    if (undecided === 0) progress?.decided();
  };

  const perFamily = async (family: Family) => {
    // An address literal serves only its own family; a hostname is asked over both.
    const stunServers = settings.stunServers.filter((server) => {
      const literal = familyOf(splitHostPort(server).host);
      return literal === undefined || literal === family;
    });
    // Without a global address of this family nothing can answer: say so at once instead of waiting for timeouts.
    const hasFamily = !interfaces.ok || boxAddresses(interfaces.value, family).length > 0;
    // Each STUN server's vote counts as soon as it is known (onResult), not when the slowest server's is: one
    // observation slot per server, in the order asked, filled by onResult or else by the query's result.
    const stunSlots = stunServers.map((server) => {
      let fill: (o: StunObservation) => void = () => undefined;
      const observed = new Promise<StunObservation>((resolve) => (fill = resolve));
      return { server, observed, fill, filled: false };
    });
    const onResult = (o: StunObservation) => {
      const slot = stunSlots.find((x) => !x.filled && x.server === o.server);
      if (!slot) return;
      slot.filled = true;
      slot.fill(o);
    };
    const stunQuery: Promise<StunQueryResult> | null =
      stunServers.length === 0
        ? null
        : hasFamily
          ? settleWithin(
              deps.clock,
              deps.stun.query(stunServers, family, { timeoutMs: stunTimeoutMs, signal, onResult }),
              sourceLimitMs,
              () => ({
                localPort: 0,
                results: stunServers.map((server) => ({
                  server,
                  mapped: null,
                  error: `no result within ${sourceLimitMs / 1000} s`,
                })),
              }),
            )
          : Promise.resolve({
              localPort: 0,
              results: stunServers.map((server) => ({
                server,
                mapped: null,
                error: `no global ${family === 'ipv4' ? 'IPv4' : 'IPv6'} address on this box`,
              })),
            });

    // A StunClient that does not call onResult (or a server it did not report) fills the slots here; a slot filled
    // already keeps its observation. A query that fails fails the probe (below), as before.
    stunQuery?.then(
      (q) => q.results.forEach((o, i) => stunSlots[i]?.fill(o)),
      () => undefined,
    );

    // The sources' own work is cancelled too once every source has answered or run out of time, so a stuck
    // one does not pile up.
    const limit = new AbortController();
    const follow = () => limit.abort(signal.reason);
    if (signal.aborted) follow();
    else signal.addEventListener('abort', follow, { once: true });
    setMaxListeners(64, limit.signal);

    // STUN first, then the sources in order: the order of the report, which settling must see too.
    const units: { readonly ids: readonly string[]; readonly answers: Promise<readonly SourceResult[]> }[] = [
      ...stunSlots.map((slot) => ({
        ids: [`stun:${slot.server}`],
        answers: slot.observed.then((r): readonly SourceResult[] => [
          r.mapped
            ? known(`stun:${r.server}`, family, r.mapped.address, { port: r.mapped.port })
            : unavailable(`stun:${r.server}`, family, r.error ?? 'no answer'),
        ]),
      })),
      // A source that fails or runs out of time is reported under each id it would have answered for.
      ...sources.map(({ source: s, ids }) => ({
        ids,
        answers: settleWithin(deps.clock, s.probe(family, limit.signal), sourceLimitMs, () =>
          ids.map((id) => unavailable(id, family, `no result within ${sourceLimitMs / 1000} s`)),
        ).catch((e: unknown) =>
          ids.map((id) => unavailable(id, family, `source failed: ${(e as Error).message}`)),
        ),
      })),
    ];

    // As each source answers: is the address settled, is the family decided?
    const answered: (readonly SourceResult[] | undefined)[] = units.map(() => undefined);
    let settled = false;
    let decided = false;
    const onAnswer = () => {
      const pending = units.flatMap((u, i) => (answered[i] ? [] : u.ids));
      if (!settled) {
        const plan = planSettlement(
          family,
          answered.flatMap((a) => a ?? []),
          pending,
          policy,
        );
        if (plan.kind === 'settled') {
          settled = true;
          progress?.settled(plan.consensus, pending);
        }
      }
      if (!decided && (settled || answered.every((a) => a !== undefined))) {
        decided = true;
        familyDecided();
      }
    };
    const [stun, all, path] = await Promise.all([
      stunQuery,
      (async () => {
        try {
          return await Promise.all(
            units.map((u, i) =>
              u.answers.then((r) => {
                answered[i] = r;
                onAnswer();
                return r;
              }),
            ),
          );
        } finally {
          signal.removeEventListener('abort', follow);
          limit.abort(new DOMException(`time limit of ${sourceLimitMs} ms`, 'TimeoutError'));
        }
      })(),
      family === 'ipv4' && firstStun ? tracePath(deps.runner, splitHostPort(firstStun).host) : null,
    ]);
    const results = all.flat();
    // HTTP echo runs over TCP: if it answers while every STUN server is silent, UDP is what is blocked.
    const tcpWorks = results.some((r) => r.kind === 'known' && r.source.startsWith('http:'));
    const consensus = decideAddress(family, results, policy);
    const facts: Omit<FamilyFacts, 'consensus'> = {
      localAddresses: interfaces.ok ? boxAddresses(interfaces.value, family) : [],
      stun,
      router: routerObservations(results),
      path: path?.ok ? path.hops : null,
      tcpWorks,
      udpAnswered: udpAnswers(results),
    };
    return { results, consensus, facts, pathError: path && !path.ok ? path.reason : null };
  };

  const [v4, v6] = await Promise.all([perFamily('ipv4'), perFamily('ipv6')]);
  const portMapping = deps.portMapping?.() ?? null;
  const verdict = classifyReachability({
    ipv4: { ...v4.facts, consensus: v4.consensus },
    ipv6: { ...v6.facts, consensus: v6.consensus },
    portMapping,
    wireguardPort: settings.portMapping.port,
    inboundSeen: fresh(deps.inboundSeen?.() ?? null, deps.clock.now()),
  });
  return {
    at: deps.clock.now().toISOString(),
    verdict,
    consensus: { ipv4: v4.consensus, ipv6: v6.consensus },
    sources: [...v4.results, ...v6.results],
    facts: { ipv4: v4.facts, ipv6: v6.facts, pathError: v4.pathError, portMapping },
  };
}
