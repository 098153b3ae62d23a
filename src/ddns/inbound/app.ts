/**
 * @module The inbound dyndns2 endpoint as a Hono sub-app: `GET /nic/update` (and `/v3/update`, the current Dyn and
 * No-IP path) with HTTP Basic auth per client, throttled like the admin login, answering the dyndns2 codes in
 * text/plain. An accepted push is published on `reach.wan-pushed`, one event per address family.
 */
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { appendAudit, type AuditInput } from '../../audit/record.js';
import { AuditSampler } from '../../auth/audit-sampler.js';
import { sha256Hex } from '../../auth/crypto.js';
import { createTimingDummyHash, maxPasswordLength, verifyPassword } from '../../auth/passwords.js';
import {
  defaultLockoutPolicy,
  entriesToKeep,
  LoginThrottle,
  maxThrottleValueLength,
  type LockoutPolicy,
} from '../../auth/rate-limit.js';
import type { RequestContext } from '../../auth/request-context.js';
import type { Clock } from '../../core/clock.js';
import type { EventBus } from '../../core/events.js';
import type { Logger } from '../../core/log.js';
import type { AppEnv } from '../../http/context.js';
import { lockoutRetention, type State } from '../../store/schema.js';
import type { Store } from '../../store/store.js';
import type { DdnsClient } from '../slice.js';
import { addressText, planUpdate, refuse, type PushedAddresses, type UpdatePlan } from './plan.js';

/** The paths served: Dyn's classic one and the `/v3/update` alias Dyn and No-IP document today. */
export const inboundPaths = ['/nic/update', '/v3/update'] as const;

export interface InboundDyndnsDeps {
  /** The `ddns.clients` slice, the lockouts slice (failures survive a restart) and the audit log. */
  readonly store: Store;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly logger: Logger;
  /**
   * Ranges counted as public though they are bogons (the reachability setting `publicRanges`), read at each
   * request, so a pushed address is judged as the other sources' are.
   */
  readonly publicRanges: () => readonly string[];
  readonly lockoutPolicy?: LockoutPolicy;
}

/**
 * The payload this endpoint publishes on `reach.wan-pushed`: `trusted` tells the push source that this client's
 * address may be accepted alone (see the client's `trusted` flag); a reader that does not know it yet sees a vote.
 */
export interface InboundWanPush {
  readonly address: string;
  readonly from: string;
  readonly trusted: boolean;
}

const realm = 'Basic realm="Gatehouse DDNS", charset="UTF-8"';

/** Throttle keys of their own: a router's stale password must not lock the admin's login, nor the reverse. */
function throttleKey(kind: 'dyndns2-user' | 'dyndns2-addr', value: string): string {
  return value.length > maxThrottleValueLength ? `${kind}:sha256:${sha256Hex(value)}` : `${kind}:${value}`;
}

const isInboundKey = (key: string) => key.startsWith('dyndns2-user:') || key.startsWith('dyndns2-addr:');

/** User name and password of a `Basic` Authorization header; undefined when there is none or it is malformed. */
export function readBasicAuth(header: string | undefined): { user: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sourceAddressOf(c: Context<AppEnv>): string {
  // Behind the main app's identify middleware (which honours trustProxy); standalone, the socket's peer.
  const ctx = c.var.requestContext as RequestContext | undefined;
  if (ctx) return ctx.clientAddress;
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests has no socket.
    return 'unknown';
  }
}

function answer(c: Context<AppEnv>, status: 200 | 401 | 405 | 429, lines: readonly string[]): Response {
  c.header('Cache-Control', 'no-store');
  return c.text(lines.join('\n'), status);
}

/**
 * The endpoint. Answers, by the dyndns2 codes (plan.ts decides the per-hostname ones):
 * - no or malformed credentials: 401 with a Basic challenge (for clients that authenticate only when asked),
 *   body `badauth`; wrong credentials: the same, counted toward the lockout;
 * - locked out: 429 with Retry-After and body `911`. Not `badauth`: a compliant client disables itself for good
 *   after `badauth`, so a stranger's guesses would switch the real router off; `911` ("try again later, ≥ 30 min"
 *   at No-IP) is the code that makes it wait and come back, and the status tells HTTP-aware clients the same;
 * - a method other than GET (HEAD included — Hono would run the GET handler for it, i.e. an update): 405;
 * - a failure to record the push: 200 `911`, nothing published.
 * Neither the password nor the Authorization header is ever logged or recorded.
 */
export function createInboundDyndnsApp(deps: InboundDyndnsDeps): Hono<AppEnv> {
  const policy = deps.lockoutPolicy ?? defaultLockoutPolicy;
  const log = deps.logger.child({ module: 'dyndns2-inbound' });
  const kept = deps.store
    .read()
    .lockouts.filter((l) => isInboundKey(l.key))
    .map(
      (l) =>
        [
          l.key,
          {
            failures: l.failures,
            lastFailureAt: Date.parse(l.lastFailureAt),
            lockedUntil: Date.parse(l.lockedUntil),
          },
        ] as const,
    );
  const throttle = new LoginThrottle(deps.clock, policy, kept);
  // Requests a caller can repeat at will (a wrong method, attempts while locked out) are audited once a minute.
  const sampled = new AuditSampler(deps.clock, (input) =>
    deps.store.update((_draft, tx) => {
      appendAudit(tx, deps.clock.now(), input);
    }),
  );
  // The address pushed last per hostname, for `nochg`. In memory: after a restart the first push answers `good`,
  // which no client minds. Bounded by the clients' scopes (only accepted hostnames are kept).
  const lastPushed = new Map<string, PushedAddresses>();
  let dummyHash: Promise<string> | undefined;

  /** Writes the throttle's entries for `keys` into the lockouts slice, as the login does (auth/service.ts). */
  function keepThrottle(draft: State, keys: readonly string[], now: Date): void {
    const changed = new Set(keys);
    const others = draft.lockouts.filter((l) => !changed.has(l.key));
    const mine = keys.flatMap((key) => {
      const e = throttle.entryOf(key);
      return e === undefined || e.failures === 0
        ? []
        : [
            {
              key,
              failures: e.failures,
              lastFailureAt: new Date(e.lastFailureAt).toISOString(),
              lockedUntil: new Date(e.lockedUntil).toISOString(),
            },
          ];
    });
    const asEntries = [...others, ...mine].map((l) => ({
      record: l,
      failures: l.failures,
      lastFailureAt: Date.parse(l.lastFailureAt),
      lockedUntil: Date.parse(l.lockedUntil),
    }));
    draft.lockouts = entriesToKeep(asEntries, now.getTime(), policy, lockoutRetention).map((e) => e.record);
  }

  /** Records a refusal (and the lockouts it started); a failed write is logged, the answer stays the same. */
  async function refused(
    input: Omit<AuditInput, 'type' | 'outcome'>,
    keys?: readonly string[],
    started?: ReadonlyMap<string, number>,
  ): Promise<void> {
    const now = deps.clock.now();
    await guarded('record a refused dyndns2 push', () =>
      deps.store.update((draft, tx) => {
        appendAudit(tx, now, { ...input, type: 'ddns.client-refused', outcome: 'failure' });
        for (const [key, ms] of started ?? []) {
          appendAudit(tx, now, {
            type: 'ddns.client-lockout',
            actor: input.actor,
            clientAddress: input.clientAddress,
            outcome: 'failure',
            details: { key, seconds: Math.ceil(ms / 1000) },
          });
        }
        if (keys) keepThrottle(draft, keys, now);
      }),
    );
  }

  async function guarded(what: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (e) {
      log.error({ err: e instanceof Error ? e.message : String(e) }, `could not ${what}`);
    }
  }

  async function authenticate(
    user: string,
    password: string,
    keys: readonly string[],
  ): Promise<DdnsClient | undefined> {
    const client = deps.store.read().ddns.clients.find((c) => c.name === user.toLowerCase());
    dummyHash ??= createTimingDummyHash();
    // An unknown name costs the same hash as a known one, so timing does not tell which names exist.
    const hash = client?.passwordHash ?? (await dummyHash);
    const valid = password.length <= maxPasswordLength && (await verifyPassword(password, hash));
    if (client && valid) {
      throttle.recordSuccess(keys);
      return client;
    }
    return undefined;
  }

  /** Records an accepted push, then publishes it; a failed write publishes nothing and answers `911`. */
  async function accept(
    client: DdnsClient,
    plan: UpdatePlan,
    addresses: PushedAddresses,
    sourceAddress: string,
    keys: readonly string[],
  ): Promise<UpdatePlan> {
    const now = deps.clock.now();
    const accepted = plan.hosts.filter((h) => h.code === 'good' || h.code === 'nochg');
    try {
      await deps.store.update((draft, tx) => {
        const stored = draft.ddns.clients.find((c) => c.id === client.id);
        if (stored) stored.lastUsedAt = now.toISOString();
        appendAudit(tx, now, {
          type: 'ddns.client-push',
          actor: `dyndns2:${client.name}`,
          clientAddress: sourceAddress,
          outcome: 'success',
          details: {
            address: addressText(addresses),
            answers: plan.lines.join(' | ').slice(0, 500),
            trusted: client.trusted,
          },
        });
        keepThrottle(draft, keys, now);
      });
    } catch (e) {
      log.error(
        { client: client.name, err: e instanceof Error ? e.message : String(e) },
        'could not record a dyndns2 push; nothing published',
      );
      return refuse('911', 'the push could not be recorded');
    }
    for (const h of accepted) lastPushed.set(h.hostname, { ...lastPushed.get(h.hostname), ...addresses });
    for (const address of [addresses.ipv4, addresses.ipv6]) {
      if (address === undefined) continue;
      const payload: InboundWanPush = { address, from: `dyndns2:${client.name}`, trusted: client.trusted };
      deps.bus.publish('reach.wan-pushed', payload);
    }
    return plan;
  }

  async function handle(c: Context<AppEnv>): Promise<Response> {
    const sourceAddress = sourceAddressOf(c);
    if (c.req.method !== 'GET') {
      c.header('Allow', 'GET');
      await guarded('record a refused dyndns2 request', () =>
        sampled.record({
          type: 'ddns.client-refused',
          actor: 'anonymous',
          clientAddress: sourceAddress,
          outcome: 'failure',
          details: { reason: `method ${c.req.method.slice(0, 16)}` },
        }),
      );
      return answer(c, 405, ['badagent']);
    }
    const credentials = readBasicAuth(c.req.header('authorization'));
    if (!credentials) {
      // Not counted toward the lockout: a client that authenticates only when challenged asks this way first.
      c.header('WWW-Authenticate', realm);
      return answer(c, 401, ['badauth']);
    }
    const user = credentials.user.slice(0, 200);
    const actor = `dyndns2:${user.slice(0, 64)}`;
    const keys = [
      throttleKey('dyndns2-user', user.toLowerCase()),
      throttleKey('dyndns2-addr', sourceAddress),
    ];
    const gate = throttle.begin(keys);
    if (!gate.allowed) {
      await guarded('record a locked-out dyndns2 push', () =>
        sampled.record({
          type: 'ddns.client-refused',
          actor,
          clientAddress: sourceAddress,
          outcome: 'failure',
          details: { reason: 'locked out' },
        }),
      );
      c.header('Retry-After', String(Math.ceil(gate.retryAfterMs / 1000)));
      return answer(c, 429, ['911']);
    }
    let client: DdnsClient | undefined;
    try {
      client = await authenticate(user, credentials.password, keys);
    } finally {
      throttle.end(keys);
    }
    if (!client) {
      const started = throttle.recordFailure(keys);
      await refused(
        { actor, clientAddress: sourceAddress, details: { reason: 'wrong user name or password' } },
        keys,
        started,
      );
      if (started.size > 0)
        log.warn({ user, clientAddress: sourceAddress, lockouts: [...started.keys()] }, 'dyndns2 lockout');
      c.header('WWW-Authenticate', realm);
      return answer(c, 401, ['badauth']);
    }
    const request = { param: (name: string) => c.req.query(name), sourceAddress };
    const plan = planUpdate(request, client, (h) => lastPushed.get(h), deps.publicRanges());
    if (plan.addresses === null) {
      const reason = plan.refusal ?? plan.hosts.map((h) => `${h.hostname}: ${h.code}`).join(', ');
      await refused(
        {
          actor,
          clientAddress: sourceAddress,
          details: { reason: reason.slice(0, 500), answers: plan.lines.join(' | ').slice(0, 500) },
        },
        keys,
      );
      log.info({ client: client.name, clientAddress: sourceAddress, reason }, 'dyndns2 push refused');
      return answer(c, 200, plan.lines);
    }
    const done = await accept(client, plan, plan.addresses, sourceAddress, keys);
    log.info({ client: client.name, clientAddress: sourceAddress, answers: done.lines }, 'dyndns2 push');
    return answer(c, 200, done.lines);
  }

  const app = new Hono<AppEnv>();
  for (const path of inboundPaths) app.all(path, handle);
  return app;
}
