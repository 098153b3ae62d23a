import { describe, expect, it } from 'vitest';
import type { DumpPeer } from './model.js';
import { wireguardCardOf } from './status-card.js';

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
    expect(wireguardCardOf({ ...base, peers: [] })).toMatchObject({
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
});
