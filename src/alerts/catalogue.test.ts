/** @module The rule registry built from the capabilities' rule sets. */
import { describe, expect, it } from 'vitest';
import { createRuleRegistry, meetsSeverity, titleOf, type RuleDefinition } from './catalogue.js';

const rule = (over: Partial<RuleDefinition> = {}): RuleDefinition => ({
  title: 'T',
  severity: 'warning',
  remedy: 'R',
  kind: 'condition',
  notifyOnClear: true,
  ...over,
});

describe('rule registry', () => {
  it('holds every capability’s rules by id and nothing else', () => {
    const a = rule();
    const b = rule({ severity: 'critical' });
    const rules = createRuleRegistry({ 'reach.a': a }, { 'ddns.update-failing': b });
    expect(rules.get('reach.a')).toBe(a);
    expect(rules.get('ddns.update-failing')).toBe(b);
    expect(rules.get('cert.expiring')).toBeUndefined();
    expect(rules.ids()).toEqual(['reach.a', 'ddns.update-failing']);
  });

  it('refuses an id claimed twice and ids that are not <capability>.<name>', () => {
    expect(() => createRuleRegistry({ 'reach.a': rule() }, { 'reach.a': rule() })).toThrow(
      'alert rule "reach.a" is registered twice',
    );
    for (const bad of ['cgnat', 'Reach.cgnat', 'reach.', '.cgnat', 'reach.cg nat', 'reach.a.b', 'reach.-a'])
      expect(() => createRuleRegistry({ [bad]: rule() }), bad).toThrow('is not <capability>.<name>');
    for (const good of ['ddns-2.update-failing-now', 'port-mapper.lost', 'wg.peer-expired'])
      expect(() => createRuleRegistry({ [good]: rule() }), good).not.toThrow();
  });

  it('titles an alert from its details when the rule says how', () => {
    const byFamily = rule({ title: (d) => `changed (${String(d['family'])})` });
    expect(titleOf(byFamily, { family: 'ipv6' })).toBe('changed (ipv6)');
    expect(titleOf(rule(), { family: 'ipv6' })).toBe('T');
  });

  it.each([
    ['info', 'info', true],
    ['info', 'warning', false],
    ['warning', 'info', true],
    ['warning', 'critical', false],
    ['critical', 'warning', true],
    ['critical', 'critical', true],
  ] as const)('%s meets a minimum of %s: %s', (severity, minimum, expected) => {
    expect(meetsSeverity(severity, minimum)).toBe(expected);
  });
});
