/**
 * @module UPnP IGD client: SSDP discovery (or a configured description URL), the device description, and the
 * WANIPConnection / WANPPPConnection SOAP actions GetExternalIPAddress, AddPortMapping, DeletePortMapping and
 * GetSpecificPortMappingEntry. HTTP through the Fetch port, datagrams through the UdpTransport port.
 */
import type { Clock } from '../../core/clock.js';
import type { Fetch } from '../../core/fetch.js';
import { localAddressToward, type UdpEndpoint, type UdpTransport } from '../../core/udp.js';
import { formatSeconds } from './exchange.js';
import { igdRequest, type IgdHttpResult } from './igd-http.js';
import {
  granted,
  refused,
  transportNames,
  transportOf,
  unsupported,
  type GrantedMapping,
  type MappingRequest,
  type MappingTransport,
  type RouterClient,
  type RouterFailure,
  type RouterResult,
} from './mapping.js';
import {
  encodeSearchRequest,
  encodeSoapAction,
  hostOf,
  igdSearchTargets,
  parseDeviceDescription,
  parseEventSubUrl,
  parsePortMappingEntry,
  parseSearchResponse,
  parseSoapResponse,
  ssdpMulticast,
  upnpErrors,
  type IgdService,
  type PortMappingEntry,
} from './upnp-codec.js';

export interface UpnpIgdClientOptions {
  readonly udp: UdpTransport;
  readonly fetch: Fetch;
  readonly clock: Clock;
  /** Skip discovery and use this device description (e.g. http://10.10.0.1:5000/rootDesc.xml). */
  readonly descriptionUrl?: string;
  /** Where M-SEARCH goes; the SSDP multicast group unless a test points it at a loopback responder. */
  readonly ssdpTarget?: UdpEndpoint;
  /** How long discovery listens for answers. */
  readonly discoveryTimeoutMs?: number;
  /** Per HTTP request (description, SOAP). */
  readonly httpTimeoutMs?: number;
}

type Found = { ok: true; service: IgdService } | { ok: false; reason: string };

export class UpnpIgdClient implements RouterClient {
  readonly protocol = 'upnp' as const;
  /** The service found last; forgotten when it stops answering, so the next call discovers again. */
  private service: IgdService | undefined;

  constructor(private readonly options: UpnpIgdClientOptions) {}

  /** Finds the IGD's WAN connection service (cached). */
  async findService(signal?: AbortSignal): Promise<Found> {
    if (this.service) return { ok: true, service: this.service };
    const found = this.options.descriptionUrl
      ? await this.describe(this.options.descriptionUrl, signal)
      : await this.discover(signal);
    if (found.ok) this.service = found.service;
    return found;
  }

  async externalAddress(signal?: AbortSignal): Promise<RouterResult<string>> {
    const r = await this.call('GetExternalIPAddress', [], signal);
    if (!r.ok) return { ok: false, failure: r.failure };
    const address = r.value.NewExternalIPAddress ?? '';
    if (address === '' || address === '0.0.0.0')
      return refused('UPnP IGD: the router has no external address (GetExternalIPAddress answered empty)');
    return granted(address);
  }

  async map(request: MappingRequest, signal?: AbortSignal): Promise<RouterResult<GrantedMapping>> {
    const found = await this.findService(signal);
    if (!found.ok) return unsupported(`UPnP IGD: ${found.reason}`);
    // NewInternalClient: the address the router sees us from.
    const control = new URL(found.service.controlUrl);
    const internalClient = await localAddressToward(this.options.udp, {
      address: control.hostname,
      port: Number(control.port || 80),
    });
    if (!internalClient.ok) return unsupported(`UPnP IGD: ${internalClient.reason}`);
    const add = (lease: number) =>
      this.call(
        'AddPortMapping',
        [
          ['NewRemoteHost', ''],
          ['NewExternalPort', request.externalPort],
          ['NewProtocol', transportNames[transportOf(request)]],
          ['NewInternalPort', request.internalPort],
          ['NewInternalClient', internalClient.address],
          ['NewEnabled', 1],
          ['NewPortMappingDescription', request.description],
          ['NewLeaseDuration', lease],
        ],
        signal,
      );
    let lease = request.lifetimeSeconds;
    let r = await add(lease);
    if (!r.ok && r.code === upnpErrors.onlyPermanentLeases) {
      if (request.permanentAllowed === false)
        return refused(
          `UPnP IGD: the router grants only permanent mappings (error 725), and ${transportNames[transportOf(request)]} port ${request.externalPort} is to be open for ${request.lifetimeSeconds} s, not for good`,
        );
      // Old IGDs accept only permanent mappings; we still renew and remove them ourselves.
      lease = 0;
      r = await add(0);
    }
    if (!r.ok) return { ok: false, failure: r.failure };
    const address = await this.externalAddress(signal);
    return granted({
      protocol: this.protocol,
      ...(request.transport ? { transport: request.transport } : {}),
      internalPort: request.internalPort,
      externalPort: request.externalPort,
      lifetimeSeconds: lease === 0 ? request.lifetimeSeconds : lease,
      ...(address.ok ? { externalAddress: address.value } : {}),
    });
  }

  async unmap(mapping: GrantedMapping, signal?: AbortSignal): Promise<RouterResult<void>> {
    const r = await this.call(
      'DeletePortMapping',
      [
        ['NewRemoteHost', ''],
        ['NewExternalPort', mapping.externalPort],
        ['NewProtocol', transportNames[transportOf(mapping)]],
      ],
      signal,
    );
    if (!r.ok && r.code === upnpErrors.noSuchEntry) return granted(undefined);
    if (!r.ok) return { ok: false, failure: r.failure };
    return granted(undefined);
  }

  /** GetSpecificPortMappingEntry: what the router holds for an external port (undefined: nothing); UDP by default. */
  async lookupMapping(
    externalPort: number,
    signal?: AbortSignal,
    transport: MappingTransport = 'udp',
  ): Promise<RouterResult<PortMappingEntry | undefined>> {
    const r = await this.call(
      'GetSpecificPortMappingEntry',
      [
        ['NewRemoteHost', ''],
        ['NewExternalPort', externalPort],
        ['NewProtocol', transportNames[transport]],
      ],
      signal,
    );
    if (!r.ok && r.code === upnpErrors.noSuchEntry) return granted(undefined);
    if (!r.ok) return { ok: false, failure: r.failure };
    return granted(parsePortMappingEntry(r.value));
  }

  /** One SOAP action; a fault is `refused` (with its UPnP code), silence or garbage is `unsupported`. */
  private async call(
    action: string,
    args: readonly (readonly [string, string | number])[],
    signal?: AbortSignal,
  ): Promise<
    | { ok: true; value: Readonly<Record<string, string>> }
    | { ok: false; code?: number; failure: RouterFailure }
  > {
    const found = await this.findService(signal);
    if (!found.ok) return unsupported(`UPnP IGD: ${found.reason}`);
    const { controlUrl, serviceType } = found.service;
    const body = encodeSoapAction(serviceType, action, args);
    const got = await this.http(controlUrl, signal, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml; charset="utf-8"', SOAPAction: `"${serviceType}#${action}"` },
      body,
    });
    if (!got.ok) {
      this.service = undefined;
      return unsupported(`UPnP IGD at ${controlUrl}: ${got.reason}`);
    }
    const parsed = parseSoapResponse(got.status, got.text, action);
    if (!parsed.ok) {
      return {
        ...refused(`UPnP IGD: ${parsed.reason}`),
        ...(parsed.code === undefined ? {} : { code: parsed.code }),
      };
    }
    return { ok: true, value: parsed.values };
  }

  private async describe(url: string, signal?: AbortSignal): Promise<Found> {
    const got = await this.http(url, signal);
    if (!got.ok) return { ok: false, reason: `no device description at ${url} (${got.reason})` };
    if (got.status !== 200)
      return { ok: false, reason: `the device description at ${url} answered HTTP ${got.status}` };
    const found = parseDeviceDescription(got.text, url);
    if (!found.ok) return found;
    const eventSubUrl = parseEventSubUrl(got.text, url, found.service.serviceType);
    return { ok: true, service: { ...found.service, ...(eventSubUrl ? { eventSubUrl } : {}) } };
  }

  /** M-SEARCH for every IGD target, then the first answer whose description has a WAN connection service. */
  private async discover(signal?: AbortSignal): Promise<Found> {
    const total = this.options.discoveryTimeoutMs ?? 2000;
    const target = this.options.ssdpTarget ?? ssdpMulticast;
    const opened = await this.options.udp.open({ family: 'ipv4', multicastTtl: 2 });
    if (!opened.ok) return { ok: false, reason: `cannot search for an IGD (${opened.reason})` };
    const socket = opened.socket;
    const tried = new Set<string>();
    let lastReason: string | undefined;
    try {
      for (const st of igdSearchTargets) await socket.send(encodeSearchRequest(st), target);
      const until = this.options.clock.now().getTime() + total;
      for (;;) {
        const left = until - this.options.clock.now().getTime();
        if (left <= 0 || signal?.aborted) break;
        const d = await socket.receive(left, {
          accept: (dg) => {
            const answer = parseSearchResponse(dg.data);
            // The description must live on the host that answered (no third-party redirects).
            return !!answer && !tried.has(answer.location) && hostOf(answer.location) === dg.from.address;
          },
          ...(signal ? { signal } : {}),
        });
        const answer = d && parseSearchResponse(d.data);
        if (!answer) break;
        tried.add(answer.location);
        const found = await this.describe(answer.location, signal);
        if (found.ok) return found;
        lastReason = found.reason;
      }
    } finally {
      await socket.close();
    }
    const seconds = formatSeconds(total);
    return {
      ok: false,
      reason:
        lastReason ??
        `no IGD answered an SSDP search within ${seconds}${target === ssdpMulticast ? '' : ` at ${target.address}:${target.port}`}`,
    };
  }

  private http(url: string, signal: AbortSignal | undefined, init: RequestInit = {}): Promise<IgdHttpResult> {
    return igdRequest(
      this.options.fetch,
      url,
      { timeoutMs: this.options.httpTimeoutMs ?? 2000 },
      init,
      signal,
    );
  }
}
