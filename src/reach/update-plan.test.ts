import { describe, expect, it } from 'vitest';
import type { State } from '../store/schema.js';
import type { Answer, Consensus } from './consensus.js';
import type { ReachabilityReport } from './probe.js';
import type { Family } from './types.js';
import { planAddressAcceptance, planReachabilityUpdate } from './update-plan.js';
import { titleOf } from '../alerts/catalogue.js';
import { reachabilityRules } from './alert-rules.js';
import type { AlertInput } from './alerts-port.js';
import type { NatKind, Verdict } from './verdict.js';

const now = new Date('2026-05-01T12:00:00Z');
const at = '2026-05-01T12:00:00.000Z';

const accepted = (family: Family, address: string, sources: string[], dissent: Answer[] = []) =>
  ({ kind: 'accepted', family, address, sources, dissent, rejected: [] }) satisfies Consensus;
const insufficient = (family: Family): Consensus => ({
  kind: 'insufficient',
  family,
  agreeing: 0,
  needed: 2,
  answers: [],
  unavailable: [
    { source: 'stun:a', reason: 'timeout' },
    { source: 'stun:b', reason: 'timeout' },
  ],
  rejected: [],
});

function verdict(kind: NatKind, over: { udp?: Verdict['ipv4']['udp']; remedies?: string[] } = {}): Verdict {
  return {
    level: 'unlikely',
    ipv4: {
      kind,
      publicAddress: null,
      mapping: 'unknown',
      udp: over.udp ?? 'ok',
      cgnat: 'not-ruled-out',
      portMapping: 'not-tried',
    },
    ipv6: { publicAddress: null, globalReachable: false },
    inbound: 'no',
    headline: `Headline for ${kind}.`,
    evidence: ['fact one', 'fact two'],
    remedies: over.remedies ?? ['First remedy.', 'Second remedy.'],
  };
}

function report(
  ipv4: Consensus,
  ipv6: Consensus = insufficient('ipv6'),
  v: Verdict = verdict('nat'),
): ReachabilityReport {
  return {
    at,
    verdict: v,
    consensus: { ipv4, ipv6 },
    sources: [],
    facts: {
      ipv4: { localAddresses: ['10.0.0.2'], stun: null, router: [], path: null, tcpWorks: true },
      ipv6: { localAddresses: ['2001:db8::2'], stun: null, router: [], path: null, tcpWorks: true },
      pathError: null,
      portMapping: null,
    },
  };
}

const state = (ipv4: string | null, ipv6: string | null = null): State['reachability'] => ({
  current: { ipv4, ipv6 },
});
const decided = [
  { rule: 'reach.offline', key: 'ipv4' },
  { rule: 'reach.cgnat', key: 'ipv4' },
  { rule: 'reach.double-nat', key: 'ipv4' },
  { rule: 'reach.udp-blocked', key: 'ipv4' },
];

/** A planned alert as the rules engine will store it: title and severity are always its rule's. */
function titled(a: AlertInput) {
  const rule = reachabilityRules[a.rule];
  return { ...a, title: titleOf(rule, a.details), severity: rule.severity };
}

describe('planReachabilityUpdate', () => {
  it('the first accepted address is history, not a change', () => {
    const plan = planReachabilityUpdate(
      { current: { ipv4: null, ipv6: null } },
      report(accepted('ipv4', '1.1.1.1', ['stun:a', 'stun:b'])),
      now,
    );
    expect(plan).toEqual({
      current: { ipv4: '1.1.1.1', ipv6: null },
      history: [{ at, family: 'ipv4', address: '1.1.1.1', previous: null, sources: ['stun:a', 'stun:b'] }],
      raise: [],
      clear: [{ rule: 'reach.sources-disagree', key: 'ipv4' }, ...decided],
    });
  });

  it('a new address is a change: history, and the change alert cleared then raised again', () => {
    const plan = planReachabilityUpdate(
      state('1.1.1.1'),
      report(accepted('ipv4', '2.2.2.2', ['stun:a', 'upnp'])),
      now,
    );
    expect({ ...plan, raise: plan.raise.map(titled) }).toEqual({
      current: { ipv4: '2.2.2.2', ipv6: null },
      history: [{ at, family: 'ipv4', address: '2.2.2.2', previous: '1.1.1.1', sources: ['stun:a', 'upnp'] }],
      raise: [
        {
          rule: 'reach.address-changed',
          key: 'ipv4',
          severity: 'info',
          title: 'Public IPv4 address changed',
          message: 'The public address changed from 1.1.1.1 to 2.2.2.2 (agreed by stun:a, upnp).',
          details: { family: 'ipv4', previous: '1.1.1.1', address: '2.2.2.2' },
        },
      ],
      clear: [
        { rule: 'reach.address-changed', key: 'ipv4' },
        { rule: 'reach.sources-disagree', key: 'ipv4' },
        ...decided,
      ],
    });
  });

  it('IPv6 changes on its own, with its own title', () => {
    const plan = planReachabilityUpdate(
      state('1.1.1.1', '2001:db8::1'),
      report(
        accepted('ipv4', '1.1.1.1', ['stun:a', 'stun:b']),
        accepted('ipv6', '2001:db8::2', ['stun:a', 'http:b']),
      ),
      now,
    );
    expect(plan.current).toEqual({ ipv4: '1.1.1.1', ipv6: '2001:db8::2' });
    expect(plan.history).toEqual([
      { at, family: 'ipv6', address: '2001:db8::2', previous: '2001:db8::1', sources: ['stun:a', 'http:b'] },
    ]);
    expect(plan.raise.map(titled)).toMatchObject([
      { rule: 'reach.address-changed', key: 'ipv6', title: 'Public IPv6 address changed' },
    ]);
    expect(plan.clear).toEqual([
      { rule: 'reach.sources-disagree', key: 'ipv4' },
      { rule: 'reach.address-changed', key: 'ipv6' },
      { rule: 'reach.sources-disagree', key: 'ipv6' },
      ...decided,
    ]);
  });

  it('the same address again changes nothing', () => {
    const plan = planReachabilityUpdate(
      state('1.1.1.1'),
      report(accepted('ipv4', '1.1.1.1', ['stun:a', 'stun:b'])),
      now,
    );
    expect(plan.current).toEqual({ ipv4: '1.1.1.1', ipv6: null });
    expect(plan.history).toEqual([]);
    expect(plan.raise).toEqual([]);
  });

  it('failing sources never erase a known address: every source unavailable keeps it, and no alert moves', () => {
    const previous = state('1.1.1.1', '2001:db8::1');
    const plan = planReachabilityUpdate(
      previous,
      report(insufficient('ipv4'), insufficient('ipv6'), verdict('offline', { udp: 'unknown' })),
      now,
    );
    expect(plan).toEqual({
      current: { ipv4: '1.1.1.1', ipv6: '2001:db8::1' },
      history: [],
      // Offline is a condition of its own; nothing else is raised or cleared.
      raise: [expect.objectContaining({ rule: 'reach.offline' })],
      clear: [],
    });
    expect(previous.current).toEqual({ ipv4: '1.1.1.1', ipv6: '2001:db8::1' });
  });

  it('a family the box has no address of any more, with no answer, ends its disagreement; failed sources alone do not', () => {
    const lost = report(insufficient('ipv4'), insufficient('ipv6'), verdict('unknown', { udp: 'unknown' }));
    const noV6 = { ...lost, facts: { ...lost.facts, ipv6: { ...lost.facts.ipv6, localAddresses: [] } } };
    const disagreeing = (r: ReachabilityReport) =>
      planReachabilityUpdate(state('1.1.1.1'), r, now).clear.filter(
        (c) => c.rule === 'reach.sources-disagree',
      );
    expect(disagreeing(noV6)).toEqual([{ rule: 'reach.sources-disagree', key: 'ipv6' }]);
    expect(disagreeing(lost)).toEqual([]);
    const oneAnswer: Consensus = {
      ...insufficient('ipv6'),
      answers: [{ source: 'stun:a', address: '2001:db8::9' }],
    } as Consensus;
    expect(disagreeing({ ...noV6, consensus: { ...noV6.consensus, ipv6: oneAnswer } })).toEqual([]);
  });

  it('sources that disagree publish nothing and raise an alert listing every answer', () => {
    const disagreement: Consensus = {
      kind: 'disagreement',
      family: 'ipv4',
      answers: [
        { source: 'stun:a', address: '1.1.1.1' },
        { source: 'http:x', address: '6.6.6.6' },
      ],
      rejected: [],
    };
    const plan = planReachabilityUpdate(state('1.1.1.1'), report(disagreement), now);
    expect(plan.current).toEqual({ ipv4: '1.1.1.1', ipv6: null });
    expect(plan.history).toEqual([]);
    expect(plan.raise.map(titled)).toEqual([
      {
        rule: 'reach.sources-disagree',
        key: 'ipv4',
        severity: 'warning',
        title: 'Address sources disagree (ipv4)',
        message: 'No address was published: the sources disagree (stun:a: 1.1.1.1; http:x: 6.6.6.6).',
        details: { family: 'ipv4', answers: 'stun:a: 1.1.1.1; http:x: 6.6.6.6' },
      },
    ]);
    expect(plan.clear).toEqual(decided);
  });

  it('a majority with dissent publishes the address and still raises the disagreement', () => {
    const plan = planReachabilityUpdate(
      state('1.1.1.1'),
      report(
        accepted('ipv4', '1.1.1.1', ['stun:a', 'stun:b'], [{ source: 'http:liar', address: '6.6.6.6' }]),
      ),
      now,
    );
    expect(plan.raise).toEqual([
      expect.objectContaining({
        rule: 'reach.sources-disagree',
        message:
          'The majority agreed on 1.1.1.1, but some sources answered otherwise (stun:a: 1.1.1.1; stun:b: 1.1.1.1; http:liar: 6.6.6.6).',
        details: { family: 'ipv4', answers: 'stun:a: 1.1.1.1; stun:b: 1.1.1.1; http:liar: 6.6.6.6' },
      }),
    ]);
    expect(plan.clear).toEqual(decided);
  });

  it.each<[string, Verdict, string[], string[]]>([
    ['CGNAT', verdict('cgnat'), ['reach.cgnat'], ['reach.offline', 'reach.double-nat', 'reach.udp-blocked']],
    [
      'double NAT',
      verdict('double-nat'),
      ['reach.double-nat'],
      ['reach.offline', 'reach.cgnat', 'reach.udp-blocked'],
    ],
    [
      'UDP blocked',
      verdict('public', { udp: 'blocked' }),
      ['reach.udp-blocked'],
      ['reach.offline', 'reach.cgnat', 'reach.double-nat'],
    ],
    ['NAT', verdict('nat'), [], ['reach.offline', 'reach.cgnat', 'reach.double-nat', 'reach.udp-blocked']],
    [
      'public',
      verdict('public'),
      [],
      ['reach.offline', 'reach.cgnat', 'reach.double-nat', 'reach.udp-blocked'],
    ],
    [
      'unknown keeps the NAT findings and ends offline (something answered)',
      verdict('unknown', { udp: 'unknown' }),
      [],
      ['reach.offline'],
    ],
    [
      'unknown with a STUN answer also ends UDP blocked',
      verdict('unknown'),
      [],
      ['reach.offline', 'reach.udp-blocked'],
    ],
    [
      'offline raises offline and keeps the NAT findings',
      verdict('offline', { udp: 'unknown' }),
      ['reach.offline'],
      [],
    ],
    [
      'offline with UDP blocked raises both',
      verdict('offline', { udp: 'blocked' }),
      ['reach.offline', 'reach.udp-blocked'],
      [],
    ],
  ])('verdict alerts: %s', (_name, v, raised, cleared) => {
    const plan = planReachabilityUpdate(
      state('1.1.1.1'),
      report(insufficient('ipv4'), insufficient('ipv6'), v),
      now,
    );
    expect(plan.raise.map((a) => a.rule)).toEqual(raised);
    expect(plan.clear).toEqual(cleared.map((rule) => ({ rule, key: 'ipv4' })));
  });

  it('a verdict alert carries the headline, the evidence, the first remedy and the inbound path', () => {
    const plan = planReachabilityUpdate(
      state('1.1.1.1'),
      report(insufficient('ipv4'), insufficient('ipv6'), verdict('cgnat')),
      now,
    );
    expect(plan.raise.map(titled)).toEqual([
      {
        rule: 'reach.cgnat',
        key: 'ipv4',
        severity: 'critical',
        title: 'Behind carrier-grade NAT',
        message: 'Headline for cgnat. Fact one; fact two.',
        remedy: 'First remedy.',
        details: { inbound: 'no', level: 'unlikely' },
      },
    ]);
    const titles = (v: Verdict) =>
      planReachabilityUpdate(
        state('1.1.1.1'),
        report(insufficient('ipv4'), insufficient('ipv6'), v),
        now,
      ).raise.map((a) => titled(a).title);
    expect(titles(verdict('double-nat'))).toEqual(['Behind two NATs']);
    expect(titles(verdict('nat', { udp: 'blocked' }))).toEqual(['UDP is blocked']);
  });

  it("a verdict without remedies leaves the rule's own remedy", () => {
    const plan = planReachabilityUpdate(
      state('1.1.1.1'),
      report(insufficient('ipv4'), insufficient('ipv6'), verdict('double-nat', { remedies: [] })),
      now,
    );
    expect(plan.raise[0]).toBeDefined();
    expect(plan.raise[0]).not.toHaveProperty('remedy');
  });
});

describe('planAddressAcceptance (an address settled at quorum while slow sources still run)', () => {
  it('the first address: current and history, no alert', () => {
    expect(
      planAddressAcceptance(
        state(null, '2001:db8::1'),
        accepted('ipv4', '1.1.1.1', ['stun:a', 'stun:b']),
        now,
      ),
    ).toEqual({
      current: { ipv4: '1.1.1.1', ipv6: '2001:db8::1' },
      history: [{ at, family: 'ipv4', address: '1.1.1.1', previous: null, sources: ['stun:a', 'stun:b'] }],
      raise: [],
      clear: [],
    });
  });

  it('the first address of the other family is no change either', () => {
    expect(
      planAddressAcceptance(state('1.1.1.1'), accepted('ipv6', '2001:db8::2', ['stun:c', 'http:d']), now),
    ).toEqual({
      current: { ipv4: '1.1.1.1', ipv6: '2001:db8::2' },
      history: [
        { at, family: 'ipv6', address: '2001:db8::2', previous: null, sources: ['stun:c', 'http:d'] },
      ],
      raise: [],
      clear: [],
    });
  });

  it('a change: the change alert cleared, then raised again', () => {
    const plan = planAddressAcceptance(
      state('1.1.1.1'),
      accepted('ipv4', '2.2.2.2', ['stun:a', 'upnp']),
      now,
    );
    expect(plan).toEqual({
      current: { ipv4: '2.2.2.2', ipv6: null },
      history: [{ at, family: 'ipv4', address: '2.2.2.2', previous: '1.1.1.1', sources: ['stun:a', 'upnp'] }],
      raise: [
        {
          rule: 'reach.address-changed',
          key: 'ipv4',
          message: 'The public address changed from 1.1.1.1 to 2.2.2.2 (agreed by stun:a, upnp).',
          details: { family: 'ipv4', previous: '1.1.1.1', address: '2.2.2.2' },
        },
      ],
      clear: [{ rule: 'reach.address-changed', key: 'ipv4' }],
    });
  });

  it('the address already current changes nothing', () => {
    expect(
      planAddressAcceptance(state('1.1.1.1'), accepted('ipv4', '1.1.1.1', ['stun:a', 'stun:b']), now),
    ).toEqual({
      current: { ipv4: '1.1.1.1', ipv6: null },
      history: [],
      raise: [],
      clear: [],
    });
  });
});

describe('planReachabilityUpdate after an acceptance at quorum', () => {
  it('the address accepted at quorum is in the store: the report adds the late dissent, not a second change', () => {
    const previous = state('1.1.1.1');
    const settled = planAddressAcceptance(previous, accepted('ipv4', '2.2.2.2', ['stun:a', 'stun:b']), now);
    const plan = planReachabilityUpdate(
      settled,
      report(accepted('ipv4', '2.2.2.2', ['stun:a', 'stun:b'], [{ source: 'upnp', address: '9.9.9.9' }])),
      now,
    );
    expect(plan.current).toEqual(settled.current);
    expect(plan.history).toEqual([]);
    expect(plan.raise.map((a) => `${a.rule}/${a.key}`)).toEqual(['reach.sources-disagree/ipv4']);
  });
});
