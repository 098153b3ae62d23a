/**
 * @module UPnP IGD codec: SSDP search requests and answers, device descriptions, SOAP action envelopes and their
 * answers (WANIPConnection / WANPPPConnection, IGD v1 and v2). Pure: strings and bytes in, values out.
 */
import { childText, findAll, findFirst, parseXml } from './xml.js';
import type { UdpEndpoint } from '../../core/udp.js';

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

/** UPnP error codes the client acts on (IGD WANIPConnection v2 §2.4); any other fault is a refusal. */
export const upnpErrors = {
  noSuchEntry: 714,
  onlyPermanentLeases: 725,
} as const;

export interface IgdService {
  /** Absolute URL the SOAP actions are posted to. */
  readonly controlUrl: string;
  readonly serviceType: string;
  /** Absolute GENA event subscription URL (SUBSCRIBE / UNSUBSCRIBE), when the device offers one on its own host. */
  readonly eventSubUrl?: string;
}

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
    // A line without a colon is no header; one with an empty name is harmless (no one asks for it).
    if (i !== -1) headers.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  const location = headers.get('location');
  const searchTarget = igdSearchTargets.find((t) => t === headers.get('st'));
  if (!location || !/^http:\/\//i.test(location)) return undefined;
  if (!searchTarget) return undefined;
  return { location, searchTarget };
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
    serviceType: childText(s, 'serviceType'),
    controlURL: childText(s, 'controlURL'),
  }));
  for (const wanted of connectionServices) {
    const controlURL = services.find((s) => s.serviceType === wanted && s.controlURL)?.controlURL;
    if (!controlURL) continue;
    const url = urlOf(controlURL, base);
    if (!url) return { ok: false, reason: `the control URL "${controlURL}" is not a URL` };
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
  const url = path ? urlOf(path, base) : undefined;
  return url?.protocol === 'http:' && url.host === urlOf(descriptionUrl)?.host ? url.href : undefined;
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

export interface PortMappingEntry {
  readonly internalClient: string;
  readonly internalPort: number;
  readonly enabled: boolean;
  readonly description: string;
  readonly leaseSeconds: number;
}

/** The out-arguments of GetSpecificPortMappingEntry as a mapping entry. */
export function parsePortMappingEntry(values: Readonly<Record<string, string>>): PortMappingEntry {
  return {
    internalClient: values.NewInternalClient ?? '',
    internalPort: Number(values.NewInternalPort),
    enabled: values.NewEnabled === '1' || values.NewEnabled?.toLowerCase() === 'true',
    description: values.NewPortMappingDescription ?? '',
    leaseSeconds: Number(values.NewLeaseDuration ?? 0),
  };
}

/** The host of an SSDP LOCATION, or undefined when it is not a URL. */
export function hostOf(url: string): string | undefined {
  return urlOf(url)?.hostname;
}

/** `url` resolved against `base`, or undefined when either is not a URL. */
function urlOf(url: string, base?: string): URL | undefined {
  return URL.canParse(url, base) ? new URL(url, base) : undefined;
}
