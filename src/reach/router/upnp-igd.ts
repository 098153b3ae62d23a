/**
 * @module UPnP IGD client: SSDP discovery (or a configured description URL), the device description, and the
 * WANIPConnection / WANPPPConnection SOAP actions GetExternalIPAddress, AddPortMapping, DeletePortMapping and
 * GetSpecificPortMappingEntry. HTTP through the Fetch port, datagrams through the UdpTransport port.
 */
import type { Clock } from '../../core/clock.js';
import { deadline } from '../../core/deadline.js';
import { describeError } from '../../core/errors.js';
import type { Fetch } from '../../core/fetch.js';
import {
  granted,
  refused,
  unsupported,
  type GrantedMapping,
  type MappingRequest,
  type RouterClient,
  type RouterFailure,
  type RouterResult,
} from './mapping.js';
import type { UdpEndpoint, UdpTransport } from '../../core/udp.js';
import { formatSeconds } from './exchange.js';
import { childText, findAll, findFirst, maxXmlChars, parseXml } from './xml.js';

export const ssdpMulticast: UdpEndpoint = { address: '239.255.255.250', port: 1900 };

/** Search targets, most specific first; routers answer the ones they implement. */
export const igdSearchTargets = [
  'urn:schemas-upnp-org:device:InternetGatewayDevice:2',
  'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

/** WAN connection services in order of preference. */
const connectionServices = [
  'urn:schemas-upnp-org:service:WANIPConnection:2',
  'urn:schemas-upnp-org:service:WANIPConnection:1',
  'urn:schemas-upnp-org:service:WANPPPConnection:1',
] as const;

/** UPnP error codes met while mapping (IGD WANIPConnection v2 §2.4). */
export const upnpErrors = {
  actionFailed: 501,
  notAuthorized: 606,
  noSuchEntry: 714,
  conflict: 718,
  onlyPermanentLeases: 725,
} as const;

export interface IgdService {
  /** Absolute URL the SOAP actions are posted to. */
  readonly controlUrl: string;
  readonly serviceType: string;
  /** Absolute GENA event subscription URL (SUBSCRIBE / UNSUBSCRIBE), when the device offers one on its own host. */
  readonly eventSubUrl?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Pure pieces: SSDP, description, SOAP.

/** An SSDP M-SEARCH (UPnP Device Architecture 1.1 §1.3.2). */
export function encodeSearchRequest(searchTarget: string, mxSeconds = 1): Uint8Array {
  const text =
    'M-SEARCH * HTTP/1.1\r\n' +
    `HOST: ${ssdpMulticast.address}:${ssdpMulticast.port}\r\n` +
    'MAN: "ssdp:discover"\r\n' +
    `MX: ${mxSeconds}\r\n` +
    `ST: ${searchTarget}\r\n` +
    '\r\n';
  return new TextEncoder().encode(text);
}

/** The LOCATION of a search response, when it is a 200 answer for an IGD target; headers are case-insensitive. */
export function parseSearchResponse(
  bytes: Uint8Array,
): { location: string; searchTarget: string } | undefined {
  const text = new TextDecoder().decode(bytes);
  const [status, ...lines] = text.split(/\r?\n/);
  if (!status || !/^HTTP\/1\.[01] 200\b/i.test(status)) return undefined;
  const headers = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const location = headers.get('location');
  const st = headers.get('st') ?? '';
  if (!location || !/^http:\/\//i.test(location)) return undefined;
  if (!igdSearchTargets.some((t) => t === st)) return undefined;
  return { location, searchTarget: st };
}

/**
 * Finds the WAN connection service in a device description. The control URL must stay on the description's
 * host: a LAN device must not steer us to post SOAP requests elsewhere.
 */
export function parseDeviceDescription(
  xml: string,
  descriptionUrl: string,
): { ok: true; service: IgdService } | { ok: false; reason: string } {
  const doc = parseXml(xml);
  if (!doc.ok) return { ok: false, reason: `the device description is not valid XML (${doc.reason})` };
  const base = childText(doc.root, 'URLBase') || descriptionUrl;
  const services = findAll(doc.root, 'service').map((s) => ({
    serviceType: childText(s, 'serviceType') ?? '',
    controlURL: childText(s, 'controlURL') ?? '',
  }));
  for (const wanted of connectionServices) {
    const found = services.find((s) => s.serviceType === wanted && s.controlURL !== '');
    if (!found) continue;
    let url: URL;
    try {
      url = new URL(found.controlURL, base);
    } catch {
      return { ok: false, reason: `the control URL "${found.controlURL}" is not a URL` };
    }
    const descHost = new URL(descriptionUrl).host;
    if (url.protocol !== 'http:' || url.host !== descHost)
      return { ok: false, reason: `the control URL ${url.href} is not on the device's own host ${descHost}` };
    return { ok: true, service: { controlUrl: url.href, serviceType: wanted } };
  }
  return { ok: false, reason: 'the device offers no WANIPConnection or WANPPPConnection service' };
}

/** The eventSubURL of a service in a device description, absolute and on the description's own host. */
export function parseEventSubUrl(
  xml: string,
  descriptionUrl: string,
  serviceType: string,
): string | undefined {
  const doc = parseXml(xml);
  if (!doc.ok) return undefined;
  const base = childText(doc.root, 'URLBase') || descriptionUrl;
  const service = findAll(doc.root, 'service').find((s) => childText(s, 'serviceType') === serviceType);
  const path = service && childText(service, 'eventSubURL');
  if (!path) return undefined;
  try {
    const url = new URL(path, base);
    return url.protocol === 'http:' && url.host === new URL(descriptionUrl).host ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function escapeXml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A SOAP 1.1 action body; arguments keep their order (some routers insist on the spec's order). */
export function encodeSoapAction(
  serviceType: string,
  action: string,
  args: readonly (readonly [string, string | number])[],
): string {
  const params = args.map(([k, v]) => `<${k}>${escapeXml(String(v))}</${k}>`).join('');
  return (
    '<?xml version="1.0"?>\r\n' +
    '<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" ' +
    's:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
    `<s:Body><u:${action} xmlns:u="${escapeXml(serviceType)}">${params}</u:${action}></s:Body>` +
    '</s:Envelope>'
  );
}

export type SoapResult =
  | { readonly ok: true; readonly values: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly code?: number; readonly reason: string };

/** Reads a SOAP answer: the action's out-arguments, or the UPnPError code and description of a fault. */
export function parseSoapResponse(status: number, xml: string, action: string): SoapResult {
  const doc = parseXml(xml);
  if (!doc.ok) return { ok: false, reason: `HTTP ${status} with a body that is not XML (${doc.reason})` };
  const fault = findFirst(doc.root, 'Fault');
  if (fault || status >= 300) {
    const err = fault && findFirst(fault, 'UPnPError');
    const code = err ? Number(childText(err, 'errorCode')) : NaN;
    const description =
      (err && childText(err, 'errorDescription')) || (fault && childText(fault, 'faultstring'));
    return {
      ok: false,
      ...(Number.isInteger(code) ? { code } : {}),
      reason: `${action} failed${Number.isInteger(code) ? ` with UPnP error ${code}` : ` (HTTP ${status})`}${description ? `: ${description}` : ''}`,
    };
  }
  const response = findFirst(doc.root, `${action}Response`);
  if (!response) return { ok: false, reason: `${action}: the answer has no ${action}Response` };
  const values: Record<string, string> = {};
  for (const c of response.children) values[c.name] = c.text.trim();
  return { ok: true, values };
}

// ---------------------------------------------------------------------------------------------------------------
// The client.

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

export interface PortMappingEntry {
  readonly internalClient: string;
  readonly internalPort: number;
  readonly enabled: boolean;
  readonly description: string;
  readonly leaseSeconds: number;
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
    const internalClient = await this.localAddressToward(found.service.controlUrl);
    if (!internalClient.ok) return unsupported(`UPnP IGD: ${internalClient.reason}`);
    const add = (lease: number) =>
      this.call(
        'AddPortMapping',
        [
          ['NewRemoteHost', ''],
          ['NewExternalPort', request.externalPort],
          ['NewProtocol', 'UDP'],
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
      // Old IGDs accept only permanent mappings; we still renew and remove them ourselves.
      lease = 0;
      r = await add(0);
    }
    if (!r.ok) return { ok: false, failure: r.failure };
    const address = await this.externalAddress(signal);
    return granted({
      protocol: this.protocol,
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
        ['NewProtocol', 'UDP'],
      ],
      signal,
    );
    if (!r.ok && r.code === upnpErrors.noSuchEntry) return granted(undefined);
    if (!r.ok) return { ok: false, failure: r.failure };
    return granted(undefined);
  }

  /** GetSpecificPortMappingEntry: what the router holds for an external UDP port (undefined: nothing). */
  async lookupMapping(
    externalPort: number,
    signal?: AbortSignal,
  ): Promise<RouterResult<PortMappingEntry | undefined>> {
    const r = await this.call(
      'GetSpecificPortMappingEntry',
      [
        ['NewRemoteHost', ''],
        ['NewExternalPort', externalPort],
        ['NewProtocol', 'UDP'],
      ],
      signal,
    );
    if (!r.ok && r.code === upnpErrors.noSuchEntry) return granted(undefined);
    if (!r.ok) return { ok: false, failure: r.failure };
    const v = r.value;
    return granted({
      internalClient: v.NewInternalClient ?? '',
      internalPort: Number(v.NewInternalPort),
      enabled: v.NewEnabled === '1' || v.NewEnabled?.toLowerCase() === 'true',
      description: v.NewPortMappingDescription ?? '',
      leaseSeconds: Number(v.NewLeaseDuration ?? 0),
    });
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

  /** The address the router sees us from: the source address of a socket connected toward its HTTP server. */
  private async localAddressToward(
    controlUrl: string,
  ): Promise<{ ok: true; address: string } | { ok: false; reason: string }> {
    const url = new URL(controlUrl);
    const opened = await this.options.udp.open({
      family: 'ipv4',
      connectTo: { address: url.hostname, port: Number(url.port || 80) },
    });
    if (!opened.ok) return { ok: false, reason: `no route to ${url.hostname} (${opened.reason})` };
    const address = opened.socket.local.address;
    await opened.socket.close();
    return { ok: true, address };
  }

  private async http(
    url: string,
    signal: AbortSignal | undefined,
    init: RequestInit = {},
  ): Promise<{ ok: true; status: number; text: string } | { ok: false; reason: string }> {
    const timeoutMs = this.options.httpTimeoutMs ?? 2000;
    const limit = deadline(timeoutMs, signal);
    try {
      const res = await this.options.fetch(url, {
        ...init,
        signal: limit.signal,
        redirect: 'error',
      });
      const text = await readLimited(res, maxXmlChars);
      if (text === undefined) return { ok: false, reason: `answer larger than ${maxXmlChars} bytes` };
      return { ok: true, status: res.status, text };
    } catch (err) {
      if (limit.timedOut()) return { ok: false, reason: `no HTTP answer within ${formatSeconds(timeoutMs)}` };
      // undici says only "fetch failed"; the cause names what happened (ECONNREFUSED, EHOSTUNREACH, …).
      const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
      return { ok: false, reason: `${describeError(err)}${cause}` };
    } finally {
      limit.clear();
    }
  }
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname;
  } catch {
    return undefined;
  }
}

/** The body as text, or undefined when it exceeds `maxBytes` (a router must not make us buffer megabytes). */
async function readLimited(res: Response, maxBytes: number): Promise<string | undefined> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (done || !value) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return undefined;
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
