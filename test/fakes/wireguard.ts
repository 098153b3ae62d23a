/**
 * @module In-memory stand-ins for the WireGuard capability's adapters: a device that applies plans to a dump the
 * test can read (and change by hand, as drift), a firewall that keeps the last script, and IP forwarding. They keep
 * the adapters' contracts (src/wireguard/wg-cli.ts, src/exposure/nft.ts) so the capability runs unchanged.
 */
import type { FirewallCounters, FirewallFailure, NftFirewall } from '../../src/exposure/nft.js';
import { fail, ok, type Outcome } from '../../src/core/outcome.js';
import { normaliseRuleset } from '../../src/exposure/ruleset-diff.js';
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

/**
 * Renders normalised lines (ruleset-diff.ts) back into nft syntax, so the fake table can be listed as nft would:
 * `normaliseRuleset(renderLines(normaliseRuleset(x)))` equals `normaliseRuleset(x)`.
 */
function renderLines(lines: readonly string[]): string {
  const table = lines.find((l) => l.startsWith('table ')) ?? 'table inet gatehouse';
  const blocks = new Map<string, { body: string[]; elements: string[] }>();
  for (const line of lines) {
    if (line.startsWith('table ')) continue;
    const colon = line.indexOf(': ');
    const head = colon < 0 ? line : line.slice(0, colon);
    const block = blocks.get(head) ?? { body: [], elements: [] };
    blocks.set(head, block);
    if (colon < 0) continue;
    const rest = line.slice(colon + 2);
    if (rest.startsWith('element ')) block.elements.push(rest.slice('element '.length));
    else block.body.push(rest);
  }
  const out = [`${table} {`];
  for (const [head, b] of blocks) {
    out.push(`\t${head} {`, ...b.body.map((l) => `\t\t${l}`));
    if (b.elements.length > 0) out.push(`\t\telements = { ${b.elements.join(', ')} }`);
    out.push('\t}');
  }
  out.push('}', '');
  return out.join('\n');
}

export class FakeFirewall implements NftFirewall {
  /** The live table as nft would list it (null: none). */
  script: string | null = null;
  /** Every script loaded (whole tables and element updates), in order. */
  readonly applied: string[] = [];
  failApply: FirewallFailure | undefined;
  drops = 0;

  apply(script: string): Promise<Outcome<void, FirewallFailure>> {
    if (this.failApply) return Promise.resolve(fail(this.failApply));
    this.applied.push(script);
    const updates = script.split('\n').filter((l) => /^(add|delete) element /.test(l));
    if (updates.length === 0) {
      this.script = script;
      return Promise.resolve(ok(undefined));
    }
    if (this.script === null)
      return Promise.resolve(
        fail({ code: 'exposure.nft-failed', message: 'Error: No such file or directory' }),
      );
    let lines = normaliseRuleset(this.script);
    for (const u of updates) {
      const m = /^(add|delete) element \S+ \S+ (\S+) \{ (.*) \}$/.exec(u);
      if (!m) return Promise.resolve(fail({ code: 'exposure.nft-failed', message: `cannot read ${u}` }));
      const [, verb, set, list] = m as unknown as [string, string, string, string];
      const elements = list.split(', ').map((e) => `set ${set}: element ${e}`);
      if (verb === 'add') lines = [...lines, ...elements];
      else {
        const missing = elements.find((e) => !lines.includes(e));
        if (missing !== undefined)
          return Promise.resolve(
            fail({ code: 'exposure.nft-failed', message: 'Error: Could not process rule' }),
          );
        lines = lines.filter((l) => !elements.includes(l));
      }
    }
    this.script = renderLines(lines);
    return Promise.resolve(ok(undefined));
  }
  async sync(
    script: string,
  ): Promise<Outcome<{ readonly mode: 'none' | 'elements' | 'replace' }, FirewallFailure>> {
    if (this.script === script) return ok({ mode: 'none' });
    const applied = await this.apply(script);
    return applied.ok ? ok({ mode: 'replace' }) : applied;
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
