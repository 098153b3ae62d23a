/** @module The settings Gatehouse boots with, their zod schemas and defaults. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { refineWellFormedText } from '../core/text.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `host:port`, `[v6]:port` or `:port`; returns a message naming what is wrong, for the caller to attribute.
 * An address is returned in its usual spelling (`127.1` → `127.0.0.1`, `0` → `0.0.0.0`, `[::ffff:127.0.0.1]` →
 * `::ffff:7f00:1`), so the loopback test and the certificate see the address that will be bound.
 */
export function parseListen(value: string): ListenAddress | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) return `expected host:port (e.g. 127.0.0.1:8080 or [::]:8443), got "${value}"`;
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range (0-65535)`;
  if (m[1] !== undefined) {
    if (isIP(m[1]) !== 6) return `"${m[1]}" is not an IPv6 address`;
    return { host: canonicalHost(`[${m[1]}]`).slice(1, -1), port };
  }
  // `:port` alone (m[2] empty) means every IPv4 address.
  const host = m[2] || '0.0.0.0';
  if (!/^[a-zA-Z0-9.-]+$/.test(host)) return `"${host}" is not a valid host`;
  const problem = hostProblem(host);
  if (problem !== undefined) return `"${host}" ${problem}`;
  return { host: isIpv4Like(host) ? canonicalHost(host) : host, port };
}

/**
 * A name whose last label is a number is an IPv4 address in the forms getaddrinfo and URLs accept (`127.1`,
 * `0x7f.1`, `0`), or nothing: `256.1.1.1` is not a host name that happens to look numeric.
 */
function isIpv4Like(host: string): boolean {
  // Stryker disable next-line StringLiteral: unreachable fallback, split always returns at least one element
  const last = host.replace(/\.$/, '').split('.').at(-1) ?? '';
  return /^(?:\d+|0x[0-9a-f]*)$/i.test(last);
}

/** The WHATWG URL host parser's spelling of an address; throws for one that is not valid. */
function canonicalHost(host: string): string {
  return new URL(`http://${host}/`).hostname;
}

function hostProblem(host: string): string | undefined {
  if (isIpv4Like(host)) {
    // The URL host parser reads a name ending in a number as IPv4 and fails on one that is not valid.
    return URL.canParse(`http://${host}/`) ? undefined : 'is not a valid IPv4 address';
  }
  const labels = host.replace(/\.$/, '').split('.');
  if (host.length > 253) return 'is not a valid host name (longer than 253 characters)';
  if (labels.some((l) => l === '')) return 'is not a valid host name (empty label)';
  if (labels.some((l) => l.length > 63))
    return 'is not a valid host name (a label is longer than 63 characters)';
  if (labels.some((l) => l.startsWith('-') || l.endsWith('-')))
    return 'is not a valid host name (a label starts or ends with "-")';
  return undefined;
}

/** Loopback: `localhost`, 127.0.0.0/8, `::1`, and 127.0.0.0/8 mapped into IPv6 (`::ffff:127.0.0.1`). */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  const family = isIP(host);
  if (family === 4) return host.startsWith('127.');
  if (family !== 6) return false;
  const canonical = canonicalHost(`[${host}]`).slice(1, -1);
  return canonical === '::1' || /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(canonical);
}

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const listenSchema = z.string().transform((v, ctx) => {
  const parsed = parseListen(v);
  if (typeof parsed === 'string') {
    ctx.addIssue({ code: 'custom', message: parsed });
    return z.NEVER;
  }
  return parsed;
});

/** A host name or an address (IPv6 with or without brackets), as the Host header may name this box. */
const allowedHost = z
  .string()
  .trim()
  .min(1, 'an empty host name')
  .transform((v, ctx) => {
    // `[v6]` as in a URL, or bare; parseListen reads the bracketed form.
    const parsed = parseListen(isIP(v) === 6 ? `[${v}]:0` : `${v}:0`);
    if (typeof parsed === 'string') {
      ctx.addIssue({ code: 'custom', message: `"${v}" is not a host name or address` });
      return z.NEVER;
    }
    return parsed.host;
  });

/** A list from the file (an array) or from a flag or the environment (comma-separated). */
const allowedHosts = z
  .union([z.array(z.string()), z.string().transform((v) => v.split(',').filter((s) => s.trim() !== ''))])
  .pipe(z.array(allowedHost).max(100));

const booleanFromString = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])])
  .transform((v) => (typeof v === 'boolean' ? v : ['1', 'true', 'yes', 'on'].includes(v)));

const positiveInt = z.coerce.number().int().positive();

/** One source of settings (flags, environment or file), every key optional; unknown keys are errors. */
const hostPort = z
  .string()
  .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'expected host:port, e.g. stun.example.net:3478');

const cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'expected an address range like 203.0.113.0/24');

/**
 * How Gatehouse finds its public address. Production defaults are hostnames of well-known public services,
 * never IP literals; the test bed points every source at its own servers.
 */
export const reachabilitySettingsSchema = z
  .object({
    /** Master switch: probing, the interface monitor and the port mapper. */
    enabled: z.boolean().default(true),
    /** STUN servers (RFC 5389), host:port. Two or more make RFC 5780 mapping checks possible. */
    stunServers: z.array(hostPort).default(['stun.cloudflare.com:3478', 'stun.l.google.com:19302']),
    /** HTTP echo services answering with the caller's address as plain text, per address family. */
    httpEcho: z.array(z.object({ url: z.url(), family: z.enum(['ipv4', 'ipv6']) }).strict()).default([
      { url: 'https://api.ipify.org', family: 'ipv4' },
      { url: 'https://api6.ipify.org', family: 'ipv6' },
    ]),
    /** DNS echo: a name whose answer is the asking address, queried at a given server (e.g. OpenDNS myip). */
    dnsEcho: z
      .array(
        z
          .object({ server: z.string().min(1), name: z.string().min(1), type: z.enum(['A', 'AAAA', 'TXT']) })
          .strict(),
      )
      .default([
        { server: 'resolver1.opendns.com', name: 'myip.opendns.com', type: 'A' },
        { server: 'ns1.google.com', name: 'o-o.myaddr.l.google.com', type: 'TXT' },
      ]),
    /** How many independent sources must agree before an address is published. */
    quorum: z.number().int().min(1).max(10).default(2),
    /** A source whose answer alone is enough (e.g. "interface" on a box that holds its public address). */
    trustedSource: z.string().nullable().default(null),
    /** Ranges treated as public although they are bogons (documentation ranges in a lab or test bed). */
    publicRanges: z.array(cidr).default([]),
    /** STUN backstop period; address events on the interfaces and from the router trigger checks sooner. */
    backstopSeconds: z.number().int().min(5).max(3600).default(30),
    /** Watch the box's own interfaces for address events (`ip -j monitor address`). */
    watchInterfaces: z.boolean().default(true),
    /**
     * Listen for the router's own change events: a UPnP GENA subscription (a callback port on the LAN) and
     * NAT-PMP / PCP announcements (UDP 5350).
     */
    routerEvents: z.boolean().default(true),
    portMapping: z
      .object({
        enabled: z.boolean().default(true),
        /** The WireGuard UDP port to map on the router. */
        port: z.number().int().min(1).max(65535).default(51820),
        /** Lease asked for; renewed at half-time. */
        leaseSeconds: z.number().int().min(120).max(86400).default(3600),
      })
      .strict()
      .default({ enabled: true, port: 51820, leaseSeconds: 3600 }),
  })
  .strict();

export type ReachabilitySettings = z.output<typeof reachabilitySettingsSchema>;

/** DDNS: how updates are verified. Records and provider accounts are managed in the UI, API and CLI, not here. */
export const ddnsSettingsSchema = z
  .object({
    /** Master switch of the update engine (records are kept either way). */
    enabled: z.boolean().default(true),
    /**
     * The recursive resolver that finds a zone's authoritative servers (`address` or `address:port`); default: the
     * first `nameserver` of /etc/resolv.conf.
     */
    resolver: z.string().min(1).nullable().default(null),
    /**
     * Ask exactly these servers whether a change is served (`203.0.113.53`, `ns1.example.com:5353`) instead of the
     * zone's NS records — for split DNS, or a zone whose servers this box cannot look up.
     */
    authoritativeServers: z.array(z.string().min(1)).default([]),
    /** How long to ask the authoritative servers after a change before calling it unverified. */
    verifySeconds: z.number().int().min(5).max(3600).default(120),
    /** How often records are looked at without an event (due retries, hand-made changes). */
    recheckSeconds: z.number().int().min(10).max(86_400).default(300),
  })
  .strict();

export type DdnsSettings = z.output<typeof ddnsSettingsSchema>;

/** WireGuard interface names: what `ip link` and wireguard-go accept (at most 15 characters, IFNAMSIZ - 1). */
export const interfaceNamePattern = /^[A-Za-z0-9_=+.-]{1,15}$/;

/**
 * The WireGuard endpoint. Peers, services and grants are managed in the UI, API and CLI, not here. The interface
 * comes up with the first peer, so a box without peers (and every test that adds none) creates nothing.
 */
export const wireguardSettingsSchema = z
  .object({
    /** Master switch: with it off, peers and configs are kept but no interface or firewall is touched. */
    enabled: z.boolean().default(true),
    interface: z
      .string()
      .regex(interfaceNamePattern, 'expected 1-15 letters, digits or _=+.- (a network interface name)')
      .default('gatehouse0'),
    /** The UDP port WireGuard listens on; reachability maps this port on the router. */
    listenPort: z.number().int().min(1).max(65535).default(51820),
    /** `auto`: the kernel module when present, otherwise wireguard-go (userspace). */
    implementation: z.enum(['auto', 'kernel', 'userspace']).default('auto'),
    /** Tunnel addresses: peers get one each, the box the first; IPv6 optional (a ULA range). */
    pool: z
      .object({ ipv4: cidr.default('10.8.0.0/24'), ipv6: cidr.nullable().default(null) })
      .strict()
      .default({ ipv4: '10.8.0.0/24', ipv6: null }),
    /** DNS servers written into client configs unless a peer has its own (IP addresses). */
    dns: z.array(z.string().min(2).max(45)).max(4).default([]),
    mtu: z.number().int().min(1280).max(9000).nullable().default(null),
    /** Default PersistentKeepalive of client configs in seconds (0 = off). */
    persistentKeepalive: z.number().int().min(0).max(65535).default(0),
    /** A peer counts as online while its latest handshake is at most this old (WireGuard re-handshakes every 2 min). */
    onlineWithinSeconds: z.number().int().min(30).max(3600).default(180),
    /**
     * Host name or address client configs use as Endpoint; default: the first DDNS hostname, else the accepted
     * public address.
     */
    endpointHost: z.string().min(1).max(253).nullable().default(null),
    /** How often the interface and the firewall are compared with the desired state (drift, expiry, status). */
    checkSeconds: z.number().int().min(1).max(3600).default(10),
  })
  .strict();

export type WireguardSettings = z.output<typeof wireguardSettingsSchema>;

/** Which LAN services peers may be granted, and how their traffic reaches the LAN. */
export const exposureSettingsSchema = z
  .object({
    /** The LAN ranges services must lie in; null: detected from the box's interfaces. */
    lanRanges: z.array(cidr).nullable().default(null),
    /** Masquerade tunnel traffic toward the LAN, so LAN devices answer without a route to the pool. */
    masquerade: z.boolean().default(true),
  })
  .strict();

export type ExposureSettings = z.output<typeof exposureSettingsSchema>;

/**
 * Certificates from an ACME CA. The CA, the account and the names are chosen in the UI, API or CLI (they need the
 * CA's terms agreed explicitly); this section holds what belongs to the machine.
 */
export const acmeSettingsSchema = z
  .object({
    /** Master switch: with it off no certificate is ordered or renewed and the port-80 listener stays closed. */
    enabled: z.boolean().default(true),
    http01: z
      .object({
        /**
         * Where the HTTP-01 listener binds (`host:port`): it serves only challenges and a redirect to HTTPS. It
         * runs while a certificate is configured. Ports below 1024 need root or CAP_NET_BIND_SERVICE. The default
         * `[::]:80` takes IPv6 and IPv4 on one socket (a CA may validate over the name's AAAA record); where the
         * kernel has no IPv6 it listens on 0.0.0.0:80 instead.
         */
        listen: listenSchema.prefault('[::]:80'),
        /** Map TCP 80 on the router (UPnP IGD, NAT-PMP, PCP) for the length of a challenge. */
        mapRouterPort: z.boolean().default(true),
      })
      .strict()
      .prefault({}),
    dns01: z
      .object({
        /** How long to wait for every authoritative server to serve a challenge's TXT record. */
        propagationTimeoutSeconds: z.number().int().min(5).max(3600).default(180),
      })
      .strict()
      .prefault({}),
    /** A PEM file of extra CA certificates to trust for the ACME directory's TLS (a private CA, pebble in tests). */
    caBundleFile: z.string().min(1).nullable().default(null),
  })
  .strict();

export type AcmeSettings = z.output<typeof acmeSettingsSchema>;

export const settingsSourceSchema = z
  .object({
    dataDir: z.string().min(1),
    listen: listenSchema,
    insecureHttp: booleanFromString,
    logLevel: z.enum(logLevels),
    trustProxy: booleanFromString,
    sessionIdleMinutes: positiveInt.max(60 * 24 * 30),
    sessionMaxAgeHours: positiveInt.max(24 * 365),
    /** Names (and addresses) the Host header may carry besides the box's own; see http/allowed-hosts.ts. */
    allowedHosts,
    /** Turns the reachability loop and port mapping off (GATEHOUSE_REACHABILITY=off). */
    reachabilityEnabled: booleanFromString,
    /** Only from the config file: a nested section. */
    reachability: reachabilitySettingsSchema,
    /** Only from the config file: a nested section. */
    ddns: ddnsSettingsSchema,
    /** Only from the config file: a nested section. */
    wireguard: wireguardSettingsSchema,
    /** Only from the config file: a nested section. */
    exposure: exposureSettingsSchema,
    /** Only from the config file: a nested section. */
    acme: acmeSettingsSchema,
  })
  .partial()
  .strict()
  // Every string from a flag, the environment or the file: well-formed Unicode or refused, naming the setting.
  .superRefine(refineWellFormedText);

export type SettingsSource = z.input<typeof settingsSourceSchema>;

export interface AppConfig {
  /** Absolute path of the data directory (store, certificates, lock). */
  readonly dataDir: string;
  readonly listen: ListenAddress;
  /** Plain HTTP on a non-loopback address: only when asked for explicitly. */
  readonly insecureHttp: boolean;
  /** Resolved: HTTPS is used when listening off loopback unless insecureHttp. */
  readonly tls: boolean;
  readonly logLevel: (typeof logLevels)[number];
  /** Take the client address from X-Forwarded-For (only behind a reverse proxy you run). */
  readonly trustProxy: boolean;
  /**
   * Host names this box answers to besides the listen host, loopback, the machine's name and its interface
   * addresses (a name in DNS, a reverse proxy's public name). Any other Host header gets 421.
   */
  readonly allowedHosts: readonly string[];
  readonly sessionIdleMinutes: number;
  readonly sessionMaxAgeHours: number;
  readonly reachability: ReachabilitySettings;
  readonly ddns: DdnsSettings;
  readonly wireguard: WireguardSettings;
  readonly exposure: ExposureSettings;
  readonly acme: AcmeSettings;
  /** Where the config file came from, if one was read. */
  readonly configFile?: string;
}

export const defaults = {
  dataDir: './data',
  listen: '127.0.0.1:8080',
  insecureHttp: false,
  logLevel: 'info',
  trustProxy: false,
  allowedHosts: [],
  sessionIdleMinutes: 12 * 60,
  sessionMaxAgeHours: 7 * 24,
} as const;
