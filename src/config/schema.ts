/** @module The settings Gatehouse boots with, their zod schemas and defaults. */
import { isIP } from 'node:net';
import { z } from 'zod';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port`; returns a message naming what is wrong, for the caller to attribute. */
export function parseListen(value: string): ListenAddress | string {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  if (!m) return `expected host:port (e.g. 127.0.0.1:8080 or [::]:8443), got "${value}"`;
  const host = m[1] ?? (m[2] === '' || m[2] === undefined ? '0.0.0.0' : m[2]);
  const port = Number(m[3]);
  if (port > 65535) return `port ${port} is out of range (0-65535)`;
  if (m[1] !== undefined && isIP(host) !== 6) return `"${host}" is not an IPv6 address`;
  if (m[1] === undefined && isIP(host) === 0 && !/^[a-zA-Z0-9.-]+$/.test(host))
    return `"${host}" is not a valid host`;
  return { host, port };
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
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

const booleanFromString = z
  .union([z.boolean(), z.enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])])
  .transform((v) => (typeof v === 'boolean' ? v : ['1', 'true', 'yes', 'on'].includes(v)));

const positiveInt = z.coerce.number().int().positive();

/** One source of settings (flags, environment or file), every key optional; unknown keys are errors. */
export const settingsSourceSchema = z
  .object({
    dataDir: z.string().min(1),
    listen: listenSchema,
    insecureHttp: booleanFromString,
    logLevel: z.enum(logLevels),
    trustProxy: booleanFromString,
    sessionIdleMinutes: positiveInt.max(60 * 24 * 30),
    sessionMaxAgeHours: positiveInt.max(24 * 365),
  })
  .partial()
  .strict();

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
  readonly sessionIdleMinutes: number;
  readonly sessionMaxAgeHours: number;
  /** Where the config file came from, if one was read. */
  readonly configFile?: string;
}

export const defaults = {
  dataDir: './data',
  listen: '127.0.0.1:8080',
  insecureHttp: false,
  logLevel: 'info',
  trustProxy: false,
  sessionIdleMinutes: 12 * 60,
  sessionMaxAgeHours: 7 * 24,
} as const;
