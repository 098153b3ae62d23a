import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { fail, ok, type Outcome } from '../core/outcome.js';
import {
  accountBody,
  addCertCommands,
  certificateBody,
  checkCaBundle,
  expiryText,
  parseIssueFlags,
  readAnswer,
  readHmacKey,
  remedyForCode,
  remedyForFailure,
  renderIssued,
  renderStatus,
  resolveDirectory,
  type CertAccess,
  type CertAnswer,
  type CertMethod,
  type IssueFlags,
  type IssuePlan,
} from './cli.js';
import { failureRemedies } from './conditions.js';
import { certViewSchema, knownDirectories, type CertView } from './view.js';

const now = new Date('2026-03-01T12:00:00.000Z');
const le = knownDirectories.letsencrypt;

const emptyView: CertView = {
  enabled: true,
  account: null,
  certificate: null,
  suggestedNames: [],
  current: null,
  serving: { kind: 'bootstrap', names: ['gatehouse'], notAfter: null, fingerprintSha256: 'AB:CD' },
  renewal: {
    state: 'none',
    nextAt: null,
    reason: 'no certificate is set up',
    ari: null,
    failures: 0,
    lastError: null,
    lastSuccessAt: null,
  },
  challenge: { chosen: null, why: 'no certificate is set up yet', warnings: [] },
  history: [],
};

const current = {
  serial: '03f1',
  names: ['home.example.test'],
  issuer: 'Fake CA R1',
  notBefore: '2026-02-01T12:00:00.000Z',
  notAfter: '2026-05-02T12:00:00.000Z',
  issuedAt: '2026-02-01T12:05:00.000Z',
  challenge: 'http-01' as const,
};

const issuedView: CertView = {
  ...emptyView,
  account: {
    directoryUrl: le,
    email: 'me@example.test',
    termsOfService: 'https://le.example/terms.pdf',
    termsAgreedAt: '2026-02-01T12:00:00.000Z',
    eabKid: null,
    eabHmacKeySet: false,
    accountUrl: 'https://le.example/acct/1',
    caBundleSet: false,
  },
  certificate: { names: ['home.example.test'], challenge: 'auto', keyType: 'ecdsa-p256' },
  current,
  serving: {
    kind: 'acme',
    names: ['home.example.test'],
    notAfter: current.notAfter,
    fingerprintSha256: 'EF:01',
  },
  renewal: {
    ...emptyView.renewal,
    state: 'waiting',
    nextAt: '2026-04-02T12:00:00.000Z',
    reason: 'Renews at 2026-04-02 12:00 UTC, when a third of its lifetime remains',
  },
  challenge: { chosen: 'http-01', why: 'port 80 is forwarded', warnings: [] },
};

describe('resolveDirectory', () => {
  it.each([
    ['letsencrypt', ok(le)],
    ['LetsEncrypt', ok(le)],
    [' letsencrypt-staging ', ok(knownDirectories['letsencrypt-staging'])],
    ['https://127.0.0.1:14000/dir', ok('https://127.0.0.1:14000/dir')],
  ])('%s', (text, want) => {
    expect(resolveDirectory(text)).toEqual(want);
  });

  it.each([
    ['http://ca.example/dir', 'an ACME directory is an https:// URL'],
    ['zerossl', 'give letsencrypt, letsencrypt-staging or the https:// URL'],
    ['', 'give letsencrypt'],
  ])('%s is refused', (text, words) => {
    const r = resolveDirectory(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('usage');
      expect(r.error.message).toContain(words);
    }
  });
});

describe('parseIssueFlags', () => {
  const base: IssuePlan = { account: false, agreeTerms: false, readHmacKey: false, certificate: false };
  it.each<[string, IssueFlags, IssuePlan]>([
    ['nothing: order with what is set up', {}, base],
    ['a CA alias', { directory: 'letsencrypt' }, { ...base, account: true, directoryUrl: le }],
    [
      'an email alone changes the account',
      { email: ' a@b.test ' },
      { ...base, account: true, email: 'a@b.test' },
    ],
    [
      '--agree-tos alone changes the account',
      { agreeTos: true },
      { ...base, account: true, agreeTerms: true },
    ],
    [
      'EAB: key id and the key from stdin',
      { eabKid: 'kid-1', eabHmacKeyStdin: true },
      { ...base, account: true, eabKid: 'kid-1', readHmacKey: true },
    ],
    ['a CA bundle', { caBundle: 'ca.pem' }, { ...base, account: true, caBundleFile: 'ca.pem' }],
    [
      'names (blank ones dropped)',
      { name: ['a.example.test', ' ', '*.example.test'] },
      { ...base, certificate: true, names: ['a.example.test', '*.example.test'] },
    ],
    ['a challenge alone', { challenge: 'dns-01' }, { ...base, certificate: true, challenge: 'dns-01' }],
    ['a key type alone', { keyType: 'rsa-2048' }, { ...base, certificate: true, keyType: 'rsa-2048' }],
    ['--agree-tos false is no account change', { agreeTos: false }, base],
  ])('%s', (_what, flags, want) => {
    expect(parseIssueFlags(flags)).toEqual(ok(want));
  });

  it.each<[string, IssueFlags, string]>([
    ['a key id without the key', { eabKid: 'k' }, '--eab-kid needs the HMAC key on standard input'],
    ['the key without an id', { eabHmacKeyStdin: true }, '--eab-hmac-key-stdin needs the key id'],
    ['a plain-HTTP directory', { directory: 'http://x.test/dir' }, 'https://'],
    ['only blank names', { name: [' '] }, '--name needs a hostname'],
  ])('%s is a usage error', (_what, flags, words) => {
    const r = parseIssueFlags(flags);
    expect(r).toEqual(fail({ code: 'usage', message: expect.stringContaining(words) }));
  });
});

describe('accountBody', () => {
  const plan = (over: Partial<IssuePlan>): IssuePlan => ({
    account: true,
    agreeTerms: false,
    readHmacKey: false,
    certificate: false,
    ...over,
  });

  it('sends what is given; the terms only as agreed on the command line', () => {
    expect(accountBody(plan({ directoryUrl: le, email: 'a@b.test', agreeTerms: true }), null, {})).toEqual(
      ok({ directoryUrl: le, agreeTerms: true, email: 'a@b.test' }),
    );
    expect(accountBody(plan({ directoryUrl: le }), null, {})).toEqual(
      ok({ directoryUrl: le, agreeTerms: false }),
    );
  });

  it('keeps the directory set up when none is given', () => {
    expect(accountBody(plan({ email: 'x@y.test' }), issuedView.account, {})).toEqual(
      ok({ directoryUrl: le, agreeTerms: false, email: 'x@y.test' }),
    );
  });

  it('a given directory wins over the one set up', () => {
    const staging = knownDirectories['letsencrypt-staging'];
    expect(accountBody(plan({ directoryUrl: staging }), issuedView.account, {})).toEqual(
      ok({ directoryUrl: staging, agreeTerms: false }),
    );
  });

  it('EAB and the CA bundle go in when read', () => {
    expect(
      accountBody(plan({ directoryUrl: le, eabKid: 'kid' }), null, {
        hmacKey: 'h'.repeat(32),
        caBundlePem: '-----BEGIN CERTIFICATE-----',
      }),
    ).toEqual(
      ok({
        directoryUrl: le,
        agreeTerms: false,
        eab: { kid: 'kid', hmacKey: 'h'.repeat(32) },
        caBundlePem: '-----BEGIN CERTIFICATE-----',
      }),
    );
    // A key id without a key read sends no EAB (parseIssueFlags refuses that command line before).
    expect(accountBody(plan({ directoryUrl: le, eabKid: 'kid' }), null, {})).toEqual(
      ok({ directoryUrl: le, agreeTerms: false }),
    );
  });

  it('no directory given nor set up is a usage error', () => {
    const r = accountBody(plan({ email: 'a@b.test' }), null, {});
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error).toMatchObject({ code: 'usage', message: expect.stringContaining('--directory') });
  });
});

describe('certificateBody', () => {
  const plan = (over: Partial<IssuePlan>): IssuePlan => ({
    account: false,
    agreeTerms: false,
    readHmacKey: false,
    certificate: true,
    ...over,
  });
  const set = { names: ['a.test', 'b.test'], challenge: 'dns-01' as const, keyType: 'rsa-2048' as const };

  it.each<[string, Partial<IssuePlan>, CertView['certificate'], Record<string, unknown>]>([
    [
      'first names: the defaults',
      { names: ['a.test'] },
      null,
      { names: ['a.test'], challenge: 'auto', keyType: 'ecdsa-p256' },
    ],
    ['new names keep the rest', { names: ['c.test'] }, set, { ...set, names: ['c.test'] }],
    [
      'a key type keeps names and challenge',
      { keyType: 'ecdsa-p256' },
      set,
      { ...set, keyType: 'ecdsa-p256' },
    ],
    ['a challenge keeps names and key', { challenge: 'http-01' }, set, { ...set, challenge: 'http-01' }],
    [
      'everything given',
      { names: ['x.test'], challenge: 'http-01', keyType: 'ecdsa-p256' },
      set,
      { names: ['x.test'], challenge: 'http-01', keyType: 'ecdsa-p256' },
    ],
  ])('%s', (_what, over, existing, want) => {
    expect(certificateBody(plan(over), existing, [])).toEqual(ok(want));
  });

  it('no names given nor set up: a usage error naming the DDNS hostnames', () => {
    expect(certificateBody(plan({ keyType: 'rsa-2048' }), null, [])).toEqual(
      fail({ code: 'usage', message: 'no names are set up yet: give --name HOST' }),
    );
    expect(certificateBody(plan({ keyType: 'rsa-2048' }), null, ['h.test', 'i.test'])).toEqual(
      fail({
        code: 'usage',
        message: 'no names are set up yet: give --name HOST (DDNS keeps h.test, i.test pointed here)',
      }),
    );
  });
});

describe('secrets and files from outside', () => {
  it.each([
    ['key\n', ok('key')],
    ['key\r\n', ok('key')],
    ['  key  ', ok('key')],
  ])('readHmacKey(%j)', (stdin, want) => {
    expect(readHmacKey(stdin)).toEqual(want);
  });

  it('an empty stdin is a usage error', () => {
    expect(readHmacKey('\n')).toEqual(
      fail({
        code: 'usage',
        message: '--eab-hmac-key-stdin: standard input was empty (pipe the HMAC key in)',
      }),
    );
  });

  it('checkCaBundle: unreadable, not PEM, PEM', () => {
    expect(checkCaBundle('x.pem', undefined)).toEqual(
      fail({ code: 'usage', message: '--ca-bundle x.pem: cannot read the file' }),
    );
    expect(checkCaBundle('x.pem', 'hello')).toEqual(
      fail({
        code: 'usage',
        message: '--ca-bundle x.pem: holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
      }),
    );
    const pem = '-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n';
    expect(checkCaBundle('x.pem', pem)).toEqual(ok(pem));
  });
});

describe('remedies', () => {
  it.each<[string, 'http-01' | 'dns-01' | null, string | undefined]>([
    ['challenge', 'http-01', failureRemedies['http-01']],
    ['challenge', 'dns-01', failureRemedies['dns-01']],
    ['config', null, failureRemedies.config],
    ['config', 'http-01', failureRemedies.config],
    ['rate-limited', null, failureRemedies['rate-limited']],
    ['unreachable', null, failureRemedies.unreachable],
  ])('%s (%s) uses the capability remedy', (kind, challenge, want) => {
    expect(remedyForFailure(kind, challenge)).toBe(want);
  });

  it.each([
    ['challenge', 'gatehouse cert status` shows which one'],
    ['rejected', 'its message says why'],
    ['transient', 'retries with a growing pause'],
  ])('%s without its own remedy gets the CLI one', (kind, words) => {
    expect(remedyForFailure(kind, null)).toContain(words);
  });

  it('an unknown kind (or "toString") has none', () => {
    expect(remedyForFailure('busy', null)).toBeUndefined();
    expect(remedyForFailure('toString', null)).toBeUndefined();
  });

  it.each([
    ['cert.server-not-running', 'gatehouse serve'],
    ['cert.no-account', '--directory letsencrypt --email you@example.com --agree-tos'],
    ['cert.terms-not-agreed', 'with --agree-tos'],
    ['cert.eab-required', '--eab-hmac-key-stdin'],
    ['cert.no-names', 'give the names: --name HOST'],
    ['cert.off', '"enabled": true'],
    ['cert.ca-unreachable', 'could not reach the CA'],
    ['cert.ca-refused', 'directory URL'],
  ])('%s', (code, words) => {
    expect(remedyForCode(code)).toContain(words);
  });

  it('no-names names the DDNS hostnames; other codes have no remedy', () => {
    expect(remedyForCode('cert.no-names', ['h.test'])).toBe(
      'give the names: --name HOST (DDNS keeps h.test pointed here)',
    );
    expect(remedyForCode('cert.no-names')).toBe('give the names: --name HOST');
    expect(remedyForCode('cert.invalid')).toBeUndefined();
    expect(remedyForCode('control.timeout')).toBeUndefined();
  });
});

describe('text', () => {
  it.each([
    ['2026-05-02T12:00:00.000Z', 'expires in 62 days'],
    ['2026-03-02T13:00:00.000Z', 'expires in 25 hours'],
    ['2026-03-01T12:30:00.000Z', 'expires in less than an hour'],
    ['2026-03-01T12:00:00.000Z', 'expired less than an hour ago'],
    ['2026-02-25T12:00:00.000Z', 'expired 4 days ago'],
  ])('expiryText(%s)', (notAfter, want) => {
    expect(expiryText(notAfter, now)).toBe(want);
  });

  it('status with nothing set up: what is served and how to start', () => {
    expect(renderStatus(emptyView, { offline: false, now })).toBe(
      'Served:     the self-signed certificate (browsers warn)\n\n' +
        'No certificate is set up. Get one:\n' +
        '  gatehouse cert issue --directory letsencrypt --email you@example.com --agree-tos --name HOST\n',
    );
    const suggested = renderStatus(
      { ...emptyView, suggestedNames: ['home.example.test', 'x.example.test'] },
      { offline: false, now },
    );
    expect(suggested).toContain('--agree-tos --name home.example.test\n');
    expect(suggested).toContain('DDNS keeps these names pointed here: home.example.test, x.example.test\n');
  });

  it('status offline, turned off, plain HTTP', () => {
    const text = renderStatus(
      { ...emptyView, enabled: false, serving: { ...emptyView.serving, kind: 'none' } },
      { offline: true, now },
    );
    expect(text).toMatch(/^The server is not running: this is what the store holds\./);
    expect(text).toContain('Certificates are turned off (acme.enabled is false in the config file).\n');
    expect(text).toContain('Served:     nothing (the server is not running)\n');
    expect(
      renderStatus(
        { ...emptyView, serving: { ...emptyView.serving, kind: 'none' } },
        { offline: false, now },
      ),
    ).toContain('Served:     nothing: the web UI listens on plain HTTP\n');
  });

  it('status of an issued certificate: served, expiry, renewal and why, challenge, CA', () => {
    expect(renderStatus(issuedView, { offline: false, now })).toBe(
      [
        'Served:     the CA-issued certificate for home.example.test (expires in 62 days)',
        'Names:      home.example.test (challenge: auto, key: ecdsa-p256)',
        'Current:    home.example.test, serial 03f1, expires in 62 days (2026-05-02 12:00 UTC)',
        'Issuer:     Fake CA R1',
        'Issued:     2026-02-01 12:05 UTC with http-01',
        'Renewal:    waiting: Renews at 2026-04-02 12:00 UTC, when a third of its lifetime remains',
        'Challenge:  http-01: port 80 is forwarded',
        `CA:         Let's Encrypt (${le})`,
        'Account:    me@example.test, terms agreed 2026-02-01 12:00 UTC, registered',
        '',
      ].join('\n'),
    );
    expect(renderStatus(issuedView, { offline: true, now })).toContain(
      'Served:     at start: the CA-issued certificate for home.example.test (expires in 62 days)\n',
    );
  });

  it('status with a failure, ARI, warnings, EAB, history and no challenge usable', () => {
    const v: CertView = {
      ...issuedView,
      account: {
        ...issuedView.account!,
        directoryUrl: knownDirectories['letsencrypt-staging'],
        email: null,
        termsAgreedAt: null,
        eabKid: 'kid-9',
        eabHmacKeySet: false,
        caBundleSet: true,
        accountUrl: null,
      },
      current: null,
      serving: { ...issuedView.serving, kind: 'acme', notAfter: null },
      renewal: {
        ...issuedView.renewal,
        state: 'failing',
        reason: 'Retrying at 2026-03-01 13:00 UTC after 2 failures (last: challenge)',
        ari: {
          start: '2026-04-01T00:00:00.000Z',
          end: '2026-04-03T00:00:00.000Z',
          explanationUrl: 'https://ca.test/why',
        },
        failures: 2,
        lastError: {
          at: '2026-03-01T11:00:00.000Z',
          kind: 'challenge',
          message: 'connection refused',
          challenge: 'http-01',
        },
      },
      challenge: {
        chosen: null,
        why: 'behind CGNAT and no DNS provider',
        warnings: ['port 80 closed', 'no UPnP'],
      },
      history: [{ ...current }],
    };
    const text = renderStatus(v, { offline: false, now });
    expect(text).toContain('Served:     the CA-issued certificate for home.example.test\n');
    expect(text).toContain('Current:    none issued yet\n');
    expect(text).toContain(
      'Renewal:    failing: Retrying at 2026-03-01 13:00 UTC after 2 failures (last: challenge)\n',
    );
    expect(text).toContain('ARI window: 2026-04-01 00:00 UTC – 2026-04-03 00:00 UTC (https://ca.test/why)\n');
    expect(text).toContain(
      'Last error: 2026-03-01 11:00 UTC, challenge (http-01), 2 failures in a row: connection refused\n',
    );
    expect(text).toContain(`What to do: ${failureRemedies['http-01']}\n`);
    expect(text).toContain('Challenge:  none usable: behind CGNAT and no DNS provider\n');
    expect(text).toContain('Warning:    port 80 closed\nWarning:    no UPnP\n');
    expect(text).toContain(
      `CA:         Let's Encrypt staging (${knownDirectories['letsencrypt-staging']})\n`,
    );
    expect(text).toContain(
      'Account:    no email, terms NOT agreed (https://le.example/terms.pdf), EAB key id kid-9 (HMAC key missing), extra CA bundle, not registered yet\n',
    );
    expect(text).toContain('History:    1 earlier certificate kept\n');

    const one = renderStatus(
      {
        ...v,
        account: {
          ...v.account!,
          directoryUrl: 'https://ca.test/dir',
          termsOfService: null,
          eabHmacKeySet: true,
        },
        renewal: {
          ...v.renewal,
          ari: { ...v.renewal.ari!, explanationUrl: null },
          failures: 1,
          lastError: { ...v.renewal.lastError!, kind: 'busy' as never, challenge: null },
        },
        history: [current, current],
      },
      { offline: false, now },
    );
    expect(one).toContain('ARI window: 2026-04-01 00:00 UTC – 2026-04-03 00:00 UTC\n');
    expect(one).toContain('1 failure in a row: connection refused\n');
    expect(one).not.toContain('What to do');
    expect(one).toContain('CA:         https://ca.test/dir\n');
    expect(one).toContain('Account:    no email, the CA has no terms, EAB key id kid-9, extra CA bundle');
    expect(one).toContain('History:    2 earlier certificates kept\n');
  });

  it('a recorded error without failures (reset by a new setting) is not shown', () => {
    const v = {
      ...issuedView,
      renewal: {
        ...issuedView.renewal,
        lastError: { at: now.toISOString(), kind: 'config' as const, message: 'x', challenge: null },
      },
    };
    expect(renderStatus(v, { offline: false, now })).not.toContain('Last error');
  });

  it('the CA account absent', () => {
    expect(renderStatus({ ...issuedView, account: null }, { offline: false, now })).toContain(
      'CA:         none set up (give --directory with `gatehouse cert issue`)\n',
    );
  });

  it.each([
    ['issue', 'Issued a certificate for home.example.test'],
    ['renew', 'Renewed the certificate for home.example.test'],
  ] as const)('renderIssued(%s)', (kind, start) => {
    expect(renderIssued(kind, current, now)).toBe(
      `${start} (issuer Fake CA R1, serial 03f1, via http-01): valid until 2026-05-02 12:00 UTC, expires in 62 days. The server serves it now.\n`,
    );
  });

  it('readAnswer: the path of the first problem', () => {
    expect(readAnswer(certViewSchema, { ...emptyView, enabled: 'yes' })).toEqual(
      fail({
        code: 'cert.bad-answer',
        message: expect.stringContaining('unexpected answer at enabled'),
      }),
    );
    expect(readAnswer(certViewSchema, 5)).toEqual(
      fail({
        code: 'cert.bad-answer',
        message: expect.stringContaining('unexpected answer at (root)'),
      }),
    );
  });
});

// ---- the commands over a scripted port ----

type Handler = (method: CertMethod, path: string, body: unknown) => Outcome<unknown> | undefined;

function scripted(handler: Handler, options: { offline?: boolean; hasState?: boolean } = {}) {
  const calls: { method: CertMethod; path: string; body: unknown }[] = [];
  const access: CertAccess = {
    call(method, path, body) {
      calls.push({ method, path, body });
      const r = handler(method, path, body) ?? fail({ code: 'not-scripted', message: `${method} ${path}` });
      return Promise.resolve(
        r.ok ? ok<CertAnswer>({ value: r.value, offline: options.offline ?? false }) : r,
      );
    },
    hasState: () => Promise.resolve(options.hasState ?? true),
  };
  return { access, calls };
}

async function runCert(
  argv: string[],
  access: CertAccess,
  io: { stdin?: string; files?: Record<string, string> } = {},
) {
  let out = '';
  let err = '';
  let code = -1;
  let slept = 0;
  const program = new Command('gatehouse').exitOverride().configureOutput({
    writeOut: (t) => (out += t),
    writeErr: (t) => (err += t),
  });
  let stdinRead = false;
  addCertCommands<object>(program, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    finish: (c) => (code = c),
    withSettings: (cmd) => cmd,
    connect: () => access,
    readStdin: () => {
      stdinRead = true;
      return Promise.resolve(io.stdin ?? '');
    },
    readFile: (file) => io.files?.[file],
    now: () => now,
    sleep: () => {
      slept += 1;
      return Promise.resolve();
    },
  });
  try {
    await program.parseAsync(['cert', ...argv], { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    code = 2;
  }
  return { out, err, code, slept, stdinRead };
}

describe('gatehouse cert status', () => {
  it('prints the view, or the view as JSON', async () => {
    const { access, calls } = scripted((m, p) =>
      m === 'GET' && p === '/status' ? ok(issuedView) : undefined,
    );
    const text = await runCert(['status'], access);
    expect(text).toMatchObject({ code: 0, err: '' });
    expect(text.out).toBe(renderStatus(issuedView, { offline: false, now }));
    const json = await runCert(['status', '--json'], access);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out)).toEqual(issuedView);
    expect(calls.map((c) => `${c.method} ${c.path}`)).toEqual(['GET /status', 'GET /status']);
  });

  it('offline answers say so', async () => {
    const { access } = scripted(() => ok(issuedView), { offline: true });
    expect((await runCert(['status'], access)).out).toMatch(/^The server is not running/);
  });

  it('with no state at all: says so without asking (JSON: an error, exit 1)', async () => {
    const { access, calls } = scripted(() => ok(issuedView), { hasState: false });
    const text = await runCert(['status'], access);
    expect(text.code).toBe(0);
    expect(text.out).toContain('Nothing is set up yet');
    const json = await runCert(['status', '--json'], access);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.out)).toEqual({
      error: {
        code: 'cert.not-initialized',
        message: 'nothing is set up yet (no data directory, no server): no certificate',
      },
    });
    expect(calls).toEqual([]);
  });

  it('a refusal or a strange answer is exit 1 with the message', async () => {
    const refused = scripted(() => fail({ code: 'control.denied', message: 'permission denied on /x' }));
    expect(await runCert(['status'], refused.access)).toMatchObject({
      code: 1,
      err: 'gatehouse: permission denied on /x\n',
      out: '',
    });
    const odd = scripted(() => ok({ enabled: true }));
    const r = await runCert(['status', '--json'], odd.access);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'cert.bad-answer' } });
  });
});

describe('gatehouse cert issue', () => {
  const hmac = 'c2VjcmV0LWhtYWMta2V5LW5ldmVyLXByaW50ZWQ';
  const issued = { ok: true, current };

  it('sets the account, then the names, then orders; prints the new certificate', async () => {
    let view: CertView = emptyView;
    const { access, calls } = scripted((m, p, body) => {
      if (m === 'GET' && p === '/status') return ok(view);
      if (m === 'PUT' && p === '/account') return ok((view = { ...view, account: issuedView.account }));
      if (m === 'PUT' && p === '/certificate')
        return ok((view = { ...view, certificate: body as CertView['certificate'] }));
      if (m === 'POST' && p === '/issue') return ok(issued);
      return undefined;
    });
    const r = await runCert(
      [
        'issue',
        '--directory',
        'letsencrypt',
        '--email',
        'me@example.test',
        '--agree-tos',
        '--eab-kid',
        'kid-1',
        '--eab-hmac-key-stdin',
        '--ca-bundle',
        'ca.pem',
        '--name',
        'home.example.test',
        '--name',
        'www.example.test',
        '--challenge',
        'http-01',
      ],
      access,
      { stdin: `${hmac}\n`, files: { 'ca.pem': '-----BEGIN CERTIFICATE-----\nX\n' } },
    );
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toBe(renderIssued('issue', current, now));
    expect(calls).toEqual([
      { method: 'GET', path: '/status', body: undefined },
      {
        method: 'PUT',
        path: '/account',
        body: {
          directoryUrl: le,
          agreeTerms: true,
          email: 'me@example.test',
          eab: { kid: 'kid-1', hmacKey: hmac },
          caBundlePem: '-----BEGIN CERTIFICATE-----\nX\n',
        },
      },
      {
        method: 'PUT',
        path: '/certificate',
        body: {
          names: ['home.example.test', 'www.example.test'],
          challenge: 'http-01',
          keyType: 'ecdsa-p256',
        },
      },
      { method: 'POST', path: '/issue', body: { wait: true } },
    ]);
    expect(r.out + r.err).not.toContain(hmac);
  });

  it('without flags only orders; --json prints the answer', async () => {
    const { access, calls } = scripted((m, p) =>
      m === 'GET' ? ok(issuedView) : p === '/issue' ? ok(issued) : undefined,
    );
    const r = await runCert(['issue', '--json'], access);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual(issued);
    expect(calls.map((c) => c.method)).toEqual(['GET', 'POST']);
  });

  it.each([
    [['issue', '--eab-kid', 'k'], '--eab-kid needs the HMAC key'],
    [['issue', '--directory', 'http://ca.test/dir'], 'https://'],
    [['issue', '--email', 'a@b.test'], 'no CA is set up yet'],
    [['issue', '--key-type', 'rsa-2048'], 'no names are set up yet'],
    [['issue', '--eab-kid', 'k', '--eab-hmac-key-stdin'], 'standard input was empty'],
    [['issue', '--ca-bundle', 'missing.pem'], '--ca-bundle missing.pem: cannot read the file'],
  ])('%j: usage error, exit 2, nothing changed', async (argv, words) => {
    const { access, calls } = scripted((m) => (m === 'GET' ? ok(emptyView) : undefined));
    const r = await runCert(argv, access);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`gatehouse: `);
    expect(r.err).toContain(words);
    expect(calls.filter((c) => c.method !== 'GET')).toEqual([]);
  });

  it('a bad choice is commander usage (exit 2)', async () => {
    const { access, calls } = scripted(() => ok(emptyView));
    expect((await runCert(['issue', '--challenge', 'tls-alpn-01'], access)).code).toBe(2);
    expect((await runCert(['issue', '--key-type', 'ed25519'], access)).code).toBe(2);
    expect(calls).toEqual([]);
  });

  it('the HMAC key is read only when asked for', async () => {
    const { access } = scripted((m, p) =>
      m === 'GET' ? ok(issuedView) : p === '/issue' ? ok(issued) : undefined,
    );
    expect((await runCert(['issue'], access, { stdin: 'x' })).stdinRead).toBe(false);
  });

  it('a refused account: exit 1 with what to do; nothing ordered', async () => {
    const { access, calls } = scripted((m, p) => {
      if (m === 'GET') return ok(emptyView);
      if (p === '/account')
        return fail({
          code: 'cert.terms-not-agreed',
          message: "agree to the CA's terms of service first (https://t)",
        });
      return undefined;
    });
    const r = await runCert(['issue', '--directory', 'letsencrypt', '--json'], access);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "gatehouse: agree to the CA's terms of service first (https://t)\n" +
        `  what to do: ${remedyForCode('cert.terms-not-agreed')}\n`,
    );
    expect(JSON.parse(r.out)).toEqual({
      error: {
        code: 'cert.terms-not-agreed',
        message: "agree to the CA's terms of service first (https://t)",
        remedy: remedyForCode('cert.terms-not-agreed'),
      },
    });
    expect(calls.map((c) => c.path)).toEqual(['/status', '/account']);
  });

  it('refused names: exit 1, not ordered', async () => {
    const { access, calls } = scripted((m, p) => {
      if (m === 'GET') return ok(emptyView);
      if (p === '/certificate') return fail({ code: 'cert.invalid', message: 'names: bad' });
      return undefined;
    });
    const r = await runCert(['issue', '--name', '-x-'], access);
    expect(r).toMatchObject({ code: 1, err: 'gatehouse: names: bad\n' });
    expect(calls.map((c) => c.path)).toEqual(['/status', '/certificate']);
  });

  it('offline: the settings were saved, the order needs the server', async () => {
    const { access } = scripted(
      (m, p, body) => {
        if (m === 'GET') return ok(emptyView);
        if (p === '/certificate') return ok({ ...emptyView, certificate: body });
        return fail({ code: 'cert.server-not-running', message: 'Gatehouse is not running' });
      },
      { offline: true },
    );
    const r = await runCert(['issue', '--name', 'a.test'], access);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      'gatehouse: Gatehouse is not running\n' +
        `  what to do: ${remedyForCode('cert.server-not-running')}\n` +
        '  The settings given with this command were saved.\n',
    );
  });

  it('no names: the remedy names the DDNS hostnames', async () => {
    const view = { ...emptyView, suggestedNames: ['h.test'] };
    const { access } = scripted((m) =>
      m === 'GET' ? ok(view) : fail({ code: 'cert.no-names', message: 'set the names first' }),
    );
    const r = await runCert(['issue'], access);
    expect(r.err).toContain('what to do: give the names: --name HOST (DDNS keeps h.test pointed here)\n');
    expect(r.err).not.toContain('saved');
  });

  it.each([
    ['acme', '  The previous certificate keeps serving.\n'],
    ['bootstrap', '  The self-signed certificate keeps serving.\n'],
    ['none', ''],
  ] as const)('a failed order (%s served): kind, challenge, message, remedy, exit 1', async (kind, tail) => {
    const after: CertView = {
      ...issuedView,
      serving: { ...issuedView.serving, kind },
      renewal: {
        ...issuedView.renewal,
        failures: 1,
        lastError: { at: now.toISOString(), kind: 'challenge', message: 'timeout', challenge: 'dns-01' },
      },
    };
    const { access } = scripted((m, p) =>
      m === 'GET'
        ? ok(after)
        : p === '/issue'
          ? ok({ ok: false, error: { kind: 'challenge', message: 'timeout' } })
          : undefined,
    );
    const r = await runCert(['issue'], access);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      `gatehouse: issuing the certificate failed (challenge, dns-01): timeout\n  what to do: ${failureRemedies['dns-01']}\n${tail}`,
    );
  });

  it('a failed order as JSON; the challenge only from a record of the same kind', async () => {
    const after: CertView = {
      ...issuedView,
      renewal: {
        ...issuedView.renewal,
        failures: 1,
        lastError: { at: now.toISOString(), kind: 'config', message: 'x', challenge: 'http-01' },
      },
    };
    const { access } = scripted((m, p) =>
      m === 'GET'
        ? ok(after)
        : p === '/renew'
          ? ok({ ok: false, error: { kind: 'transient', message: 'CA 503' } })
          : undefined,
    );
    const r = await runCert(['renew', '--json'], access);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({
      ok: false,
      error: { kind: 'transient', message: 'CA 503', remedy: remedyForFailure('transient', null) },
    });
    expect(r.err).toMatch(/^gatehouse: renewing the certificate failed \(transient\): CA 503\n/);
  });

  it('a failed order whose status cannot be read afterwards still reports', async () => {
    let gets = 0;
    const { access } = scripted((m, p) => {
      if (m === 'GET') return gets++ === 0 ? ok(issuedView) : fail({ code: 'control.timeout', message: 't' });
      return p === '/renew' ? ok({ ok: false, error: { kind: 'rejected', message: 'CAA' } }) : undefined;
    });
    const r = await runCert(['renew'], access);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      `gatehouse: renewing the certificate failed (rejected): CAA\n  what to do: ${remedyForFailure('rejected', null)}\n`,
    );
  });
});

describe('an order already running (cert.busy)', () => {
  const busy = fail({ code: 'cert.busy', message: 'a certificate is being ordered right now' });
  const running = { ...issuedView, renewal: { ...issuedView.renewal, state: 'running' as const } };

  function sequence(views: CertView[]) {
    let i = 0;
    return scripted((m) => (m === 'GET' ? ok(views[Math.min(i++, views.length - 1)]) : busy));
  }

  it('waits for it and reports the new certificate', async () => {
    const renewed = { ...current, serial: '0bee' };
    const done = { ...issuedView, current: renewed };
    const { access } = sequence([issuedView, running, running, done]);
    const r = await runCert(['renew'], access);
    expect(r.code).toBe(0);
    expect(r.err).toBe('A certificate order is already running on the server; waiting for it to finish…\n');
    expect(r.out).toBe(renderIssued('renew', renewed, now));
    expect(r.slept).toBe(2);
  });

  it('waits for it and reports its failure', async () => {
    const failed = {
      ...issuedView,
      renewal: {
        ...issuedView.renewal,
        failures: 1,
        lastError: {
          at: now.toISOString(),
          kind: 'rate-limited' as const,
          message: 'too many',
          challenge: null,
        },
      },
    };
    const { access } = sequence([issuedView, running, failed]);
    const r = await runCert(['renew'], access);
    expect(r.code).toBe(1);
    expect(r.err).toContain('gatehouse: renewing the certificate failed (rate-limited): too many\n');
    expect(r.err).toContain(failureRemedies['rate-limited']);
  });

  it('a failure counted again with the same time still counts', async () => {
    const err = { at: now.toISOString(), kind: 'transient' as const, message: 'again', challenge: null };
    const before = { ...issuedView, renewal: { ...issuedView.renewal, failures: 1, lastError: err } };
    const after = { ...before, renewal: { ...before.renewal, failures: 2 } };
    const { access } = sequence([before, after]);
    const r = await runCert(['renew'], access);
    expect(r.code).toBe(1);
    expect(r.err).toContain('failed (transient): again');
  });

  it('an order that ended with no change: exit 1 saying to run again', async () => {
    const { access } = sequence([issuedView, running, issuedView]);
    const r = await runCert(['renew', '--json'], access);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({
      error: { code: 'cert.busy', message: expect.stringContaining('run the command again') },
    });
  });

  it('a first certificate counts as new', async () => {
    const before = { ...issuedView, current: null };
    const { access } = sequence([before, issuedView]);
    const r = await runCert(['issue'], access);
    expect(r.code).toBe(0);
    expect(r.out).toBe(renderIssued('issue', current, now));
  });

  it('a status that fails while waiting ends the wait', async () => {
    let i = 0;
    const { access } = scripted((m) =>
      m === 'GET'
        ? i++ === 0
          ? ok(issuedView)
          : fail({ code: 'control.timeout', message: 'no answer' })
        : busy,
    );
    const r = await runCert(['renew'], access);
    expect(r.code).toBe(1);
    expect(r.err).toContain('gatehouse: no answer\n');
  });

  it('gives up after 30 minutes of polls', async () => {
    const { access } = sequence([issuedView, running]);
    const r = await runCert(['renew'], access);
    expect(r.code).toBe(1);
    expect(r.slept).toBe(1800);
    expect(r.err).toContain('an order has been running for 30 minutes');
  });
});
