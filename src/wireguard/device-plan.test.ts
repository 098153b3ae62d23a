import { describe, expect, it } from 'vitest';
import {
  canonicalAllowedIps,
  canonicalCidr,
  planDevice,
  shortKey,
  batchThreshold,
  type DesiredDevice,
  type DevicePlan,
} from './device-plan.js';
import type { DevicePeer, DumpPeer, DumpState } from './model.js';

/** A key-shaped value whose first eight characters name it. */
const key = (c: string): string => `${c.repeat(8)}${'k'.repeat(35)}=`;
const SERVER = key('S');
const OTHER_SERVER = key('O');
const A = key('A');
const B = key('B');
const C = key('C');
const PSK1 = key('1');
const PSK2 = key('2');

const peer = (publicKey: string, allowedIps: string[], extra: Partial<DevicePeer> = {}): DevicePeer => ({
  publicKey,
  presharedKey: null,
  allowedIps,
  persistentKeepalive: 0,
  ...extra,
});

const live = (publicKey: string, allowedIps: string[], extra: Partial<DumpPeer> = {}): DumpPeer => ({
  publicKey,
  presharedKey: null,
  endpoint: '198.51.100.7:40000',
  allowedIps,
  latestHandshake: 1_800_000_000,
  rxBytes: 1000,
  txBytes: 2000,
  persistentKeepalive: 0,
  ...extra,
});

const device = (peers: DumpPeer[], extra: Partial<DumpState> = {}): DumpState => ({
  publicKey: SERVER,
  listenPort: 51820,
  fwmark: null,
  hasPrivateKey: true,
  peers,
  ...extra,
});

const desired = (peers: DevicePeer[], extra: Partial<DesiredDevice> = {}): DesiredDevice => ({
  listenPort: 51820,
  publicKey: SERVER,
  peers,
  ...extra,
});

/** Steps as short text, so a table row reads as what `wg` will be told. */
function describeSteps(plan: DevicePlan): string[] {
  return plan.steps.map((s) => {
    switch (s.kind) {
      case 'set-private-key':
        return 'private-key';
      case 'set-listen-port':
        return `listen-port ${String(s.port)}`;
      case 'set-peer':
        return `set ${s.peer.publicKey.slice(0, 1)}${s.replaceAllowedIps ? ' allowed-ips' : ''}`;
      case 'remove-peer':
        return `remove ${s.publicKey.slice(0, 1)}`;
      case 'set-peers':
        return `set-peers ${String(s.peers.length)} remove ${String(s.remove.length)}`;
      case 'sync-all':
        return 'sync-all';
    }
  });
}

describe('planDevice', () => {
  it.each<[string, DesiredDevice, DumpState | null, string[], string[]]>([
    [
      'an interface that matches needs nothing',
      desired([peer(A, ['10.8.0.2/32'])]),
      device([live(A, ['10.8.0.2/32'])]),
      [],
      [],
    ],
    [
      'no interface yet: key, port and every peer',
      desired([peer(A, ['10.8.0.2/32', 'fd00:8::2/128'])]),
      null,
      ['private-key', 'listen-port 51820', 'set A allowed-ips'],
      [
        'set the private key (the interface has none)',
        'listen port none → 51820',
        'add peer "AAAAAAAA…" (10.8.0.2/32, fd00:8::2/128)',
      ],
    ],
    [
      'an interface without a private key',
      desired([]),
      device([], { publicKey: null, hasPrivateKey: false }),
      ['private-key'],
      ['set the private key (the interface has none)'],
    ],
    [
      'a private key flag without a public key still gets the key',
      desired([]),
      device([], { publicKey: null, hasPrivateKey: true }),
      ['private-key'],
      ['set the private key (the interface has none)'],
    ],
    [
      'a key whose public half is not the server key is replaced',
      desired([]),
      device([], { publicKey: OTHER_SERVER }),
      ['private-key'],
      ['private key: the interface runs as "OOOOOOOO…", not as the server key "SSSSSSSS…"'],
    ],
    [
      'a public key without the private half (hasPrivateKey false) is set',
      desired([]),
      device([], { hasPrivateKey: false }),
      ['private-key'],
      ['set the private key (the interface has none)'],
    ],
    [
      'the listen port changed',
      desired([], { listenPort: 51820 }),
      device([], { listenPort: 51821 }),
      ['listen-port 51820'],
      ['listen port 51821 → 51820'],
    ],
    [
      'a peer added by hand is removed',
      desired([peer(A, ['10.8.0.2/32'])]),
      device([live(A, ['10.8.0.2/32']), live(B, ['10.8.0.9/32'])]),
      ['remove B'],
      ['remove peer "BBBBBBBB…" (10.8.0.9/32): not in Gatehouse'],
    ],
    [
      'a removed peer without allowed IPs says so',
      desired([]),
      device([live(B, [])]),
      ['remove B'],
      ['remove peer "BBBBBBBB…" (no allowed IPs): not in Gatehouse'],
    ],
    [
      'a new peer is added with its allowed IPs',
      desired([peer(A, ['10.8.0.2/32']), peer(B, ['10.8.0.3/32'])]),
      device([live(A, ['10.8.0.2/32'])]),
      ['set B allowed-ips'],
      ['add peer "BBBBBBBB…" (10.8.0.3/32)'],
    ],
    [
      'a new peer without allowed IPs',
      desired([peer(B, [])]),
      device([]),
      ['set B allowed-ips'],
      ['add peer "BBBBBBBB…" (no allowed IPs)'],
    ],
    [
      'allowed IPs in another order and spelling are equal',
      desired([peer(A, ['FD00:0008:0000::0002/128', '10.8.0.2/32', '10.8.0.2/32'])]),
      device([live(A, ['fd00:8::2/128', '10.8.0.2/32'])]),
      [],
      [],
    ],
    [
      'changed allowed IPs replace them',
      desired([peer(A, ['10.8.0.4/32', '10.8.0.2/32'])]),
      device([live(A, ['10.8.0.2/32'])]),
      ['set A allowed-ips'],
      ['peer "AAAAAAAA…": allowed IPs 10.8.0.2/32 → 10.8.0.2/32, 10.8.0.4/32'],
    ],
    [
      'allowed IPs the interface lost come back',
      desired([peer(A, ['10.8.0.2/32'])]),
      device([live(A, [])]),
      ['set A allowed-ips'],
      ['peer "AAAAAAAA…": allowed IPs no allowed IPs → 10.8.0.2/32'],
    ],
    [
      'a missing preshared key is set, its allowed IPs left alone',
      desired([peer(A, ['10.8.0.2/32'], { presharedKey: PSK1 })]),
      device([live(A, ['10.8.0.2/32'])]),
      ['set A'],
      ['peer "AAAAAAAA…": preshared key missing'],
    ],
    [
      'an unexpected preshared key is removed',
      desired([peer(A, ['10.8.0.2/32'])]),
      device([live(A, ['10.8.0.2/32'], { presharedKey: PSK1 })]),
      ['set A'],
      ['peer "AAAAAAAA…": unexpected preshared key'],
    ],
    [
      'another preshared key is replaced',
      desired([peer(A, ['10.8.0.2/32'], { presharedKey: PSK2 })]),
      device([live(A, ['10.8.0.2/32'], { presharedKey: PSK1 })]),
      ['set A'],
      ['peer "AAAAAAAA…": preshared key differs'],
    ],
    [
      'the same preshared key is no change',
      desired([peer(A, ['10.8.0.2/32'], { presharedKey: PSK1 })]),
      device([live(A, ['10.8.0.2/32'], { presharedKey: PSK1 })]),
      [],
      [],
    ],
    [
      'keepalive switched on',
      desired([peer(A, ['10.8.0.2/32'], { persistentKeepalive: 25 })]),
      device([live(A, ['10.8.0.2/32'])]),
      ['set A'],
      ['peer "AAAAAAAA…": keepalive off → 25 s'],
    ],
    [
      'keepalive switched off',
      desired([peer(A, ['10.8.0.2/32'])]),
      device([live(A, ['10.8.0.2/32'], { persistentKeepalive: 15 })]),
      ['set A'],
      ['peer "AAAAAAAA…": keepalive 15 s → off'],
    ],
    [
      'several differences of one peer: one step, one sentence each',
      desired([peer(A, ['10.8.0.3/32'], { presharedKey: PSK1, persistentKeepalive: 25 })]),
      device([live(A, ['10.8.0.2/32'])]),
      ['set A allowed-ips'],
      [
        'peer "AAAAAAAA…": allowed IPs 10.8.0.2/32 → 10.8.0.3/32',
        'peer "AAAAAAAA…": preshared key missing',
        'peer "AAAAAAAA…": keepalive off → 25 s',
      ],
    ],
    [
      'endpoint, handshake and counters are the live state, not configuration',
      desired([peer(A, ['10.8.0.2/32'])]),
      device([live(A, ['10.8.0.2/32'], { endpoint: null, latestHandshake: null, rxBytes: 0, txBytes: 0 })]),
      [],
      [],
    ],
    [
      'interface first, then removals, then peers in the desired order',
      desired([peer(C, ['10.8.0.4/32']), peer(A, ['10.8.0.2/32'], { persistentKeepalive: 5 })], {
        listenPort: 51999,
      }),
      device([live(B, ['10.8.0.3/32']), live(A, ['10.8.0.2/32'])], { publicKey: OTHER_SERVER }),
      ['private-key', 'listen-port 51999', 'remove B', 'set C allowed-ips', 'set A'],
      [
        'private key: the interface runs as "OOOOOOOO…", not as the server key "SSSSSSSS…"',
        'listen port 51820 → 51999',
        'remove peer "BBBBBBBB…" (10.8.0.3/32): not in Gatehouse',
        'add peer "CCCCCCCC…" (10.8.0.4/32)',
        'peer "AAAAAAAA…": keepalive off → 5 s',
      ],
    ],
  ])('%s', (_name, want, have, steps, changes) => {
    const plan = planDevice(want, have);
    expect(describeSteps(plan)).toEqual(steps);
    expect(plan.changes).toEqual(changes);
  });

  it('a set-peer step carries the desired peer itself (its preshared key for the adapter)', () => {
    const wanted = peer(A, ['10.8.0.2/32'], { presharedKey: PSK1, persistentKeepalive: 25 });
    const plan = planDevice(desired([wanted]), device([]));
    expect(plan.steps).toEqual([{ kind: 'set-peer', peer: wanted, replaceAllowedIps: true }]);
  });

  it('a removal names the whole public key', () => {
    const plan = planDevice(desired([]), device([live(B, ['10.8.0.3/32'])]));
    expect(plan.steps).toEqual([{ kind: 'remove-peer', publicKey: B }]);
  });

  it('never writes a preshared key into the changes', () => {
    const plan = planDevice(
      desired([peer(A, ['10.8.0.2/32'], { presharedKey: PSK2 }), peer(B, [], { presharedKey: PSK1 })]),
      device([live(A, ['10.8.0.2/32'], { presharedKey: PSK1 }), live(C, [], { presharedKey: PSK2 })]),
    );
    expect(plan.changes.length).toBe(3);
    for (const line of plan.changes) {
      expect(line).not.toContain(PSK1.slice(0, 8));
      expect(line).not.toContain(PSK2.slice(0, 8));
    }
  });

  describe('many peer changes become one set-peers batch', () => {
    const peers = (n: number): DevicePeer[] =>
      Array.from({ length: n }, (_, i) =>
        peer(`${String(i).padStart(8, '0')}${'p'.repeat(35)}=`, [`10.9.0.${String(i)}/32`]),
      );

    it('at the threshold: one wg set per peer', () => {
      const plan = planDevice(desired(peers(batchThreshold)), device([]));
      expect(plan.changes.length).toBe(batchThreshold);
      expect(plan.steps.length).toBe(batchThreshold);
      expect(plan.steps.every((s) => s.kind === 'set-peer')).toBe(true);
    });

    it('above it: one batch with the peers to set and the keys to remove, in plan order', () => {
      const wanted = peers(batchThreshold);
      const changed = { ...wanted[1]!, persistentKeepalive: 9 };
      const plan = planDevice(
        desired([wanted[0]!, changed, ...wanted.slice(2)]),
        device([live(A, ['10.8.0.2/32']), live(wanted[1]!.publicKey, ['10.9.0.1/32'])], { listenPort: 1 }),
      );
      expect(plan.steps).toEqual([
        { kind: 'set-listen-port', port: 51820 },
        { kind: 'set-peers', peers: [wanted[0], changed, ...wanted.slice(2)], remove: [A] },
      ]);
      expect(plan.changes).toHaveLength(1 + 1 + batchThreshold);
    });

    it('interface steps do not count towards the threshold', () => {
      const plan = planDevice(
        desired(peers(batchThreshold)),
        device([], { listenPort: 1, publicKey: OTHER_SERVER }),
      );
      expect(plan.steps.length).toBe(batchThreshold + 2);
      expect(plan.steps.slice(0, 2).map((s) => s.kind)).toEqual(['set-private-key', 'set-listen-port']);
    });

    it('removals alone can make a batch', () => {
      const plan = planDevice(desired([]), device([live(A, []), live(B, []), live(C, [])]), 2);
      expect(plan.steps).toEqual([{ kind: 'set-peers', peers: [], remove: [A, B, C] }]);
    });

    it('the threshold is a parameter: 0 batches a single change', () => {
      const plan = planDevice(desired([peer(A, ['10.8.0.2/32'])]), device([]), 0);
      expect(plan.steps).toEqual([{ kind: 'set-peers', peers: [peer(A, ['10.8.0.2/32'])], remove: [] }]);
    });

    it('sync-all is never planned, and unchanged peers are no steps, however many', () => {
      const many = peers(200);
      const plan = planDevice(
        desired(many),
        device(many.map((p) => live(p.publicKey, [...p.allowedIps]))),
        0,
      );
      expect(plan).toEqual({ steps: [], changes: [] });
      const fresh = planDevice(desired(many), null);
      expect(fresh.steps.map((s) => s.kind)).toEqual(['set-private-key', 'set-listen-port', 'set-peers']);
    });
  });
});

describe('canonicalCidr', () => {
  it.each([
    ['10.8.0.2/32', '10.8.0.2/32'],
    [' 10.8.0.2/32 ', '10.8.0.2/32'],
    ['10.8.0.2', '10.8.0.2/32'],
    ['10.8.0.77/24', '10.8.0.0/24'],
    ['10.255.255.255/8', '10.0.0.0/8'],
    ['0.0.0.0/0', '0.0.0.0/0'],
    ['192.168.1.1/31', '192.168.1.0/31'],
    ['FD00:0008:0000:0000:0000:0000:0000:0002/128', 'fd00:8::2/128'],
    ['fd00:8::2', 'fd00:8::2/128'],
    ['fd00:8::1234/64', 'fd00:8::/64'],
    ['2001:db8:0:0:1:0:0:1/128', '2001:db8::1:0:0:1/128'],
    ['::/0', '::/0'],
    ['::1/128', '::1/128'],
    ['ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128'],
    ['not-an-ip/8', 'not-an-ip/8'],
    ['10.8.0.2/33', '10.8.0.2/33'],
  ])('%s → %s', (input, output) => {
    expect(canonicalCidr(input)).toBe(output);
  });

  it('sets: canonical, sorted, without duplicates', () => {
    expect(canonicalAllowedIps(['10.8.0.3/32', 'FD00::3/128', '10.8.0.2', '10.8.0.3/32'])).toEqual([
      '10.8.0.2/32',
      '10.8.0.3/32',
      'fd00::3/128',
    ]);
  });
});

describe('shortKey', () => {
  it('quotes the first eight characters', () => {
    expect(shortKey(A)).toBe('"AAAAAAAA…"');
  });
});
