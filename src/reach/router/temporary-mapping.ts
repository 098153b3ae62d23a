/**
 * @module The router's temporary TCP mapping for an ACME HTTP-01 challenge (the certificate capability's
 * TemporaryPortOpener): a pure planner checks the request, bounds its lifetime and orders the protocols (the one
 * that holds the WireGuard mapping first); RouterPortOpener maps through the same PCP / NAT-PMP / UPnP IGD clients
 * as the PortMapper, lets overlapping challenges share one mapping, and removes it when the last one closes.
 */
import type { TemporaryPortOpener } from '../../cert/ports.js';
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { Logger } from '../../core/log.js';
import {
  protocolNames,
  transportNames,
  transportOf,
  type GrantedMapping,
  type MappingProtocol,
  type MappingRequest,
  type PortMappingClient,
  type RouterFailure,
  type RouterResult,
} from './mapping.js';

type OpenInput = Parameters<TemporaryPortOpener['open']>[0];
type OpenResult = Awaited<ReturnType<TemporaryPortOpener['open']>>;

/** The same preference as the PortMapper's: PCP, then NAT-PMP, then UPnP IGD. */
const defaultOrder: readonly MappingProtocol[] = ['pcp', 'natpmp', 'upnp'];

/**
 * Bounds of the lease asked for. A challenge is validated within seconds; the lease is what closes the port when
 * this box dies before `close`, so it stays short: at most an hour. At least 30 s, so a router is not asked for a
 * mapping that ends before the CA has looked.
 */
export const temporaryLeaseBounds = { minSeconds: 30, maxSeconds: 3600 } as const;

export type TemporaryMappingPlan =
  | { readonly kind: 'map'; readonly protocols: readonly MappingProtocol[]; readonly request: MappingRequest }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * What to ask the router for: a TCP mapping with a lifetime within {@link temporaryLeaseBounds}, never a permanent
 * one, through the available protocols with `preferred` (the one the router answered for WireGuard) first. Pure.
 */
export function planTemporaryMapping(
  input: OpenInput,
  available: readonly MappingProtocol[],
  preferred?: MappingProtocol,
): TemporaryMappingPlan {
  for (const [what, port] of [
    ['internal', input.internalPort],
    ['external', input.externalPort],
  ] as const) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      return { kind: 'invalid', reason: `the ${what} port ${port} is not a port number (1-65535)` };
  }
  if (!Number.isFinite(input.lifetimeSeconds) || input.lifetimeSeconds <= 0)
    return { kind: 'invalid', reason: `a mapping must last some seconds, not ${input.lifetimeSeconds}` };
  const lifetimeSeconds = Math.min(
    temporaryLeaseBounds.maxSeconds,
    Math.max(temporaryLeaseBounds.minSeconds, Math.ceil(input.lifetimeSeconds)),
  );
  const ordered = defaultOrder.filter((p) => available.includes(p));
  const protocols =
    preferred && ordered.includes(preferred)
      ? [preferred, ...ordered.filter((p) => p !== preferred)]
      : ordered;
  return {
    kind: 'map',
    protocols,
    request: {
      transport: 'tcp',
      internalPort: input.internalPort,
      externalPort: input.externalPort,
      lifetimeSeconds,
      description: input.description,
      permanentAllowed: false,
    },
  };
}

/** One protocol's answer that did not give the port asked for. */
export interface TemporaryMappingAttempt {
  readonly protocol: MappingProtocol;
  readonly failure: RouterFailure;
}

/**
 * Why the port could not be opened, for the person reading the certificate's status: what was asked, whether the
 * router said no or offers no port mapping at all, and each protocol's answer. Pure.
 */
export function explainUnavailable(
  request: MappingRequest,
  attempts: readonly TemporaryMappingAttempt[],
): string {
  const port = `${transportNames[transportOf(request)]} port ${request.externalPort}`;
  if (attempts.length === 0) return `no router port mapping protocol is available to open ${port}`;
  const refusals = attempts.filter((a) => a.failure.kind === 'refused');
  const shown = refusals.length > 0 ? refusals : attempts;
  const details = shown.map((a) => `${protocolNames[a.protocol]}: ${a.failure.reason}`).join('; ');
  if (refusals.length > 0) return `the router refused to open ${port} to this box (${details})`;
  const tried = attempts.map((a) => protocolNames[a.protocol]).join(', ');
  return `the router offers no port mapping (no answer over ${tried}), so ${port} cannot be opened automatically (${details})`;
}

export interface RouterPortOpenerOptions {
  /** The router clients, one per protocol (the reachability capability's, shared with the PortMapper). */
  readonly clients: readonly PortMappingClient[];
  /** The protocol that holds the WireGuard mapping now, if any: asked first (that router is known to answer it). */
  readonly preferred?: () => MappingProtocol | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Set when port mapping is switched off: every `open` is `unavailable` with this reason, and nothing is sent. */
  readonly disabledReason?: string;
}

interface Held {
  /** The client that made the mapping: it renews and removes it. */
  readonly client: PortMappingClient;
  readonly mapping: GrantedMapping;
  endsAt: Date;
  users: number;
}

/**
 * TemporaryPortOpener over the router clients. Contract (beyond the port's):
 * - `mapped` only when the router granted exactly the external port asked for (the CA validates HTTP-01 on port 80
 *   and nowhere else); a mapping on another port is removed at once and counts as a refusal;
 * - the lease is bounded ({@link temporaryLeaseBounds}) and never permanent, and nothing renews it on a timer, so a
 *   mapping this box fails to remove ends on the router by itself;
 * - opens of the same ports while a mapping is held share it (the same request again extends it when a later open
 *   needs it longer); it is removed when every `close` has been called. Each `close` counts once, however often
 *   it is called;
 * - calls run one at a time and each router call is bounded by the client's own time limits; nothing throws.
 */
export class RouterPortOpener implements TemporaryPortOpener {
  private readonly held = new Map<string, Held>();
  private queue: Promise<unknown> = Promise.resolve();
  private readonly logger: Logger;

  constructor(private readonly options: RouterPortOpenerOptions) {
    this.logger = options.logger.child({ component: 'temporary-port-mapping' });
  }

  open(input: OpenInput): Promise<OpenResult> {
    return this.serially(() => this.openNow(input), {
      state: 'unavailable',
      reason: 'the router mapping failed unexpectedly (see the log)',
    });
  }

  private async openNow(input: OpenInput): Promise<OpenResult> {
    if (this.options.disabledReason !== undefined)
      return { state: 'unavailable', reason: this.options.disabledReason };
    const { clients } = this.options;
    const plan = planTemporaryMapping(
      input,
      clients.map((c) => c.protocol),
      this.options.preferred?.(),
    );
    if (plan.kind === 'invalid') return { state: 'unavailable', reason: plan.reason };
    const { request } = plan;
    const key = `${request.externalPort}/${request.internalPort}`;
    const shared = this.held.get(key);
    if (shared) {
      await this.extend(shared, request);
      shared.users += 1;
      return this.handle(key, shared);
    }
    const attempts: TemporaryMappingAttempt[] = [];
    for (const client of plan.protocols.flatMap((p) => clients.filter((c) => c.protocol === p))) {
      const { protocol } = client;
      const r = await attempt(() => client.map(request));
      if (!r.ok) {
        attempts.push({ protocol, failure: r.failure });
        continue;
      }
      if (r.value.externalPort !== request.externalPort) {
        // Useless for the CA, and not ours to leave open.
        await this.remove(client, r.value, 'the router offered another port');
        attempts.push({
          protocol,
          failure: {
            kind: 'refused',
            reason: `offered port ${r.value.externalPort} instead of ${request.externalPort}`,
          },
        });
        continue;
      }
      const held: Held = { client, mapping: r.value, endsAt: this.leaseEnd(r.value), users: 1 };
      this.held.set(key, held);
      this.logger.info(
        {
          protocol,
          externalAddress: r.value.externalAddress,
          externalPort: r.value.externalPort,
          internalPort: r.value.internalPort,
          lifetimeSeconds: r.value.lifetimeSeconds,
        },
        `TCP port ${request.externalPort} mapped on the router via ${protocolNames[protocol]} for ${r.value.lifetimeSeconds} s`,
      );
      return this.handle(key, held);
    }
    const reason = explainUnavailable(request, attempts);
    this.logger.warn({ reason }, `TCP port ${request.externalPort} could not be mapped on the router`);
    return { state: 'unavailable', reason };
  }

  /** A later open that needs the port longer than the held lease: the same request again renews it. */
  private async extend(held: Held, request: MappingRequest): Promise<void> {
    const needed = this.options.clock.now().getTime() + request.lifetimeSeconds * 1000;
    if (held.endsAt.getTime() >= needed) return;
    const r = await attempt(() => held.client.map(request));
    if (r.ok && r.value.externalPort === held.mapping.externalPort) {
      held.endsAt = this.leaseEnd(r.value);
      return;
    }
    this.logger.warn(
      {
        protocol: held.client.protocol,
        reason: r.ok ? `the router moved it to port ${r.value.externalPort}` : r.failure.reason,
      },
      'the temporary mapping could not be extended; it holds until its lease ends',
    );
  }

  private handle(key: string, held: Held): OpenResult {
    let closed: Promise<void> | undefined;
    return {
      state: 'mapped',
      externalPort: held.mapping.externalPort,
      close: () => {
        closed ??= this.serially(() => this.release(key, held), undefined);
        return closed;
      },
    };
  }

  private async release(key: string, held: Held): Promise<void> {
    held.users -= 1;
    if (held.users > 0) return;
    this.held.delete(key);
    await this.remove(held.client, held.mapping, 'the challenge is over');
  }

  private async remove(client: PortMappingClient, mapping: GrantedMapping, why: string): Promise<void> {
    const r = await attempt(() => client.unmap(mapping));
    const fields = { protocol: client.protocol, externalPort: mapping.externalPort, why };
    if (r.ok) this.logger.info(fields, `TCP port ${mapping.externalPort} unmapped on the router`);
    else
      this.logger.warn(
        { ...fields, reason: r.failure.reason },
        `TCP port ${mapping.externalPort} not unmapped on the router; its lease of ${mapping.lifetimeSeconds} s ends it`,
      );
  }

  private leaseEnd(mapping: GrantedMapping): Date {
    return new Date(this.options.clock.now().getTime() + mapping.lifetimeSeconds * 1000);
  }

  /** Runs `step` after every earlier one (an open and a close of the same port must not interleave); never rejects. */
  private serially<T>(step: () => Promise<T>, fallback: T): Promise<T> {
    const run = this.queue.then(step).catch((err: unknown) => {
      this.logger.error({ err: describeError(err) }, 'temporary port mapping step failed');
      return fallback;
    });
    this.queue = run;
    return run;
  }
}

/** Calls one client; a throw (against its contract) becomes "unsupported" with the error's text. */
async function attempt<T>(call: () => Promise<RouterResult<T>>): Promise<RouterResult<T>> {
  try {
    return await call();
  } catch (err) {
    // Stryker disable next-line StringLiteral: only a refusal's kind is read (explainUnavailable); any other is "no answer"
    return { ok: false, failure: { kind: 'unsupported', reason: describeError(err) } };
  }
}
