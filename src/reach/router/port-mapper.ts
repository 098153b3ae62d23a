/**
 * @module WireGuard port mapping on the router: a pure planner (`planPortMapping`) decides map / renew at
 * half the lease / remove / wait; the PortMapper executor applies its actions through the protocol clients
 * (PCP, then NAT-PMP, then UPnP IGD — or whichever held the mapping last) and reports whether the mapping holds,
 * on the event bus: `portmap.changed` after every change of its status, `portmap.lost` when a held mapping is lost.
 */
import type { Clock } from '../../core/clock.js';
import { describeError } from '../../core/errors.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/log.js';
import {
  protocolNames,
  type GrantedMapping,
  type MappingProtocol,
  type MappingRequest,
  type PortMappingClient,
  type RouterFailure,
  type RouterResult,
} from './mapping.js';

/** `AppConfig.reachability.portMapping`. */
export interface PortMappingSettings {
  readonly enabled: boolean;
  /** The WireGuard UDP port, mapped to the same external port when the router allows. */
  readonly port: number;
  /** Lease asked for; renewed at half-time. */
  readonly leaseSeconds: number;
}

export interface HeldMapping extends GrantedMapping {
  readonly grantedAt: Date;
  readonly leaseEndsAt: Date;
}

export interface MappingFailure {
  readonly at: Date;
  /** `lost`: a held mapping could not be renewed. */
  readonly kind: RouterFailure['kind'] | 'lost';
  readonly reason: string;
  /** Failed attempts in a row, for backoff. */
  readonly consecutive: number;
}

export interface PortMapperState {
  readonly held?: HeldMapping;
  readonly lastFailure?: MappingFailure;
  /** The protocol that held the mapping last: asked first next time. */
  readonly preferred?: MappingProtocol;
  /** stop() was called: remove what is held, then do nothing more. */
  readonly stopping: boolean;
}

export type PortMappingAction =
  | { readonly kind: 'map'; readonly protocols: readonly MappingProtocol[]; readonly request: MappingRequest }
  | { readonly kind: 'renew'; readonly mapping: HeldMapping; readonly request: MappingRequest }
  | {
      readonly kind: 'remove';
      readonly mapping: HeldMapping;
      readonly why: 'stopping' | 'disabled' | 'port-changed';
    }
  | { readonly kind: 'wait'; readonly until: Date }
  /** Nothing to do, now or later (disabled, or stopped with nothing held). */
  | { readonly kind: 'idle' };

const defaultProtocolOrder: readonly MappingProtocol[] = ['pcp', 'natpmp', 'upnp'];
const mappingDescription = 'Gatehouse WireGuard';

const minute = 60_000;

/** How long to wait after a failed attempt before the next one. Pure. */
export function retryDelayMs(failure: MappingFailure): number {
  const n = Math.max(1, failure.consecutive);
  switch (failure.kind) {
    case 'lost':
      // A renewal just failed: try to map again at once (another protocol may still work).
      return 0;
    case 'refused':
      return Math.min(minute * 2 ** (n - 1), 30 * minute);
    case 'unsupported':
      // Nothing answered: the router may gain UPnP or be replaced, so look again now and then.
      return Math.min(5 * minute * 2 ** (n - 1), 30 * minute);
  }
}

/** When a held mapping is renewed: at half of its granted lease (RFC 6886 §3.3, RFC 6887 §11.2.1). */
function renewalTime(held: HeldMapping): Date {
  const granted = held.grantedAt.getTime();
  return new Date(granted + (held.leaseEndsAt.getTime() - granted) / 2);
}

/** The next step, from the state, the time and the settings. Pure. */
export function planPortMapping(
  state: PortMapperState,
  now: Date,
  settings: PortMappingSettings,
  order: readonly MappingProtocol[] = defaultProtocolOrder,
): PortMappingAction {
  const { held } = state;
  if (state.stopping) return held ? { kind: 'remove', mapping: held, why: 'stopping' } : { kind: 'idle' };
  if (!settings.enabled) return held ? { kind: 'remove', mapping: held, why: 'disabled' } : { kind: 'idle' };
  const request: MappingRequest = {
    internalPort: settings.port,
    externalPort: held?.externalPort ?? settings.port,
    lifetimeSeconds: settings.leaseSeconds,
    description: mappingDescription,
  };
  if (held) {
    if (held.internalPort !== settings.port) return { kind: 'remove', mapping: held, why: 'port-changed' };
    const renewAt = renewalTime(held);
    return now >= renewAt ? { kind: 'renew', mapping: held, request } : { kind: 'wait', until: renewAt };
  }
  if (state.lastFailure) {
    const retryAt = new Date(state.lastFailure.at.getTime() + retryDelayMs(state.lastFailure));
    if (now < retryAt) return { kind: 'wait', until: retryAt };
  }
  const preferred = state.preferred;
  const protocols =
    preferred && order.includes(preferred) ? [preferred, ...order.filter((p) => p !== preferred)] : order;
  return { kind: 'map', protocols, request };
}

export interface PortMappingStatus {
  /**
   * `pending`: enabled, no attempt has finished yet; `disabled`: the setting is off or the mapper was stopped;
   * `unsupported`: no protocol answered; `refused`: the router answered and said no (its answer in `error`);
   * `lost`: a held mapping could not be renewed (a new attempt follows at once).
   */
  readonly state: 'disabled' | 'pending' | 'unsupported' | 'mapped' | 'refused' | 'lost';
  readonly protocol?: MappingProtocol;
  readonly externalAddress?: string;
  readonly externalPort?: number;
  readonly internalPort: number;
  /** ISO 8601. */
  readonly leaseEndsAt?: string;
  readonly error?: string;
}

/** A held mapping could not be renewed: the router no longer forwards the port (an alert, and a new attempt). */
export interface MappingLostEvent {
  readonly protocol: MappingProtocol;
  readonly externalPort: number;
  readonly externalAddress?: string;
  readonly reason: string;
  readonly at: Date;
}

declare module '../../core/events.js' {
  interface GatehouseEvents {
    /** The port mapper's status after every step that changed it (mapped, renewed, failed, removed). */
    'portmap.changed': PortMappingStatus;
    /** A held mapping was lost (a renewal failed); the mapper tries to map again at once. */
    'portmap.lost': MappingLostEvent;
  }
}

export interface PortMapperOptions {
  /** One client per protocol; the planner's order decides who is asked first. */
  readonly clients: readonly PortMappingClient[];
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where `portmap.changed` and `portmap.lost` are published. */
  readonly bus: EventBus;
  readonly settings: PortMappingSettings;
  /** Protocol preference; PCP, NAT-PMP, UPnP by default. */
  readonly order?: readonly MappingProtocol[];
}

/**
 * Keeps the WireGuard UDP port mapped on the router. `start()` runs the plan in the background; `stop()` removes
 * the mapping and ends it. Never throws from the loop: router trouble shows in `status()` and the logs.
 */
export class PortMapper {
  private state: PortMapperState = { stopping: false };
  private loop: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  /** Steps run one at a time (the loop and a "check now" must not map twice). */
  private queue: Promise<unknown> = Promise.resolve();
  private wake: (() => void) | undefined;
  private readonly logger: Logger;
  private readonly order: readonly MappingProtocol[];

  constructor(private readonly options: PortMapperOptions) {
    this.logger = options.logger.child({ component: 'port-mapper' });
    const available = new Set(options.clients.map((c) => c.protocol));
    this.order = (options.order ?? defaultProtocolOrder).filter((p) => available.has(p));
  }

  /** Starts the background loop (once). */
  start(): void {
    if (this.loop || this.state.stopping) return;
    this.loop = this.run().catch((err: unknown) => {
      this.logger.error({ err: describeError(err) }, 'port mapping loop ended unexpectedly');
    });
  }

  /** Removes the mapping (if held) and ends the loop. Resolves when done; safe to call twice. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.state = { ...this.state, stopping: true };
      this.wake?.();
      if (this.loop) await this.loop;
      else await this.reconcile();
    })();
    return this.stopped;
  }

  status(): PortMappingStatus {
    const { settings } = this.options;
    const { held, lastFailure } = this.state;
    const base = { internalPort: settings.port };
    if (held)
      return {
        ...base,
        state: 'mapped',
        protocol: held.protocol,
        externalPort: held.externalPort,
        ...(held.externalAddress ? { externalAddress: held.externalAddress } : {}),
        leaseEndsAt: held.leaseEndsAt.toISOString(),
      };
    // Stopped: nothing is held any more, by design.
    if (!settings.enabled || this.state.stopping) return { ...base, state: 'disabled' };
    if (lastFailure)
      return {
        ...base,
        state: lastFailure.kind,
        error: lastFailure.reason,
      };
    return { ...base, state: 'pending' };
  }

  /** Plans one step for now and carries it out. The loop calls this; so may "check now" in the UI. */
  reconcile(): Promise<PortMappingAction> {
    const step = this.queue.then(() => this.step());
    this.queue = step.catch(() => undefined);
    return step;
  }

  private async step(): Promise<PortMappingAction> {
    const now = this.options.clock.now();
    const action = planPortMapping(this.state, now, this.options.settings, this.order);
    switch (action.kind) {
      case 'map':
        await this.map(action.protocols, action.request);
        break;
      case 'renew':
        await this.renew(action.mapping, action.request);
        break;
      case 'remove':
        await this.remove(action.mapping, action.why);
        break;
      case 'wait':
      case 'idle':
        break;
    }
    return action;
  }

  private async run(): Promise<void> {
    for (;;) {
      const action = await this.reconcile();
      if (action.kind === 'idle') return;
      if (action.kind === 'wait') {
        await this.pauseUntil(action.until);
      }
    }
  }

  private async pauseUntil(until: Date): Promise<void> {
    if (this.state.stopping) return;
    const ms = Math.max(0, until.getTime() - this.options.clock.now().getTime());
    const abort = new AbortController();
    const woken = new Promise<void>((resolve) => (this.wake = resolve));
    // The race: a fake clock's sleep may ignore the signal, and stop() must not wait for the timer.
    await Promise.race([this.options.clock.sleep(ms, abort.signal).catch(() => undefined), woken]);
    abort.abort();
    this.wake = undefined;
  }

  private client(protocol: MappingProtocol): PortMappingClient | undefined {
    return this.options.clients.find((c) => c.protocol === protocol);
  }

  private async map(protocols: readonly MappingProtocol[], request: MappingRequest): Promise<void> {
    const failures: { protocol: MappingProtocol; failure: RouterFailure }[] = [];
    for (const protocol of protocols) {
      const r = await this.attempt(protocol, (c) => c.map(request));
      if (r.ok) {
        this.hold(r.value);
        this.logger.info(
          {
            protocol,
            externalAddress: r.value.externalAddress,
            externalPort: r.value.externalPort,
            internalPort: r.value.internalPort,
            lifetimeSeconds: r.value.lifetimeSeconds,
          },
          `UDP port ${request.internalPort} mapped on the router via ${protocolNames[protocol]}`,
        );
        return;
      }
      failures.push({ protocol, failure: r.failure });
    }
    const refusedOnes = failures.filter((f) => f.failure.kind === 'refused');
    const kind = refusedOnes.length > 0 ? 'refused' : 'unsupported';
    const reason =
      failures.length === 0
        ? 'no port mapping protocol is configured'
        : (refusedOnes.length > 0 ? refusedOnes : failures).map((f) => f.failure.reason).join('; ');
    this.fail(kind, reason);
    this.logger.warn({ kind, reason }, `UDP port ${request.internalPort} could not be mapped on the router`);
  }

  private async renew(held: HeldMapping, request: MappingRequest): Promise<void> {
    const r = await this.attempt(held.protocol, (c) => c.map(request));
    if (r.ok) {
      if (r.value.externalPort !== held.externalPort)
        this.logger.warn(
          { before: held.externalPort, after: r.value.externalPort },
          'the router changed the external port of the mapping on renewal',
        );
      this.hold(r.value);
      this.logger.debug(
        { protocol: held.protocol, lifetimeSeconds: r.value.lifetimeSeconds },
        'port mapping renewed',
      );
      return;
    }
    const reason = `renewal via ${protocolNames[held.protocol]} failed: ${r.failure.reason}`;
    this.state = { ...this.state, held: undefined };
    this.fail('lost', reason);
    this.logger.warn(
      { protocol: held.protocol, externalPort: held.externalPort, reason },
      'port mapping lost',
    );
    const event: MappingLostEvent = {
      protocol: held.protocol,
      externalPort: held.externalPort,
      ...(held.externalAddress ? { externalAddress: held.externalAddress } : {}),
      reason,
      at: this.options.clock.now(),
    };
    this.options.bus.publish('portmap.lost', event);
  }

  private async remove(held: HeldMapping, why: 'stopping' | 'disabled' | 'port-changed'): Promise<void> {
    const r = await this.attempt(held.protocol, (c) => c.unmap(held));
    if (r.ok)
      this.logger.info(
        { protocol: held.protocol, externalPort: held.externalPort, why },
        'port mapping removed',
      );
    else
      // Nothing more to do: the router drops it when the lease ends.
      this.logger.warn(
        { protocol: held.protocol, reason: r.failure.reason, why },
        'port mapping not removed',
      );
    this.state = { ...this.state, held: undefined, lastFailure: undefined };
    this.changed();
  }

  /** Calls one client; a throw (against its contract) becomes a failure value here. */
  private async attempt<T>(
    protocol: MappingProtocol,
    call: (client: PortMappingClient) => Promise<RouterResult<T>>,
  ): Promise<RouterResult<T>> {
    const client = this.client(protocol);
    if (!client)
      return { ok: false, failure: { kind: 'unsupported', reason: `no ${protocolNames[protocol]} client` } };
    try {
      return await call(client);
    } catch (err) {
      return {
        ok: false,
        failure: { kind: 'unsupported', reason: `${protocolNames[protocol]}: ${describeError(err)}` },
      };
    }
  }

  private hold(mapping: GrantedMapping): void {
    const now = this.options.clock.now();
    this.state = {
      ...this.state,
      held: {
        ...mapping,
        grantedAt: now,
        leaseEndsAt: new Date(now.getTime() + mapping.lifetimeSeconds * 1000),
      },
      preferred: mapping.protocol,
      lastFailure: undefined,
    };
    this.changed();
  }

  private fail(kind: MappingFailure['kind'], reason: string): void {
    const previous = this.state.lastFailure;
    this.state = {
      ...this.state,
      lastFailure: {
        at: this.options.clock.now(),
        kind,
        reason,
        consecutive: (previous?.consecutive ?? 0) + 1,
      },
    };
    this.changed();
  }

  private changed(): void {
    this.options.bus.publish('portmap.changed', this.status());
  }
}
