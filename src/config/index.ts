/** @module Reads settings from flags, environment and an optional JSON config file into one validated AppConfig. */
import path from 'node:path';
import type { z } from 'zod';
import { fail, failure, ok, type Failure, type Outcome } from '../core/outcome.js';
import {
  defaults,
  isLoopbackHost,
  reachabilitySettingsSchema,
  ddnsSettingsSchema,
  exposureSettingsSchema,
  acmeSettingsSchema,
  type AcmeSettings,
  wireguardSettingsSchema,
  settingsSourceSchema,
  type AppConfig,
  type SettingsSource,
} from './schema.js';

export {
  isLoopbackHost,
  parseListen,
  type AppConfig,
  type ListenAddress,
  type ReachabilitySettings,
} from './schema.js';

/** Environment variable for each setting. */
const envNames = {
  dataDir: 'GATEHOUSE_DATA_DIR',
  listen: 'GATEHOUSE_LISTEN',
  insecureHttp: 'GATEHOUSE_INSECURE_HTTP',
  logLevel: 'GATEHOUSE_LOG_LEVEL',
  trustProxy: 'GATEHOUSE_TRUST_PROXY',
  allowedHosts: 'GATEHOUSE_ALLOWED_HOSTS',
  sessionIdleMinutes: 'GATEHOUSE_SESSION_IDLE_MINUTES',
  sessionMaxAgeHours: 'GATEHOUSE_SESSION_MAX_AGE_HOURS',
  reachabilityEnabled: 'GATEHOUSE_REACHABILITY',
} as const satisfies Record<
  Exclude<keyof SettingsSource, 'reachability' | 'ddns' | 'wireguard' | 'exposure' | 'acme'>,
  string
>;

const configFileEnv = 'GATEHOUSE_CONFIG';

type SettingsOutput = z.output<typeof settingsSourceSchema>;

export interface ConfigInput {
  /** Settings given as command-line flags (highest precedence). */
  readonly flags: Partial<
    Record<
      Exclude<keyof SettingsSource, 'reachability' | 'ddns' | 'wireguard' | 'exposure' | 'acme'>,
      string | boolean | undefined
    >
  > & {
    readonly config?: string | undefined;
  };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Reads the config file; undefined when it does not exist. */
  readonly readFile: (file: string) => string | undefined;
}

function describeIssues(source: string, error: z.ZodError, nameOf: (key: string) => string): Failure {
  const first = error.issues[0];
  // Stryker disable next-line OptionalChaining: a failed parse has at least one issue; `?.` satisfies the index check
  const key = first?.path[0];
  // An issue with the document itself (e.g. a config file that is an array) has no setting to name.
  // A nested setting (from the file) is named by its whole path, e.g. `reachability.trustedSource`.
  // Stryker disable next-line OptionalChaining,ArrayDeclaration: as above, there is always a first issue
  const rest = first?.path.slice(1).map(String) ?? [];
  const where = typeof key === 'string' ? `${[nameOf(key), ...rest].join('.')}: ` : '';
  // Stryker disable next-line OptionalChaining,StringLiteral: as above; the fallback is unreachable, there is always a first message
  const detail = first?.message ?? 'invalid value';
  const message =
    // Stryker disable next-line OptionalChaining: as above
    first?.code === 'unrecognized_keys'
      ? `${source}: unknown setting ${first.keys.map((k) => `"${nameOf(k)}"`).join(', ')}`
      : `${source}: ${where}${detail}`;
  return failure('config.invalid', message, error.issues);
}

/** `reachability.portMapping.port` when the config file wrote it (not the schema's default). */
function rawMappedPort(raw: unknown): number | undefined {
  const port = (raw as { reachability?: { portMapping?: { port?: unknown } } } | undefined)?.reachability
    ?.portMapping?.port;
  return typeof port === 'number' ? port : undefined;
}

/** Precedence: flags > environment > config file > defaults. The first invalid setting fails with its name. */
export function loadConfig(input: ConfigInput): Outcome<AppConfig> {
  const { config: configFlag, ...flagValues } = input.flags;
  const configPath = configFlag ?? input.env[configFileEnv];

  let fileSettings: SettingsOutput = {};
  let rawFile: unknown;
  let configFile: string | undefined;
  if (configPath !== undefined && configPath !== '') {
    configFile = path.resolve(input.cwd, configPath);
    const text = input.readFile(configFile);
    if (text === undefined)
      return fail(failure('config.file-missing', `config file ${configFile} does not exist`));
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (e) {
      return fail(
        failure(
          'config.file-invalid',
          `config file ${configFile} is not valid JSON: ${(e as Error).message}`,
        ),
      );
    }
    const parsed = settingsSourceSchema.safeParse(raw);
    if (!parsed.success) return fail(describeIssues(`config file ${configFile}`, parsed.error, (k) => k));
    fileSettings = parsed.data;
    rawFile = raw;
  }

  const envRaw: Record<string, string> = {};
  for (const [key, name] of Object.entries(envNames)) {
    const v = input.env[name];
    if (v !== undefined && v !== '') envRaw[key] = v;
  }
  const envParsed = settingsSourceSchema.safeParse(envRaw);
  if (!envParsed.success) {
    return fail(
      describeIssues('environment', envParsed.error, (k) => envNames[k as keyof typeof envNames] as string),
    );
  }

  const flagRaw: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(flagValues) as [string, unknown][]) if (v !== undefined) flagRaw[k] = v;
  const flagParsed = settingsSourceSchema.safeParse(flagRaw);
  if (!flagParsed.success) {
    return fail(
      describeIssues(
        'command line',
        flagParsed.error,
        (k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
      ),
    );
  }

  // Parsing keeps every key of `defaults`, so after merging each of them is present.
  const defaultsParsed = settingsSourceSchema.parse(defaults) as SettingsOutput &
    Required<Pick<SettingsOutput, keyof typeof defaults>>;
  const merged = { ...defaultsParsed, ...fileSettings, ...envParsed.data, ...flagParsed.data };
  const wireguard = merged.wireguard ?? wireguardSettingsSchema.parse({});
  const reachability = merged.reachability ?? reachabilitySettingsSchema.parse({});
  // One source for the WireGuard port: the router maps the port WireGuard listens on. A different port written
  // for the mapping on purpose would leave peers knocking at a closed port.
  const mappedPort = rawMappedPort(rawFile);
  if (mappedPort !== undefined && mappedPort !== wireguard.listenPort) {
    return fail(
      failure(
        'config.invalid',
        `config file ${String(configFile)}: reachability.portMapping.port (${String(mappedPort)}) differs from ` +
          `wireguard.listenPort (${String(wireguard.listenPort)}); set only wireguard.listenPort — the router ` +
          'mapping follows it',
      ),
    );
  }
  const result: AppConfig = {
    dataDir: path.resolve(input.cwd, merged.dataDir),
    listen: merged.listen,
    insecureHttp: merged.insecureHttp,
    tls: !isLoopbackHost(merged.listen.host) && !merged.insecureHttp,
    logLevel: merged.logLevel,
    trustProxy: merged.trustProxy,
    allowedHosts: merged.allowedHosts,
    sessionIdleMinutes: merged.sessionIdleMinutes,
    sessionMaxAgeHours: merged.sessionMaxAgeHours,
    reachability: {
      ...reachability,
      portMapping: { ...reachability.portMapping, port: wireguard.listenPort },
      ...(merged.reachabilityEnabled === undefined ? {} : { enabled: merged.reachabilityEnabled }),
    },
    ddns: merged.ddns ?? ddnsSettingsSchema.parse({}),
    wireguard,
    exposure: merged.exposure ?? exposureSettingsSchema.parse({}),
    acme: resolveAcme(merged.acme ?? acmeSettingsSchema.parse({}), input.cwd),
    ...(configFile === undefined ? {} : { configFile }),
  };
  return ok(result);
}

/** The CA bundle path is taken relative to the working directory, like the data directory. */
function resolveAcme(acme: AcmeSettings, cwd: string): AcmeSettings {
  return acme.caBundleFile === null ? acme : { ...acme, caBundleFile: path.resolve(cwd, acme.caBundleFile) };
}
