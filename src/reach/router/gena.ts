/**
 * @module UPnP GENA eventing (UPnP Device Architecture 1.1 §4) for the IGD's WAN connection service: SUBSCRIBE
 * with a callback, renewal before the granted timeout, UNSUBSCRIBE on stop, and NOTIFY messages whose
 * ExternalIPAddress announces a WAN address change. HTTP out through the Fetch port (igd-http.ts), the callback
 * server through the GenaCallbackListener port (node:http lives in gena-http.ts), the LAN address for the callback
 * through the UdpTransport port.
 */
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { Fetch } from '../../core/fetch.js';
import { localAddressToward, type UdpTransport } from '../../core/udp.js';
import { igdRequest, type IgdHttpResult } from './igd-http.js';
import type {} from './router-events.js';
import type { IgdService } from './upnp-codec.js';
import { findAll, parseXml } from './xml.js';

// ---------------------------------------------------------------------------------------------------------------
// Pure pieces.

/** The evented variables of a NOTIFY body (`<e:propertyset><e:property><Name>value</Name>…`). */
export function parsePropertySet(
  xml: string,
): { ok: true; properties: Readonly<Record<string, string>> } | { ok: false; reason: string } {
  const doc = parseXml(xml);
  if (!doc.ok) return { ok: false, reason: `the event body is not valid XML (${doc.reason})` };
  if (doc.root.name !== 'propertyset') return { ok: false, reason: `the event body is a <${doc.root.name}>` };
  const properties: Record<string, string> = {};
  for (const property of findAll(doc.root, 'property'))
    for (const variable of property.children) properties[variable.name] = variable.text.trim();
  return { ok: true, properties };
}

/** The ExternalIPAddress an event announces; undefined when it has none (or an empty / 0.0.0.0 one). */
export function externalAddressOf(properties: Readonly<Record<string, string>>): string | undefined {
  const address = properties.ExternalIPAddress;
  return address && address !== '0.0.0.0' ? address : undefined;
}

/** What the last event said about the WAN (the variables that name it). */
export interface WanVariables {
  readonly ConnectionStatus?: string;
  readonly ExternalIPAddress?: string;
}

/**
 * Whether an event after the initial one is a reason to look at the WAN again. An event that carries the WAN
 * variables counts only when one of them changed: miniupnpd sends every evented variable with each NOTIFY, so a
 * port mapping added or removed (PortMappingNumberOfEntries) would otherwise read as a WAN change — and the probe it
 * starts maps a port for PCP, which raises the next event, for ever. An event that carries neither counts. Pure.
 */
export function isWanChange(previous: WanVariables, properties: Readonly<Record<string, string>>): boolean {
  const status = properties.ConnectionStatus;
  const address = properties.ExternalIPAddress;
  if (status === undefined && address === undefined) return true;
  return (
    (status !== undefined && status !== previous.ConnectionStatus) ||
    (address !== undefined && address !== previous.ExternalIPAddress)
  );
}

/** Events that change no WAN variable are published at most this often (see handleNotify). */
export const unchangedEventGapMs = 60_000;

/** Seconds from a TIMEOUT header (`Second-1800`); undefined for `Second-infinite` or anything unreadable. */
export function parseTimeoutHeader(value: string | null | undefined): number | undefined {
  const m = /^\s*Second-(\d+)\s*$/i.exec(value ?? '');
  if (!m) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/**
 * When to renew a subscription granted for `timeoutSeconds` (undefined: infinite or unknown): at half the
 * lifetime (a lost renewal still leaves time for another), never sooner than 5 s, at least every 30 minutes.
 */
export function renewDelayMs(timeoutSeconds: number | undefined): number {
  const lifetime = timeoutSeconds ?? 3600;
  const seconds = Math.max(5, Math.min(lifetime / 2, 1800));
  return Math.round(seconds * 1000);
}

/** Wait before trying again after the n-th consecutive failure (1-based): 2 s doubling up to 10 minutes (a router busy at start-up answers soon). */
export function retryDelayMs(failures: number): number {
  return Math.min(2_000 * 2 ** Math.max(0, failures - 1), 600_000);
}

// ---------------------------------------------------------------------------------------------------------------
// Ports.

export interface NotifyRequest {
  readonly method: string;
  /** Path and query of the request target. */
  readonly path: string;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  /** The sender's address (IPv4-mapped IPv6 addresses unwrapped). */
  readonly remoteAddress: string;
}

/** An HTTP server for NOTIFY requests: every request is handed over, the returned number is the status sent. */
export interface GenaCallbackListener {
  /** Listens on all IPv4 addresses, on a random port; resolves with that port. */
  listen(handler: (request: NotifyRequest) => number): Promise<{ port: number }>;
  close(): Promise<void>;
}

/** Finds the IGD's WAN connection service, with its eventSubURL (UpnpIgdClient does). */
export interface IgdServiceFinder {
  findService(
    signal?: AbortSignal,
  ): Promise<{ ok: true; service: IgdService } | { ok: false; reason: string }>;
}

// ---------------------------------------------------------------------------------------------------------------
// The subscriber.

export interface GenaSubscriberOptions {
  readonly upnp: IgdServiceFinder;
  readonly fetch: Fetch;
  readonly clock: Clock;
  /** Finds the address the router sees us from, for the callback URL (see localAddressToward). */
  readonly udp: UdpTransport;
  readonly listener: GenaCallbackListener;
  /** Where `router.wan-changed` is published. */
  readonly bus: EventBus;
  /** `size` random bytes, for the callback path (crypto-random unless a test makes them predictable). */
  readonly random?: (size: number) => Uint8Array;
  /** TIMEOUT asked for; routers may grant less. */
  readonly requestedTimeoutSeconds?: number;
  readonly httpTimeoutMs?: number;
  readonly log?: (message: string) => void;
}

export interface GenaStatus {
  readonly subscribed: boolean;
  readonly sid?: string;
  readonly eventSubUrl?: string;
  readonly lastError?: string;
  readonly lastAddress?: string;
}

interface Subscription {
  readonly url: string;
  readonly sid: string;
  readonly timeoutSeconds: number | undefined;
}

type Step = { ok: true } | { ok: false; reason: string };

export class GenaSubscriber {
  /** When an event that changed no WAN variable was last published (see handleNotify). */
  private lastUnchangedPublished = Number.NEGATIVE_INFINITY;
  private subscription: Subscription | undefined;
  private subscribing = false;
  private subscribingHost: string | undefined;
  private port: number | undefined;
  /** Unguessable, so that only the router we gave it to can send events to it. */
  private readonly path: string;
  private lastAddress: string | undefined;
  /** The WAN variables as the last event (the initial one too) left them. */
  private lastWan: WanVariables = {};
  private lastError: string | undefined;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;

  constructor(private readonly options: GenaSubscriberOptions) {
    const random = options.random ?? ((size: number) => crypto.getRandomValues(new Uint8Array(size)));
    this.path = `/gatehouse/gena/${Buffer.from(random(8)).toString('hex')}`;
  }

  status(): GenaStatus {
    return {
      subscribed: this.subscription !== undefined,
      ...(this.subscription ? { sid: this.subscription.sid, eventSubUrl: this.subscription.url } : {}),
      ...(this.lastError ? { lastError: this.lastError } : {}),
      ...(this.lastAddress ? { lastAddress: this.lastAddress } : {}),
    };
  }

  /** Opens the callback server and keeps a subscription alive until stop(); failures are retried, never thrown. */
  async start(): Promise<void> {
    if (this.loop) return;
    const { port } = await this.options.listener.listen((r) => this.handleNotify(r));
    this.port = port;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
  }

  /** Ends the renewals, UNSUBSCRIBEs (best effort) and closes the callback server. */
  async stop(): Promise<void> {
    if (!this.loop || !this.abort) return;
    this.abort.abort(new Error('GENA subscriber stopped'));
    await this.loop;
    this.loop = undefined;
    const sub = this.subscription;
    this.subscription = undefined;
    if (sub) {
      const got = await this.http(sub.url, undefined, { method: 'UNSUBSCRIBE', headers: { SID: sub.sid } });
      if (!got.ok || got.status !== 200)
        this.log(`GENA: UNSUBSCRIBE ${sub.sid} at ${sub.url}: ${got.ok ? `HTTP ${got.status}` : got.reason}`);
    }
    await this.options.listener.close();
  }

  private async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      const step = this.subscription
        ? await this.renew(this.subscription, signal)
        : await this.subscribe(signal);
      if (stopped()) break;
      let delay: number;
      if (step.ok) {
        failures = 0;
        this.lastError = undefined;
        delay = renewDelayMs(this.subscription?.timeoutSeconds);
      } else {
        failures++;
        if (step.reason !== this.lastError) this.log(`GENA: ${step.reason}`);
        this.lastError = step.reason;
        delay = retryDelayMs(failures);
      }
      try {
        await this.options.clock.sleep(delay, signal);
      } catch {
        break;
      }
    }
  }

  private async subscribe(signal: AbortSignal): Promise<Step> {
    const found = await this.options.upnp.findService(signal);
    if (!found.ok) return { ok: false, reason: `no UPnP IGD to subscribe to (${found.reason})` };
    const url = found.service.eventSubUrl;
    if (!url) return { ok: false, reason: 'the UPnP IGD offers no event subscription URL' };
    const router = new URL(url);
    const local = await localAddressToward(this.options.udp, {
      address: router.hostname,
      port: Number(router.port || 80),
    });
    if (!local.ok)
      return { ok: false, reason: `no local address toward ${router.hostname} (${local.reason})` };
    const callback = `<http://${local.address}:${this.port ?? 0}${this.path}>`;
    this.subscribing = true;
    this.subscribingHost = new URL(url).hostname;
    try {
      const got = await this.http(url, signal, {
        method: 'SUBSCRIBE',
        headers: {
          CALLBACK: callback,
          NT: 'upnp:event',
          TIMEOUT: `Second-${this.options.requestedTimeoutSeconds ?? 1800}`,
        },
      });
      if (!got.ok) return { ok: false, reason: `SUBSCRIBE at ${url}: ${got.reason}` };
      const sid = got.headers.get('sid');
      if (got.status !== 200 || !sid)
        return {
          ok: false,
          reason: `SUBSCRIBE at ${url} answered HTTP ${got.status}${sid ? '' : ' without a SID'}`,
        };
      this.subscription = { url, sid, timeoutSeconds: parseTimeoutHeader(got.headers.get('timeout')) };
      this.log(`GENA: subscribed to ${url} (${sid}), callback ${callback}`);
      return { ok: true };
    } finally {
      this.subscribing = false;
      this.subscribingHost = undefined;
    }
  }

  /** Renews with the SID; a refused renewal (e.g. 412 after a router restart) subscribes afresh. */
  private async renew(sub: Subscription, signal: AbortSignal): Promise<Step> {
    const got = await this.http(sub.url, signal, {
      method: 'SUBSCRIBE',
      headers: { SID: sub.sid, TIMEOUT: `Second-${this.options.requestedTimeoutSeconds ?? 1800}` },
    });
    if (got.ok && got.status === 200) {
      const timeoutSeconds = parseTimeoutHeader(got.headers.get('timeout'));
      this.subscription = { url: sub.url, sid: got.headers.get('sid') ?? sub.sid, timeoutSeconds };
      return { ok: true };
    }
    this.log(
      `GENA: renewal of ${sub.sid} failed (${got.ok ? `HTTP ${got.status}` : got.reason}); subscribing again`,
    );
    this.subscription = undefined;
    return this.subscribe(signal);
  }

  /**
   * A NOTIFY for our path and subscription: every event after the initial one (and an initial one naming a new
   * address) is published on `router.wan-changed`. The bus keeps a failing subscriber from costing the router
   * its 200.
   */
  private handleNotify(request: NotifyRequest): number {
    if (request.method !== 'NOTIFY' || request.path !== this.path) return 404;
    if (request.headers.nt !== 'upnp:event' || request.headers.nts !== 'upnp:propchange') return 400;
    const sid = request.headers.sid;
    // The initial event may arrive before the SUBSCRIBE answer (and its SID) has been read.
    if (!sid || (this.subscription ? this.subscription.sid !== sid : !this.subscribing)) return 412;
    // Only the router we subscribed at sends our events (its event URL names it by address on the LAN).
    const router = this.subscription ? new URL(this.subscription.url).hostname : this.subscribingHost;
    if (router !== undefined && request.remoteAddress !== router) return 412;
    const parsed = parsePropertySet(request.body);
    if (!parsed.ok) return 400;
    // UDA 1.1 §4.3: the initial event of a subscription has SEQ 0; it only tells what is already known
    // (the service probes at start). Without a SEQ header, the first event heard counts as the initial one.
    const initial =
      request.headers.seq === undefined ? this.lastAddress === undefined : request.headers.seq === '0';
    const address = externalAddressOf(parsed.properties);
    let newExternalAddress: string | undefined;
    if (address !== undefined && address !== this.lastAddress) {
      // A fresh subscription's initial event (after a router restart) may carry a new address too.
      if (this.lastAddress !== undefined) newExternalAddress = address;
      this.lastAddress = address;
    }
    const previousWan = this.lastWan;
    this.lastWan = {
      ...previousWan,
      ...(parsed.properties.ConnectionStatus === undefined
        ? {}
        : { ConnectionStatus: parsed.properties.ConnectionStatus }),
      ...(parsed.properties.ExternalIPAddress === undefined
        ? {}
        : { ExternalIPAddress: parsed.properties.ExternalIPAddress }),
    };
    if (!initial && !newExternalAddress && !isWanChange(previousWan, parsed.properties)) {
      // Usually a port mapping added or removed (our own PCP address probe does that: publishing each would
      // probe for ever). But miniupnpd answers a WAN renumbering first from its cache, with the old address and
      // status, and may drop the next event: so such an event is still a reason to probe, once a minute at most.
      const now = this.options.clock.now().getTime();
      if (now - this.lastUnchangedPublished < unchangedEventGapMs) {
        this.log('GENA: router event without a WAN change (e.g. a port mapping added or removed)');
        return 200;
      }
      this.lastUnchangedPublished = now;
    }
    if (!initial || newExternalAddress) {
      // Bounded: an event body may be up to 64 KiB.
      const summary = Object.entries(parsed.properties)
        .slice(0, 8)
        .map(([k, v]) => `${k.slice(0, 40)}=${v.slice(0, 64)}`)
        .join(', ');
      this.log(`GENA: router event ${summary || '(no variables)'}`);
      if (newExternalAddress)
        this.log(`GENA: the router announces the external address ${newExternalAddress}`);
      // Routers announce a WAN change in several events (ConnectionStatus, then ExternalIPAddress) and some drop
      // one of them (miniupnpd 2.3 drops an event raised while an earlier NOTIFY to the same subscriber is in
      // flight), so every event after the initial one that changes a WAN variable (or names none) is published.
      this.options.bus.publish('router.wan-changed', {
        via: 'upnp-gena',
        from: request.remoteAddress,
        ...(newExternalAddress ? { address: newExternalAddress } : {}),
        properties: parsed.properties,
      });
    }
    return 200;
  }

  private http(url: string, signal: AbortSignal | undefined, init: RequestInit): Promise<IgdHttpResult> {
    // The answer to SUBSCRIBE has an empty body by spec; igdRequest still reads it (bounded) to free the connection.
    return igdRequest(
      this.options.fetch,
      url,
      { timeoutMs: this.options.httpTimeoutMs ?? 5000 },
      init,
      signal,
    );
  }

  private log(message: string): void {
    this.options.log?.(message);
  }
}
