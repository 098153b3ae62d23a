/**
 * @module Which names and addresses this box answers to (the Host header check against DNS rebinding): the listen
 * host, loopback, the machine's names and interface addresses, configured names, and names capabilities provide
 * (DDNS hostnames). A page on another name that resolves to this box must not reach it, not even anonymously.
 */
import { isIP } from 'node:net';

export interface HostAllowList {
  /** Whether a Host header names this box (port ignored; case and a trailing dot do not matter). */
  allows(hostHeader: string): boolean;
  /** Adds a source of names read at each check, e.g. the DDNS capability's hostnames. */
  provide(names: () => readonly string[]): void;
}

export interface HostAllowListInput {
  /** The host from the listen setting (0.0.0.0 and :: name no host and add nothing). */
  readonly listenHost: string;
  /** The `allowedHosts` setting. */
  readonly configured: readonly string[];
  /** The machine's own names (os.hostname(), and its `.local` form for mDNS). */
  readonly machineNames?: readonly string[];
  /** The addresses on the machine's interfaces, read when a Host is an address not otherwise known. */
  readonly ownAddresses?: () => readonly string[];
}

/**
 * The host of a Host header in a form to compare: lower case, no trailing dot, no port, no brackets, addresses in
 * their usual spelling (`127.1` → `127.0.0.1`, `[::FFFF:127.0.0.1]` → `::ffff:7f00:1`). Undefined when it is not
 * a host at all.
 */
export function hostOf(header: string): string | undefined {
  const candidate = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.exec(header.trim())?.[1];
  if (candidate === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(`http://${candidate}/`);
  } catch {
    return undefined;
  }
  const host = url.hostname.replace(/\.$/, '');
  return host.startsWith('[') ? host.slice(1, -1) : host;
}

function normalise(name: string): string | undefined {
  return hostOf(isIP(name) === 6 ? `[${name}]` : name);
}

function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(host);
}

export function createHostAllowList(input: HostAllowListInput): HostAllowList {
  const wildcard = input.listenHost === '0.0.0.0' || input.listenHost === '::';
  // Stryker disable next-line ArrayDeclaration: an entry that is no host ("Stryker was here") is never matched
  const machineNames = input.machineNames ?? [];
  const named = [...[input.listenHost].filter(() => !wildcard), ...input.configured, ...machineNames];
  // An entry that is no host normalises to undefined, which no Host header does (allows() answers first).
  const fixed = new Set<string | undefined>(named.map(normalise));
  const providers: (() => readonly string[])[] = [];
  const listed = (host: string, names: readonly string[]) => names.some((n) => normalise(n) === host);
  return {
    allows(hostHeader) {
      const host = hostOf(hostHeader);
      if (host === undefined) return false;
      if (fixed.has(host) || isLoopback(host)) return true;
      if (providers.some((p) => listed(host, p()))) return true;
      // Only an address can be an interface's: a name never costs a look at the interfaces.
      return isIP(host) !== 0 && input.ownAddresses !== undefined && listed(host, input.ownAddresses());
    },
    provide(names) {
      providers.push(names);
    },
  };
}
