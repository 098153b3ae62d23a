/** @module The router as a public-address source: one PublicIpSource per protocol (PCP, NAT-PMP, UPnP IGD). */
import { describeError } from '../../core/errors.js';
import {
  declined,
  known,
  unavailable,
  type Family,
  type PublicIpSource,
  type SourceResult,
} from '../types.js';
import type { RouterObservation } from '../verdict.js';
import { protocolNames, type ExternalAddressClient } from './mapping.js';

/**
 * Asks the router for its external IPv4 address in one protocol. Contract (PublicIpSource): never throws, never
 * empty; a silent router is `unavailable` with a reason such as "no NAT-PMP answer from 10.10.0.1 within 2 s".
 * The router reports its own WAN address: behind a second NAT (CGNAT) that is not the public one, which the
 * consensus sees from the other sources.
 */
export class RouterSource implements PublicIpSource {
  readonly id: string;

  constructor(private readonly client: ExternalAddressClient) {
    this.id = client.protocol;
  }

  async probe(family: Family, signal: AbortSignal): Promise<readonly SourceResult[]> {
    const name = protocolNames[this.client.protocol];
    if (family === 'ipv6')
      return [unavailable(this.id, family, `${name} reports only the router's IPv4 address`)];
    try {
      const r = await this.client.externalAddress(signal);
      if (r.ok) return [known(this.id, family, r.value, { via: name })];
      // A refusal is an answer: the router is there and would not say its WAN address.
      if (r.failure.kind === 'refused') return [declined(this.id, family, r.failure.reason)];
      return [unavailable(this.id, family, r.failure.reason)];
    } catch (err) {
      // The clients do not throw by contract; this keeps the source's own promise if one ever does.
      return [unavailable(this.id, family, `${name} client failed: ${describeError(err)}`)];
    }
  }
}

/** The three router sources, PCP first (ids `pcp`, `natpmp`, `upnp`). */
export function createRouterSources(clients: {
  readonly pcp: ExternalAddressClient;
  readonly natpmp: ExternalAddressClient;
  readonly upnp: ExternalAddressClient;
}): PublicIpSource[] {
  return [new RouterSource(clients.pcp), new RouterSource(clients.natpmp), new RouterSource(clients.upnp)];
}

const routerSourceIds = new Set<string>(['upnp', 'natpmp', 'pcp']);

/** What the router's protocols said, for the verdict: its WAN address, silence, or a refusal to say it. Pure. */
export function routerObservations(results: readonly SourceResult[]): RouterObservation[] {
  return results
    .filter((r) => routerSourceIds.has(r.source))
    .map((r) => {
      const source = r.source as RouterObservation['source'];
      if (r.kind === 'known') return { source, externalAddress: r.address };
      return r.declined
        ? { source, externalAddress: null, reason: r.reason, declined: true }
        : { source, externalAddress: null, reason: r.reason };
    });
}
