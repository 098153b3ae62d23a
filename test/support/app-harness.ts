/**
 * @module Builds the real app — the same assembly and capability list as the server (src/assemble.ts, main.ts) on a
 * real lowdb store in a temp dir — driven by a FakeClock, for route tests.
 */
import type { AppConfig } from '../../src/config/index.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import { openLowdbStore } from '../../src/store/lowdb-store.js';
import { assembleGatehouse } from '../../src/assemble.js';
import { noAssets } from '../../src/http/assets.js';
import type { Capability } from '../../src/core/capability.js';
import { createEventBus } from '../../src/core/events.js';
import { coreAuditTypes } from '../../src/audit/core-types.js';
import { createCapabilities, reachabilityAdapters } from '../../src/main.js';
import { ensureSetupToken } from '../../src/auth/setup-token.js';
import type { StaticAssets } from '../../src/http/assets.js';
import type { Store } from '../../src/store/store.js';
import { FakeClock } from '../fakes/clock.js';
import { MemoryLogger } from '../fakes/logger.js';
import { FakeRunner } from '../fakes/runner.js';
import { FakeUdp } from '../fakes/udp.js';
import type { ReachabilityAdapters } from '../../src/reach/capability.js';
import { FakeSecrets } from '../fakes/secrets.js';
import { testConfig } from './config.js';

export const testPassword = 'correct horse battery staple';

/** Reachability's adapters around a scripted probe: UDP in memory, no process, no GENA listener in use. */
function scriptedReachability(
  clock: FakeClock,
  probe: NonNullable<ReachabilityAdapters['probe']>,
): ReachabilityAdapters {
  const udp = new FakeUdp(clock);
  const unused = (what: string) => () => {
    throw new Error(`the scripted reachability used its ${what}`);
  };
  return {
    udp,
    stun: { binding: unused('STUN client') } as unknown as ReachabilityAdapters['stun'],
    launcher: { start: unused('process launcher') } as unknown as ReachabilityAdapters['launcher'],
    genaListener: { listen: unused('GENA listener') } as unknown as ReachabilityAdapters['genaListener'],
    probe,
  };
}

export async function createHarness(
  options: {
    tls?: boolean;
    /** Take the client address from X-Forwarded-For (default: on, as behind the test's notional proxy). */
    trustProxy?: boolean;
    assets?: StaticAssets;
    /**
     * Replaces capabilities of the real list (by id) with ones built on the harness's store, clock and logger,
     * e.g. reachability around a scripted probe. The rest are the same factories main.ts uses, reachability off.
     */
    replace?: (deps: {
      store: Store;
      clock: FakeClock;
      logger: MemoryLogger;
      dataDir: string;
    }) => readonly Capability[];
    /**
     * Turns the real reachability capability on around a scripted probe (ReachabilityAdapters.probe): its loop,
     * alerts, card and routes are production's; router events, the interface monitor and the port mapper are off
     * and its UDP is in memory, so nothing leaves the process. Start it with `h.capabilities`' lifecycle or drive
     * it with `probeNow()`.
     */
    reachability?: { readonly probe: NonNullable<ReachabilityAdapters['probe']> };
    /** Changes the test configuration before the app is built (e.g. DDNS on around loopback fakes). */
    configure?: (config: AppConfig) => AppConfig;
  } = {},
) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-test-'));
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const logger = new MemoryLogger();
  const auditTypes = coreAuditTypes();
  const { store } = await openLowdbStore(dataDir, clock, { checkRecord: auditTypes.checkRecord });
  const ports = {
    clock,
    logger,
    files: nodePrivateFiles,
    // Nothing in the harness runs commands: a call would be a test mistake, recorded by the fake.
    runner: new FakeRunner(),
    // Alert channels deliver for real, to the tests' loopback receivers.
    fetch: globalThis.fetch,
    bus: createEventBus(logger),
    secrets: new FakeSecrets(clock),
  };
  const base = testConfig({ dataDir });
  const configured = testConfig({
    ...(options.reachability
      ? {
          reachability: {
            ...base.reachability,
            enabled: true,
            routerEvents: false,
            watchInterfaces: false,
            portMapping: { ...base.reachability.portMapping, enabled: false },
          },
        }
      : {}),
    dataDir,
    tls: options.tls ?? false,
    trustProxy: options.trustProxy ?? true,
    sessionIdleMinutes: 60,
    sessionMaxAgeHours: 24,
  });
  const config = options.configure?.(configured) ?? configured;
  const { app, auth, metrics, capabilities, alerts } = assembleGatehouse(ports, config, createCapabilities, {
    store,
    auditTypes,
    adapters: options.reachability
      ? scriptedReachability(clock, options.reachability.probe)
      : reachabilityAdapters(clock),
    version: '0.0.0-test',
    startedAt: clock.now(),
    listenUrl: () => 'http://gatehouse.test',
    assets: options.assets ?? noAssets,
    processMetrics: false,
    replace: options.replace?.({ store, clock, logger, dataDir }) ?? [],
  });
  const setupToken = ensureSetupToken(nodePrivateFiles, dataDir);
  const origin = 'http://gatehouse.test';
  const cookieName = options.tls ? '__Host-gatehouse_session' : 'gatehouse_session';

  /** A JSON request as a same-origin browser would send it. */
  function request(
    method: string,
    urlPath: string,
    init: {
      body?: unknown;
      rawBody?: string;
      cookie?: string;
      csrf?: string;
      headers?: Record<string, string>;
    } = {},
  ) {
    const headers: Record<string, string | undefined> = {
      host: 'gatehouse.test',
      'x-forwarded-for': '203.0.113.50',
      ...init.headers,
    };
    if (init.body !== undefined || init.rawBody !== undefined) headers['content-type'] ??= 'application/json';
    if (method !== 'GET') headers.origin ??= origin;
    if (init.cookie) headers.cookie = `${cookieName}=${init.cookie}`;
    if (init.csrf) headers['x-csrf-token'] = init.csrf;
    const body = init.rawBody ?? (init.body === undefined ? undefined : JSON.stringify(init.body));
    const sent = Object.fromEntries(
      Object.entries(headers).filter((e): e is [string, string] => e[1] !== undefined),
    );
    return app.request(`${origin}${urlPath}`, {
      method,
      headers: sent,
      ...(body === undefined ? {} : { body }),
    });
  }

  function sessionCookieFrom(res: Response): string | undefined {
    const header = res.headers.get('set-cookie') ?? '';
    const m = new RegExp(`${cookieName.replace(/[$]/g, '\\$')}=([^;]*)`).exec(header);
    return m?.[1] || undefined;
  }

  /** Completes setup and returns a logged-in session (cookie + CSRF token). */
  async function setupAdmin(username = 'admin', password = testPassword) {
    const res = await request('POST', '/api/v1/setup', { body: { setupToken, username, password } });
    if (res.status !== 201) throw new Error(`setup failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { csrfToken: string };
    const cookie = sessionCookieFrom(res);
    if (!cookie) throw new Error('setup set no cookie');
    return { cookie, csrf: body.csrfToken };
  }

  return {
    app,
    alerts: alerts.service,
    capabilities,
    bus: ports.bus,
    /** Where a test registers an audit type of its own before recording it. */
    auditTypes,
    store,
    auth,
    clock,
    logger,
    metrics,
    dataDir,
    setupToken,
    cookieName,
    request,
    sessionCookieFrom,
    setupAdmin,
    cleanup: () => fs.rmSync(dataDir, { recursive: true, force: true }),
  };
}

export type Harness = Awaited<ReturnType<typeof createHarness>>;
