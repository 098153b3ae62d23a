import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../test/fakes/store.js';
import type { State } from '../store/schema.js';
import type { DumpPeer } from './model.js';
import type { InterfaceStatus } from './reconciler.js';
import type { Peer } from './slice.js';
import { wireguardCard, wireguardCardOf } from './status-card.js';

const settings = { enabled: true, interface: 'gatehouse0', listenPort: 51820, onlineWithinSeconds: 180 };
const peer = (id: string, name: string, enabled = true) => ({ id, name, publicKey: `${id}-key`, enabled });
const dumpPeer = (publicKey: string, latestHandshake: number | null): DumpPeer => ({
  publicKey,
  presharedKey: null,
  endpoint: null,
  allowedIps: [],
  latestHandshake,
  rxBytes: 0,
  txBytes: 0,
  persistentKeepalive: 0,
});
const running = (peers: DumpPeer[]) => ({
  running: true,
  reason: null,
  implementation: 'userspace' as const,
  dump: { publicKey: 'k', listenPort: 51820, fwmark: null, hasPrivateKey: true, peers },
});
const base = {
  settings,
  status: running([]),
  peers: [peer('a', 'phone')],
  publicHandshakes: [],
  lastApply: { ok: true, message: 'applied' },
  nowMs: Date.parse('2026-11-28T12:00:00Z'),
  online: (d: DumpPeer) => d.latestHandshake !== null,
};

describe('the WireGuard card', () => {
  it('off: unknown, says so', () => {
    expect(wireguardCardOf({ ...base, settings: { ...settings, enabled: false } })).toEqual({
      id: 'wireguard',
      title: 'WireGuard',
      state: 'unknown',
      summary: 'WireGuard is turned off (wireguard.enabled).',
      facts: [],
    });
  });

  it('no peers: what to do first', () => {
    expect(wireguardCardOf({ ...base, peers: [] })).toEqual({
      id: 'wireguard',
      title: 'WireGuard',
      state: 'unknown',
      summary: 'No peers yet: add one on the Peers page and scan its QR code with the WireGuard app.',
      facts: [{ label: 'Listen port', value: 'UDP 51820' }],
    });
  });

  it('not running: error with the reason', () => {
    expect(
      wireguardCardOf({
        ...base,
        status: { running: false, reason: 'no CAP_NET_ADMIN', implementation: null, dump: null },
      }),
    ).toEqual({
      id: 'wireguard',
      title: 'WireGuard',
      state: 'error',
      summary: 'The WireGuard interface is not running: no CAP_NET_ADMIN. Peers cannot connect.',
      facts: [{ label: 'Peers', value: '1' }],
    });
    expect(
      wireguardCardOf({ ...base, status: { running: false, reason: null, implementation: null, dump: null } })
        .summary,
    ).toBe('The WireGuard interface is not running: unknown reason. Peers cannot connect.');
  });

  it('running: who is connected now, counting enabled peers only, and the last proof from outside', () => {
    const card = wireguardCardOf({
      ...base,
      peers: [peer('a', 'phone'), peer('b', 'tablet'), peer('c', 'old', false)],
      status: running([dumpPeer('a-key', 100), dumpPeer('b-key', null), dumpPeer('c-key', 100)]),
      publicHandshakes: [
        { peerId: 'b', at: '2026-11-28T09:00:00.000Z', endpoint: '198.51.100.7:4000' },
        { peerId: 'a', at: '2026-11-28T11:58:00.000Z', endpoint: '198.51.100.10:5000' },
      ],
    });
    expect(card).toEqual({
      id: 'wireguard',
      title: 'WireGuard',
      state: 'ok',
      summary: 'phone connected now.',
      facts: [
        { label: 'Interface', value: 'gatehouse0 (userspace), UDP 51820' },
        { label: 'Peers online', value: '1 of 2' },
        {
          label: 'Last handshake from outside',
          value: 'phone from 198.51.100.10:5000',
          at: '2026-11-28T11:58:00.000Z',
        },
      ],
    });
  });

  it('names three connected peers, then "and others"', () => {
    const names = ['a', 'b', 'c', 'd'];
    const card = wireguardCardOf({
      ...base,
      peers: names.map((n) => peer(n, n.toUpperCase())),
      status: running(names.map((n) => dumpPeer(`${n}-key`, 1))),
    });
    expect(card.summary).toBe('A, B, C and others connected now.');
    const three = wireguardCardOf({
      ...base,
      peers: names.slice(0, 3).map((n) => peer(n, n.toUpperCase())),
      status: running(names.slice(0, 3).map((n) => dumpPeer(`${n}-key`, 1))),
    });
    expect(three.summary).toBe('A, B, C connected now.');
  });

  it('nobody connected: says whether anyone ever came from outside', () => {
    expect(wireguardCardOf(base).summary).toBe(
      'The interface is up; no peer has connected from outside yet.',
    );
    const before = wireguardCardOf({
      ...base,
      publicHandshakes: [{ peerId: 'gone', at: '2026-11-28T09:00:00.000Z', endpoint: '198.51.100.7:4000' }],
    });
    expect(before.summary).toBe(
      'No peer is connected right now; peers have reached this box from outside before.',
    );
    expect(before.facts.at(-1)).toEqual({
      label: 'Last handshake from outside',
      value: 'a peer from 198.51.100.7:4000',
      at: '2026-11-28T09:00:00.000Z',
    });
  });

  it('a failed apply: warning with what failed', () => {
    const card = wireguardCardOf({ ...base, lastApply: { ok: false, message: 'nft: syntax error' } });
    expect(card.state).toBe('warning');
    expect(card.summary).toBe('The latest changes are not in force: nft: syntax error');
    expect(wireguardCardOf({ ...base, lastApply: null }).state).toBe('ok');
  });

  it('an implementation not known yet', () => {
    const card = wireguardCardOf({ ...base, status: { ...running([]), implementation: null } });
    expect(card.facts[0]).toEqual({ label: 'Interface', value: 'gatehouse0 (unknown), UDP 51820' });
  });

  it('running before the first dump: nobody online yet', () => {
    const card = wireguardCardOf({ ...base, status: { ...running([]), dump: null } });
    expect(card.state).toBe('ok');
    expect(card.facts[1]).toEqual({ label: 'Peers online', value: '0 of 1' });
  });

  it('the last handshake from outside is the newest, whatever the order they were stored in', () => {
    const at = (hhmm: string, peerId: string) => ({
      peerId,
      at: `2026-11-28T${hhmm}:00.000Z`,
      endpoint: `198.51.100.${peerId === 'a' ? '10' : '7'}:4000`,
    });
    const peers = [peer('a', 'phone'), peer('b', 'tablet')];
    for (const publicHandshakes of [
      [at('09:00', 'a'), at('11:58', 'b'), at('10:00', 'a')],
      [at('11:58', 'b'), at('09:00', 'a'), at('10:00', 'a')],
      [at('10:00', 'a'), at('09:00', 'a'), at('11:58', 'b')],
    ])
      expect(wireguardCardOf({ ...base, peers, publicHandshakes }).facts[2]).toEqual({
        label: 'Last handshake from outside',
        value: 'tablet from 198.51.100.7:4000',
        at: '2026-11-28T11:58:00.000Z',
      });
  });
});

describe('the WireGuard card provider', () => {
  const storedPeer = (id: string, name: string, publicKey: string): Peer => ({
    id,
    name,
    groups: [],
    publicKey,
    keyMode: 'kept',
    privateKeyForgottenAt: null,
    ipv4: '10.8.0.2',
    ipv6: null,
    enabled: true,
    disabledReason: null,
    expiresAt: null,
    dns: null,
    persistentKeepalive: null,
    tunnel: 'services',
    createdAt: '2026-11-01T00:00:00.000Z',
    updatedAt: '2026-11-01T00:00:00.000Z',
    configSeen: null,
    forgetKeyAt: null,
  });

  it('reads the store, the interface status and the clock at each call; asks peerStatus with the online window', async () => {
    const store = new MemoryStore<State>();
    const phoneKey = 'A'.repeat(43) + '=';
    const tabletKey = 'B'.repeat(43) + '=';
    await store.update((d) => {
      d.wireguard.peers.push(storedPeer('a', 'phone', phoneKey), storedPeer('b', 'tablet', tabletKey));
      d.wireguard.publicHandshakes.push({
        peerId: 'b',
        at: '2026-11-28T11:00:00.000Z',
        endpoint: '198.51.100.7:4000',
      });
      d.wireguard.lastApply = { at: '2026-11-28T11:00:00.000Z', ok: true, message: 'applied' };
    });
    let nowMs = 1_000;
    const asked: [string, number, number][] = [];
    const status: InterfaceStatus = {
      ...running([dumpPeer(phoneKey, 1), dumpPeer(tabletKey, 1)]),
      drift: null,
      dumpAt: null,
      lastReport: null,
      lastApplied: null,
    };
    const provider = wireguardCard({
      store,
      status: () => status,
      settings: { ...settings, onlineWithinSeconds: 135 },
      nowMs: () => nowMs,
      peerStatus: (d, now, within) => {
        asked.push([d.publicKey, now, within]);
        return { online: d.publicKey === phoneKey };
      },
    });
    expect(provider.id).toBe('wireguard');
    expect(await provider.card()).toEqual({
      id: 'wireguard',
      title: 'WireGuard',
      state: 'ok',
      summary: 'phone connected now.',
      facts: [
        { label: 'Interface', value: 'gatehouse0 (userspace), UDP 51820' },
        { label: 'Peers online', value: '1 of 2' },
        {
          label: 'Last handshake from outside',
          value: 'tablet from 198.51.100.7:4000',
          at: '2026-11-28T11:00:00.000Z',
        },
      ],
    });
    expect(asked).toEqual([
      [phoneKey, 1_000, 135],
      [tabletKey, 1_000, 135],
    ]);

    nowMs = 2_000;
    await store.update((d) => {
      d.wireguard.lastApply = { at: '2026-11-28T11:30:00.000Z', ok: false, message: 'nft: syntax error' };
    });
    const later = await provider.card();
    expect(later.state).toBe('warning');
    expect(later.summary).toBe('The latest changes are not in force: nft: syntax error');
    expect(asked.slice(2).map((a) => a[1])).toEqual([2_000, 2_000]);
  });
});
