/**
 * @module `gatehouse doctor`: one probe with every source, plus a short test mapping on the router (made and removed
 * at once), so the verdict says what the router really does instead of what it might do.
 */
import type { ReachabilitySettings } from '../config/index.js';
import type { Ports } from '../core/ports.js';
import type { UdpTransport } from '../core/udp.js';
import { probeReachability, type ReachabilityReport } from './probe.js';
import { createRouterClients, createRouterSources } from './router/index.js';
import { testMappingPort, tryTestMapping } from './router/test-mapping.js';
import type { StunClient } from './stun-client.js';
import { classifyReachability, type PortMappingFacts } from './verdict.js';

/** The report with the port mapping's facts put in, and the verdict decided again with them. Pure. */
export function withPortMapping(
  report: ReachabilityReport,
  portMapping: PortMappingFacts,
  wireguardPort: number,
): ReachabilityReport {
  const verdict = classifyReachability({
    ipv4: { ...report.facts.ipv4, consensus: report.consensus.ipv4 },
    ipv6: { ...report.facts.ipv6, consensus: report.consensus.ipv6 },
    portMapping,
    wireguardPort,
  });
  return { ...report, verdict, facts: { ...report.facts, portMapping } };
}

/** The probe and the test mapping run side by side; a router that is silent delays neither by more than its timeout. */
export async function doctorProbe(
  ports: Pick<Ports, 'runner' | 'fetch' | 'clock'>,
  settings: ReachabilitySettings,
  adapters: { readonly udp: UdpTransport; readonly stun: StunClient },
): Promise<ReachabilityReport> {
  const router = createRouterClients({
    udp: adapters.udp,
    fetch: ports.fetch,
    clock: ports.clock,
    runner: ports.runner,
  });
  const mapping: Promise<PortMappingFacts> = settings.portMapping.enabled
    ? tryTestMapping([router.pcp, router.natpmp, router.upnp], testMappingPort(settings.portMapping.port))
    : Promise.resolve({ state: 'disabled' });
  const [report, portMapping] = await Promise.all([
    probeReachability(
      {
        runner: ports.runner,
        fetch: ports.fetch,
        clock: ports.clock,
        stun: adapters.stun,
        extraSources: createRouterSources(router),
      },
      settings,
    ),
    mapping,
  ]);
  return withPortMapping(report, portMapping, settings.portMapping.port);
}
