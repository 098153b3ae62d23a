/** @module A DNS server as people write it (`host`, `host:port`, `[v6]:port`): the RFC 2136 provider and the verifier. */
import { isIP } from 'node:net';
import type { UdpEndpoint } from '../../core/udp.js';

/**
 * A DNS name in presentation form as servers, zones and TSIG key names are written: LDH labels (underscores allowed
 * but in the last label), an optional trailing dot. Looser than a record's hostname (src/ddns/hostname.ts).
 */
export const dnsNamePattern =
  /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$/i;

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 address; port 53 when absent. */
export function parseServer(text: string): UdpEndpoint | undefined {
  const t = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(t);
  let host: string;
  let port = '53';
  if (bracketed) {
    host = String(bracketed[1]);
    if (bracketed[2]) port = bracketed[2];
    if (isIP(host) !== 6) return undefined;
  } else if (isIP(t) === 6) {
    host = t;
  } else {
    const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(t);
    if (!m) return undefined;
    host = String(m[1]);
    if (m[2]) port = m[2];
    // An IPv4 address is a name of digit labels to this pattern; an IPv6 one cannot get here (no colon).
    if (!dnsNamePattern.test(host)) return undefined;
  }
  const p = Number(port);
  return p >= 1 && p <= 65535 ? { address: host, port: p } : undefined;
}
