/**
 * @module `gatehouse doctor`'s test mapping: ask the router for a short-lived UDP mapping (PCP, then NAT-PMP, then
 * UPnP IGD), remove it again at once, and report what the router really did — a router that answers the address
 * queries may still refuse every mapping (miniupnpd behind CGNAT: NAT-PMP result 3, UPnP 501).
 */
import { describeError } from '../../core/errors.js';
import type { PortMappingFacts } from '../verdict.js';
import {
  protocolNames,
  type MappingProtocol,
  type PortMappingClient,
  type RouterFailure,
  type RouterResult,
} from './mapping.js';

/** Short: a mapping the removal misses is gone by itself within a minute. */
export const testMappingLifetimeSeconds = 60;

/**
 * The port the test maps: the one next to the WireGuard port, so that a server running on this box keeps its own
 * mapping of the WireGuard port (removing a test mapping of the same port would remove the server's). Pure.
 */
export function testMappingPort(wireguardPort: number): number {
  return wireguardPort === 65535 ? wireguardPort - 1 : wireguardPort + 1;
}

const order: readonly MappingProtocol[] = ['pcp', 'natpmp', 'upnp'];

async function attempt<T>(
  client: PortMappingClient,
  call: () => Promise<RouterResult<T>>,
): Promise<RouterResult<T>> {
  try {
    return await call();
  } catch (err) {
    // The clients do not throw by contract; a throw is a failure like any other.
    return {
      ok: false,
      failure: { kind: 'unsupported', reason: `${protocolNames[client.protocol]}: ${describeError(err)}` },
    };
  }
}

/** The verdict's facts from the failures of every protocol: a refusal outranks silence. Pure. */
export function failedTestMapping(failures: readonly RouterFailure[], port: number): PortMappingFacts {
  const refusals = failures.filter((f) => f.kind === 'refused');
  const shown = refusals.length > 0 ? refusals : failures;
  return {
    state: refusals.length > 0 ? 'refused' : 'unsupported',
    externalPort: port,
    error:
      shown.length > 0 ? shown.map((f) => f.reason).join('; ') : 'no port mapping protocol is configured',
    test: true,
  };
}

/**
 * Maps UDP `port` for `testMappingLifetimeSeconds` with the first protocol that grants it and removes the mapping
 * again. Never throws. A mapping that could not be removed is reported in `error` (it ends with its lease).
 */
export async function tryTestMapping(
  clients: readonly PortMappingClient[],
  port: number,
  signal?: AbortSignal,
): Promise<PortMappingFacts> {
  const failures: RouterFailure[] = [];
  for (const protocol of order) {
    const client = clients.find((c) => c.protocol === protocol);
    if (!client) continue;
    const r = await attempt(client, () =>
      client.map(
        {
          internalPort: port,
          externalPort: port,
          lifetimeSeconds: testMappingLifetimeSeconds,
          description: 'Gatehouse doctor test',
        },
        signal,
      ),
    );
    if (!r.ok) {
      failures.push(r.failure);
      continue;
    }
    const removed = await attempt(client, () => client.unmap(r.value, signal));
    return {
      state: 'mapped',
      protocol,
      externalPort: r.value.externalPort,
      ...(r.value.externalAddress ? { externalAddress: r.value.externalAddress } : {}),
      ...(removed.ok
        ? {}
        : {
            error: `the test mapping was not removed (${removed.failure.reason}); it ends within ${testMappingLifetimeSeconds} s`,
          }),
      test: true,
    };
  }
  return failedTestMapping(failures, port);
}
