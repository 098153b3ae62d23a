/**
 * @module `gatehouse doctor`'s test mapping: ask the router for a short-lived UDP mapping (PCP, then NAT-PMP, then
 * UPnP IGD), remove it again at once, and report what the router really did — a router that answers the address
 * queries may still refuse every mapping (miniupnpd behind CGNAT: NAT-PMP result 3, UPnP 501).
 */
import { describeError } from '../../core/errors.js';
import type { PortMappingFacts } from '../verdict.js';
import {
  protocolNames,
  type GrantedMapping,
  type MappingProtocol,
  type PortMappingClient,
  type RouterFailure,
  type RouterResult,
  unsupported,
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
    return unsupported(`${protocolNames[client.protocol]}: ${describeError(err)}`);
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
 * Asks every protocol at once for a `testMappingLifetimeSeconds` mapping of UDP `port` (a silent router then costs
 * one timeout, not three), removes every mapping granted, and reports the first grant in the order PCP, NAT-PMP,
 * UPnP IGD. Never throws. A mapping that could not be removed is reported in `error` (it ends with its lease).
 */
export async function tryTestMapping(
  clients: readonly PortMappingClient[],
  port: number,
  signal?: AbortSignal,
): Promise<PortMappingFacts> {
  const asked = order.flatMap((protocol) => clients.filter((c) => c.protocol === protocol));
  const answers = await Promise.all(
    asked.map(async (client) => ({
      client,
      result: await attempt(client, () =>
        client.map(
          {
            internalPort: port,
            externalPort: port,
            lifetimeSeconds: testMappingLifetimeSeconds,
            description: 'Gatehouse doctor test',
          },
          signal,
        ),
      ),
    })),
  );
  const failures: RouterFailure[] = [];
  const removalFailures: string[] = [];
  let first: GrantedMapping | undefined;
  for (const { client, result } of answers) {
    if (!result.ok) {
      failures.push(result.failure);
      continue;
    }
    first ??= result.value;
    const removed = await attempt(client, () => client.unmap(result.value, signal));
    if (!removed.ok) removalFailures.push(removed.failure.reason);
  }
  if (!first) return failedTestMapping(failures, port);
  return {
    state: 'mapped',
    protocol: first.protocol,
    externalPort: first.externalPort,
    ...(first.externalAddress ? { externalAddress: first.externalAddress } : {}),
    ...(removalFailures.length === 0
      ? {}
      : {
          error: `the test mapping was not removed (${removalFailures.join('; ')}); it ends within ${testMappingLifetimeSeconds} s`,
        }),
    test: true,
  };
}
