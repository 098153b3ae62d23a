/**
 * @module A real `gatehouse serve` in the bed for the certificate e2e and benchmark: HTTPS on the box's LAN address,
 * the port-80 listener for HTTP-01, DDNS through an RFC 2136 account at the bed's BIND (what DNS-01 writes its TXT
 * records with), the HTTP API through cert-api.ts and what a TLS client sees through cert-tls-probe.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { createControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath } from '../../src/control/socket-path.js';
import { ddnsControl } from './ddns-e2e-evidence.js';
import { addr, gatehouseReachabilityConfig, ports } from './plan.js';
import { TestbedError, waitFor, type Testbed } from './testbed.js';

/** One answer of the HTTP API (cert-api.ts). */
export interface ApiAnswer {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** When the first ask left (epoch ms, the machine's clock: the server's too). */
  readonly startedAt: number;
  readonly ms: number;
  /** How many times it was asked (untilCertificate). */
  readonly polls: number;
  readonly body: unknown;
}

/**
 * Whether two certificate serials (hex) are the same number: Node's TLS peer certificate drops a leading zero that
 * X509Certificate (the server's) keeps.
 */
export function sameSerial(a: string | undefined, b: string | undefined): boolean {
  const norm = (x: string) => x.toLowerCase().replace(/^0+(?=.)/, '');
  return a !== undefined && b !== undefined && norm(a) === norm(b);
}

/** One request for cert-api.ts; `untilCertificate` polls GET /api/v1/cert until an order has ended. */
export interface ApiRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: unknown;
  readonly untilCertificate?: boolean;
}

/** What cert-tls-probe.ts saw. */
export interface TlsSeen {
  readonly error?: string;
  readonly authorized?: boolean;
  readonly authorizationError?: string | null;
  readonly serial?: string;
  readonly fingerprint256?: string;
  readonly subject?: string;
  readonly issuer?: string;
  readonly altNames?: string[];
  readonly validFrom?: string;
  readonly validTo?: string;
  readonly chainLength?: number;
  readonly ms: number;
}

/** The parts of GET /api/v1/cert the e2e reads (the full shape: src/cert/view.ts). */
export interface CertViewSeen {
  readonly enabled: boolean;
  readonly account: { directoryUrl: string; accountUrl: string | null; caBundleSet: boolean } | null;
  readonly certificate: { names: string[]; challenge: string } | null;
  readonly suggestedNames: string[];
  readonly current: {
    serial: string;
    names: string[];
    issuer: string;
    notBefore: string;
    notAfter: string;
    challenge: string;
  } | null;
  readonly serving: {
    kind: string;
    names: string[];
    notAfter: string | null;
    fingerprintSha256: string | null;
  };
  readonly renewal: {
    state: string;
    nextAt: string | null;
    reason: string;
    failures: number;
    lastError: { at: string; kind: string; message: string; challenge: string | null } | null;
    lastSuccessAt: string | null;
  };
  readonly challenge: { chosen: string | null; why: string; warnings: string[] };
  readonly history: { serial: string; names: string[] }[];
}

export interface CertServerOptions {
  /** The `acme` section's overrides (merged over the e2e defaults below). */
  readonly acme?: Record<string, unknown>;
}

export interface CertServer {
  readonly dir: string;
  readonly dataDir: string;
  /** The HTTPS address of the admin UI and API inside the bed. */
  readonly url: string;
  readonly pid: number;
  /** HTTP API requests in order, in one helper process (one session). */
  api(requests: readonly ApiRequest[]): Promise<ApiAnswer[]>;
  /** One request; throws when the helper fails (not on an HTTP error status). */
  call(method: string, path: string, body?: unknown): Promise<ApiAnswer>;
  /** GET /api/v1/cert. */
  view(): Promise<CertViewSeen>;
  /**
   * The same view through the control socket (what `gatehouse cert status` asks), from this process: no helper
   * process per ask, so polls are cheap.
   */
  status(): Promise<CertViewSeen>;
  /** Whether the server process still runs. */
  alive(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts `gatehouse serve` in gw listening on https://10.10.0.2:8443 with the bed's reachability sources, DDNS
 * verification at the bed's BIND, pebble's listener CA trusted, and the HTTP-01 listener on 0.0.0.0:80 (no router mapping: the bed's router
 * forwards port 80 statically, setWebForward). Resolves once the control socket answers and the public address is
 * accepted (a DDNS record needs it).
 */
export async function startCertGatehouse(bed: Testbed, options: CertServerOptions = {}): Promise<CertServer> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cert-'));
  const dataDir = path.join(dir, 'data');
  const config = JSON.parse(gatehouseReachabilityConfig({ backstopSeconds: 3600 })) as Record<
    string,
    unknown
  >;
  config.ddns = {
    resolver: addr.dns,
    authoritativeServers: [`${addr.dns}:${ports.dns}`],
    verifySeconds: 30,
    recheckSeconds: 10,
  };
  config.acme = {
    http01: { listen: `0.0.0.0:${ports.http}`, mapRouterPort: false },
    dns01: { propagationTimeoutSeconds: 30 },
    // The machine trusts pebble's listener CA (what `GET /cert/directory` needs before any account exists); the
    // account carries it too (PUT /cert/account caBundlePem), as a user of a private CA would give it.
    caBundleFile: bed.pebbleListenerCaFile,
    ...options.acme,
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  const url = `https://${addr.gwLan}:${ports.gatehouseHttps}`;
  const proc = bed.spawnGatehouse(
    path.join(dir, 'config.json'),
    dataDir,
    `${addr.gwLan}:${ports.gatehouseHttps}`,
  );
  const control = ddnsControl(dataDir);
  await control.ready();
  await waitFor(
    'the public address accepted',
    () => {
      try {
        const doc = JSON.parse(fs.readFileSync(path.join(dataDir, 'gatehouse.json'), 'utf8')) as {
          reachability?: { current?: { ipv4?: string | null } };
        };
        return Promise.resolve(
          doc.reachability?.current?.ipv4 === bed.expectedPublicAddress ? true : undefined,
        );
      } catch {
        return Promise.resolve(undefined);
      }
    },
    30_000,
  );
  const controlClient = createControlClient(controlSocketPath(dataDir), { timeoutMs: 20_000 });
  const stateFile = path.join(dir, 'session');
  let setUp = false;
  const api = async (requests: readonly ApiRequest[]) => {
    let token = '-';
    if (!setUp) {
      const t = await bed.node('gw', 'test/support/cli-entry.ts', ['setup-token', '--data-dir', dataDir]);
      token = t.stdout.trim().split(/\s+/).at(-1) ?? '';
      if (t.exitCode !== 0 || token === '') throw new TestbedError(`setup-token: ${t.stderr}`);
    }
    const r = await bed.node(
      'gw',
      'test/testbed/cert-api.ts',
      [url, stateFile, token, JSON.stringify(requests)],
      {
        timeoutMs: 180_000,
      },
    );
    if (r.exitCode !== 0) throw new TestbedError(`API helper: ${r.stderr}`);
    setUp = true;
    return JSON.parse(r.stdout) as ApiAnswer[];
  };
  const call = async (method: string, p: string, body?: unknown) => {
    const [answer] = await api([{ method, path: p, ...(body === undefined ? {} : { body }) }]);
    if (!answer) throw new TestbedError(`no answer to ${method} ${p}`);
    return answer;
  };
  let stopped = false;
  return {
    dir,
    dataDir,
    url,
    pid: proc.pid,
    api,
    call,
    view: async () => {
      const r = await call('GET', '/api/v1/cert');
      if (r.status !== 200) throw new TestbedError(`GET /api/v1/cert: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body as CertViewSeen;
    },
    status: async () => {
      const r = await controlClient.request('GET', '/v1/cert/status', z.looseObject({}));
      if (r.kind !== 'ok') throw new TestbedError(`GET /v1/cert/status: ${JSON.stringify(r)}`);
      return r.value as unknown as CertViewSeen;
    },
    alive: () => {
      try {
        process.kill(proc.pid, 0);
        return true;
      } catch {
        return false;
      }
    },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await bed.stopGatehouse(proc, dataDir).catch(() => undefined);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * An RFC 2136 DDNS account at the bed's BIND (TSIG key of the bed) and an A record (or an AAAA record) for
 * `hostname`, through the control socket as `gatehouse ddns provider add` / `record add` do. Resolves once BIND serves
 * the box's public address for it (asked from the phone, outside the box's network). DNS-01 writes its TXT records
 * with this account.
 */
export async function addDdnsHostname(
  bed: Testbed,
  server: CertServer,
  hostname: string,
  type: 'A' | 'AAAA' = 'A',
): Promise<void> {
  const control = ddnsControl(server.dataDir);
  const account = await control.addAccount({
    kind: 'rfc2136',
    name: 'bed BIND',
    settings: { server: addr.dns, zone: bed.zone, keyName: bed.tsigKeyName, algorithm: 'hmac-sha256' },
    secrets: { secret: bed.tsigSecret },
  });
  await control.addRecord({ hostname, type, accountId: account.id, ttl: 60 });
  const expected = type === 'A' ? bed.expectedPublicAddress : bed.expectedPublicIpv6;
  await waitFor(
    `BIND serving ${String(expected)} for ${hostname}`,
    async () => ((await dig(bed, hostname, type)).join() === expected ? true : undefined),
    30_000,
  );
}

/** The `result` of POST /api/v1/cert/issue|renew with wait. */
export interface RunResult {
  ok?: boolean;
  current?: CertViewSeen['current'];
  error?: { kind: string; message: string };
}

/**
 * POST /api/v1/cert/<kind> with wait. When the server's own loop is already running one (a settings change wakes
 * it: 409 cert.busy), waits for that run to end and asks again.
 */
export async function runCert(
  server: CertServer,
  kind: 'issue' | 'renew',
): Promise<{ answer: ApiAnswer; result: RunResult }> {
  for (let attempt = 0; ; attempt++) {
    const answer = await server.call('POST', `/api/v1/cert/${kind}`, { wait: true });
    const code = (answer.body as { error?: { code?: string } }).error?.code;
    if (answer.status === 409 && code === 'cert.busy' && attempt < 3) {
      await waitFor('the running certificate order to end', async () =>
        (await server.status()).renewal.state === 'running' ? undefined : true,
      );
      continue;
    }
    return { answer, result: answer.body as RunResult };
  }
}

/** What BIND serves for a name, asked from the phone. */
export async function dig(bed: Testbed, name: string, type: string): Promise<string[]> {
  const r = await bed.exec('phone', ['dig', '+short', '+time=1', '+tries=2', `@${addr.dns}`, name, type]);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}

/**
 * A TLS handshake from `role` to `host:port` with SNI `servername`, trusting only `caPem` (pebble's root: the
 * server must send its intermediate).
 */
export async function tlsProbe(
  bed: Testbed,
  role: 'gw' | 'lan' | 'phone',
  target: { host: string; port: number; servername: string },
  caPem: string,
): Promise<TlsSeen> {
  const caFile = path.join(bed.dir, `trust-${Date.now()}-${Math.random().toString(36).slice(2)}.pem`);
  fs.writeFileSync(caFile, caPem);
  try {
    const r = await bed.node(role, 'test/testbed/cert-tls-probe.ts', [
      target.host,
      String(target.port),
      target.servername,
      caFile,
    ]);
    if (r.exitCode !== 0) throw new TestbedError(`TLS probe: ${r.stderr}`);
    return JSON.parse(r.stdout) as TlsSeen;
  } finally {
    fs.rmSync(caFile, { force: true });
  }
}

/** The audit events of a type, newest first (GET /api/v1/audit). */
export async function auditEvents(server: CertServer, type: string): Promise<Record<string, unknown>[]> {
  const r = await server.call('GET', `/api/v1/audit?type=${encodeURIComponent(type)}&limit=50`);
  if (r.status !== 200) throw new TestbedError(`GET /api/v1/audit: ${r.status} ${JSON.stringify(r.body)}`);
  return (r.body as { events: Record<string, unknown>[] }).events;
}

/** Where the bed's ari-shim (ari-shim.ts: RFC 9773 ARI in front of pebble) listens, and its directory. */
export const ariShimPort = 14100;
export const ariShimDirectory = `https://acme.example.test:${ariShimPort}/dir`;

/**
 * Starts ari-shim in `inet` in front of the bed's pebble; the test controls it and reads what it saw through
 * files in `stateDir` ({@link ariShimRecords}). Wait for it with a request to {@link ariShimDirectory}.
 */
export function startAriShim(bed: Testbed, stateDir: string): void {
  const pebbleDir = path.join(bed.dir, 'pebble');
  bed.spawn('inet', 'ari-shim', [
    process.execPath,
    '--import',
    'tsx',
    path.resolve(import.meta.dirname, 'ari-shim.ts'),
    JSON.stringify({
      listen: `${addr.acme}:${ariShimPort}`,
      upstream: `${addr.acme}:${ports.acme}`,
      certFile: path.join(pebbleDir, 'listener.crt'),
      keyFile: path.join(pebbleDir, 'listener.key'),
      upstreamCaFile: bed.pebbleListenerCaFile,
      stateDir,
    }),
  ]);
}

/** What ari-shim recorded in `file` (`orders.jsonl`, `ari.jsonl`), one parsed line each; none yet: []. */
export function ariShimRecords(stateDir: string, file: string): unknown[] {
  try {
    return fs
      .readFileSync(path.join(stateDir, file), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as unknown);
  } catch {
    return [];
  }
}
