import { describe, expect, it } from 'vitest';
import { decideAddress, type ConsensusPolicy } from './consensus.js';
import { planSettlement } from './settle-plan.js';
import { known, unavailable, type SourceResult } from './types.js';

const A = '203.0.113.7';
const B = '203.0.113.8';
const policy: ConsensusPolicy = { quorum: 2, trustedSource: null, publicRanges: ['203.0.113.0/24'] };
const k = (source: string, address: string): SourceResult => known(source, 'ipv4', address);
const u = (source: string): SourceResult => unavailable(source, 'ipv4', 'no answer');

describe('planSettlement', () => {
  it.each<[string, SourceResult[], string[], Partial<ConsensusPolicy>, string]>([
    ['nothing answered yet', [], ['stun:a', 'stun:b'], {}, 'wait: no address agreed yet (insufficient)'],
    ['one answer is no quorum', [k('stun:a', A)], ['pcp'], {}, 'wait: no address agreed yet (insufficient)'],
    [
      'a tie so far',
      [k('stun:a', A), k('http:c', B)],
      ['pcp'],
      {},
      'wait: no address agreed yet (disagreement)',
    ],
    [
      'two STUN servers agree, the router is pending (one vote)',
      [k('stun:a', A), k('stun:b', A)],
      ['pcp'],
      {},
      `settled: ${A}`,
    ],
    [
      'PCP, NAT-PMP and UPnP pending are one router: one vote',
      [k('stun:a', A), k('stun:b', A), u('interface')],
      ['pcp', 'natpmp', 'upnp'],
      {},
      `settled: ${A}`,
    ],
    [
      'two pending echoes could make a tie with a new address',
      [k('stun:a', A), k('stun:b', A)],
      ['http:c', 'dns:d'],
      {},
      `wait: ${A} has 2 votes; the pending sources (http:c, dns:d) could give another address 2`,
    ],
    [
      'three agree against two pending echoes',
      [k('stun:a', A), k('stun:b', A), k('interface', A)],
      ['http:c', 'dns:d'],
      {},
      `settled: ${A}`,
    ],
    [
      'a dissenter plus the pending router could tie',
      [k('stun:a', A), k('stun:b', A), k('http:c', B)],
      ['pcp'],
      {},
      `wait: ${A} has 2 votes; the pending sources (pcp) could give another address 2`,
    ],
    [
      'a dissenter plus the pending router cannot reach three',
      [k('stun:a', A), k('stun:b', A), k('dns:d', A), k('http:c', B)],
      ['pcp'],
      {},
      `settled: ${A}`,
    ],
    [
      'a pending router whose group already voted for the dissent adds nothing to it',
      [k('stun:a', A), k('stun:b', A), k('natpmp', B)],
      ['pcp'],
      {},
      `settled: ${A}`,
    ],
    [
      'a pending router whose group already voted for the address can still vote for a rival',
      [k('stun:a', A), k('natpmp', A), k('http:c', B)],
      ['pcp'],
      {},
      `wait: ${A} has 2 votes; the pending sources (pcp) could give another address 2`,
    ],
    [
      'every source answered: the decision is final',
      [k('stun:a', A), k('stun:b', A), k('http:c', B)],
      [],
      {},
      `settled: ${A}`,
    ],
    [
      'quorum 1: one answer settles only with nothing pending',
      [k('stun:a', A)],
      ['http:c'],
      { quorum: 1 },
      `wait: ${A} has 1 votes; the pending sources (http:c) could give another address 1`,
    ],
    ['quorum 1, nothing pending', [k('stun:a', A), u('http:c')], [], { quorum: 1 }, `settled: ${A}`],
    [
      'a bogon answer is no vote and no rival',
      [k('stun:a', A), k('stun:b', A), k('upnp', '100.64.0.2')],
      ['http:c'],
      {},
      `settled: ${A}`,
    ],
    [
      'a trusted source still pending is waited for, however many agree',
      [k('stun:a', A), k('stun:b', A), k('stun:c', A)],
      ['pcp', 'natpmp'],
      { trustedSource: 'router' },
      'wait: the trusted source router has not answered yet (pcp, natpmp)',
    ],
    [
      'a trusted source (by id) still pending is waited for',
      [k('stun:b', A), k('stun:c', A)],
      ['stun:a', 'pcp'],
      { trustedSource: 'stun:a' },
      'wait: the trusted source stun:a has not answered yet (stun:a)',
    ],
    [
      'a trusted answer settles alone, whoever is pending (the votes alone would wait)',
      [k('natpmp', B), k('stun:a', B)],
      ['stun:b', 'http:c'],
      { trustedSource: 'router' },
      `settled: ${B}`,
    ],
    [
      'one router protocol trusted by its id: pending, it is waited for',
      [k('stun:a', A), k('stun:b', A), k('http:c', A)],
      ['natpmp'],
      { trustedSource: 'natpmp' },
      'wait: the trusted source natpmp has not answered yet (natpmp)',
    ],
    [
      'one router protocol trusted by its id: its answer settles alone',
      [k('natpmp', B), k('stun:a', A)],
      ['stun:b', 'http:c'],
      { trustedSource: 'natpmp' },
      `settled: ${B}`,
    ],
    [
      'a trusted answer by id settles alone',
      [k('stun:a', A)],
      ['stun:b', 'http:c'],
      { trustedSource: 'stun:a', quorum: 3 },
      `settled: ${A}`,
    ],
    [
      'a trusted source that gave no address leaves the vote to the others',
      [u('pcp'), u('natpmp'), u('upnp'), k('stun:a', A), k('stun:b', A)],
      ['http:c'],
      { trustedSource: 'router' },
      `settled: ${A}`,
    ],
    [
      'a trusted source that gave no address: pending echoes can still tie',
      [u('upnp'), k('stun:a', A), k('stun:b', A)],
      ['http:c', 'dns:d'],
      { trustedSource: 'router' },
      `wait: ${A} has 2 votes; the pending sources (http:c, dns:d) could give another address 2`,
    ],
  ])('%s', (_name, answered, pending, overrides, expected) => {
    const p = { ...policy, ...overrides };
    const s = planSettlement('ipv4', answered, pending, p);
    expect(s.kind === 'settled' ? `settled: ${s.consensus.address}` : `${s.kind}: ${s.reason}`).toBe(
      expected,
    );
  });

  it('a settled consensus is what the answers so far decide (agreeing sources, dissent, rejected)', () => {
    const answered = [k('stun:a', A), k('stun:b', A), k('dns:d', A), k('http:c', B), k('upnp', '10.0.0.1')];
    expect(planSettlement('ipv4', answered, ['pcp'], policy)).toEqual({
      kind: 'settled',
      consensus: decideAddress('ipv4', answered, policy),
    });
  });

  it('answers of the other family do not count', () => {
    const v6 = known('stun:c', 'ipv6', '2001:db8::1');
    expect(planSettlement('ipv4', [k('stun:a', A), v6], [], { ...policy, quorum: 1 })).toMatchObject({
      kind: 'settled',
      consensus: { sources: ['stun:a'] },
    });
    expect(planSettlement('ipv6', [k('stun:a', A), k('stun:b', A)], [], policy)).toMatchObject({
      kind: 'wait',
    });
  });

  /**
   * Every situation of five sources (two STUN servers, an HTTP echo, and PCP + NAT-PMP as one router), each
   * answered (nothing, A or B) or pending, under quorum 1, 2 and 3 and with a trusted source (a group, an id): when the
   * planner says "settled with X", every way the pending sources could answer (nothing, A, B, a third address)
   * leads the final decision to accept X. Without a trusted source it is also never more careful than needed:
   * when it waits, some way of answering leads to another outcome.
   */
  it('settled means no way of answering by the pending sources changes the address; waiting means one could', () => {
    const ids = ['stun:a', 'stun:b', 'http:c', 'pcp', 'natpmp'] as const;
    const C = '203.0.113.9';
    const answers = (id: string, choice: number): SourceResult[] =>
      [[u(id)], [k(id, A)], [k(id, B)], [k(id, C)]][choice] ?? [];
    const counted = { settled: 0, waited: 0 };
    const policies: [string | null, number][] = [
      [null, 1],
      [null, 2],
      [null, 3],
      ['router', 2],
      ['stun:a', 1],
    ];
    for (const [trustedSource, quorum] of policies) {
      const p = { ...policy, quorum, trustedSource };
      // Each source: 0 nothing, 1 A, 2 B, 3 pending.
      for (let situation = 0; situation < 4 ** ids.length; situation++) {
        const state = ids.map((_, i) => Math.floor(situation / 4 ** i) % 4);
        const answered = ids.flatMap((id, i) => (state[i] === 3 ? [] : answers(id, state[i] ?? 0)));
        const pending = ids.filter((_, i) => state[i] === 3);
        const plan = planSettlement('ipv4', answered, pending, p);
        const outcomes = new Set<string>();
        for (let completion = 0; completion < 4 ** pending.length; completion++) {
          const all = ids.flatMap((id, i) => {
            if (state[i] !== 3) return answers(id, state[i] ?? 0);
            const slot = pending.indexOf(id);
            return answers(id, Math.floor(completion / 4 ** slot) % 4);
          });
          const final = decideAddress('ipv4', all, p);
          outcomes.add(final.kind === 'accepted' ? final.address : final.kind);
        }
        if (plan.kind === 'settled') {
          counted.settled++;
          expect([...outcomes], JSON.stringify({ p, answered, pending })).toEqual([plan.consensus.address]);
        } else if (
          trustedSource === null &&
          pending.length > 0 &&
          decideAddress('ipv4', answered, p).kind === 'accepted'
        ) {
          counted.waited++;
          expect(outcomes.size, JSON.stringify({ p, answered, pending })).toBeGreaterThan(1);
        }
      }
    }
    // The table above is not vacuous: both answers occur often.
    expect(counted.settled).toBeGreaterThan(1000);
    expect(counted.waited).toBeGreaterThan(100);
  });
});
