/**
 * @module The reconciler: makes the live WireGuard interface and Gatehouse's nftables table match the store. The
 * firewall goes first and must succeed (fail closed: a peer never reaches the device while its grants are not
 * enforced), then IP forwarding, then the interface through `wg set` / `wg syncconf` (sessions survive). One run at
 * a time; a request during a run is folded into one more run after it. Drift (a hand-made change) is found by the
 * same comparison, shown, and corrected.
 */
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { Outcome } from '../core/outcome.js';
import type { Secrets } from '../core/secrets.js';
import type { ExposureSettings, WireguardSettings } from '../config/schema.js';
import { buildRuleset } from '../exposure/ruleset.js';
import { diffLines, normaliseRuleset, planUpdateLines } from '../exposure/ruleset-diff.js';
import type { Store } from '../store/store.js';
import { peerPskName } from './admin.js';
import { planDevice, type DevicePlan } from './device-plan.js';
import type { DevicePeer, DumpState, InterfaceSpec, PeerSpec } from './model.js';
import { interfaceAddress } from './pool.js';
import type { Implementation, WgDevice } from './wg-cli.js';

/** The firewall port (src/exposure/nft.ts is its adapter). */
export interface Firewall {
  apply(script: string): Promise<Outcome<void, { readonly message: string }>>;
  /** The live table as `nft list` prints it, or null when it is absent. */
  current(): Promise<Outcome<string | null, { readonly message: string }>>;
  /** Removes Gatehouse's table (true when there was one). */
  remove(): Promise<Outcome<boolean, { readonly message: string }>>;
}

/** IP forwarding, which the tunnel's traffic to the LAN needs (src/exposure/forwarding.ts is its adapter). */
export interface Forwarding {
  check(): Promise<Outcome<{ readonly ipv4: boolean; readonly ipv6: boolean }, { readonly message: string }>>;
  enable(families: readonly ('ipv4' | 'ipv6')[]): Promise<Outcome<void, { readonly message: string }>>;
}

export interface ReconcilerDeps {
  readonly store: Store;
  readonly secrets: Secrets;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly settings: WireguardSettings;
  readonly exposure: ExposureSettings;
  readonly device: WgDevice;
  readonly firewall: Firewall;
  readonly forwarding: Forwarding;
  readonly lanRanges: () => readonly string[];
  readonly boxAddresses: () => readonly string[];
  /** Why the settings cannot be applied (the pool overlaps the LAN, …), or undefined when they can. */
  readonly settingsProblem?: () => string | undefined;
  /** The server key (made on first use; the private half only ever goes to `wg` on stdin). */
  readonly serverKey: () => Promise<{ readonly privateKey: string; readonly publicKey: string }>;
}

/** What a run found and did (or, dry, would do). */
export interface ReconcileReport {
  readonly ok: boolean;
  /** One sentence for people: what happened, or why not. */
  readonly message: string;
  readonly device: { readonly changes: readonly string[] };
  readonly firewall: {
    readonly script: string;
    readonly added: readonly string[];
    readonly removed: readonly string[];
  };
  readonly warnings: readonly string[];
}

/** What the capability knows of the live interface (the status page, the card, the alerts). */
export interface InterfaceStatus {
  readonly running: boolean;
  readonly implementation: Implementation | null;
  /** Why it is not running (null when it is). */
  readonly reason: string | null;
  /** The last drift found (what someone changed by hand), and when; corrected in the same run. */
  readonly drift: { readonly at: string; readonly changes: readonly string[] } | null;
  /** The last dump (peers' handshakes and traffic), and when it was read. */
  readonly dump: DumpState | null;
  readonly dumpAt: string | null;
  readonly lastReport: ReconcileReport | null;
  /** The latest real run's outcome, and when (the store keeps failures and recoveries; this every run). */
  readonly lastApplied: { readonly at: string; readonly ok: boolean; readonly message: string } | null;
}

/** A flow set element in a normalised ruleset line (ruleset-diff.ts): one granted flow. */
const revokedFlow = /^set (forward|input)_v[46]: element /;

const emptyReport = (ok: boolean, message: string): ReconcileReport => ({
  ok,
  message,
  device: { changes: [] },
  firewall: { script: '', added: [], removed: [] },
  warnings: [],
});

export class Reconciler {
  private running: Promise<ReconcileReport> | undefined;
  /** The store's WireGuard state the last successful run applied: a difference found later with it unchanged is drift. */
  private appliedFrom: unknown;
  /**
   * The normalised lines (ruleset-diff.ts) of the ruleset this process loaded last (undefined: not known, read the
   * live table); kept so each run normalises only the new script (~20 ms at 1,000 peers).
   */
  private lastLines: readonly string[] | undefined;
  /** IP forwarding was found on (or switched on) by this process. */
  private forwardingSeen = false;
  /** The grants' generation stamped on connections (ruleset.ts); a new one on every revocation. */
  private generation: number;
  /** Preshared keys by peer id: they never change for a peer, so the secrets are read once. */
  private readonly psks = new Map<string, string | null>();
  private again: { reason: string; wait: Promise<ReconcileReport> } | undefined;
  private current: InterfaceStatus = {
    running: false,
    implementation: null,
    reason: 'not started yet',
    drift: null,
    dump: null,
    dumpAt: null,
    lastReport: null,
    lastApplied: null,
  };

  constructor(private readonly deps: ReconcilerDeps) {
    // Any value of 1–254 will do; from the clock, so a restart most likely starts another one.
    this.generation = 1 + (Math.floor(deps.clock.now().getTime() / 1000) % 254);
  }

  get status(): InterfaceStatus {
    return this.current;
  }

  private interfaceSpec(): InterfaceSpec {
    const { settings } = this.deps;
    return {
      name: settings.interface,
      listenPort: settings.listenPort,
      addresses: [
        interfaceAddress(settings.pool.ipv4),
        ...(settings.pool.ipv6 === null ? [] : [interfaceAddress(settings.pool.ipv6)]),
      ],
      mtu: settings.mtu,
    };
  }

  private peerSpecs(): PeerSpec[] {
    return this.deps.store.read().wireguard.peers.map((p) => ({
      id: p.id,
      name: p.name,
      groups: p.groups,
      publicKey: p.publicKey,
      keyMode: p.keyMode,
      ipv4: p.ipv4,
      ipv6: p.ipv6,
      enabled: p.enabled,
      expiresAt: p.expiresAt,
      dns: p.dns,
      persistentKeepalive: p.persistentKeepalive,
      tunnel: p.tunnel,
    }));
  }

  /** The enabled peers as the interface must carry them, with their preshared keys. */
  private async devicePeers(): Promise<DevicePeer[]> {
    const peers = this.deps.store.read().wireguard.peers.filter((p) => p.enabled);
    return Promise.all(
      peers.map(async (p) => {
        let presharedKey = this.psks.get(p.id);
        if (presharedKey === undefined) {
          const psk = await this.deps.secrets.get(peerPskName(p.id));
          presharedKey = psk.ok ? (psk.value ?? null) : null;
          this.psks.set(p.id, presharedKey);
        }
        return {
          publicKey: p.publicKey,
          presharedKey,
          allowedIps: [`${p.ipv4}/32`, ...(p.ipv6 === null ? [] : [`${p.ipv6}/128`])],
          // The box never keeps a NAT open toward a phone: the phone's own keepalive does that when it needs one.
          persistentKeepalive: 0,
        };
      }),
    );
  }

  private ruleset(generation: number): Outcome<string, { message: string }> {
    const w = this.deps.store.read().wireguard;
    const built = buildRuleset({
      interfaceName: this.deps.settings.interface,
      peers: this.peerSpecs(),
      services: w.services,
      grants: w.grants,
      lanRanges: this.deps.lanRanges(),
      boxAddresses: this.deps.boxAddresses(),
      masquerade: this.deps.exposure.masquerade,
      generation,
    });
    return built.ok ? { ok: true, value: built.value.script } : { ok: false, error: built.error };
  }

  /**
   * Runs (or queues) a reconcile. `dryRun` computes what would change without touching anything and runs at
   * once, beside a real run.
   */
  request(reason: string, options: { dryRun?: boolean } = {}): Promise<ReconcileReport> {
    if (options.dryRun === true) return this.run(reason, true);
    if (!this.running) {
      this.running = this.run(reason, false).finally(() => {
        this.running = undefined;
        const next = this.again;
        this.again = undefined;
        if (next) void this.request(next.reason);
      });
      return this.running;
    }
    // One more run after the current one covers every request made meanwhile.
    if (!this.again) {
      const after = this.running.then(
        () => this.running ?? this.request(reason),
        () => this.running ?? this.request(reason),
      );
      this.again = { reason, wait: after };
    }
    return this.again.wait;
  }

  private async run(reason: string, dryRun: boolean): Promise<ReconcileReport> {
    const { settings, device, firewall } = this.deps;
    const log = this.deps.logger;
    if (!settings.enabled) {
      const report = emptyReport(true, 'WireGuard is turned off (wireguard.enabled): nothing is applied');
      if (!dryRun)
        this.set({ running: false, implementation: null, reason: report.message, lastReport: report });
      return report;
    }
    const wanted = this.deps.store.read().wireguard.peers.length > 0;
    if (!wanted) {
      const message = 'no peers yet: the interface comes up with the first peer';
      if (dryRun) return emptyReport(true, message);
      const live = await device.dump(settings.interface);
      if (live.ok && live.value !== null) {
        await device.remove(settings.interface);
        await firewall.remove();
        this.lastLines = undefined;
        log.info({ reason }, 'the last peer was removed: interface and firewall taken down');
      }
      const report = emptyReport(true, message);
      this.set({ running: false, implementation: null, reason: message, dump: null, lastReport: report });
      return report;
    }
    const problem = this.deps.settingsProblem?.();
    if (problem !== undefined) return this.failed(dryRun, problem, problem);
    // Nothing changed in the store since the last good run: this run is a check, and any difference is drift.
    const stateNow = this.deps.store.read().wireguard;
    const isCheck = this.appliedFrom === stateNow;
    // 1. The firewall. A run for a change compares with the table this process loaded last (no `nft list`, which
    //    costs ~0.1 s at 1,000 peers) and loads only the flow set elements that differ; a check, a dry run and the
    //    first run read the live table.
    let script = this.ruleset(this.generation);
    if (!script.ok) return this.failed(dryRun, `the firewall rules cannot be built: ${script.error.message}`);
    let liveLines: readonly string[] | null;
    if (isCheck || dryRun || this.lastLines === undefined) {
      const live = await firewall.current();
      liveLines = live.ok && live.value !== null ? normaliseRuleset(live.value) : null;
    } else liveLines = this.lastLines;
    let nextLines = normaliseRuleset(script.value);
    let diff = diffLines(liveLines, nextLines);
    // A flow taken away (a grant revoked, a peer disabled or removed): a new generation, so the connections stamped
    // with the old one are looked up again at their next packet and the revoked ones stop there.
    if (!dryRun && diff.removed.some((line) => revokedFlow.test(line))) {
      this.generation = (this.generation % 254) + 1;
      const renewed = this.ruleset(this.generation);
      if (!renewed.ok)
        return this.failed(false, `the firewall rules cannot be built: ${renewed.error.message}`);
      script = renewed;
      nextLines = normaliseRuleset(script.value);
      diff = diffLines(liveLines, nextLines);
    }
    const firewallReport = { script: script.value, added: diff.added, removed: diff.removed };
    // 2. The interface as it is.
    const dumped = await device.dump(settings.interface);
    const key = await this.deps.serverKey();
    const peers = await this.devicePeers();
    const desired = { listenPort: settings.listenPort, publicKey: key.publicKey, peers };
    const none: DumpState = { publicKey: null, listenPort: 0, fwmark: null, hasPrivateKey: false, peers: [] };
    const plan: DevicePlan = planDevice(desired, dumped.ok && dumped.value !== null ? dumped.value : none);
    if (dryRun) {
      return {
        ok: true,
        message:
          plan.changes.length + diff.added.length + diff.removed.length === 0
            ? 'the interface and the firewall match'
            : 'changes to apply',
        device: { changes: plan.changes },
        firewall: firewallReport,
        warnings: [],
      };
    }
    const warnings: string[] = [];
    if (!diff.unchanged) {
      const update = planUpdateLines(liveLines, nextLines, script.value);
      let applied =
        update.mode === 'elements' ? await firewall.apply(update.script) : await firewall.apply(script.value);
      // The table was not what this process loaded (changed by hand since): load all of it.
      if (!applied.ok && update.mode === 'elements') applied = await firewall.apply(script.value);
      if (!applied.ok) {
        this.lastLines = undefined;
        return this.failed(
          false,
          `the firewall could not be applied (${applied.error.message}); nothing else was changed`,
        );
      }
    }
    this.lastLines = nextLines;
    // 3. Forwarding (tunnel → LAN): looked at on the first run and on checks, not on every change.
    if (isCheck || !this.forwardingSeen) {
      const fwd = await this.deps.forwarding.check();
      const families: ('ipv4' | 'ipv6')[] = [];
      if (fwd.ok) {
        if (!fwd.value.ipv4) families.push('ipv4');
        if (settings.pool.ipv6 !== null && !fwd.value.ipv6) families.push('ipv6');
        const on = families.length > 0 ? await this.deps.forwarding.enable(families) : undefined;
        if (on && !on.ok) warnings.push(on.error.message);
        else this.forwardingSeen = true;
      } else warnings.push(fwd.error.message);
    }
    // 4. The interface (made and configured only when it is missing: re-configuring a live one would tell every
    //    address watcher, reachability's too, that something changed), then its peers.
    let implementation = this.current.implementation;
    let devicePlan = plan;
    if (!dumped.ok || dumped.value === null || implementation === null) {
      const ensured = await device.ensureInterface(this.interfaceSpec(), settings.implementation);
      if (!ensured.ok) return this.failed(false, ensured.error.message, ensured.error.message);
      implementation = ensured.value.implementation;
      const after = await device.dump(settings.interface);
      if (after.ok && after.value !== null) devicePlan = planDevice(desired, after.value);
    }
    if (devicePlan.steps.length > 0) {
      const presharedKeys = new Map(
        peers.flatMap((p) => (p.presharedKey === null ? [] : [[p.publicKey, p.presharedKey] as const])),
      );
      const done = await device.apply(settings.interface, devicePlan, {
        privateKey: key.privateKey,
        presharedKeys,
        listenPort: settings.listenPort,
        allPeers: peers,
      });
      if (!done.ok) return this.failed(false, `the interface could not be updated: ${done.error.message}`);
    }
    // What changed without Gatehouse asking: a live interface or table that differed though nothing in the store
    // changed since the last run that matched (the changes list says what it was).
    const drifted = isCheck && (devicePlan.changes.length > 0 || !diff.unchanged);
    this.appliedFrom = stateNow;
    const now = this.deps.clock.now().toISOString();
    const changes = [...devicePlan.changes, ...(diff.unchanged ? [] : ['the firewall table differed'])];
    if (drifted)
      log.warn({ changes }, 'the WireGuard interface or firewall was changed outside Gatehouse; set back');
    const message =
      changes.length === 0
        ? 'the interface and the firewall match'
        : drifted
          ? `changed outside Gatehouse and set back: ${changes.join('; ')}`
          : `applied: ${changes.join('; ')}`;
    const report: ReconcileReport = {
      ok: true,
      message,
      device: { changes: devicePlan.changes },
      firewall: firewallReport,
      warnings,
    };
    const finalDump = await device.dump(settings.interface);
    this.set({
      running: true,
      implementation,
      reason: null,
      ...(drifted ? { drift: { at: now, changes } } : {}),
      ...(finalDump.ok ? { dump: finalDump.value, dumpAt: now } : {}),
      lastReport: report,
      ...(changes.length > 0 || this.current.lastApplied?.ok !== true
        ? { lastApplied: { at: now, ok: true, message } }
        : {}),
    });
    // The store keeps the last apply's outcome across restarts; a success after a success changes nothing there
    // (at 1,000 peers each store write rewrites the whole document), so only a recovery is written — the status
    // above carries the latest run.
    if (this.deps.store.read().wireguard.lastApply?.ok !== true) await this.record(true, message);
    if (changes.length > 0) log.info({ reason, changes: changes.length }, 'WireGuard applied');
    return report;
  }

  private async failed(dryRun: boolean, message: string, notRunning?: string): Promise<ReconcileReport> {
    const report = emptyReport(false, message);
    if (dryRun) return report;
    this.deps.logger.warn({ message }, 'WireGuard apply failed; the previous state stays');
    // An interface that never came up is down for this reason now (not for the one of an earlier run).
    const down = notRunning ?? (this.current.running ? undefined : message);
    this.set({
      ...(down === undefined ? {} : { running: false, implementation: null, reason: down }),
      lastReport: report,
      lastApplied: { at: this.deps.clock.now().toISOString(), ok: false, message },
    });
    const last = this.deps.store.read().wireguard.lastApply;
    if (last?.ok !== false || last.message !== message) await this.record(false, message);
    return report;
  }

  private async record(ok: boolean, message: string): Promise<void> {
    const at = this.deps.clock.now().toISOString();
    await this.deps.store.update((draft) => {
      draft.wireguard.lastApply = { at, ok, message: message.slice(0, 2000) };
    });
  }

  /** Reads the live interface (status, handshakes) without changing anything. */
  async refresh(): Promise<DumpState | null> {
    const dumped = await this.deps.device.dump(this.deps.settings.interface);
    if (!dumped.ok) return this.current.dump;
    this.set({ dump: dumped.value, dumpAt: this.deps.clock.now().toISOString() });
    return dumped.value;
  }

  private set(patch: Partial<InterfaceStatus>): void {
    this.current = { ...this.current, ...patch };
  }

  /** Takes the interface down as the server stops (a userspace interface ends with its process). */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
    await this.deps.device.stop();
  }
}
