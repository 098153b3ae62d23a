import { describe, expect, it } from 'vitest';
import type { Account, CaDirectory, CertView, HistoryItem, LastError, Renewal } from './api.js';
import {
  accountBodyOf,
  accountDraftOf,
  baselineOf,
  caChoiceOf,
  certificateBodyOf,
  certificateDraftOf,
  challengeChoices,
  keyTypeChoices,
  caChoices,
  challengeWords,
  countdownOf,
  directoryUrlOf,
  directoryWords,
  durationWords,
  expiryOf,
  formProblems,
  hexPairs,
  historyRows,
  hmacKeyHint,
  keepPolling,
  lastErrorOf,
  letsEncrypt,
  letsEncryptStaging,
  lifetimeWords,
  maxNames,
  nameList,
  namesHint,
  outcomeSince,
  remedyOf,
  renewalOf,
  renewsWords,
  servingOf,
  setupGapOf,
  startActionOf,
  startGracePolls,
  startProblem,
  whenFormatter,
  type AccountDraft,
  type CertificateDraft,
} from './model.js';

/** Dates as the tests read them: the day only. */
const day = (iso: string) => iso.slice(0, 10);
const now = new Date('2026-01-01T00:00:00.000Z');
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
const minute = 60_000;
const hour = 60 * minute;
const days = 24 * hour;

const renewal: Renewal = {
  state: 'waiting',
  nextAt: '2026-02-14T00:00:00.000Z',
  reason: 'one third of the lifetime left',
  ari: null,
  failures: 0,
  lastError: null,
  lastSuccessAt: '2025-12-01T00:00:00.000Z',
};

const account: Account = {
  directoryUrl: letsEncrypt,
  email: 'me@example.com',
  termsOfService: 'https://letsencrypt.org/terms.pdf',
  termsAgreedAt: '2025-12-01T00:00:00.000Z',
  eabKid: null,
  eabHmacKeySet: false,
  accountUrl: 'https://acme-v02.api.letsencrypt.org/acme/acct/1',
  caBundleSet: false,
};

const current: NonNullable<CertView['current']> = {
  serial: '0a1b',
  names: ['home.example.com'],
  issuer: '(STAGING) Pretend Pear',
  notBefore: '2025-12-03T00:00:00.000Z',
  notAfter: '2026-03-03T00:00:00.000Z',
  issuedAt: '2025-12-03T00:00:05.000Z',
  challenge: 'http-01',
};

const view: CertView = {
  enabled: true,
  account,
  certificate: { names: ['home.example.com'], challenge: 'auto', keyType: 'ecdsa-p256' },
  suggestedNames: ['home.example.com', 'nas.example.com'],
  current,
  serving: {
    kind: 'acme',
    names: ['home.example.com'],
    notAfter: current.notAfter,
    fingerprintSha256: 'ab'.repeat(32),
  },
  renewal,
  challenge: { chosen: 'http-01', why: 'Port 80 is reachable from outside.', warnings: [] },
  history: [],
};

const bootstrap: CertView = {
  ...view,
  current: null,
  serving: { kind: 'bootstrap', names: ['gatehouse.local'], notAfter: null, fingerprintSha256: null },
  renewal: { ...renewal, state: 'none', nextAt: null, lastSuccessAt: null },
};

describe('dates', () => {
  it.each([
    ['2026-02-14T10:00:00.000Z', '14 Feb'],
    ['2027-02-14T10:00:00.000Z', '14 Feb 2027'],
    ['2025-12-01T10:00:00.000Z', '1 Dec 2025'],
    ['2026-01-02T14:05:00.000Z', '2 Jan, 14:05'],
    ['2025-12-31T23:00:00.000Z', '31 Dec, 23:00'],
    ['2026-01-03T00:00:00.000Z', '3 Jan'],
    ['not a date', 'not a date'],
  ])('%s → %s', (iso, words) => {
    // Made inside the test: a formatter that throws must fail a test, not the file's collection.
    expect(whenFormatter(now, 'en-GB', 'UTC')(iso)).toBe(words);
  });
});

describe('durations and expiry', () => {
  it.each([
    [-5, 'less than a minute'],
    [0, 'less than a minute'],
    [minute - 1, 'less than a minute'],
    [minute, '1 minute'],
    [2 * minute + 59_000, '2 minutes'],
    [2 * hour - 1, '119 minutes'],
    [2 * hour, '2 hours'],
    [2 * days - 1, '47 hours'],
    [2 * days, '2 days'],
    [62 * days + 23 * hour, '62 days'],
    [Number.NaN, 'less than a minute'],
  ])('%d ms → %s', (ms, words) => {
    expect(durationWords(ms)).toBe(words);
  });

  it.each([
    // 90-day certificate, days left → tone at the thirds and sixths
    [61 * days, 'ok', 'expires in 61 days (2026-03-03)'],
    [30 * days + hour, 'ok', 'expires in 30 days (2026-03-03)'],
    [30 * days, 'warning', 'expires in 30 days (2026-03-03)'],
    [15 * days + hour, 'warning', 'expires in 15 days (2026-03-03)'],
    [15 * days, 'error', 'expires in 15 days (2026-03-03)'],
    [1, 'error', 'expires in less than a minute (2026-03-03)'],
    [0, 'error', 'expired less than a minute ago (2026-03-03)'],
    [-3 * days, 'error', 'expired 3 days ago (2026-03-03)'],
  ] as const)('%d ms left of 90 days: %s, %s', (left, tone, text) => {
    const notAfter = '2026-03-03T00:00:00.000Z';
    const n = new Date(Date.parse(notAfter) - left);
    const notBefore = new Date(Date.parse(notAfter) - 90 * days).toISOString();
    const e = expiryOf({ notBefore, notAfter }, n, day);
    expect(e.tone).toBe(tone);
    expect(e.text).toBe(text);
  });

  it('gives the part of the lifetime left, capped at 1 and 0 once expired', () => {
    expect(
      expiryOf({ notBefore: at(-30 * days), notAfter: at(60 * days) }, now, day).lifetimeLeft,
    ).toBeCloseTo(2 / 3);
    expect(expiryOf({ notBefore: at(days), notAfter: at(2 * days) }, now, day).lifetimeLeft).toBe(1);
    expect(expiryOf({ notBefore: at(-2 * days), notAfter: at(-days) }, now, day).lifetimeLeft).toBe(0);
    // A certificate without a lifetime (notBefore = notAfter) is not "fully left".
    const zero = expiryOf({ notBefore: at(days), notAfter: at(days) }, now, day);
    expect(zero).toMatchObject({ lifetimeLeft: 0, tone: 'error' });
  });

  it('reads fractions, not days: a 6-day certificate with 3 days left is fine', () => {
    expect(expiryOf({ notBefore: at(-3 * days), notAfter: at(3 * days) }, now, day).tone).toBe('ok');
    expect(expiryOf({ notBefore: at(-5 * days), notAfter: at(days) }, now, day).tone).toBe('error');
  });

  it.each([
    [0.58, '58 % of its lifetime left'],
    [0.999, '99 % of its lifetime left'],
    [1, '100 % of its lifetime left'],
    [1.5, '100 % of its lifetime left'],
    [-1, '0 % of its lifetime left'],
  ])('%d → %s', (f, words) => {
    expect(lifetimeWords(f)).toBe(words);
  });
});

describe('renewal timing', () => {
  it.each([
    ['waiting, no ARI', renewal, 'renews around 2026-02-14 (one third of the lifetime left)'],
    [
      'waiting, ARI',
      { ...renewal, ari: { start: at(40 * days), end: at(42 * days), explanationUrl: null } },
      'renews around 2026-02-14 (the CA’s suggested window)',
    ],
    ['waiting, time come', { ...renewal, nextAt: now.toISOString() }, 'renewal is due now'],
    ['due', { ...renewal, state: 'due' as const }, 'renewal is due now'],
    ['waiting without time', { ...renewal, nextAt: null }, undefined],
    ['running', { ...renewal, state: 'running' as const }, undefined],
    ['failing', { ...renewal, state: 'failing' as const }, undefined],
    ['stopped', { ...renewal, state: 'stopped' as const }, undefined],
    ['none', { ...renewal, state: 'none' as const }, undefined],
  ])('%s', (_, r, words) => {
    expect(renewsWords(r, now, day)).toBe(words);
  });

  it('joins expiry and renewal on one line, and has none without a certificate', () => {
    expect(countdownOf(view, now, day)?.text).toBe(
      'expires in 61 days (2026-03-03) — renews around 2026-02-14 (one third of the lifetime left)',
    );
    expect(countdownOf({ ...view, renewal: { ...renewal, state: 'running' } }, now, day)).toMatchObject({
      text: 'expires in 61 days (2026-03-03)',
      tone: 'ok',
    });
    expect(countdownOf(bootstrap, now, day)).toBeUndefined();
  });

  it.each([
    ['none', 'unknown', 'not set up', 'Nothing to renew yet: no certificate from a CA.'],
    ['waiting', 'ok', 'scheduled', 'Next renewal 2026-02-14.'],
    ['due', 'ok', 'due', 'Due: Gatehouse starts it within a minute.'],
    ['running', 'unknown', 'running', 'Talking to the CA now…'],
    ['failing', 'error', 'failing', '3 failed attempts in a row; next try 2026-02-14.'],
    ['stopped', 'error', 'stopped', 'Stopped: Gatehouse does not try again until the settings change.'],
  ] as const)('state %s → %s %s', (state, tone, label, text) => {
    expect(renewalOf({ ...renewal, state, failures: 3 }, day)).toEqual({ tone, label, text });
  });

  it('waits for what is missing rather than for time', () => {
    const gap = 'Choose a certificate authority first.';
    const waiting = { tone: 'unknown', label: 'waiting for you', text: gap };
    expect(renewalOf({ ...renewal, state: 'due' }, day, gap)).toEqual(waiting);
    expect(renewalOf(renewal, day, gap)).toEqual(waiting);
    // A run, a failure or a stop says so whatever is missing.
    expect(renewalOf({ ...renewal, state: 'running' }, day, gap).label).toBe('running');
    expect(renewalOf({ ...renewal, state: 'failing' }, day, gap).label).toBe('failing');
    expect(renewalOf({ ...renewal, state: 'stopped' }, day, gap).label).toBe('stopped');
    expect(renewalOf({ ...renewal, state: 'none' }, day, gap).label).toBe('not set up');
  });

  it('words the edge cases of a renewal without a time and of one failure', () => {
    expect(renewalOf({ ...renewal, nextAt: null }, day).text).toBe('Waiting for the next renewal.');
    expect(renewalOf({ ...renewal, state: 'failing', failures: 1, nextAt: null }, day).text).toBe(
      '1 failed attempt in a row.',
    );
  });
});

describe('what the box serves', () => {
  it('an ACME certificate in good health', () => {
    expect(servingOf(view, now, day)).toEqual({
      tone: 'ok',
      headline: 'Serving an ACME certificate for home.example.com',
      detail: 'Browsers trust it; Gatehouse renews it by itself.',
    });
  });

  it('names every name', () => {
    const two = { ...view, serving: { ...view.serving, names: ['a.example.com', '*.example.com'] } };
    expect(servingOf(two, now, day).headline).toBe(
      'Serving an ACME certificate for a.example.com, *.example.com',
    );
  });

  it.each([
    ['failing', 'warning', 'The last renewal failed; Gatehouse tries again by itself.'],
    ['stopped', 'error', 'Renewal has stopped: fix the cause below'],
  ] as const)('an ACME certificate whose renewal is %s', (state, tone, detail) => {
    const h = servingOf({ ...view, renewal: { ...renewal, state } }, now, day);
    expect(h.tone).toBe(tone);
    expect(h.detail).toContain(detail);
  });

  it('an ACME certificate past its renewal time, and one that expired', () => {
    const late = new Date(Date.parse(current.notAfter) - 20 * days);
    expect(servingOf(view, late, day)).toMatchObject({
      tone: 'warning',
      detail: 'It should have been renewed by now: see the renewal below.',
    });
    const expired = new Date(Date.parse(current.notAfter) + days);
    expect(servingOf(view, expired, day).tone).toBe('error');
    // Failing and late: the worse of the two.
    expect(servingOf({ ...view, renewal: { ...renewal, state: 'failing' } }, expired, day).tone).toBe(
      'error',
    );
  });

  it('an ACME certificate the server knows no dates of', () => {
    const h = servingOf({ ...view, current: null, serving: { ...view.serving, notAfter: null } }, now, day);
    expect(h).toMatchObject({ tone: 'ok', detail: 'Browsers trust it; Gatehouse renews it by itself.' });
    // The dates of the current certificate count, whatever the served summary says.
    const expired = new Date(Date.parse(current.notAfter) + days);
    expect(servingOf({ ...view, serving: { ...view.serving, notAfter: null } }, expired, day).tone).toBe(
      'error',
    );
  });

  it.each([
    [
      'not set up',
      { ...bootstrap, account: null },
      'Browsers warn about it. Choose a certificate authority and the names below, then press “Issue now”.',
    ],
    [
      'no names',
      { ...bootstrap, certificate: null },
      'Browsers warn about it. Choose a certificate authority and the names below, then press “Issue now”.',
    ],
    [
      'running',
      { ...bootstrap, renewal: { ...bootstrap.renewal, state: 'running' as const } },
      'Gatehouse is asking the CA for a certificate now.',
    ],
    [
      'failing',
      { ...bootstrap, renewal: { ...bootstrap.renewal, state: 'failing' as const } },
      'Browsers warn about it: the last attempt to get a certificate failed (see below).',
    ],
    [
      'stopped',
      { ...bootstrap, renewal: { ...bootstrap.renewal, state: 'stopped' as const } },
      'Browsers warn about it: the last attempt to get a certificate failed (see below).',
    ],
    ['ready', bootstrap, 'Browsers warn about it until the CA issues a certificate: press “Issue now”.'],
  ])('the bootstrap certificate, %s', (_, v, detail) => {
    expect(servingOf(v, now, day)).toEqual({
      tone: 'warning',
      headline: 'Serving the self-signed bootstrap certificate',
      detail,
    });
  });

  it('nothing at all', () => {
    const none = { ...bootstrap, serving: { ...bootstrap.serving, kind: 'none' as const } };
    expect(servingOf(none, now, day)).toEqual({
      tone: 'warning',
      headline: 'No certificate is served: the web UI runs on plain HTTP',
      detail: 'Browsers warn about it until the CA issues a certificate: press “Issue now”.',
    });
    expect(servingOf({ ...none, account: null }, now, day).detail).toBe(
      'Choose a certificate authority and the names below, then press “Issue now”.',
    );
  });

  it('turned off in the configuration', () => {
    expect(servingOf({ ...view, enabled: false }, now, day)).toEqual({
      tone: 'unknown',
      headline: 'Certificates from a CA are turned off',
      detail:
        'The configuration turns ACME off (acme.enabled is false): the web UI keeps its self-signed certificate.',
    });
  });
});

describe('failures and remedies', () => {
  it.each([
    ['config', 'http-01', 'HTTP-01 cannot work as set up', 'TCP port 80 is forwarded'],
    ['config', 'dns-01', 'DNS-01 cannot work as set up', 'can write TXT records'],
    ['config', null, 'Check the certificate authority below', 'External Account Binding'],
    ['unreachable', null, 'could not reach the CA', 'Gatehouse tries again 2026-02-14.'],
    ['rate-limited', null, 'limits how many certificates', 'Pressing “Renew now” does not help'],
    [
      'challenge',
      'http-01',
      'could not fetch the challenge from this box over HTTP on port 80',
      'or choose DNS-01',
    ],
    ['challenge', 'dns-01', 'did not find the _acme-challenge TXT record', 'or choose HTTP-01'],
    ['challenge', null, 'could not validate the names', 'Gatehouse tries again 2026-02-14.'],
    ['rejected', null, 'The CA refused the request', 'CAA record'],
    ['transient', null, 'A passing problem', 'Nothing to do unless it keeps failing.'],
    ['something-new', null, 'Gatehouse tries again 2026-02-14.', 'Gatehouse tries again 2026-02-14.'],
  ] as const)('%s (%s): %s', (kind, challenge, first, second) => {
    const r = remedyOf({ kind, challenge }, '2026-02-14T00:00:00.000Z', day);
    expect(r).toContain(first);
    expect(r).toContain(second);
  });

  it('says "by itself" when no next try is planned', () => {
    expect(remedyOf({ kind: 'transient', challenge: null }, null, day)).toBe(
      'A passing problem at the CA or on the way to it. Gatehouse tries again by itself. Nothing to do unless it keeps failing.',
    );
    expect(remedyOf({ kind: 'x', challenge: null }, null, day)).toBe('Gatehouse tries again by itself.');
  });

  const failure: LastError = {
    at: '2025-12-31T23:00:00.000Z',
    kind: 'challenge',
    message: 'Fetching http://home.example.com/.well-known/acme-challenge/x: Connection refused',
    challenge: 'http-01',
  };
  const failing: Renewal = {
    ...renewal,
    state: 'failing',
    failures: 2,
    nextAt: '2026-01-01T01:00:00.000Z',
    lastError: failure,
    lastSuccessAt: '2025-12-01T00:00:00.000Z',
  };

  it('shows the last error with the CA’s words and the remedy', () => {
    expect(lastErrorOf(failing, day)).toEqual({
      title: 'Last attempt failed 2025-12-31 (HTTP-01)',
      message: 'Fetching http://home.example.com/.well-known/acme-challenge/x: Connection refused',
      remedy: remedyOf({ kind: 'challenge', challenge: 'http-01' }, failing.nextAt, day),
    });
    const general = {
      ...failing,
      lastError: { ...failure, challenge: null, kind: 'unreachable' as const },
    };
    expect(lastErrorOf(general, day)?.title).toBe('Last attempt failed 2025-12-31');
  });

  it('names DNS-01 in the title, and the next try in the remedy while failing', () => {
    const dns = {
      ...failing,
      lastError: { ...failure, challenge: 'dns-01' as const, kind: 'transient' as const },
    };
    expect(lastErrorOf(dns, day)?.title).toBe('Last attempt failed 2025-12-31 (DNS-01)');
    expect(lastErrorOf(dns, day)?.remedy).toContain('Gatehouse tries again 2026-01-01.');
  });

  it('promises no next try once stopped', () => {
    const stopped = {
      ...failing,
      state: 'stopped' as const,
      lastError: { ...failure, kind: 'transient' as const },
    };
    expect(lastErrorOf(stopped, day)?.remedy).toContain('Gatehouse tries again by itself.');
    expect(lastErrorOf(stopped, day)?.remedy).not.toContain('2026-01-01');
  });

  it('has nothing to say without an error, or once a success came after it', () => {
    expect(lastErrorOf({ ...failing, lastError: null }, day)).toBeUndefined();
    expect(lastErrorOf({ ...failing, lastSuccessAt: '2026-01-01T00:00:00.000Z' }, day)).toBeUndefined();
    // A success at the very same time is not "after".
    expect(lastErrorOf({ ...failing, lastSuccessAt: failure.at }, day)).toBeDefined();
    expect(lastErrorOf({ ...failing, lastSuccessAt: null }, day)).toBeDefined();
  });

  it.each([
    ['http-01', 'HTTP-01: the CA fetches a token from this box on port 80.'],
    ['dns-01', 'DNS-01: Gatehouse puts a TXT record into the name’s DNS zone for the CA to see.'],
    [null, 'None yet.'],
  ] as const)('challenge %s in words', (c, words) => {
    expect(challengeWords(c)).toBe(words);
  });
});

describe('issue now / renew now', () => {
  it.each([
    ['ready to issue', bootstrap, 'issue', 'Issue now', undefined],
    ['ready to renew', view, 'renew', 'Renew now', undefined],
    [
      'turned off',
      { ...view, enabled: false },
      'renew',
      'Renew now',
      'Certificates from a CA are turned off',
    ],
    [
      'no account',
      { ...bootstrap, account: null },
      'issue',
      'Issue now',
      'Choose a certificate authority first.',
    ],
    [
      'terms not agreed',
      { ...bootstrap, account: { ...account, termsAgreedAt: null } },
      'issue',
      'Issue now',
      'Agree to the CA’s terms first.',
    ],
    [
      'a CA without terms',
      { ...bootstrap, account: { ...account, termsOfService: null, termsAgreedAt: null } },
      'issue',
      'Issue now',
      undefined,
    ],
    ['no names', { ...bootstrap, certificate: null }, 'issue', 'Issue now', 'Choose the names first.'],
    [
      'empty names',
      { ...bootstrap, certificate: { names: [], challenge: 'auto' as const, keyType: 'rsa-2048' as const } },
      'issue',
      'Issue now',
      'Choose the names first.',
    ],
    [
      'running',
      { ...view, renewal: { ...renewal, state: 'running' as const } },
      'renew',
      'Renew now',
      'Already running.',
    ],
  ])('%s', (_, v, which, label, blocked) => {
    const a = startActionOf(v);
    expect(a.which).toBe(which);
    expect(a.label).toBe(label);
    if (blocked === undefined) expect(a.blocked).toBeUndefined();
    else expect(a.blocked).toContain(blocked);
  });

  it.each([
    ['nothing missing', view, undefined],
    [
      'turned off',
      { ...view, enabled: false },
      'Certificates from a CA are turned off in the configuration.',
    ],
    ['no account', { ...view, account: null }, 'Choose a certificate authority first.'],
    ['terms', { ...view, account: { ...account, termsAgreedAt: null } }, 'Agree to the CA’s terms first.'],
    [
      'no terms to agree',
      { ...view, account: { ...account, termsOfService: null, termsAgreedAt: null } },
      undefined,
    ],
    ['no names', { ...view, certificate: null }, 'Choose the names first.'],
  ])('what is missing: %s', (_, v, gap) => {
    expect(setupGapOf(v)).toBe(gap);
  });

  const before = { serial: '0a1b', errorAt: null };
  const error: LastError = {
    at: '2026-01-01T00:00:10.000Z',
    kind: 'transient',
    message: 'x',
    challenge: null,
  };

  it('takes the serial and the last error as the baseline', () => {
    expect(baselineOf(view)).toEqual(before);
    expect(baselineOf(bootstrap)).toEqual({ serial: null, errorAt: null });
    expect(baselineOf({ current: null, renewal: { ...renewal, lastError: error } })).toEqual({
      serial: null,
      errorAt: error.at,
    });
  });

  it.each([
    ['nothing yet', view, 'pending'],
    ['a new serial', { ...view, current: { ...current, serial: '0c' } }, 'issued'],
    ['a new error', { ...view, renewal: { ...renewal, lastError: error } }, 'failed'],
    [
      'a new serial and a new error (issued wins)',
      { ...view, current: { ...current, serial: '0c' }, renewal: { ...renewal, lastError: error } },
      'issued',
    ],
    ['the certificate gone', { ...view, current: null }, 'pending'],
  ] as const)('outcome: %s', (_, v, outcome) => {
    expect(outcomeSince(v, before)).toBe(outcome);
  });

  it('sees an error gone since the press as no news', () => {
    const withError = { ...view, renewal: { ...renewal, lastError: error } };
    expect(outcomeSince(view, baselineOf(withError))).toBe('pending');
  });

  it('sees the same old error as no news', () => {
    const withError = { ...view, renewal: { ...renewal, lastError: error } };
    expect(outcomeSince(withError, baselineOf(withError))).toBe('pending');
    expect(outcomeSince({ ...bootstrap }, baselineOf(bootstrap))).toBe('pending');
  });

  it('polls while running, and after a press until the outcome shows or the grace runs out', () => {
    const running = { ...view, renewal: { ...renewal, state: 'running' as const } };
    expect(keepPolling(running, undefined)).toBe(true);
    expect(keepPolling(running, { before, polls: 100 })).toBe(true);
    expect(keepPolling(view, undefined)).toBe(false);
    expect(keepPolling(view, { before, polls: 0 })).toBe(true);
    expect(keepPolling(view, { before, polls: startGracePolls - 1 })).toBe(true);
    expect(keepPolling(view, { before, polls: startGracePolls })).toBe(false);
    expect(keepPolling({ ...view, current: { ...current, serial: '0c' } }, { before, polls: 0 })).toBe(false);
    expect(keepPolling({ ...view, renewal: { ...renewal, lastError: error } }, { before, polls: 0 })).toBe(
      false,
    );
  });

  it.each([
    ['cert.busy', 'A renewal is already running: its result shows here when it ends.'],
    ['cert.no-account', 'Choose a certificate authority first (below).'],
    ['cert.terms-not-agreed', 'Agree to the CA’s terms first (below).'],
    ['cert.no-names', 'Choose the names for the certificate first (below).'],
    ['cert.off', 'Certificates from a CA are turned off in the configuration (acme.enabled).'],
    ['http', 'The server said so.'],
  ])('a refused start %s', (code, words) => {
    expect(startProblem(code, 'The server said so.')).toBe(words);
  });
});

describe('history', () => {
  const h = (serial: string, issuedAt: string): HistoryItem => ({
    serial,
    names: ['home.example.com'],
    notBefore: issuedAt,
    notAfter: issuedAt,
    issuedAt,
  });

  it('sorts newest first and marks the current one', () => {
    const rows = historyRows(
      [
        h('01', '2025-10-01T00:00:00.000Z'),
        h('03', '2025-12-01T00:00:00.000Z'),
        h('02', '2025-11-01T00:00:00.000Z'),
      ],
      '03',
    );
    expect(rows.map((r) => [r.serial, r.current])).toEqual([
      ['03', true],
      ['02', false],
      ['01', false],
    ]);
    expect(historyRows([h('01', '2025-10-01T00:00:00.000Z')], null)[0]?.current).toBe(false);
  });

  it.each([
    ['0a1b2c', '0a:1b:2c'],
    ['0A1B2', '0a:1b:2'],
    ['0a:1b', '0a:1b'],
    ['', ''],
  ])('%s in pairs → %s', (hex, pairs) => {
    expect(hexPairs(hex)).toBe(pairs);
  });
});

describe('the CA account form', () => {
  const le: CaDirectory = {
    url: letsEncrypt,
    termsOfService: 'https://letsencrypt.org/terms.pdf',
    website: 'https://letsencrypt.org',
    externalAccountRequired: false,
    renewalInfo: 'https://acme-v02.api.letsencrypt.org/draft-ietf-acme-ari-03/renewalInfo',
  };
  const custom = 'https://acme.example.net/directory';
  const eabCa: CaDirectory = { ...le, url: custom, externalAccountRequired: true, renewalInfo: null };
  // Literal, not accountDraftOf(null): a mutant that breaks it must fail tests, not the file's collection.
  const draft: AccountDraft = {
    ca: 'letsencrypt',
    customUrl: '',
    email: '',
    agreed: true,
    eabKid: '',
    eabHmacKey: '',
    caBundlePem: '',
    removeCaBundle: false,
  };

  it('offers Let’s Encrypt, its staging and any CA, by their directories', () => {
    expect(letsEncrypt).toBe('https://acme-v02.api.letsencrypt.org/directory');
    expect(letsEncryptStaging).toBe('https://acme-staging-v02.api.letsencrypt.org/directory');
    expect(caChoices).toEqual([
      { value: 'letsencrypt', label: 'Let’s Encrypt' },
      { value: 'letsencrypt-staging', label: 'Let’s Encrypt staging (test certificates, not trusted)' },
      { value: 'custom', label: 'Another CA (its directory URL)' },
    ]);
  });

  it.each([
    [letsEncrypt, 'letsencrypt'],
    [letsEncryptStaging, 'letsencrypt-staging'],
    [custom, 'custom'],
  ])('%s is %s', (url, choice) => {
    expect(caChoiceOf(url)).toBe(choice);
  });

  it('starts a new account at Let’s Encrypt, empty, not agreed', () => {
    expect(accountDraftOf(null)).toEqual({
      ca: 'letsencrypt',
      customUrl: '',
      email: '',
      agreed: false,
      eabKid: '',
      eabHmacKey: '',
      caBundlePem: '',
      removeCaBundle: false,
    });
  });

  it('starts an existing account from its settings, never a secret and never agreed', () => {
    const stored = {
      ...account,
      directoryUrl: custom,
      eabKid: 'kid-1',
      eabHmacKeySet: true,
      caBundleSet: true,
    };
    expect(accountDraftOf(stored)).toEqual({
      ca: 'custom',
      customUrl: custom,
      email: 'me@example.com',
      agreed: false,
      eabKid: 'kid-1',
      eabHmacKey: '',
      caBundlePem: '',
      removeCaBundle: false,
    });
    expect(accountDraftOf({ ...account, email: null }).email).toBe('');
    expect(accountDraftOf(account).eabKid).toBe('');
    expect(accountDraftOf(account).customUrl).toBe('');
  });

  it.each([
    [
      { ca: 'letsencrypt', customUrl: 'ignored' },
      { ok: true, body: letsEncrypt },
    ],
    [
      { ca: 'letsencrypt-staging', customUrl: '' },
      { ok: true, body: letsEncryptStaging },
    ],
    [
      { ca: 'custom', customUrl: `  ${custom} ` },
      { ok: true, body: custom },
    ],
    [
      { ca: 'custom', customUrl: ' ' },
      {
        ok: false,
        field: 'directoryUrl',
        message: 'Enter the CA’s ACME directory URL, e.g. https://acme.zerossl.com/v2/DV90.',
      },
    ],
    [
      { ca: 'custom', customUrl: 'acme.example.net' },
      { ok: false, field: 'directoryUrl', message: 'This is not a URL: it starts with https://.' },
    ],
    [
      { ca: 'custom', customUrl: 'http://acme.example.net/dir' },
      { ok: false, field: 'directoryUrl', message: 'ACME directories are on https:// only.' },
    ],
  ] as const)('directory URL of %o', (d, result) => {
    expect(directoryUrlOf(d)).toEqual(result);
  });

  it('sends a new Let’s Encrypt account with an email', () => {
    expect(accountBodyOf({ ...draft, email: ' me@example.com ' }, null, le)).toEqual({
      ok: true,
      body: { directoryUrl: letsEncrypt, email: 'me@example.com', agreeTerms: true },
    });
    expect(accountBodyOf(draft, null, le)).toEqual({
      ok: true,
      body: { directoryUrl: letsEncrypt, email: null, agreeTerms: true },
    });
  });

  it.each<[string, Partial<AccountDraft>, CaDirectory | undefined, string, string]>([
    [
      'a bad custom URL first',
      { ca: 'custom', customUrl: '' },
      le,
      'directoryUrl',
      'Enter the CA’s ACME directory URL',
    ],
    ['a CA not looked up', {}, undefined, 'directoryUrl', 'Look the CA up first'],
    ['another CA looked up', {}, eabCa, 'directoryUrl', 'Look the CA up first'],
    ['a bad email', { email: 'me@home' }, le, 'email', 'Enter an email address like you@example.com'],
    ['an email with a space', { email: 'me @example.com' }, le, 'email', 'Enter an email address'],
    ['an email with a space before', { email: 'my name@example.com' }, le, 'email', 'Enter an email address'],
    ['an email with a space after', { email: 'me@example.com x' }, le, 'email', 'Enter an email address'],
    ['a PEM that is none', { caBundlePem: 'hello' }, le, 'caBundlePem', 'Paste one or more PEM certificates'],
    ['not agreed', { agreed: false }, le, 'agreeTerms', 'Tick “I agree to the CA’s terms”'],
    [
      'EAB required and missing',
      { ca: 'custom', customUrl: custom },
      eabCa,
      'eab.kid',
      'This CA requires External Account Binding',
    ],
    [
      'an HMAC key without key ID',
      { eabHmacKey: 'c2VjcmV0' },
      le,
      'eab.kid',
      'Enter the key ID that goes with the HMAC key.',
    ],
    [
      'a key ID without HMAC key',
      { eabKid: 'kid-1' },
      le,
      'eab.hmacKey',
      'Enter the HMAC key that goes with this key ID.',
    ],
  ])('refuses %s', (_, change, dir, field, message) => {
    const r = accountBodyOf({ ...draft, ...change }, null, dir);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe(field);
    expect(r.message).toContain(message);
  });

  it('sends EAB when both parts are typed, trimmed', () => {
    const r = accountBodyOf(
      { ...draft, ca: 'custom', customUrl: custom, eabKid: ' kid-1 ', eabHmacKey: ' c2VjcmV0 ' },
      null,
      eabCa,
    );
    expect(r).toEqual({
      ok: true,
      body: {
        directoryUrl: custom,
        email: null,
        agreeTerms: true,
        eab: { kid: 'kid-1', hmacKey: 'c2VjcmV0' },
      },
    });
  });

  describe('a stored binding', () => {
    const stored: Account = { ...account, directoryUrl: custom, eabKid: 'kid-1', eabHmacKeySet: true };
    const same = { ...draft, ca: 'custom' as const, customUrl: custom, eabKid: 'kid-1' };

    it('is kept when the key ID stays and no HMAC key is typed', () => {
      const r = accountBodyOf(same, stored, eabCa);
      expect(r.ok && 'eab' in r.body).toBe(false);
      expect(r.ok).toBe(true);
    });

    it('needs the HMAC key again for a new key ID, for another CA, or when none is stored', () => {
      expect(accountBodyOf({ ...same, eabKid: 'kid-2' }, stored, eabCa)).toMatchObject({
        ok: false,
        field: 'eab.hmacKey',
      });
      const otherCa = { ...le, url: 'https://other.example.net/dir' };
      expect(accountBodyOf({ ...same, customUrl: otherCa.url }, stored, otherCa)).toMatchObject({
        ok: false,
        field: 'eab.hmacKey',
      });
      expect(accountBodyOf(same, { ...stored, eabHmacKeySet: false }, eabCa)).toMatchObject({
        ok: false,
        field: 'eab.hmacKey',
      });
    });

    it('is replaced when a new HMAC key is typed', () => {
      expect(accountBodyOf({ ...same, eabHmacKey: 'bmV3' }, stored, eabCa)).toMatchObject({
        ok: true,
        body: { eab: { kid: 'kid-1', hmacKey: 'bmV3' } },
      });
    });

    it('is removed when both fields are emptied (where the CA does not require one)', () => {
      const leStored = { ...stored, directoryUrl: letsEncrypt };
      expect(accountBodyOf({ ...draft, eabKid: '' }, leStored, le)).toMatchObject({
        ok: true,
        body: { eab: null },
      });
      expect(
        accountBodyOf({ ...draft }, { ...account, eabKid: null, eabHmacKeySet: true }, le),
      ).toMatchObject({
        ok: true,
        body: { eab: null },
      });
      expect(
        accountBodyOf({ ...draft }, { ...account, eabKid: 'k', eabHmacKeySet: false }, le),
      ).toMatchObject({
        ok: true,
        body: { eab: null },
      });
      const none = accountBodyOf({ ...draft }, account, le);
      expect(none.ok && 'eab' in none.body).toBe(false);
    });
  });

  it('sends a CA bundle as typed (trimmed, one newline), removes it when asked, keeps it when empty', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(accountBodyOf({ ...draft, caBundlePem: `\n${pem}\n\n` }, null, le)).toMatchObject({
      ok: true,
      body: { caBundlePem: `${pem}\n` },
    });
    // Removing wins over text typed, which is then not checked.
    expect(accountBodyOf({ ...draft, caBundlePem: 'junk', removeCaBundle: true }, account, le)).toMatchObject(
      {
        ok: true,
        body: { caBundlePem: null },
      },
    );
    const kept = accountBodyOf({ ...draft, caBundlePem: '  ' }, { ...account, caBundleSet: true }, le);
    expect(kept.ok && 'caBundlePem' in kept.body).toBe(false);
  });

  it('says whether an HMAC key is stored, never what it is', () => {
    expect(hmacKeyHint({ ...account, eabHmacKeySet: true })).toBe(
      'Set. Leave empty to keep it; type a new one to replace it.',
    );
    expect(hmacKeyHint(account)).toContain('Not needed for Let’s Encrypt.');
    expect(hmacKeyHint(null)).toContain('Not needed for Let’s Encrypt.');
  });

  it('tells what the directory says about EAB and ARI', () => {
    expect(directoryWords(le)).toEqual([
      'No External Account Binding needed.',
      'It suggests when to renew (ACME Renewal Information): Gatehouse follows it.',
    ]);
    expect(directoryWords(eabCa)).toEqual([
      'This CA requires External Account Binding: a key ID and HMAC key from your account there.',
      'It suggests no renewal windows: Gatehouse renews when one third of the lifetime is left.',
    ]);
  });
});

describe('the certificate form', () => {
  const d: CertificateDraft = { names: 'home.example.com', challenge: 'auto', keyType: 'ecdsa-p256' };

  it('offers the challenges and key types', () => {
    expect(challengeChoices).toEqual([
      { value: 'auto', label: 'Automatic (from reachability)' },
      { value: 'http-01', label: 'HTTP-01 (port 80)' },
      { value: 'dns-01', label: 'DNS-01 (TXT record)' },
    ]);
    expect(keyTypeChoices).toEqual([
      { value: 'ecdsa-p256', label: 'ECDSA P-256 (recommended)' },
      { value: 'rsa-2048', label: 'RSA 2048 (for very old clients)' },
    ]);
  });

  it('starts from the stored choice, or from the DDNS hostnames', () => {
    expect(certificateDraftOf(view)).toEqual(d);
    expect(certificateDraftOf({ ...view, certificate: null })).toEqual({
      names: 'home.example.com, nas.example.com',
      challenge: 'auto',
      keyType: 'ecdsa-p256',
    });
    expect(
      certificateDraftOf({
        certificate: { names: ['a.example.com', '*.example.com'], challenge: 'dns-01', keyType: 'rsa-2048' },
        suggestedNames: [],
      }),
    ).toEqual({ names: 'a.example.com, *.example.com', challenge: 'dns-01', keyType: 'rsa-2048' });
  });

  it('reads the names typed: any separator, lowercase, no trailing dot, each once', () => {
    expect(nameList(' Home.Example.com., nas.example.com\n*.example.com;home.example.com  ')).toEqual([
      'home.example.com',
      'nas.example.com',
      '*.example.com',
    ]);
    expect(nameList(' , ')).toEqual([]);
  });

  it('sends the names, the challenge and the key type', () => {
    expect(
      certificateBodyOf({ names: 'a.example.com, *.example.com', challenge: 'dns-01', keyType: 'rsa-2048' }),
    ).toEqual({
      ok: true,
      body: { names: ['a.example.com', '*.example.com'], challenge: 'dns-01', keyType: 'rsa-2048' },
    });
    expect(certificateBodyOf({ ...d, names: '*.example.com' })).toMatchObject({ ok: true });
    expect(certificateBodyOf({ ...d, names: 'xn--bcher-kva.example' })).toMatchObject({ ok: true });
  });

  const many = (n: number) => Array.from({ length: n }, (_, i) => `h${i}.example.com`).join(',');
  it.each([
    ['none', '', 'names', 'Enter at least one hostname'],
    ['one label', 'localhost', 'names', '“localhost” is not a full hostname'],
    ['a wildcard over a top-level domain', '*.com', 'names', '“*.com” is not a full hostname'],
    ['a wildcard over a domain', '*.example.com', undefined, undefined],
    ['one label after a wildcard', '*.localhost', 'names', '“*.localhost” is not a full hostname'],
    ['a wildcard inside', 'home.*.example.com', 'names', '“home.*.example.com”: a wildcard may only be'],
    ['two wildcards', '*.*.example.com', 'names', 'a wildcard may only be the whole first label'],
    ['a star in a label', 'a*.example.com', 'names', 'a wildcard may only be'],
    // The server judges the rest (hyphens, underscores, lengths, IP addresses, internationalised names).
    ['an internationalised name', 'bücher.example', undefined, undefined],
    ['an underscore', 'a_b.example.com', undefined, undefined],
    ['101 names', many(maxNames + 1), 'names', `At most ${maxNames} names`],
    ['100 names', many(maxNames), undefined, undefined],
  ])('names: %s', (_, names, field, message) => {
    const r = certificateBodyOf({ ...d, names });
    if (field === undefined) {
      expect(r.ok).toBe(true);
      return;
    }
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.field).toBe(field);
    expect(r.message).toContain(message);
  });

  it('refuses a wildcard with HTTP-01, allows it with DNS-01 and Automatic', () => {
    expect(certificateBodyOf({ ...d, names: 'a.example.com, *.example.com', challenge: 'http-01' })).toEqual({
      ok: false,
      field: 'challenge',
      message: 'Wildcard names can only be validated with DNS-01: choose DNS-01 or Automatic.',
    });
    expect(certificateBodyOf({ ...d, names: 'a.example.com', challenge: 'http-01' }).ok).toBe(true);
    expect(certificateBodyOf({ ...d, names: '*.example.com', challenge: 'auto' }).ok).toBe(true);
  });

  it('hints at DNS-01 for wildcards, louder once one is typed', () => {
    expect(namesHint('home.example.com')).toBe(
      'Separated by commas. The DDNS hostnames are suggested. Wildcards (*.example.com) are allowed with DNS-01.',
    );
    expect(namesHint('home.example.com, *.example.com')).toContain('A wildcard (*.example.com) needs DNS-01');
  });

  it('puts the server’s problems beside the form’s fields, without the path in front', () => {
    expect(
      formProblems({
        'names.1': 'names.1: must not be an IP address',
        keyType: 'KeyType.0: odd',
        challenge: 'Names.0: not mine',
        'eab.kid': 'Required.',
        directoryUrl: 'DirectoryUrl: not an ACME directory.',
        'names.3': 'second problem of the same field',
        email: 'email:',
        'list.12': 'list.12: twelfth',
        'a.1.b': 'a.1.b: inner index',
        'eab.hmacKey': 'Eab.hmacKey: too short',
      }),
    ).toEqual({
      names: 'Must not be an IP address',
      keyType: 'Odd',
      challenge: 'Names.0: not mine',
      'eab.kid': 'Required.',
      directoryUrl: 'Not an ACME directory.',
      email: 'email:',
      list: 'Twelfth',
      'a.1.b': 'Inner index',
      'eab.hmacKey': 'Too short',
    });
  });
});
