/**
 * @module The dashboard's WireGuard card: can a phone reach home right now — the interface running, the peers
 * online, and the last handshake from outside (the proof); else why not and what to do.
 */
import type { WireguardSettings } from '../config/schema.js';
import type { StatusCard, StatusCardProvider, StatusFact } from '../status/cards.js';
import type { Store } from '../store/store.js';
import type { DumpPeer } from './model.js';
import type { InterfaceStatus } from './reconciler.js';

export interface CardInputs {
  readonly store: Store;
  readonly status: () => InterfaceStatus;
  readonly settings: Pick<WireguardSettings, 'enabled' | 'interface' | 'listenPort' | 'onlineWithinSeconds'>;
  readonly nowMs: () => number;
  readonly peerStatus: (peer: DumpPeer, nowMs: number, onlineWithinSeconds: number) => { online: boolean };
}

/** The card from the state. Pure given its inputs. */
export function wireguardCardOf(input: {
  readonly settings: CardInputs['settings'];
  readonly status: Pick<InterfaceStatus, 'running' | 'reason' | 'implementation' | 'dump'>;
  readonly peers: readonly {
    readonly id: string;
    readonly name: string;
    readonly publicKey: string;
    readonly enabled: boolean;
  }[];
  readonly publicHandshakes: readonly {
    readonly peerId: string;
    readonly at: string;
    readonly endpoint: string;
  }[];
  readonly lastApply: { readonly ok: boolean; readonly message: string } | null;
  readonly nowMs: number;
  readonly online: (peer: DumpPeer) => boolean;
}): StatusCard {
  const { settings, status, peers } = input;
  const base = { id: 'wireguard', title: 'WireGuard' } as const;
  if (!settings.enabled)
    return { ...base, state: 'unknown', summary: 'WireGuard is turned off (wireguard.enabled).', facts: [] };
  if (peers.length === 0)
    return {
      ...base,
      state: 'unknown',
      summary: 'No peers yet: add one on the Peers page and scan its QR code with the WireGuard app.',
      facts: [{ label: 'Listen port', value: `UDP ${String(settings.listenPort)}` }],
    };
  if (!status.running)
    return {
      ...base,
      state: 'error',
      summary: `The WireGuard interface is not running: ${status.reason ?? 'unknown reason'}. Peers cannot connect.`,
      facts: [{ label: 'Peers', value: String(peers.length) }],
    };
  // Stryker disable next-line ArrayDeclaration: without a dump, a junk entry would only add the key `undefined`, which no peer's public key (a string) finds
  const byKey = new Map((status.dump?.peers ?? []).map((d) => [d.publicKey, d]));
  const enabled = peers.filter((p) => p.enabled);
  const online = enabled.filter((p) => {
    const d = byKey.get(p.publicKey);
    return d !== undefined && input.online(d);
  });
  const newest = [...input.publicHandshakes].sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
  const facts: StatusFact[] = [
    {
      label: 'Interface',
      value: `${settings.interface} (${status.implementation ?? 'unknown'}), UDP ${String(settings.listenPort)}`,
    },
    { label: 'Peers online', value: `${String(online.length)} of ${String(enabled.length)}` },
  ];
  if (newest) {
    const name = peers.find((p) => p.id === newest.peerId)?.name ?? 'a peer';
    facts.push({
      label: 'Last handshake from outside',
      value: `${name} from ${newest.endpoint}`,
      at: newest.at,
    });
  }
  if (input.lastApply !== null && !input.lastApply.ok)
    return {
      ...base,
      state: 'warning',
      summary: `The latest changes are not in force: ${input.lastApply.message}`,
      facts,
    };
  const summary =
    online.length > 0
      ? `${online
          .map((p) => p.name)
          .slice(0, 3)
          .join(', ')}${online.length > 3 ? ' and others' : ''} connected now.`
      : newest
        ? 'No peer is connected right now; peers have reached this box from outside before.'
        : 'The interface is up; no peer has connected from outside yet.';
  return { ...base, state: 'ok', summary, facts };
}

export function wireguardCard(inputs: CardInputs): StatusCardProvider {
  return {
    id: 'wireguard',
    card: () => {
      const w = inputs.store.read().wireguard;
      const nowMs = inputs.nowMs();
      return wireguardCardOf({
        settings: inputs.settings,
        status: inputs.status(),
        peers: w.peers,
        publicHandshakes: w.publicHandshakes,
        lastApply: w.lastApply,
        nowMs,
        online: (d) => inputs.peerStatus(d, nowMs, inputs.settings.onlineWithinSeconds).online,
      });
    },
  };
}
