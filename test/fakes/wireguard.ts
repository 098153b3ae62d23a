/**
 * @module In-memory stand-ins for the WireGuard capability's adapters: a device that applies plans to a dump the
 * test can read (and change by hand, as drift), a firewall that keeps the last script, and IP forwarding. They keep
 * the adapters' contracts (src/wireguard/wg-cli.ts, src/exposure/nft.ts) so the capability runs unchanged.
 */
import type { FirewallCounters, FirewallFailure, NftFirewall } from '../../src/exposure/nft.js';
import { fail, ok, type Outcome } from '../../src/core/outcome.js';
import type { DevicePlan } from '../../src/wireguard/device-plan.js';
import { publicKeyOf } from '../../src/wireguard/keys.js';
import type { DumpPeer, DumpState, InterfaceSpec } from '../../src/wireguard/model.js';
import type { Forwarding } from '../../src/wireguard/reconciler.js';
import type {
  DeviceFailure,
  DeviceSecrets,
  Implementation,
  WgDevice,
  WgProbe,
} from '../../src/wireguard/wg-cli.js';

export class FakeWgDevice implements WgDevice {
  /** The live interfaces by name. */
  readonly live = new Map<string, DumpState & { spec: InterfaceSpec }>();
  /** Every plan applied, in order. */
  readonly applied: DevicePlan[] = [];
  /** When set, ensureInterface fails with it (no CAP_NET_ADMIN, tools missing…). */
  refuse: DeviceFailure | undefined;
  /** When set, apply fails with it after applying nothing. */
  failApply: DeviceFailure | undefined;

  probe(): Promise<WgProbe> {
    return Promise.resolve({ kernel: false, userspace: true, wg: true, reason: null });
  }

  ensureInterface(
    spec: InterfaceSpec,
    implementation: 'auto' | Implementation,
  ): Promise<Outcome<{ implementation: Implementation; created: boolean }, DeviceFailure>> {
    if (this.refuse) return Promise.resolve(fail(this.refuse));
    const impl = implementation === 'kernel' ? 'kernel' : 'userspace';
    const existing = this.live.get(spec.name);
    if (existing) return Promise.resolve(ok({ implementation: impl, created: false }));
    this.live.set(spec.name, {
      spec,
      publicKey: null,
      listenPort: 0,
      fwmark: null,
      hasPrivateKey: false,
      peers: [],
    });
    return Promise.resolve(ok({ implementation: impl, created: true }));
  }

  dump(name: string): Promise<Outcome<DumpState | null, DeviceFailure>> {
    const d = this.live.get(name);
    return Promise.resolve(ok(d === undefined ? null : { ...d, peers: d.peers.map((p) => ({ ...p })) }));
  }

  apply(name: string, plan: DevicePlan, secrets: DeviceSecrets): Promise<Outcome<void, DeviceFailure>> {
    if (this.failApply) return Promise.resolve(fail(this.failApply));
    const d = this.live.get(name);
    if (!d) return Promise.resolve(fail({ code: 'wireguard.no-interface', message: `no interface ${name}` }));
    this.applied.push(plan);
    let peers = [...d.peers];
    let { publicKey, listenPort, hasPrivateKey } = d;
    const toDump = (
      p: {
        publicKey: string;
        presharedKey: string | null;
        allowedIps: readonly string[];
        persistentKeepalive: number;
      },
      old?: DumpPeer,
    ): DumpPeer => ({
      publicKey: p.publicKey,
      presharedKey: secrets.presharedKeys.get(p.publicKey) ?? p.presharedKey,
      endpoint: old?.endpoint ?? null,
      allowedIps: [...p.allowedIps],
      latestHandshake: old?.latestHandshake ?? null,
      rxBytes: old?.rxBytes ?? 0,
      txBytes: old?.txBytes ?? 0,
      persistentKeepalive: p.persistentKeepalive,
    });
    for (const step of plan.steps) {
      switch (step.kind) {
        case 'set-private-key': {
          const pub = publicKeyOf(secrets.privateKey);
          publicKey = pub.ok ? pub.value : null;
          hasPrivateKey = true;
          break;
        }
        case 'set-listen-port':
          listenPort = step.port;
          break;
        case 'set-peer': {
          const old = peers.find((p) => p.publicKey === step.peer.publicKey);
          peers = [...peers.filter((p) => p.publicKey !== step.peer.publicKey), toDump(step.peer, old)];
          break;
        }
        case 'remove-peer':
          peers = peers.filter((p) => p.publicKey !== step.publicKey);
          break;
        case 'set-peers': {
          const gone = new Set([...step.remove, ...step.peers.map((p) => p.publicKey)]);
          const old = new Map(peers.map((p) => [p.publicKey, p]));
          peers = [
            ...peers.filter((p) => !gone.has(p.publicKey)),
            ...step.peers.map((p) => toDump(p, old.get(p.publicKey))),
          ];
          break;
        }
        case 'sync-all': {
          const pub = publicKeyOf(secrets.privateKey);
          publicKey = pub.ok ? pub.value : null;
          hasPrivateKey = true;
          listenPort = secrets.listenPort;
          peers = secrets.allPeers.map((p) =>
            toDump(
              p,
              peers.find((o) => o.publicKey === p.publicKey),
            ),
          );
          break;
        }
      }
    }
    this.live.set(name, { ...d, publicKey, listenPort, hasPrivateKey, peers });
    return Promise.resolve(ok(undefined));
  }

  /** A peer's handshake as `wg show dump` would report it (the test plays the phone). */
  handshake(name: string, publicKey: string, atSeconds: number, endpoint: string): void {
    const d = this.live.get(name);
    if (!d) throw new Error(`no interface ${name}`);
    this.live.set(name, {
      ...d,
      peers: d.peers.map((p) =>
        p.publicKey === publicKey ? { ...p, latestHandshake: atSeconds, endpoint } : p,
      ),
    });
  }

  remove(name: string): Promise<Outcome<void, DeviceFailure>> {
    this.live.delete(name);
    return Promise.resolve(ok(undefined));
  }

  stop(): Promise<void> {
    return Promise.resolve();
  }
}

export class FakeFirewall implements NftFirewall {
  script: string | null = null;
  /** Every script applied, in order. */
  readonly applied: string[] = [];
  failApply: FirewallFailure | undefined;
  drops = 0;

  apply(script: string): Promise<Outcome<void, FirewallFailure>> {
    if (this.failApply) return Promise.resolve(fail(this.failApply));
    this.script = script;
    this.applied.push(script);
    return Promise.resolve(ok(undefined));
  }
  check(): Promise<Outcome<void, FirewallFailure>> {
    return Promise.resolve(ok(undefined));
  }
  current(): Promise<Outcome<string | null, FirewallFailure>> {
    return Promise.resolve(ok(this.script));
  }
  counters(): Promise<Outcome<FirewallCounters, FirewallFailure>> {
    if (this.script === null)
      return Promise.resolve(fail({ code: 'exposure.not-applied', message: 'no table' }));
    return Promise.resolve(
      ok({ drops: { packets: this.drops, bytes: this.drops * 60 }, named: {}, elements: [] }),
    );
  }
  remove(): Promise<Outcome<boolean, FirewallFailure>> {
    const had = this.script !== null;
    this.script = null;
    return Promise.resolve(ok(had));
  }
  foreignForwardDrops(): Promise<Outcome<string[], FirewallFailure>> {
    return Promise.resolve(ok([]));
  }
}

export class FakeForwarding implements Forwarding {
  ipv4 = false;
  ipv6 = false;
  refuse: string | undefined;
  check() {
    return Promise.resolve(ok({ ipv4: this.ipv4, ipv6: this.ipv6 }));
  }
  enable(families: readonly ('ipv4' | 'ipv6')[]) {
    if (this.refuse !== undefined) return Promise.resolve(fail({ message: this.refuse }));
    for (const f of families) this[f] = true;
    return Promise.resolve(ok(undefined));
  }
}
