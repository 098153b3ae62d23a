import { describe, expect, it } from 'vitest';
import { createRuleRegistry } from '../alerts/catalogue.js';
import { certRules } from './alert-rules.js';
import {
  certConditionRules,
  describeLeft,
  expiringFraction,
  failureRemedies,
  failuresBeforeAlert,
  planCertConditions,
  type CertConditionSlice,
  type CertConditionState,
} from './conditions.js';

const now = new Date('2026-11-28T12:00:00.000Z');
const hour = 3_600_000;
const day = 24 * hour;
const iso = (offsetMs: number) => new Date(now.getTime() + offsetMs).toISOString();
const names = ['home.example.com'];
/** A certificate of `days` that has `leftMs` to go. */
const current = (days: number, leftMs: number, certNames = names) => ({
  names: certNames,
  notBefore: iso(leftMs - days * day),
  notAfter: iso(leftMs),
});
const noRenewal: CertConditionSlice['renewal'] = { ari: null, failures: 0, lastError: null };
const cert: CertConditionSlice = {
  certificate: { names },
  current: current(90, 50 * day),
  renewal: noRenewal,
};
const base: CertConditionState = {
  enabled: true,
  cert,
  now,
  challenge: 'http-01',
  http01Listener: { ok: true },
  port80Reachable: true,
};
type LastError = NonNullable<CertConditionSlice['renewal']['lastError']>;
const lastError = (kind: LastError['kind'], challenge: LastError['challenge'] = null): LastError => ({
  at: iso(-hour),
  kind,
  message: 'the CA said no',
  challenge,
});
const failing = (
  failures: number,
  error: LastError | null,
  slice: CertConditionSlice = cert,
): CertConditionState => ({
  ...base,
  cert: { ...slice, renewal: { ...slice.renewal, failures, lastError: error } },
});
const rules = (state: CertConditionState) => planCertConditions(state).map((c) => c.rule);

describe('the certificate rules', () => {
  it('register under cert.* and are all conditions told when they end', () => {
    const registry = createRuleRegistry(certRules);
    expect(registry.ids()).toEqual([
      'cert.renewal-failed',
      'cert.expiring',
      'cert.expired',
      'cert.http01-unreachable',
    ]);
    expect(certConditionRules).toEqual(registry.ids());
    for (const id of registry.ids()) {
      const rule = registry.get(id);
      expect(rule?.kind).toBe('condition');
      expect(rule?.notifyOnClear).toBe(true);
      expect(rule?.remedy.length).toBeGreaterThan(80);
    }
    expect(certRules['cert.expired'].severity).toBe('critical');
    expect(certRules['cert.expiring'].severity).toBe('warning');
    expect(certRules['cert.renewal-failed'].severity).toBe('warning');
    expect(certRules['cert.http01-unreachable'].severity).toBe('warning');
  });

  it('titles name the hostname, or say "the hostname" without one', () => {
    expect(certRules['cert.renewal-failed'].title({ names: 'a.example' })).toBe(
      'Getting a certificate for a.example is failing',
    );
    expect(certRules['cert.expiring'].title({ names: 'a.example' })).toBe(
      'The certificate for a.example expires soon',
    );
    expect(certRules['cert.expired'].title({ names: 'a.example' })).toBe(
      'The certificate for a.example has expired',
    );
    expect(certRules['cert.expired'].title({})).toBe('The certificate for the hostname has expired');
    expect(certRules['cert.expired'].title({ names: '' })).toBe(
      'The certificate for the hostname has expired',
    );
    expect(certRules['cert.expired'].title({ names: 3 })).toBe(
      'The certificate for the hostname has expired',
    );
    expect(certRules['cert.http01-unreachable'].title).toBe(
      'The CA cannot reach port 80 for the HTTP-01 challenge',
    );
  });

  it('remedies a home user can act on', () => {
    expect(certRules['cert.http01-unreachable'].remedy).toContain('Forward TCP port 80');
    expect(certRules['cert.http01-unreachable'].remedy).toContain('DNS-01');
    expect(certRules['cert.expiring'].remedy).toContain('Renew now');
  });
});

describe('describeLeft', () => {
  it.each([
    [62 * day + 5 * hour, '62 days'],
    [2 * day, '2 days'],
    [2 * day - 1, '47 hours'],
    [2 * hour, '2 hours'],
    [hour, '1 hour'],
    [hour - 1, 'less than an hour'],
    [0, 'less than an hour'],
  ])('%d ms: %s', (ms, text) => {
    expect(describeLeft(ms)).toBe(text);
  });
});

describe('planCertConditions', () => {
  it('alerts after three failures in a row, and lifetimes below a sixth', () => {
    expect(failuresBeforeAlert).toBe(3);
    expect(expiringFraction).toBe(1 / 6);
  });

  it('holds nothing while all is well', () => {
    expect(planCertConditions(base)).toEqual([]);
  });

  it('nothing while certificates are off or none is set up, however broken', () => {
    const broken: CertConditionState = {
      ...failing(9, lastError('config')),
      http01Listener: { ok: false, listen: '0.0.0.0:80', message: 'EADDRINUSE' },
    };
    expect(rules(broken)).toEqual(['cert.renewal-failed', 'cert.http01-unreachable']);
    expect(planCertConditions({ ...broken, enabled: false })).toEqual([]);
    expect(planCertConditions({ ...broken, cert: { ...broken.cert, certificate: null } })).toEqual([]);
  });

  describe('cert.renewal-failed', () => {
    it.each([
      ['two transient failures: not yet', 2, 'transient', false],
      ['three: raised', 3, 'transient', true],
      ['one config failure: at once', 1, 'config', true],
      ['a success since (failures 0, the error kept): no', 0, 'config', false],
    ] as const)('%s', (_name, failures, kind, raised) => {
      expect(rules(failing(failures, lastError(kind))).includes('cert.renewal-failed')).toBe(raised);
    });

    it('no error recorded: nothing to tell', () => {
      expect(planCertConditions(failing(5, null))).toEqual([]);
    });

    it('renewing: the count and the last error; the rule says what to do', () => {
      expect(planCertConditions(failing(4, lastError('transient')))).toEqual([
        {
          rule: 'cert.renewal-failed',
          key: '',
          message: 'Renewing the certificate for home.example.com failed 4 times in a row: the CA said no',
          details: { names: 'home.example.com', failures: 4, kind: 'transient', challenge: null },
        },
      ]);
    });

    it('issuing the first one, for all wanted names, with a configuration error', () => {
      const slice = { ...cert, certificate: { names: ['a.example', 'b.example'] }, current: null };
      const [alert] = planCertConditions(failing(1, lastError('config'), slice));
      expect(alert?.message).toBe(
        'Issuing the certificate for a.example, b.example failed with a configuration error: the CA said no',
      );
      expect(alert?.details).toEqual({
        names: 'a.example, b.example',
        failures: 1,
        kind: 'config',
        challenge: null,
      });
      expect(alert?.remedy).toContain('External Account Binding');
      expect(alert?.remedy).toContain('once a day');
    });

    it('the remedies by failure, word for word', () => {
      expect(failureRemedies).toEqual({
        config:
          "Check what the error names on the Certificates page: the directory URL, the email and the CA's terms " +
          '(agree to them again if they changed), the External Account Binding key ID and HMAC key (ZeroSSL, ' +
          'Google), the names (a CAA record may forbid this CA). Gatehouse tries once a day until the settings change.',
        'http-01':
          'The CA could not fetch the HTTP-01 token from port 80. Forward TCP 80 on the router to this box (or ' +
          'turn on UPnP / NAT-PMP), or switch the certificate to DNS-01 with a DNS provider account that can ' +
          'write TXT records.',
        'dns-01':
          'The CA did not see the DNS-01 TXT record. Check that the DNS provider account can write TXT records ' +
          "for the name and that all of the zone's authoritative servers serve it.",
        'rate-limited':
          'The CA limits how many certificates and failed validations it allows; Gatehouse waits as long as the ' +
          'CA asks. Do not press "Renew now" repeatedly: each try counts against the limit.',
        unreachable:
          'Gatehouse could not reach the CA: check the internet connection and DNS of this box, the directory URL, ' +
          'and for a private CA the extra CA bundle on the Certificates page.',
      });
    });

    it.each([
      ['config', null, failureRemedies.config],
      ['challenge', 'http-01', failureRemedies['http-01']],
      ['challenge', 'dns-01', failureRemedies['dns-01']],
      ['rate-limited', null, failureRemedies['rate-limited']],
      ['unreachable', null, failureRemedies.unreachable],
      ['unreachable', 'http-01', failureRemedies.unreachable],
    ] as const)('a %s failure (%s) carries its own remedy', (kind, challenge, remedy) => {
      const [alert] = planCertConditions(failing(3, lastError(kind, challenge)));
      expect(alert?.remedy).toBe(remedy);
    });

    it.each([
      ['rejected', null],
      ['transient', null],
      ['challenge', null],
    ] as const)('a %s failure leaves the rule its remedy', (kind, challenge) => {
      const [alert] = planCertConditions(failing(3, lastError(kind, challenge)));
      expect(alert).toBeDefined();
      expect(alert && 'remedy' in alert).toBe(false);
    });
  });

  describe('expiry', () => {
    const expiring = (days: number, leftMs: number, renewal = noRenewal): CertConditionState => ({
      ...base,
      cert: { ...cert, current: current(days, leftMs, ['old.example.com']), renewal },
    });

    it.each([
      ['90-day, 15 days left: not yet', 90, 15 * day, []],
      ['90-day, a moment less: expiring', 90, 15 * day - 1, ['cert.expiring']],
      ['45-day, 7 days left: expiring', 45, 7 * day, ['cert.expiring']],
      ['45-day, 8 days left: not yet', 45, 8 * day, []],
      ['6-day, 25 hours left: not yet', 6, 25 * hour, []],
      ['6-day, 23 hours left: expiring', 6, 23 * hour, ['cert.expiring']],
      ['expiring this instant: expired', 90, 0, ['cert.expired']],
      ['a day past: expired', 90, -day, ['cert.expired']],
    ])('%s', (_name, days, left, expected) => {
      expect(rules(expiring(days, left))).toEqual(expected);
    });

    it('expiring: how long, when, about the names it serves', () => {
      expect(planCertConditions(expiring(6, 23 * hour))).toEqual([
        {
          rule: 'cert.expiring',
          key: '',
          message: `The certificate for old.example.com expires in 23 hours (${iso(23 * hour)}) and has not been renewed.`,
          details: { names: 'old.example.com', notAfter: iso(23 * hour) },
        },
      ]);
    });

    it('expiring while renewal fails: the last error too', () => {
      const renewal = { ...noRenewal, failures: 1, lastError: lastError('unreachable') };
      expect(planCertConditions(expiring(90, 3 * day, renewal))[0]?.message).toBe(
        `The certificate for old.example.com expires in 3 days (${iso(3 * day)}) and has not been renewed; ` +
          'the last attempt failed: the CA said no',
      );
      // Failures without a recorded error: nothing more to say.
      const unknown = { ...noRenewal, failures: 2, lastError: null };
      expect(planCertConditions(expiring(90, 3 * day, unknown))[0]?.message).toMatch(/renewed\.$/);
      // A kept error of an earlier, since successful, attempt is not news.
      const old = { ...noRenewal, failures: 0, lastError: lastError('unreachable') };
      expect(planCertConditions(expiring(90, 3 * day, old))[0]?.message).toMatch(/renewed\.$/);
    });

    it('several names, as served', () => {
      const state = { ...base, cert: { ...cert, current: current(90, -day, ['a.example', 'b.example']) } };
      expect(planCertConditions(state)[0]?.message).toMatch(
        /^The certificate for a\.example, b\.example expired/,
      );
      expect(planCertConditions(state)[0]?.details).toMatchObject({ names: 'a.example, b.example' });
    });

    it('expired: when, about the names it serves', () => {
      expect(planCertConditions(expiring(90, -day))).toEqual([
        {
          rule: 'cert.expired',
          key: '',
          message: `The certificate for old.example.com expired at ${iso(-day)}; browsers refuse it.`,
          details: { names: 'old.example.com', notAfter: iso(-day) },
        },
      ]);
    });

    it("not while the CA's renewal window is still ahead and nothing failed: that is its schedule", () => {
      const ari = (endMs: number) => ({ start: iso(-day), end: iso(endMs) });
      expect(rules(expiring(90, 3 * day, { ...noRenewal, ari: ari(hour) }))).toEqual([]);
      expect(rules(expiring(90, 3 * day, { ...noRenewal, ari: ari(0) }))).toEqual(['cert.expiring']);
      expect(rules(expiring(90, 3 * day, { ...noRenewal, ari: ari(-hour) }))).toEqual(['cert.expiring']);
      expect(
        rules(expiring(90, 3 * day, { ari: ari(hour), failures: 1, lastError: lastError('transient') })),
      ).toEqual(['cert.expiring']);
    });
  });

  describe('cert.http01-unreachable', () => {
    it('the port-80 listener could not start: why, and what to do', () => {
      expect(
        planCertConditions({
          ...base,
          http01Listener: { ok: false, listen: '0.0.0.0:80', message: 'EACCES: permission denied' },
          port80Reachable: false,
        }),
      ).toEqual([
        {
          rule: 'cert.http01-unreachable',
          key: '',
          message:
            'Gatehouse could not listen on 0.0.0.0:80 for the HTTP-01 challenge: EACCES: permission denied',
          remedy:
            'Another program (a web server?) holds port 80, or Gatehouse lacks the right to bind it. Stop that ' +
            'program or change acme.http01.listen (the systemd unit grants CAP_NET_BIND_SERVICE), or switch the ' +
            'certificate to DNS-01 on the Certificates page.',
          details: { names: 'home.example.com' },
        },
      ]);
    });

    it('port 80 not reachable from outside: the rule says what to do', () => {
      expect(planCertConditions({ ...base, port80Reachable: false })).toEqual([
        {
          rule: 'cert.http01-unreachable',
          key: '',
          message:
            'Port 80 of this box is not reachable from the internet, so the CA cannot validate home.example.com over HTTP-01.',
          details: { names: 'home.example.com' },
        },
      ]);
    });

    it('not known yet, or DNS-01 chosen, or no challenge possible: nothing', () => {
      expect(planCertConditions({ ...base, port80Reachable: null })).toEqual([]);
      const down = {
        http01Listener: { ok: false, listen: ':80', message: 'EADDRINUSE' },
        port80Reachable: false,
      };
      expect(planCertConditions({ ...base, ...down, challenge: 'dns-01' })).toEqual([]);
      expect(planCertConditions({ ...base, ...down, challenge: null })).toEqual([]);
    });
  });

  it('several at once, in a fixed order', () => {
    const state: CertConditionState = {
      ...base,
      port80Reachable: false,
      cert: {
        certificate: { names },
        current: current(90, -hour),
        renewal: { ari: null, failures: 7, lastError: lastError('challenge', 'http-01') },
      },
    };
    expect(rules(state)).toEqual(['cert.renewal-failed', 'cert.expired', 'cert.http01-unreachable']);
  });
});
