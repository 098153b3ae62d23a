import { describe, expect, it } from 'vitest';
import { planStaleConditions } from './condition-alerts.js';

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
