/**
 * @module The real app with DDNS on, as main.ts wires it (assembleGatehouse + createCapabilities, a real lowdb store,
 * real UDP and fetch), around a fake dyndns2 server and a tiny authoritative DNS server, both on 127.0.0.1, and a
 * FakeClock. The engine asks only that DNS server (ddns.resolver and ddns.authoritativeServers), so nothing leaves
 * loopback; the capabilities are not started (no recheck loop): a test drives the engine through the API.
 */
import dgram from 'node:dgram';
import type { DdnsCapability } from '../../src/ddns/capability.js';
import { createMessage, decodeMessage, encodeMessage, RRClass, RRType } from '../../src/ddns/dns/codec.js';
import { startFakeApi, type FakeApi, type FakeApiAnswer } from '../fakes/fake-api.js';
import { createHarness } from './app-harness.js';

/** What the zone's servers serve: "name type" → the values (lower-case name, no trailing dot). */
export type ServedRecords = Map<string, readonly string[]>;

export const servedKey = (name: string, type: 'A' | 'AAAA'): string => `${name.toLowerCase()} ${type}`;

/** An authoritative DNS server on 127.0.0.1 (UDP): it answers, with authority, what `served` holds. */
export async function startLoopbackAuthoritative(served: ServedRecords) {
  const socket = dgram.createSocket('udp4');
  const queries: string[] = [];
  socket.on('message', (bytes, from) => {
    const decoded = decodeMessage(new Uint8Array(bytes));
    if (!decoded.ok) return;
    const q = decoded.value.message;
    const question = q.questions[0];
    if (!question) return;
    const name = question.name.replace(/\.$/, '').toLowerCase();
    const type = question.type === RRType.A ? 'A' : question.type === RRType.AAAA ? 'AAAA' : undefined;
    queries.push(`${name} ${type ?? question.type}`);
    const values = type === undefined ? [] : (served.get(servedKey(name, type)) ?? []);
    const answer = encodeMessage(
      createMessage({
        id: q.id,
        qr: true,
        aa: true,
        questions: q.questions,
        answers: values.map((address) => ({
          name: question.name,
          type: question.type,
          class: RRClass.IN,
          ttl: 60,
          data: type === 'A' ? { kind: 'a' as const, address } : { kind: 'aaaa' as const, address },
        })),
      }),
    );
    if (answer.ok) socket.send(answer.value, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  return {
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

/**
 * A dyndns2 server ("Perform Update", https://help.dyn.com/remote-access-api/perform-update/) a test controls:
 * Basic auth against `username`/`password`; a right request sets `myip` as the served A record (the provider's
 * servers serve at once) and answers `good <ip>`. `outage` answers that HTTP status instead (a server in trouble),
 * `refusal` that fatal word (`abuse`, `!donator`, …), a wrong password `badauth`; `byHost` answers one hostname
 * so before anything else (a status, or a word such as `nohost`).
 */
export interface Dyndns2Fake {
  readonly api: FakeApi;
  /** The update URL for the account's settings. */
  readonly url: string;
  readonly username: string;
  password: string;
  outage: number | null;
  refusal: string | null;
  /** An answer for one hostname (lower case) that comes before all the others: an HTTP status or a word. */
  readonly byHost: Map<string, number | string>;
  /** True: an update is accepted (`good`) but the servers keep serving the old value (a provider's lag). */
  lagging: boolean;
  /** How many update requests came. */
  updates(): number;
}

export async function startDyndns2Fake(served: ServedRecords): Promise<Dyndns2Fake> {
  const state = {
    username: 'gate',
    password: 'first-password',
    outage: null as number | null,
    refusal: null as string | null,
    lagging: false,
    byHost: new Map<string, number | string>(),
  };
  const answer = (url: URL, authorization: string | undefined): FakeApiAnswer => {
    if (url.pathname !== '/nic/update') return { status: 404, body: 'not found' };
    const hostname = (url.searchParams.get('hostname') ?? '').toLowerCase();
    const special = state.byHost.get(hostname);
    if (typeof special === 'number') return { status: special, body: 'Service Unavailable' };
    if (special !== undefined) return { status: 200, body: special };
    if (state.outage !== null) return { status: state.outage, body: 'Service Unavailable' };
    const expected = `Basic ${Buffer.from(`${state.username}:${state.password}`).toString('base64')}`;
    if (authorization !== expected) return { status: 200, body: 'badauth' };
    if (state.refusal !== null) return { status: 200, body: state.refusal };
    const ipv4 = (url.searchParams.get('myip') ?? '').split(',').find((a) => a.includes('.'));
    if (hostname === '' || ipv4 === undefined) return { status: 200, body: 'notfqdn' };
    const before = served.get(servedKey(hostname, 'A'));
    if (!state.lagging) served.set(servedKey(hostname, 'A'), [ipv4]);
    return { status: 200, body: `${before?.[0] === ipv4 ? 'nochg' : 'good'} ${ipv4}` };
  };
  const api = await startFakeApi((req) => {
    const auth = req.headers.authorization;
    return answer(new URL(req.url, 'http://fake'), typeof auth === 'string' ? auth : undefined);
  });
  return Object.assign(state, {
    api,
    url: `${api.baseUrl}/nic/update`,
    updates: () => api.requests.filter((r) => r.url.startsWith('/nic/update')).length,
  });
}

/** The real app with DDNS on around the loopback fakes; `cleanup` closes them and removes the data directory. */
export async function createDdnsServer(options: { readonly publicRanges?: readonly string[] } = {}) {
  const served: ServedRecords = new Map();
  const dns = await startLoopbackAuthoritative(served);
  const dyndns2 = await startDyndns2Fake(served);
  // The providers' requests and the alert channels' deliveries go, for real, to the loopback fakes.
  const h = await createHarness({
    configure: (base) => ({
      ...base,
      // Only the loopback server is asked: never the resolver of /etc/resolv.conf.
      ddns: {
        ...base.ddns,
        enabled: true,
        resolver: dns.server,
        authoritativeServers: [dns.server],
        verifySeconds: 5,
      },
      // The documentation range counts as public, as in the test bed (reachability itself stays off).
      reachability: {
        ...base.reachability,
        publicRanges: [...(options.publicRanges ?? ['203.0.113.0/24'])],
      },
    }),
  });
  const ddns = h.capabilities.find((c) => c.id === 'ddns') as DdnsCapability | undefined;
  if (!ddns?.engine) throw new Error('the DDNS capability or its engine is missing');

  /** Completes setup; returns an API caller with the admin's session. */
  const setupAdmin = async () => {
    const { cookie, csrf } = await h.setupAdmin();
    return (method: string, apiPath: string, body?: unknown) =>
      h.request(method, `/api/v1${apiPath}`, { cookie, csrf, ...(body === undefined ? {} : { body }) });
  };

  return {
    app: h.app,
    store: h.store,
    clock: h.clock,
    logger: h.logger,
    bus: h.bus,
    alerts: h.alerts,
    ddns,
    engine: ddns.engine,
    served,
    dns,
    dyndns2,
    setupAdmin,
    cleanup: async () => {
      await ddns.stop?.();
      await dyndns2.api.close();
      await dns.close();
      h.cleanup();
    },
  };
}

export type DdnsServer = Awaited<ReturnType<typeof createDdnsServer>>;
