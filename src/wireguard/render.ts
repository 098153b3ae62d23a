/**
 * @module Renders WireGuard config text: the client's wg-quick file (download, QR) and the interface's wg-only file
 * (`wg syncconf`). Every value is checked against its grammar first, so nothing can inject a line. Pure.
 */
import { isIP } from 'node:net';
import { parseCidr } from '../reach/addresses.js';
import { checkKey } from './keys.js';
import type { DevicePeer } from './model.js';

/**
 * A value that would not be one plain token of its grammar. The message names the field and what it must be,
 * never the value: it may be a key, or text crafted to break the file (research 4.2).
 */
export class ConfigValueError extends Error {
  override readonly name = 'ConfigValueError';
  constructor(
    readonly field: string,
    readonly expected: string,
  ) {
    super(`WireGuard config value ${field} is not ${expected}`);
  }
}

// Both config parsers are line based with no quoting: a newline starts a line, `#` starts a comment, `[` a
// section, `,` splits lists, whitespace vanishes or is trimmed (research 4.2). Every grammar below yields only
// these characters, and this check runs first so no grammar has to be trusted alone.
const tokenCharacters = /^[A-Za-z0-9+/=.:-]+$/;

function check(field: string, expected: string, value: string, fine: (v: string) => boolean): string {
  if (!tokenCharacters.test(value) || !fine(value)) throw new ConfigValueError(field, expected);
  return value;
}

function key(field: string, value: string): string {
  return check(field, 'a WireGuard key (44 characters of base64)', value, (v) => checkKey(v) === undefined);
}

function ipOf(family: 4 | 6 | 'any') {
  return (v: string) => (family === 'any' ? isIP(v) !== 0 : isIP(v) === family);
}

/** An address/prefix with an explicit prefix (`10.8.0.2/32`, `::/0`). */
function isCidr(v: string): boolean {
  return v.includes('/') && parseCidr(v) !== undefined;
}

/**
 * An LDH host name (RFC 1123 labels of 1 to 63 letters, digits, hyphens, not starting or ending with one; at most
 * 253 characters; no trailing dot) whose last label is not all digits (RFC 3696 2: so `1.2.3.400` is no name).
 */
export function isHostName(v: string): boolean {
  return (
    v.length <= 253 &&
    v.split('.').every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l)) &&
    !/(?:^|\.)\d+$/.test(v)
  );
}

function integer(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigValueError(field, `a whole number from ${min} to ${max}`);
  return value;
}

function list(
  field: string,
  expected: string,
  values: readonly string[],
  fine: (v: string) => boolean,
): string {
  if (values.length === 0) throw new ConfigValueError(field, `a non-empty list of ${expected}`);
  return values.map((v, i) => check(`${field}[${i}]`, expected, v, fine)).join(', ');
}

export interface ClientConfigInput {
  /** The peer's private key, or null when the box never had it (key mode 'own'): the file then has a blank. */
  readonly privateKey: string | null;
  /** The peer's tunnel addresses, without prefix (rendered as /32 and /128). */
  readonly address: { readonly ipv4: string; readonly ipv6: string | null };
  /** DNS servers (IP addresses); none = no DNS line. */
  readonly dns: readonly string[];
  readonly mtu: number | null;
  readonly serverPublicKey: string;
  readonly presharedKey: string | null;
  readonly allowedIps: readonly string[];
  /** Host name or IP literal (an IPv6 literal without brackets), and the UDP port. */
  readonly endpoint: { readonly host: string; readonly port: number };
  /** Seconds; 0 = off (no line). */
  readonly persistentKeepalive: number;
}

/**
 * What stands in the PrivateKey line when the box never had the key. `PrivateKey =` with nothing after it is
 * refused by the apps and by `wg` (an empty key is not 32 bytes), so a half-done file cannot be imported by
 * mistake; the comment above it says what to put there.
 */
export const missingPrivateKeyLines = [
  '# This device made its own key: put this device\'s private key after "PrivateKey =" before importing.',
  'PrivateKey =',
];

/**
 * The client's config in wg-quick format, as phone and desktop apps import it (research 4.1). The peer's name is
 * never written into it. Throws ConfigValueError when a value is not a plain token of its grammar.
 */
export function renderClientConfig(input: ClientConfigInput): string {
  const iface = ['[Interface]'];
  if (input.privateKey === null) iface.push(...missingPrivateKeyLines);
  else iface.push(`PrivateKey = ${key('privateKey', input.privateKey)}`);
  const addresses = [`${check('address.ipv4', 'an IPv4 address', input.address.ipv4, ipOf(4))}/32`];
  if (input.address.ipv6 !== null)
    addresses.push(`${check('address.ipv6', 'an IPv6 address', input.address.ipv6, ipOf(6))}/128`);
  iface.push(`Address = ${addresses.join(', ')}`);
  if (input.dns.length > 0) iface.push(`DNS = ${list('dns', 'IP addresses', input.dns, ipOf('any'))}`);
  if (input.mtu !== null) iface.push(`MTU = ${integer('mtu', input.mtu, 1280, 9000)}`);

  const peer = ['[Peer]', `PublicKey = ${key('serverPublicKey', input.serverPublicKey)}`];
  if (input.presharedKey !== null) peer.push(`PresharedKey = ${key('presharedKey', input.presharedKey)}`);
  peer.push(`AllowedIPs = ${list('allowedIps', 'address/prefix', input.allowedIps, isCidr)}`);
  const host = check(
    'endpoint.host',
    'a host name or IP address',
    input.endpoint.host,
    (v) => isIP(v) !== 0 || isHostName(v),
  );
  const port = integer('endpoint.port', input.endpoint.port, 1, 65535);
  peer.push(`Endpoint = ${isIP(host) === 6 ? `[${host}]` : host}:${port}`);
  const keepalive = integer('persistentKeepalive', input.persistentKeepalive, 0, 65535);
  if (keepalive > 0) peer.push(`PersistentKeepalive = ${keepalive}`);
  return `${iface.join('\n')}\n\n${peer.join('\n')}\n`;
}

export interface DeviceConfigInput {
  readonly privateKey: string;
  readonly listenPort: number;
  readonly peers: readonly DevicePeer[];
}

/**
 * The interface's config in `wg` syntax for `wg syncconf`/`setconf` (research 2.1): only ListenPort, PrivateKey,
 * PublicKey, PresharedKey, AllowedIPs and PersistentKeepalive, since `wg` fails the whole file on any other key.
 * A peer without a PSK or keepalive gets no line: syncconf then clears what the running peer had. A peer with no
 * allowed IPs gets no AllowedIPs line (it carries no traffic). Throws ConfigValueError on a bad value or a public
 * key listed twice.
 */
export function renderDeviceConfig(input: DeviceConfigInput): string {
  const lines = [
    '[Interface]',
    `PrivateKey = ${key('privateKey', input.privateKey)}`,
    `ListenPort = ${integer('listenPort', input.listenPort, 1, 65535)}`,
  ];
  const seen = new Set<string>();
  input.peers.forEach((p, i) => {
    const field = `peers[${i}]`;
    const publicKey = key(`${field}.publicKey`, p.publicKey);
    if (seen.has(publicKey))
      throw new ConfigValueError(`${field}.publicKey`, 'a public key no other peer has');
    seen.add(publicKey);
    lines.push('', '[Peer]', `PublicKey = ${publicKey}`);
    if (p.presharedKey !== null) lines.push(`PresharedKey = ${key(`${field}.presharedKey`, p.presharedKey)}`);
    if (p.allowedIps.length > 0)
      lines.push(`AllowedIPs = ${list(`${field}.allowedIps`, 'address/prefix', p.allowedIps, isCidr)}`);
    const keepalive = integer(`${field}.persistentKeepalive`, p.persistentKeepalive, 0, 65535);
    if (keepalive > 0) lines.push(`PersistentKeepalive = ${keepalive}`);
  });
  return `${lines.join('\n')}\n`;
}

/**
 * A download file name for a peer's config. Apps name the imported tunnel after the file, and the Android app
 * and wg-quick accept only `[a-zA-Z0-9_=+.-]{1,15}` (wireguard-android Tunnel.NAME_PATTERN; research 2.2): so
 * letters lose their accents, runs of anything else become one `-`, the result is cut to 15 characters without
 * a `-` at either end, and an empty result is `peer`.
 */
export function configFileName(name: string): string {
  const stem = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9_]+/g, '-')
    .replace(/^-/, '')
    .slice(0, 15)
    .replace(/-$/, '');
  return `${stem === '' ? 'peer' : stem}.conf`;
}
