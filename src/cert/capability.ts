/**
 * @module The certificate capability: a real certificate for the DDNS hostname(s) from an ACME CA, renewed without
 * anyone thinking about it (ARI when the CA offers it, else at a third of the lifetime left), served live by the
 * HTTPS listener for the names it covers (the self-signed bootstrap certificate answers every other name). HTTP-01
 * runs on Gatehouse's own port-80 listener (which otherwise only redirects to HTTPS), with TCP 80 mapped on the
 * router for the length of a challenge; DNS-01 goes through the DDNS account that holds the name. The challenge is
 * chosen from the reachability verdict. Publishes `cert.renewed`.
 */
import type { AlertInput } from '../alerts/rules.js';
import type { AlertSink } from '../alerts/service.js';
import type { AcmeSettings } from '../config/schema.js';
import type { Capability } from '../core/capability.js';
import type { Ports } from '../core/ports.js';
import type { TxtAccessPort } from '../ddns/txt-access.js';
import { certificateNames, type KeyAndCert } from './bootstrap.js';
import { certRules } from './alert-rules.js';
import { ariCertId } from './ari.js';
import { chooseChallenge } from './challenge-plan.js';
import { planCertConditions } from './conditions.js';
import { certControlRoutes } from './control-routes.js';
import { createDns01Solver } from './dns01-solver.js';
import { createHttp01Registry, formatListen } from './http01.js';
import type { Http01Server } from './http01-server.js';
import { createHttp01Solver } from './http01-solver.js';
import { describeChain, issueCertificate, type IssueDeps } from './issue.js';
import { CertManager, certAuditTypes, planTime, type ChallengeChoice } from './manager.js';
import type { AcmeCaFactory, ChallengeSolver, ChallengeType, TemporaryPortOpener } from './ports.js';
import { nextAriCheck, planRenewal, renewalInputOf, type RenewalPlan } from './renewal.js';
import { certRoutes } from './routes.js';
import type { WantedCertificate } from './slice.js';
import { certCard } from './status-card.js';
import type { Store } from '../store/store.js';

export interface CertDeps {
  readonly store: Store;
  readonly alerts: AlertSink;
  readonly dataDir: string;
  /** The ACME CA adapter (acme-client.ts, loaded on first use); tests give a fake. */
  readonly caFactory: AcmeCaFactory;
  readonly makeKeyAndCsr: IssueDeps['makeKeyAndCsr'];
  /** The port-80 listener (http01-server.ts), built over the registry this capability gives it. */
  readonly http01Server: (registry: ReturnType<typeof createHttp01Registry>) => Http01Server;
  /** DDNS's TXT access (DNS-01); absent: DNS-01 is not offered. */
  readonly txtAccess?: TxtAccessPort;
  /** Reachability's temporary router mapping (HTTP-01 on TCP 80). */
  readonly portOpener?: TemporaryPortOpener;
  /** The self-signed certificate the listener serves for every other name (none when it serves plain HTTP). */
  readonly bootstrap?: KeyAndCert & { readonly fingerprintSha256: string };
  /** Built for a command line with no server running: settings are stored, orders need the server. */
  readonly offline?: boolean;
}

export interface CertCapability extends Capability {
  readonly manager: CertManager;
}

/** The longest the loop sleeps: a clock jump or a missed wake-up is corrected within this. */
const maxSleepMs = 6 * 60 * 60_000;

export function createCert(ports: Ports, settings: AcmeSettings, deps: CertDeps): CertCapability {
  const { store } = deps;
  const { clock, bus, secrets, files } = ports;
  const logger = ports.logger.child({ capability: 'cert' });

  const registry = createHttp01Registry();
  const http01 = deps.http01Server(registry);
  const http01Solver = createHttp01Solver({
    registry,
    listener: http01,
    mapRouterPort: settings.http01.mapRouterPort,
    ...(deps.portOpener ? { portOpener: deps.portOpener } : {}),
  });
  /** What became of the router mapping in the last HTTP-01 challenge, when it could not be made. */
  let mappingNote: string | undefined;
  const http01Noting: ChallengeSolver = {
    type: 'http-01',
    present: async (task, signal) => {
      const r = await http01Solver.present(task, signal);
      // Read between present and cleanUp: afterwards the solver is idle again.
      const m = http01Solver.mapping();
      if (m.state === 'unavailable') mappingNote = m.reason;
      else if (m.state === 'mapped') mappingNote = undefined;
      return r;
    },
    cleanUp: (task) => http01Solver.cleanUp(task),
  };
  const solvers = new Map<ChallengeType, ChallengeSolver>([['http-01', http01Noting]]);
  if (deps.txtAccess)
    solvers.set(
      'dns-01',
      createDns01Solver({
        txtAccess: deps.txtAccess,
        clock,
        logger,
        propagationTimeoutSeconds: settings.dns01.propagationTimeoutSeconds,
      }),
    );

  const bootstrapFacts = deps.bootstrap && {
    fingerprintSha256: deps.bootstrap.fingerprintSha256,
    names: certificateNames(deps.bootstrap.cert),
  };

  const configCaBundle = (() => {
    if (settings.caBundleFile === null) return null;
    const text = files.read(settings.caBundleFile);
    if (text === undefined)
      logger.error(
        { file: settings.caBundleFile },
        'acme.caBundleFile does not exist; the system CAs alone are trusted',
      );
    return text ?? null;
  })();

  /** The hostnames DDNS keeps pointed at this box. */
  const suggestedNames = (): string[] => [
    ...new Set(
      store
        .read()
        .ddns.records.filter((r) => r.enabled && r.value.kind === 'public')
        .map((r) => r.hostname),
    ),
  ];

  const dnsWritable = async (names: readonly string[]): Promise<Map<string, string | true>> => {
    const out = new Map<string, string | true>();
    for (const name of names) {
      if (!deps.txtAccess) {
        out.set(name, 'DNS-01 needs a DNS provider account (DDNS)');
        continue;
      }
      const access = await deps.txtAccess(name);
      out.set(name, access.ok ? true : access.error.message);
    }
    return out;
  };

  const choose = async (wanted: WantedCertificate): Promise<ChallengeChoice> => {
    // The listener runs whenever a certificate is wanted; a choice made before the loop's first tick must see it.
    await syncListener();
    const writable = await dnsWritable(wanted.names);
    const listener = http01.status();
    const choice = chooseChallenge({
      setting: wanted.challenge,
      names: wanted.names,
      dnsWritable: (name: string) => writable.get(name) === true,
      // Offline (a command line on the store) the listener is the server's to open: judged as it will be.
      http01Listening: deps.offline === true || listener.state === 'listening',
      mapRouterPort: settings.http01.mapRouterPort && deps.portOpener !== undefined,
      reach: bus.last('reach.verdict-changed')?.verdict ?? null,
    });
    // Why DNS-01 cannot be used for a name, when that is what stands in the way.
    const dnsProblems = [...writable.values()].filter((v): v is string => v !== true);
    const mapped =
      choice.chosen === 'http-01' && mappingNote !== undefined
        ? [`In the last HTTP-01 challenge TCP port 80 could not be mapped on the router: ${mappingNote}`]
        : [];
    if (mapped.length > 0) return { ...choice, warnings: [...choice.warnings, ...mapped] };
    return choice.chosen === null && dnsProblems.length > 0
      ? { ...choice, warnings: [...choice.warnings, ...new Set(dnsProblems)] }
      : choice;
  };

  const plan = (state: Parameters<typeof renewalInputOf>[0], now: Date): RenewalPlan =>
    planRenewal(renewalInputOf(state, now));

  const manager = new CertManager({
    store,
    secrets,
    files,
    clock,
    logger,
    bus,
    dataDir: deps.dataDir,
    settings,
    caFactory: deps.caFactory,
    configCaBundle,
    issue: async (ca, request, signal) => {
      const r = await issueCertificate(
        { ca, solvers, makeKeyAndCsr: deps.makeKeyAndCsr, log: (e) => logger.debug({ ...e }, 'ACME order') },
        request,
        signal,
      );
      if (!r.ok) {
        const { kind, message, retryAfterMs, challenge, acmeType } = r.error;
        return {
          ok: false,
          error: {
            kind,
            message,
            ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
            ...(challenge === undefined ? {} : { challenge }),
            ...(acmeType === undefined ? {} : { acmeType }),
          },
        };
      }
      return { ok: true, value: { chainPem: r.value.chainPem, keyPem: r.value.keyPem } };
    },
    describeChain: (pem) => {
      const r = describeChain(pem);
      if (!r.ok) return { ok: false, error: r.error.message };
      const c = r.value;
      return {
        ok: true,
        value: {
          serial: c.serial,
          fingerprintSha256: c.fingerprintSha256,
          names: c.names,
          issuer: c.issuer,
          notBefore: new Date(c.notBefore),
          notAfter: new Date(c.notAfter),
        },
      };
    },
    ariCertId: (pem) => {
      const r = ariCertId(pem);
      return r.ok ? r.value : null;
    },
    chooseChallenge: choose,
    planRenewal: plan,
    ariSchedule: (info, now) => {
      const current = store.read().cert.current;
      const notAfter = current ? new Date(current.notAfter) : new Date(now.getTime() + maxSleepMs);
      const next =
        nextAriCheck({ now, fetchedAt: now, retryAfterMs: info.retryAfterMs, notAfter }) ??
        new Date(now.getTime() + maxSleepMs);
      // The instant in the window is the planner's (stable per certificate and window); kept for the record.
      const p = planRenewal(
        renewalInputOf(
          {
            ...store.read().cert,
            renewal: {
              ...store.read().cert.renewal,
              ari: { start: info.start.toISOString(), end: info.end.toISOString() },
            },
          },
          now,
        ),
      );
      return { chosenAt: planTime(p) ?? now, nextCheckAt: next };
    },
    suggestedNames,
    bootstrap: () => bootstrapFacts,
    ...(deps.offline === true ? { offline: true } : {}),
  });

  // ---- the port-80 listener: runs while a certificate is wanted ----------------------------------------------------
  const syncListener = async () => {
    // Port 80 belongs to the server: a command line working on the store never opens it.
    if (deps.offline === true) return;
    const wanted = settings.enabled && store.read().cert.certificate !== null;
    const state = http01.status().state;
    if (wanted && state !== 'listening') {
      const r = await http01.start();
      if (!r.ok) logger.warn({ code: r.error.code }, `${r.error.message} — ${r.error.remedy}`);
    } else if (!wanted && state === 'listening') await http01.stop();
  };

  // ---- conditions → alerts ----------------------------------------------------------------------------------------
  let active = new Set<string>();
  let lastConditions: readonly AlertInput[] = [];
  const conditions = async () => {
    const cert = store.read().cert;
    const wanted = cert.certificate;
    const choice = wanted ? await choose(wanted) : null;
    const listener = http01.status();
    const wantedConditions = planCertConditions({
      enabled: settings.enabled,
      cert,
      now: clock.now(),
      challenge: choice?.chosen ?? null,
      http01Listener:
        listener.state === 'failed'
          ? {
              ok: false,
              listen: formatListen(settings.http01.listen),
              message: `${listener.failure.message} — ${listener.failure.remedy}`,
            }
          : { ok: true },
      port80Reachable: port80Reachable(cert.renewal.lastError),
    });
    const keys = new Set(wantedConditions.map((c) => c.rule));
    for (const c of wantedConditions) await deps.alerts.raise(c);
    for (const rule of active) if (!keys.has(rule)) await deps.alerts.clear(rule, '');
    active = keys;
    lastConditions = wantedConditions;
  };

  // ---- the loop ----------------------------------------------------------------------------------------------------
  let stopping: AbortController | undefined;
  let loop: Promise<void> | undefined;
  let wake: (() => void) | undefined;
  /** When ARI was last asked for a certificate that had no window yet (a CA without ARI is asked every 6 h). */
  const ariAsked = new Map<string, number>();

  const tick = async (): Promise<number> => {
    await syncListener();
    const now = clock.now();
    const cert = store.read().cert;
    if (settings.enabled && cert.current && cert.account) {
      const ari = cert.renewal.ari;
      const asked = ariAsked.get(cert.current.serial);
      const due =
        ari === null
          ? asked === undefined || now.getTime() - asked >= maxSleepMs
          : Date.parse(ari.nextCheckAt) <= now.getTime();
      if (due) {
        ariAsked.set(cert.current.serial, now.getTime());
        await manager.refreshRenewalInfo();
      }
    }
    const decision = settings.enabled ? await manager.runDue(clock.now()) : undefined;
    await conditions();
    const after = store.read().cert;
    const next = decision === undefined ? undefined : planTime(plan(after, clock.now()));
    const ariNext = after.renewal.ari === null ? undefined : Date.parse(after.renewal.ari.nextCheckAt);
    const nowMs = clock.now().getTime();
    const candidates = [nowMs + maxSleepMs, next?.getTime(), ariNext].filter(
      (t): t is number => t !== undefined,
    );
    return Math.max(0, Math.min(...candidates) - nowMs);
  };

  const run = async (signal: AbortSignal) => {
    while (!signal.aborted) {
      let sleepMs = 60_000;
      try {
        sleepMs = await tick();
      } catch (e) {
        logger.warn({ err: e instanceof Error ? e.message : String(e) }, 'certificate check failed');
      }
      const early = new AbortController();
      wake = () => early.abort();
      // A due plan whose attempt could not start (a run in progress) is looked at again in a second, not in a loop.
      await clock
        .sleep(Math.max(1000, sleepMs), AbortSignal.any([signal, early.signal]))
        .catch(() => undefined);
      wake = undefined;
    }
  };

  const unsubscribe: (() => void)[] = [];
  return {
    id: 'cert',
    manager,
    routes: certRoutes(manager),
    controlRoutes: certControlRoutes(manager),
    statusCards: [
      certCard(() => ({
        enabled: settings.enabled,
        cert: store.read().cert,
        serving: { kind: manager.current ? 'acme' : deps.bootstrap ? 'bootstrap' : 'none' },
        plan: plan(store.read().cert, clock.now()),
        running: manager.runningNow,
        conditions: lastConditions,
        now: clock.now(),
      })),
    ],
    alertRules: certRules,
    auditTypes: certAuditTypes,
    uiPages: ['certificates'],
    hostNames: () => store.read().cert.certificate?.names.filter((n) => !n.startsWith('*.')) ?? [],
    tlsCertificate: (servername: string): KeyAndCert | undefined => manager.servingFor(servername),
    async start() {
      await manager.load();
      // The listener is up when start returns (or its failure recorded): the redirect works from the first second.
      await syncListener();
      unsubscribe.push(manager.onChange(() => wake?.()));
      // A new DDNS hostname or verdict can change the challenge; look again.
      for (const topic of ['ddns.applied', 'reach.verdict-changed'] as const)
        unsubscribe.push(bus.subscribe(topic, () => wake?.()));
      stopping = new AbortController();
      loop = run(stopping.signal);
    },
    async stop() {
      for (const u of unsubscribe.splice(0)) u();
      stopping?.abort();
      await loop;
      await http01.stop();
    },
  };
}

/**
 * Whether the CA reached port 80, as far as the last order tells: a failed HTTP-01 validation says it did not
 * (the CA's own words are in the error); anything else says nothing.
 */
function port80Reachable(
  lastError: { readonly kind: string; readonly challenge: string | null } | null,
): boolean | null {
  return lastError !== null && lastError.kind === 'challenge' && lastError.challenge === 'http-01'
    ? false
    : null;
}
