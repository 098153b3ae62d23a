import { describe, expect, it } from 'vitest';
import { planStaleConditions, planVerdictAlerts } from './condition-alerts.js';
import type { Verdict } from './verdict.js';

const active = [
  { rule: 'reach.cgnat', key: 'ipv4' },
  { rule: 'reach.port-mapping-lost', key: '51820' },
  { rule: 'reach.port-mapping-refused', key: '51820' },
  { rule: 'reach.port-mapping-refused', key: '51000' },
];
const on = { enabled: true, portMapping: { enabled: true, port: 51820 } };

describe('planStaleConditions', () => {
  it('keeps what the settings can still clear', () => {
    expect(planStaleConditions(active.slice(0, 3), on)).toEqual([]);
  });

  it('clears every condition when the checks are off: nobody would clear them', () => {
    expect(planStaleConditions(active, { ...on, enabled: false })).toEqual(active);
  });

  it('clears the port mapping’s conditions when mapping is off, and those of another port', () => {
    expect(planStaleConditions(active, { ...on, portMapping: { enabled: false, port: 51820 } })).toEqual(
      active.slice(1),
    );
    expect(planStaleConditions(active, on)).toEqual([{ rule: 'reach.port-mapping-refused', key: '51000' }]);
  });
});

describe('planVerdictAlerts', () => {
  const verdict = (evidence: string[]): Verdict => ({
    level: 'impossible',
    ipv4: {
      kind: 'cgnat',
      publicAddress: null,
      mapping: 'unknown',
      udp: 'ok',
      cgnat: 'found',
      portMapping: 'not-tried',
    },
    ipv6: { publicAddress: null, globalReachable: false },
    inbound: 'no',
    headline: 'Behind CGNAT.',
    evidence,
    remedies: [],
  });
  it('writes the evidence after the headline as one sentence, whatever its ending', () => {
    const message = (evidence: string[]) => planVerdictAlerts(verdict(evidence)).raise[0]?.message;
    expect(message(['the hop is 100.64.0.1', 'the router says 100.64.0.9'])).toBe(
      'Behind CGNAT. The hop is 100.64.0.1; the router says 100.64.0.9.',
    );
    expect(message(['Already a sentence.'])).toBe('Behind CGNAT. Already a sentence.');
    expect(message([])).toBe('Behind CGNAT.');
    expect(planVerdictAlerts(verdict([])).raise[0]).not.toHaveProperty('remedy');
  });
});
