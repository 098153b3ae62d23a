/**
 * @module The reachability loop: probe on start, on address events (debounced) and by a STUN backstop with jitter;
 * accept an address as soon as the probe settles it at quorum, and apply the full report when every source is in.
 */
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/log.js';
import type { ProcessLauncher, RunningProcess } from '../core/runner.js';
import type { Store } from '../store/store.js';
import type { AlertSink } from './alerts-port.js';
import type { ProbeProgress, ReachabilityReport } from './probe.js';
import { probeDelay, spendProbe, type ProbeBudget } from './probe-budget.js';
import type { AcceptedConsensus } from './settle-plan.js';
import type { Family } from './types.js';
import { planAddressAcceptance, planReachabilityUpdate, type UpdatePlan } from './update-plan.js';
import type { Verdict } from './verdict.js';

declare module '../core/events.js' {
  interface GatehouseEvents {
    /**
     * Every completed probe, whatever it found (tests and the benchmark wait on it instead of sleeping); not one
     * that a newer probe overtook (its report came after a newer report, or after a newer address).
     */
    'reach.probed': { readonly report: ReachabilityReport };
    /**
     * A new public address was accepted by quorum (the first one too: `previous` is null then). Published as soon
     * as the probe settles it, before slower sources answer; once per change.
     */
    'reach.address-accepted': {
      readonly family: Family;
      readonly address: string;
      readonly previous: string | null;
      readonly sources: readonly string[];
    };
    /** The verdict's kind, inbound path or headline changed (the first verdict too: `previous` is null then). */
    'reach.verdict-changed': { readonly verdict: Verdict; readonly previous: Verdict | null };
  }
}

/** What the router's own event channels are doing (main.ts asks the GENA subscriber and the listener). */
export interface RouterEventsStatus {
  readonly upnp: 'subscribed' | 'not-subscribed' | 'off';
  /** Why there is no UPnP subscription (no IGD, no event URL, refused), when known. */
  readonly upnpDetail: string | null;
  readonly announcements: 'listening' | 'not-listening' | 'off';
}

/** How changes of the public address are noticed, for the API and the UI. */
export interface ChangeDetection extends RouterEventsStatus {
  readonly interfaceEvents: 'watching' | 'stopped' | 'off';
  readonly backstopSeconds: number;
}

export interface ReachabilityServiceDeps {
  /** One probe; it reports through `progress` when an address is settled and when what remains is evidence only. */
  readonly probe: (signal: AbortSignal, progress: ProbeProgress) => Promise<ReachabilityReport>;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly alerts: AlertSink;
  /** Where accepted addresses, verdict changes and every probe are published. */
  readonly bus: EventBus;
  /** Watches the box's interfaces (`ip monitor address`); absent = backstop only. */
  readonly launcher?: ProcessLauncher;
  readonly backstopMs: number;
  /** Quiet time after the last address event before probing (bursts of events become one probe). */
  readonly debounceMs?: number;
  /**
   * Times after a router event at which to probe again (default 5 s and 20 s, ascending): a router that reports a WAN
   * change may finish it a little later, and may not report the rest.
   */
  readonly routerSettleMs?: readonly number[];
  /**
   * Router-event probes are budgeted: `routerEventBurst` (default 3) may run back to back, then one per
   * `routerEventGapMs` (default 2 s); a probe beyond the budget waits (probe-budget.ts).
   */
  readonly routerEventGapMs?: number;
  readonly routerEventBurst?: number;
  /** The router's event channels; absent = off. */
  readonly routerEvents?: () => RouterEventsStatus;
  /** 0..1 random source for the backstop jitter (±20 %). */
  readonly random?: () => number;
}

export class ReachabilityService {
  private last: ReachabilityReport | null = null;
  /** The probe still deciding addresses; a request meanwhile waits for it (`again`), not for its slow sources. */
  private deciding: Promise<ReachabilityReport> | null = null;
  private again = false;
  /** Probes still running (deciding, or gathering evidence after that), for stop(). */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Numbers probes in the order they start. */
  private started = 0;
  /** The newest probe whose report was applied, and the newest one that changed an address. */
  private appliedReport = 0;
  private changedAddress = 0;
  /** Store writes and their events, one at a time in the order asked (acceptances, then reports). */
  private writes: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();
  private monitor: RunningProcess | undefined;
  private monitorStopped = false;
  /** The quiet time after the last address event; a newer event or stop() aborts it. */
  private debounce: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private routerSeries: AbortController | undefined;
  private routerBudget: ProbeBudget = null;
  /** An address accepted ahead of its probe's report: the verdict in `last` is about the address before. */
  private ahead: {
    readonly probe: number;
    readonly since: Date;
    readonly families: readonly Family[];
  } | null = null;

  constructor(private readonly deps: ReachabilityServiceDeps) {}

  latest(): ReachabilityReport | null {
    return this.last;
  }

  /**
   * Set while a new address is accepted but the verdict is still the one made before it (its probe's slow sources
   * are not in yet, about 2 s): the address is news, the verdict about it is not yet. Null otherwise.
   */
  rechecking(): { readonly since: Date; readonly families: readonly Family[] } | null {
    return this.ahead === null ? null : { since: this.ahead.since, families: this.ahead.families };
  }

  changeDetection(): ChangeDetection {
    return {
      interfaceEvents: !this.deps.launcher
        ? 'off'
        : this.monitorStopped || !this.monitor
          ? 'stopped'
          : 'watching',
      ...(this.deps.routerEvents?.() ?? { upnp: 'off', upnpDetail: null, announcements: 'off' }),
      backstopSeconds: Math.round(this.deps.backstopMs / 1000),
    };
  }

  start(): void {
    if (this.deps.launcher) {
      this.monitor = this.deps.launcher.launch(['ip', 'monitor', 'address'], {
        onLine: () => this.addressEvent(),
        onExit: (reason) => {
          this.monitorStopped = true;
          this.deps.logger.warn({ reason }, 'interface monitor stopped; the STUN backstop still runs');
        },
      });
    }
    this.loop = this.backstopLoop();
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('stopping'));
    this.routerSeries?.abort();
    this.debounce?.abort();
    await this.monitor?.stop();
    await this.loop?.catch(() => undefined);
    await Promise.all([...this.inFlight].map((p) => p.catch(() => undefined)));
  }

  /**
   * Probes now. A request while a probe is still deciding is answered by one more probe as soon as that one has
   * decided (its slow sources need not have answered: they only add evidence).
   */
  probeNow(): Promise<ReachabilityReport> {
    if (this.deciding) {
      this.again = true;
      return this.deciding;
    }
    let decided = () => {};
    const decision = new Promise<void>((resolve) => (decided = resolve));
    const probe = this.runProbe(++this.started, decided).finally(() => {
      decided();
      this.inFlight.delete(probe);
    });
    this.deciding = probe;
    this.inFlight.add(probe);
    void decision.then(() => {
      this.deciding = null;
      if (this.again && !this.abort.signal.aborted) {
        this.again = false;
        void this.probeNow().catch((e: unknown) => this.probeFailed(e));
      }
    });
    return probe;
  }

  /**
   * The router said something changed (a UPnP event, a NAT-PMP / PCP announcement): probe at once, then again
   * at the settle times after the event. A newer event restarts the series. Routers announce a change in steps
   * (an event still naming the old address, then the new one), so a few probes may follow each other at once;
   * beyond that budget the first probe waits, so a flood of events (anyone on the LAN can send them) costs at most
   * one probe per `routerEventGapMs`.
   */
  routerEvent(): void {
    if (this.abort.signal.aborted) return;
    this.routerSeries?.abort();
    const series = new AbortController();
    this.routerSeries = series;
    const signal = series.signal; // stop() aborts it too
    const eventAt = this.deps.clock.now().getTime();
    const budget = { gapMs: this.deps.routerEventGapMs ?? 2_000, burst: this.deps.routerEventBurst ?? 3 };
    // The first probe at once, or as soon as the budget allows.
    const first = probeDelay(this.routerBudget, eventAt, budget);
    const times = [first, ...(this.deps.routerSettleMs ?? [5_000, 20_000]).filter((t) => t > first)];
    void (async () => {
      for (const after of times) {
        const elapsed = Math.max(0, this.deps.clock.now().getTime() - eventAt);
        // An overdue time (≤ 0 left) ends at once. An abort (a newer event, stop()) ends the sleep early; the
        // check below ends the series.
        await this.deps.clock.sleep(after - elapsed, signal).catch(() => undefined);
        // Also after a wake-up whose series a newer event replaced before this line ran.
        if (signal.aborted) return;
        this.routerBudget = spendProbe(this.routerBudget, this.deps.clock.now().getTime(), budget);
        await this.probeNow().catch((e: unknown) => this.probeFailed(e));
      }
    })();
  }

  private probeFailed(e: unknown): void {
    this.deps.logger.error({ err: (e as Error).message }, 'reachability probe failed');
  }

  private addressEvent(): void {
    if (this.abort.signal.aborted) return;
    this.debounce?.abort();
    const quiet = new AbortController();
    this.debounce = quiet;
    void this.deps.clock.sleep(this.deps.debounceMs ?? 500, quiet.signal).then(
      // A newer event or stop() may come between the wake-up and this line: that quiet time is over, not due.
      () => (quiet.signal.aborted ? undefined : this.probeNow().catch((e: unknown) => this.probeFailed(e))),
      // A newer event restarted the quiet time, or the service stops.
      () => undefined,
    );
  }

  private async backstopLoop(): Promise<void> {
    const random = this.deps.random ?? Math.random;
    for (;;) {
      await this.probeNow().catch((e: unknown) => {
        this.deps.logger.error({ err: (e as Error).message }, 'reachability probe failed');
      });
      const jitter = 1 + (random() * 0.4 - 0.2);
      try {
        await this.deps.clock.sleep(Math.round(this.deps.backstopMs * jitter), this.abort.signal);
      } catch {
        return;
      }
    }
  }

  /** Runs store writes one at a time; the returned promise ends when this one is done. */
  private serially(write: () => Promise<void>): Promise<void> {
    const done = this.writes.then(write);
    this.writes = done.catch(() => undefined);
    return done;
  }

  private async runProbe(n: number, decided: () => void): Promise<ReachabilityReport> {
    // Families whose address was accepted while the probe ran, with the sources then still pending.
    const settled = new Map<Family, { readonly address: string; readonly pending: readonly string[] }>();
    const report = await this.deps.probe(this.abort.signal, {
      settled: (consensus, pending) => {
        // Queued before the report is (below), so the report finds what was accepted.
        this.serially(async () => {
          await this.accept(n, consensus, pending);
          settled.set(consensus.family, { address: consensus.address, pending });
        }).catch((e: unknown) => this.probeFailed(e));
      },
      decided,
    });
    await this.serially(() => this.applyReport(n, report, settled));
    return report;
  }

  /** The address a probe settled at quorum: stored, recorded and announced before its slow sources are in. */
  private async accept(n: number, consensus: AcceptedConsensus, pending: readonly string[]): Promise<void> {
    const plan = planAddressAcceptance(this.deps.store.read().reachability, consensus, this.deps.clock.now());
    await this.applyAddresses(n, plan, pending);
    // (No report of this probe or a newer one can have been applied yet: this acceptance was queued before it.)
    if (plan.history.length > 0) {
      const families = plan.history.map((h) => h.family);
      // A second family settled by the same probe joins the first; an older probe's recheck is replaced.
      this.ahead =
        this.ahead?.probe === n
          ? { ...this.ahead, families: [...new Set([...this.ahead.families, ...families])] }
          : { probe: n, since: this.deps.clock.now(), families };
    }
    for (const c of plan.clear) await this.deps.alerts.clear(c.rule, c.key);
    for (const a of plan.raise) await this.deps.alerts.raise(a);
  }

  /** Writes a plan's addresses and history, then logs and publishes each accepted change. */
  private async applyAddresses(n: number, plan: UpdatePlan, pending: readonly string[]): Promise<void> {
    // Without a change this writes nothing (the store skips a document that did not change).
    await this.deps.store.update((draft, tx) => {
      draft.reachability.current = { ...plan.current };
      // The log keeps the newest reachabilityHistoryRetention (store/slices/reachability.ts).
      for (const h of plan.history) tx.append('reach.history', h);
    });
    for (const h of plan.history) {
      this.changedAddress = n;
      this.deps.logger.info(
        {
          family: h.family,
          address: h.address,
          previous: h.previous,
          sources: h.sources,
          // Sources that had not answered yet: their answers come with the report.
          ...(pending.length > 0 ? { pending } : {}),
        },
        'public address accepted',
      );
      // Stryker disable next-line ConditionalExpression: the plan records accepted addresses only; the check narrows the type
      if (h.address !== null) {
        this.deps.bus.publish('reach.address-accepted', {
          family: h.family,
          address: h.address,
          previous: h.previous,
          sources: h.sources,
        });
      }
    }
  }

  /**
   * A probe's full report: the verdict, the alerts, and the addresses of families it did not settle early. A report
   * overtaken by a newer one (or by a newer address) would only bring back what is no longer true: dropped.
   */
  private async applyReport(
    n: number,
    report: ReachabilityReport,
    settled: ReadonlyMap<Family, { readonly address: string; readonly pending: readonly string[] }>,
  ): Promise<void> {
    if (n < Math.max(this.appliedReport, this.changedAddress)) {
      this.deps.logger.debug({ probe: n }, 'a newer probe overtook this report; not applied');
      return;
    }
    this.appliedReport = n;
    // This report has the verdict about the newest address: a report older than the probe that accepted one was
    // dropped above (that probe changed an address, so n ≥ changedAddress ≥ its number).
    this.ahead = null;
    for (const [family, { address, pending }] of settled) {
      // What the sources that were still pending at acceptance said, now that they are in.
      const late = report.sources
        .filter((r) => r.family === family && pending.includes(r.source))
        .map((r) => `${r.source}: ${r.kind === 'known' ? r.address : r.reason}`);
      if (late.length > 0)
        this.deps.logger.info(
          { family, address, late },
          'slow sources answered after the address was accepted',
        );
    }
    // A family settled early has its address in the store already (or the report is stale, above): nothing more
    // to accept there; a family whose acceptance failed to be written gets its address here.
    const plan = planReachabilityUpdate(this.deps.store.read().reachability, report, this.deps.clock.now());
    await this.applyAddresses(n, plan, []);
    // Clears first: an event-like alert (address changed) is cleared and raised again to be notified anew.
    for (const c of plan.clear) await this.deps.alerts.clear(c.rule, c.key);
    for (const a of plan.raise) await this.deps.alerts.raise(a);
    const previous = this.last?.verdict ?? null;
    this.last = report;
    if (verdictChanged(previous, report.verdict)) {
      this.deps.bus.publish('reach.verdict-changed', { verdict: report.verdict, previous });
    }
    this.deps.bus.publish('reach.probed', { report });
  }
}

/** What a person would notice of a verdict: the kind of NAT, the way in, and what the headline says. */
const noticed = (v: Verdict): string => JSON.stringify([v.ipv4.kind, v.inbound, v.headline]);

function verdictChanged(previous: Verdict | null, next: Verdict): boolean {
  return previous === null || noticed(previous) !== noticed(next);
}
