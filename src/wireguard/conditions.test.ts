import { describe, expect, it } from 'vitest';
import { handshakeMemoryMs, handshakeSilenceMs, planConditions, type ConditionState } from './conditions.js';

const now = new Date('2026-11-28T12:00:00.000Z');
const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
const base: ConditionState = {
  enabled: true,
  peers: 2,
  status: { running: true, reason: null },
  lastApply: { at: ago(1000), ok: true, message: 'applied' },
  publicHandshakes: [],
  now,
  upSince: new Date(now.getTime() - 24 * 3600_000),
};

describe('planConditions', () => {
  it('remembers a week of handshakes and alerts after six hours of silence', () => {
    expect(handshakeSilenceMs).toBe(21_600_000);
    expect(handshakeMemoryMs).toBe(604_800_000);
  });

  it('holds nothing while all is well', () => {
    expect(planConditions(base)).toEqual([]);
  });

  it('raises nothing while WireGuard is off or has no peers, whatever else holds', () => {
    const broken = { status: { running: false, reason: 'no CAP_NET_ADMIN' } };
    expect(planConditions({ ...base, ...broken, enabled: false })).toEqual([]);
    expect(planConditions({ ...base, ...broken, peers: 0 })).toEqual([]);
  });

  it('the interface not running, with the reason (an apply failure is then part of it, not a second alert)', () => {
    expect(
      planConditions({
        ...base,
        status: { running: false, reason: 'no CAP_NET_ADMIN' },
        lastApply: { at: ago(1), ok: false, message: 'no CAP_NET_ADMIN' },
      }),
    ).toEqual([
      {
        rule: 'wireguard.not-running',
        key: '',
        message: 'The WireGuard interface is not running: no CAP_NET_ADMIN',
      },
    ]);
    expect(planConditions({ ...base, status: { running: false, reason: null } })[0]?.message).toBe(
      'The WireGuard interface is not running: unknown reason',
    );
  });

  it('a failed apply while the interface runs', () => {
    expect(
      planConditions({ ...base, lastApply: { at: ago(1), ok: false, message: 'nft: syntax error' } }),
    ).toEqual([{ rule: 'wireguard.apply-failed', key: '', message: 'nft: syntax error' }]);
    expect(planConditions({ ...base, lastApply: null })).toEqual([]);
  });

  describe('handshakes from outside stopped', () => {
    const seen = (msAgo: number, peerId = 'p1') => ({
      peerId,
      at: ago(msAgo),
      endpoint: '198.51.100.10:5000',
    });
    it.each([
      ['silent exactly the limit', [seen(handshakeSilenceMs)], true],
      ['silent a moment less', [seen(handshakeSilenceMs - 1)], false],
      ['one peer still recent', [seen(handshakeSilenceMs + 1000), seen(60_000, 'p2')], false],
      ['older than the week it remembers', [seen(handshakeMemoryMs + 1)], false],
      ['exactly a week old still counts', [seen(handshakeMemoryMs)], true],
      ['nobody ever connected from outside', [], false],
    ])('%s', (_name, handshakes, raised) => {
      const out = planConditions({ ...base, publicHandshakes: handshakes });
      expect(out.some((c) => c.rule === 'wireguard.handshakes-stopped')).toBe(raised);
    });

    it('says how long and how many peers, with the time of the last', () => {
      const out = planConditions({
        ...base,
        publicHandshakes: [seen(7 * 3600_000), seen(9 * 3600_000, 'p2')],
      });
      expect(out).toEqual([
        {
          rule: 'wireguard.handshakes-stopped',
          key: '',
          message: 'No peer has completed a handshake from outside for 7 h; 2 peer(s) did in the week before',
          details: { peers: 2, lastAt: ago(7 * 3600_000) },
        },
      ]);
    });

    it('counts whole hours, rounded down', () => {
      const out = planConditions({ ...base, publicHandshakes: [seen(7.9 * 3600_000)] });
      expect(out[0]?.message).toBe(
        'No peer has completed a handshake from outside for 7 h; 1 peer(s) did in the week before',
      );
    });

    it('not while the box itself was down for most of that time, nor while the interface is not running', () => {
      const handshakes = [seen(7 * 3600_000)];
      expect(
        planConditions({
          ...base,
          publicHandshakes: handshakes,
          upSince: new Date(now.getTime() - 3600_000),
        }),
      ).toEqual([]);
      expect(
        planConditions({
          ...base,
          publicHandshakes: handshakes,
          upSince: new Date(now.getTime() - handshakeSilenceMs),
        }).map((c) => c.rule),
      ).toEqual(['wireguard.handshakes-stopped']);
      expect(
        planConditions({
          ...base,
          publicHandshakes: handshakes,
          status: { running: false, reason: 'x' },
        }).map((c) => c.rule),
      ).toEqual(['wireguard.not-running']);
    });
  });
});
