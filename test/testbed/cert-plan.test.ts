/**
 * @module The bed's parts for the certificate e2e, on the pure plan: the router's static web forwards (on, off,
 * only where a forward can work, addresses only in the bed's ranges) and pebble's short-lived certificates.
 */
import { describe, expect, it } from 'vitest';
import {
  addr,
  noWebForward,
  pebbleConfig,
  scenarioShape,
  webForwardRuleset,
  webForwardTable,
} from './plan.js';

const nat = scenarioShape('nat');

describe('webForwardRuleset', () => {
  it('off: only makes sure the table is gone (create-then-delete never fails)', () => {
    expect(webForwardRuleset(nat, noWebForward)).toBe(
      `table ip ${webForwardTable}\ndelete table ip ${webForwardTable}\n`,
    );
  });

  it('HTTP: public TCP 80 on the WAN and, hairpin, from the LAN to the router’s own addresses → the box’s :80', () => {
    const script = webForwardRuleset(nat, { http: true, httpsToPort: null });
    const rules = script.split('\n').filter((l) => l.includes('dnat'));
    expect(rules.map((r) => r.trim())).toEqual([
      `iifname "wan-pub" tcp dport 80 dnat ip to ${addr.gwLan}:80`,
      `iifname "br-lan" ip daddr != ${addr.lanPrefix} fib daddr type local tcp dport 80 dnat ip to ${addr.gwLan}:80`,
    ]);
    expect(script).toContain('type nat hook prerouting priority dstnat + 1; policy accept;');
  });

  it('HTTPS: public 443 → the given port of the box, with or without HTTP', () => {
    const both = webForwardRuleset(nat, { http: true, httpsToPort: 8443 });
    expect(both).toContain(`iifname "wan-pub" tcp dport 443 dnat ip to ${addr.gwLan}:8443`);
    expect(both).toContain(`iifname "wan-pub" tcp dport 80 dnat ip to ${addr.gwLan}:80`);
    const https = webForwardRuleset(nat, { http: false, httpsToPort: 8443 });
    expect(https).toContain('tcp dport 443');
    expect(https).not.toContain('tcp dport 80 ');
  });

  it.each(['cgnat', 'double-nat', 'public', 'cgnat-v6'] as const)(
    '%s: no forward (the router has no public address of its own there)',
    (s) => {
      expect(webForwardRuleset(scenarioShape(s), { http: true, httpsToPort: 8443 })).not.toContain('dnat');
    },
  );
});

describe('pebbleConfig', () => {
  it('a certificate lifetime only when asked for (pebble’s default stays five years)', () => {
    const plain = JSON.parse(pebbleConfig('/d')) as { pebble: Record<string, unknown> };
    expect(plain.pebble).not.toHaveProperty('certificateValidityPeriod');
    const short = JSON.parse(pebbleConfig('/d', { certificateValiditySeconds: 90 })) as typeof plain;
    expect(short.pebble.certificateValidityPeriod).toBe(90);
    expect(short.pebble.listenAddress).toBe(`${addr.acme}:14000`);
  });
});
