import { describe, expect, it } from 'vitest';
import { collectCards } from '../status/cards.js';
import { certRules } from './alert-rules.js';
import { certCard, certCardOf, type CertCardInput, type CertCardSlice } from './status-card.js';
import type { RenewalPlan } from './renewal.js';

const now = new Date('2026-11-28T12:00:00.000Z');
const hour = 3_600_000;
const day = 24 * hour;
const minute = 60_000;
const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);
const iso = (offsetMs: number) => at(offsetMs).toISOString();
const names = ['home.example.com'];
const current = {
  names,
  issuer: 'Pebble Intermediate CA 1a2b3c',
  notBefore: iso(-28 * day),
  notAfter: iso(62 * day + 5 * hour),
  challenge: 'http-01' as const,
};
const cert: CertCardSlice = {
  certificate: { names },
  current,
  renewal: { failures: 0, lastError: null },
};
const ariWait: RenewalPlan = {
  action: 'wait',
  until: new Date('2027-01-27T14:05:00.000Z'),
  basis: 'ari',
  reason: 'Renews around 2027-01-27 14:05 UTC, a time picked in the CA’s renewal window (ARI)',
};
const base: CertCardInput = {
  enabled: true,
  cert,
  serving: { kind: 'acme' },
  plan: ariWait,
  running: null,
  conditions: [],
  now,
};
const okFacts = [
  { label: 'Names', value: 'home.example.com' },
  { label: 'Expires', value: '2027-01-29 17:00 UTC', at: '2027-01-29T17:00:00.000Z' },
  { label: 'Issuer', value: 'Pebble Intermediate CA 1a2b3c' },
  { label: 'Challenge', value: 'http-01' },
  { label: 'Served', value: 'the CA-issued certificate' },
  { label: 'Next attempt', value: '2027-01-27 14:05 UTC', at: '2027-01-27T14:05:00.000Z' },
];
const lastError = { at: iso(-hour), kind: 'challenge', message: 'connection refused to 203.0.113.7:80' };

describe('the certificate card', () => {
  it('off: unknown, says so', () => {
    expect(certCardOf({ ...base, enabled: false })).toEqual({
      id: 'certificate',
      title: 'Certificate',
      state: 'unknown',
      summary: 'Certificates are turned off (acme.enabled): the UI uses its self-signed certificate.',
      facts: [],
    });
  });

  it.each([
    ['bootstrap', 'the self-signed certificate'],
    ['none', 'no certificate (HTTPS off)'],
    ['acme', 'the CA-issued certificate'],
  ] as const)('none set up (%s served): where to set one up', (kind, served) => {
    expect(
      certCardOf({ ...base, cert: { ...cert, certificate: null, current: null }, serving: { kind } }),
    ).toEqual({
      id: 'certificate',
      title: 'Certificate',
      state: 'unknown',
      summary:
        'No certificate yet — the UI uses a self-signed one, so browsers warn. Set one up on the Certificates page.',
      facts: [{ label: 'Served', value: served }],
    });
  });

  it('valid: for what, how long, when it renews (ARI)', () => {
    expect(certCardOf(base)).toEqual({
      id: 'certificate',
      title: 'Certificate',
      state: 'ok',
      summary:
        "Valid for home.example.com, expires in 62 days; renews around 2027-01-27 14:05 UTC (the CA's window, ARI).",
      facts: okFacts,
    });
  });

  it.each([
    [
      'the lifetime rule',
      { action: 'wait', until: at(32 * day), basis: 'lifetime', reason: '' },
      null,
      'renews around 2026-12-30 12:00 UTC',
    ],
    [
      'after a failed attempt',
      { action: 'wait', until: at(hour), basis: 'backoff', reason: '' },
      null,
      'the last renewal attempt failed, next try 2026-11-28 13:00 UTC',
    ],
    ['due', { action: 'renew', basis: 'lifetime', reason: '' }, null, 'renewing now'],
    ['names changed', { action: 'issue', basis: 'names-changed', reason: '' }, null, 'renewing now'],
    ['running', ariWait, 'renew', 'renewing now'],
    [
      'stopped',
      { action: 'stopped', retryAt: at(day), basis: 'config-failure', reason: '' },
      null,
      'renewal stopped',
    ],
  ] as const)('valid, renewal words: %s', (_name, plan, running, words) => {
    expect(certCardOf({ ...base, plan, running }).summary).toBe(
      `Valid for home.example.com, expires in 62 days; ${words}.`,
    );
  });

  it('a short certificate counts hours', () => {
    const short = { ...current, notAfter: iso(20 * hour + 5) };
    expect(certCardOf({ ...base, cert: { ...cert, current: short } }).summary).toMatch(
      /expires in 20 hours;/,
    );
  });

  it('several names', () => {
    const two = ['a.example', 'b.example'];
    expect(certCardOf({ ...base, cert: { ...cert, current: { ...current, names: two } } }).summary).toMatch(
      /^Valid for a\.example, b\.example, expires/,
    );
    const first = { ...cert, certificate: { names: two }, current: null };
    expect(
      certCardOf({ ...base, cert: first, plan: { action: 'issue', basis: 'no-certificate', reason: '' } })
        .summary,
    ).toMatch(/^No certificate for a\.example, b\.example yet/);
  });

  it('names the served certificate in the summary, the wanted names in the facts', () => {
    const card = certCardOf({
      ...base,
      cert: { ...cert, certificate: { names: ['a.example', 'b.example'] } },
    });
    expect(card.summary).toMatch(/^Valid for home\.example\.com,/);
    expect(card.facts[0]).toEqual({ label: 'Names', value: 'a.example, b.example' });
  });

  it('no next attempt shown when due now, or when nothing is planned', () => {
    const due = certCardOf({ ...base, plan: { action: 'renew', basis: 'lifetime', reason: '' } });
    expect(due.facts.map((f) => f.label)).not.toContain('Next attempt');
    const running = certCardOf({ ...base, running: 'renew' });
    expect(running.facts.map((f) => f.label)).not.toContain('Next attempt');
  });

  it('issued but the listener serves the self-signed one: a warning', () => {
    expect(certCardOf({ ...base, serving: { kind: 'bootstrap' } })).toEqual({
      id: 'certificate',
      title: 'Certificate',
      state: 'warning',
      summary:
        'A certificate was issued but the HTTPS listener still serves the self-signed one; restart Gatehouse if ' +
        'this lasts.',
      facts: okFacts.map((f) =>
        f.label === 'Served' ? { label: 'Served', value: 'the self-signed certificate' } : f,
      ),
    });
  });

  describe('failing: the condition, its last error and what to do', () => {
    const failing = { ...cert, renewal: { failures: 4, lastError } };
    const retry: RenewalPlan = { action: 'wait', until: at(8 * minute), basis: 'backoff', reason: '' };

    it('a warning with the message and the remedy the raiser gave', () => {
      const card = certCardOf({
        ...base,
        cert: failing,
        plan: retry,
        conditions: [
          {
            rule: 'cert.renewal-failed',
            key: '',
            message:
              'Renewing the certificate for home.example.com failed 4 times in a row: connection refused',
            remedy: 'Forward TCP 80 on the router to this box.',
          },
        ],
      });
      expect(card.state).toBe('warning');
      expect(card.summary).toBe(
        'Renewing the certificate for home.example.com failed 4 times in a row: connection refused. ' +
          'Forward TCP 80 on the router to this box.',
      );
      expect(card.facts).toEqual([
        ...okFacts.slice(0, 5),
        { label: 'Next attempt', value: '2026-11-28 12:08 UTC', at: iso(8 * minute) },
        { label: 'Last error', value: 'challenge: connection refused to 203.0.113.7:80', at: iso(-hour) },
      ]);
    });

    it("without the raiser's remedy: the rule's; a message ending in a full stop keeps one", () => {
      const card = certCardOf({
        ...base,
        cert: failing,
        conditions: [{ rule: 'cert.expiring', key: '', message: 'It expires in 3 days.' }],
      });
      expect(card.summary).toBe(`It expires in 3 days. ${certRules['cert.expiring'].remedy}`);
    });

    it('a critical condition comes first and makes the card an error', () => {
      const card = certCardOf({
        ...base,
        conditions: [
          { rule: 'cert.http01-unreachable', key: '', message: 'Port 80 is closed' },
          { rule: 'cert.expired', key: '', message: 'It expired' },
        ],
      });
      expect(card.state).toBe('error');
      expect(card.summary).toBe(`It expired. ${certRules['cert.expired'].remedy}`);
    });

    it('a rule no capability registered reads as a warning with no remedy', () => {
      const card = certCardOf({ ...base, conditions: [{ rule: 'cert.toString', key: '', message: 'odd' }] });
      expect(card).toMatchObject({ state: 'warning', summary: 'odd.' });
      const proto = certCardOf({ ...base, conditions: [{ rule: 'toString', key: '', message: 'odd' }] });
      expect(proto).toMatchObject({ state: 'warning', summary: 'odd.' });
    });

    it('a last error of an attempt that has since succeeded is not shown', () => {
      const card = certCardOf({ ...base, cert: { ...cert, renewal: { failures: 0, lastError } } });
      expect(card.facts.map((f) => f.label)).not.toContain('Last error');
    });
  });

  describe('the first certificate', () => {
    const first = { ...cert, current: null };
    const issueNow: RenewalPlan = { action: 'issue', basis: 'no-certificate', reason: '' };

    it('on its way', () => {
      expect(certCardOf({ ...base, cert: first, plan: issueNow, serving: { kind: 'bootstrap' } })).toEqual({
        id: 'certificate',
        title: 'Certificate',
        state: 'unknown',
        summary:
          'No certificate for home.example.com yet — the UI uses a self-signed one meanwhile; Gatehouse gets one shortly.',
        facts: [
          { label: 'Names', value: 'home.example.com' },
          { label: 'Served', value: 'the self-signed certificate' },
        ],
      });
    });

    it('running', () => {
      expect(certCardOf({ ...base, cert: first, plan: issueNow, running: 'issue' })).toMatchObject({
        state: 'unknown',
        summary: 'Getting the first certificate for home.example.com…',
      });
    });

    it('failed, below the alert: a warning with the error', () => {
      const card = certCardOf({
        ...base,
        cert: { ...first, renewal: { failures: 1, lastError } },
        plan: { action: 'wait', until: at(60_000), basis: 'backoff', reason: '' },
      });
      expect(card).toMatchObject({
        state: 'warning',
        summary:
          'Getting the first certificate for home.example.com failed: connection refused to 203.0.113.7:80. ' +
          'Gatehouse tries again; the UI uses a self-signed one meanwhile.',
      });
      expect(card.facts.map((f) => f.label)).toEqual(['Names', 'Served', 'Next attempt', 'Last error']);
    });

    it('stopped without a recorded error says so', () => {
      const card = certCardOf({
        ...base,
        cert: { ...first, renewal: { failures: 1, lastError: null } },
        plan: { action: 'stopped', retryAt: at(day), basis: 'config-failure', reason: '' },
      });
      expect(card.summary).toContain('failed: unknown error.');
    });

    it('waiting (nothing failed) reads like on its way', () => {
      const card = certCardOf({
        ...base,
        cert: first,
        plan: { action: 'wait', until: at(hour), basis: 'lifetime', reason: '' },
      });
      expect(card.state).toBe('unknown');
      expect(card.summary).toContain('Gatehouse gets one shortly');
    });

    it('an inconsistent plan (nothing wanted) still yields a card', () => {
      const card = certCardOf({
        ...base,
        cert: first,
        plan: { action: 'stopped', retryAt: null, basis: 'not-wanted', reason: '' },
      });
      expect(card.state).toBe('unknown');
    });
  });

  it('the provider reads its inputs each time the dashboard asks', async () => {
    let enabled = false;
    const provider = certCard(() => ({ ...base, enabled }));
    expect(provider.id).toBe('certificate');
    expect((await collectCards([provider]))[0]?.state).toBe('unknown');
    enabled = true;
    expect((await collectCards([provider]))[0]?.state).toBe('ok');
  });
});
