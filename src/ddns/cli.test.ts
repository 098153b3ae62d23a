import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { fail, ok, type Outcome } from '../core/outcome.js';
import {
  addDdnsCommands,
  checkAccountFlags,
  checkCredentials,
  formatDuration,
  parseCredentials,
  parseSettings,
  recordInput,
  renderList,
  renderProviders,
  renderRuns,
  renderTable,
  type DdnsAccess,
  type DdnsRoute,
  type ProviderRow,
  type RecordRow,
  type RunRow,
} from './cli.js';

const rfc2136: ProviderRow = {
  kind: 'rfc2136',
  label: 'RFC 2136 (TSIG)',
  docsUrl: 'https://www.rfc-editor.org/rfc/rfc2136',
  fields: [
    { name: 'server', label: 'DNS server', secret: false },
    { name: 'keyName', label: 'TSIG key name', secret: false },
    { name: 'secret', label: 'TSIG secret', secret: true },
    { name: 'extra', label: 'Optional secret', secret: true, optional: true },
  ],
};

describe('parseCredentials', () => {
  it.each([
    ['', {}],
    ['secret=abc\n', { secret: 'abc' }],
    ['secret=a=b==\r\n', { secret: 'a=b==' }],
    ['# comment\n\n  user =bob\npassword= p w \n', { user: 'bob', password: ' p w ' }],
    ['{"secret": "x y", "user": "u"}\n', { secret: 'x y', user: 'u' }],
  ])('%j → %j', (text, want) => {
    expect(parseCredentials(text)).toEqual(ok(want));
  });

  it.each([
    ['justavalue\n', 'standard input line 1: expected field=value'],
    ['a=1\n=2\n', 'standard input line 2: expected field=value'],
    ['a=1\na=2\n', 'standard input: "a" is given twice'],
    ['{"secret": 1}', 'the JSON on standard input must be an object of strings, e.g. {"secret": "…"}'],
    ['{not json', 'standard input starts with "{" but is not valid JSON'],
  ])('%j is refused: %s', (text, message) => {
    expect(parseCredentials(text)).toEqual(fail({ code: 'usage', message }));
  });

  it('never repeats the line it refuses (it may be a credential)', () => {
    const r = parseCredentials('hunter2-secret-value\n');
    expect(r.ok).toBe(false);
    expect(JSON.stringify(r)).not.toContain('hunter2');
  });
});

describe('parseSettings', () => {
  it('pairs split at the first =', () => {
    expect(parseSettings(['server=127.0.0.1:53', 'url=https://x/?a=b'])).toEqual(
      ok({ server: '127.0.0.1:53', url: 'https://x/?a=b' }),
    );
  });
  it.each([
    [['novalue'], '--set novalue: expected key=value'],
    [['=x'], '--set =x: expected key=value'],
    [['a=1', 'a=2'], '--set a is given twice'],
  ])('%j is refused', (pairs, message) => {
    expect(parseSettings(pairs)).toEqual(fail({ code: 'usage', message }));
  });
});

describe('checkAccountFlags and checkCredentials', () => {
  it('refuses a credential on the command line and says why', () => {
    const r = checkAccountFlags(rfc2136, 'rfc2136', { server: 'x', secret: 'y' }, ['rfc2136']);
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.error.message).toMatch(
        /^"secret" is a credential: give it on standard input.*\bps\b.*history/,
      );
  });
  it('refuses an unknown kind and lists the known ones', () => {
    expect(checkAccountFlags(undefined, 'nope', {}, ['rfc2136', 'dyndns2'])).toEqual(
      fail({ code: 'usage', message: 'unknown kind "nope"; one of: rfc2136, dyndns2' }),
    );
  });
  it('accepts settings only', () => {
    expect(checkAccountFlags(rfc2136, 'rfc2136', { server: 'x', keyName: 'k' }, [])).toEqual(ok(undefined));
  });
  it('names the required credentials missing from standard input, not the optional ones', () => {
    const r = checkCredentials(rfc2136, {});
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.message).toContain('RFC 2136 (TSIG) needs "secret" on standard input');
      expect(r.error.message).not.toContain('extra');
    }
    expect(checkCredentials(rfc2136, { secret: 's' })).toEqual(ok(undefined));
  });
});

describe('recordInput', () => {
  it('public by default; zone and ttl only when given', () => {
    expect(recordInput('home.example.com', { type: 'a' }, 'acc')).toEqual(
      ok({ hostname: 'home.example.com', type: 'A', accountId: 'acc', value: { kind: 'public' } }),
    );
    expect(
      recordInput(
        'h.example.com',
        { type: 'AAAA', zone: 'example.com', ttl: '300', deviceSuffix: '::1:2' },
        'a',
      ),
    ).toEqual(
      ok({
        hostname: 'h.example.com',
        type: 'AAAA',
        accountId: 'a',
        value: { kind: 'ipv6-host', suffix: '::1:2' },
        zone: 'example.com',
        ttl: 300,
      }),
    );
    expect(recordInput('h.example.com', { type: 'A', fixed: '203.0.113.9' }, 'a')).toMatchObject(
      ok({ value: { kind: 'fixed', address: '203.0.113.9' } }),
    );
  });
  it.each([
    [{ type: 'MX' }, '--type must be A or AAAA'],
    [{}, '--type must be A or AAAA'],
    [{ type: 'A', ttl: '1m' }, '--ttl must be a number of seconds (1–86400)'],
    [{ type: 'A', ttl: '-5' }, '--ttl must be a number of seconds (1–86400)'],
    [
      { type: 'AAAA', fixed: '2001:db8::1', deviceSuffix: '::1' },
      '--fixed and --device-suffix exclude each other',
    ],
  ])('%j is refused', (flags, message) => {
    expect(recordInput('h.example.com', flags, 'a')).toEqual(fail({ code: 'usage', message }));
  });
});

describe('text output', () => {
  it('renderTable pads every column but the last', () => {
    expect(
      renderTable(
        ['A', 'BB', 'C'],
        [
          ['xxx', 'y', 'z'],
          ['', 'yyyy', ''],
        ],
      ),
    ).toBe('A    BB    C\nxxx  y     z\n     yyyy\n');
  });

  it.each([
    [null, '-'],
    [undefined, '-'],
    [0, '0 ms'],
    [340, '340 ms'],
    [1000, '1.0 s'],
    [1234, '1.2 s'],
  ])('formatDuration(%j) = %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  const base: RecordRow = {
    id: 'r1',
    hostname: 'home.example.test',
    zone: 'example.test',
    type: 'A',
    accountId: 'a1',
    value: { kind: 'public' },
    ttl: 60,
    enabled: true,
    state: null,
  };
  const state = {
    desired: '203.0.113.7',
    applied: '203.0.113.7',
    propagationMs: 1200,
    pending: null,
    stopped: null,
    drift: null,
    lastAttempt: { at: '2026-11-28T12:00:00.000Z', ok: true, message: 'set' },
  };

  it('renderList: current, desired, propagation and last result per record; accounts with credentials set or not', () => {
    const text = renderList({
      records: [
        { ...base, state },
        { ...base, id: 'r2', type: 'AAAA', value: { kind: 'ipv6-host', suffix: '::5' }, accountId: 'gone' },
        {
          ...base,
          id: 'r3',
          hostname: 'nas.example.test',
          state: {
            ...state,
            applied: null,
            propagationMs: null,
            lastAttempt: { at: 'x', ok: false, message: 'REFUSED' },
          },
        },
        { ...base, id: 'r4', hostname: 'off.example.test', enabled: false },
        {
          ...base,
          id: 'r5',
          hostname: 'p.example.test',
          state: { ...state, pending: { value: '203.0.113.8', nextAttemptAt: 'T' } },
        },
      ],
      accounts: [
        {
          id: 'a1',
          name: 'home',
          kind: 'rfc2136',
          provider: 'RFC 2136',
          settings: {},
          credentials: [{ field: 'secret', set: true }],
          stopped: null,
          notBefore: null,
        },
        {
          id: 'a2',
          name: 'dyn',
          kind: 'dyndns2',
          provider: 'dyndns2',
          settings: {},
          credentials: [{ field: 'password', set: false }],
          stopped: { message: 'badauth' },
          notBefore: null,
        },
      ],
    });
    expect(text).toBe(
      [
        'HOSTNAME           TYPE  ACCOUNT  CURRENT      DESIRED           PROPAGATION  LAST RESULT',
        'home.example.test  A     home     203.0.113.7  203.0.113.7       1.2 s        ok',
        'home.example.test  AAAA  gone     -            (IPv6 prefix)::5  -            not run yet',
        'nas.example.test   A     home     -            203.0.113.7       -            failed: REFUSED',
        'off.example.test   A     home     -            (public address)  -            turned off',
        'p.example.test     A     home     203.0.113.7  203.0.113.7       1.2 s        pending 203.0.113.8, next try T',
        '',
        'ACCOUNT  KIND     CREDENTIALS       STATUS',
        'home     rfc2136  secret set        ok',
        'dyn      dyndns2  password MISSING  stopped: badauth',
        '',
      ].join('\n'),
    );
  });

  it('renderList says how to begin when there is nothing', () => {
    expect(renderList({ records: [], accounts: [] })).toBe(
      'No DDNS records. Add one with `gatehouse ddns record add`.\n\nNo provider accounts. Add one with `gatehouse ddns provider add`.\n',
    );
  });

  const runs: RunRow[] = [
    {
      recordId: 'r1',
      hostname: 'home.example.test',
      type: 'A',
      action: { kind: 'update', value: '203.0.113.7', previous: '203.0.113.5', drift: false },
      served: ['203.0.113.5'],
      result: 'updated',
      message: 'set',
      propagationMs: 1234,
    },
    {
      recordId: 'r2',
      hostname: 'nas.example.test',
      type: 'A',
      action: { kind: 'update', value: '203.0.113.7', previous: null, drift: true },
      served: null,
      result: 'failed',
      message: 'REFUSED',
      propagationMs: null,
    },
    {
      recordId: 'r3',
      hostname: 'v6.example.test',
      type: 'AAAA',
      action: { kind: 'hold', reason: 'no value' },
      served: [],
      result: null,
      message: null,
      propagationMs: null,
    },
    {
      recordId: 'r4',
      hostname: 'ok.example.test',
      type: 'A',
      action: { kind: 'in-sync', value: '203.0.113.7' },
      served: ['203.0.113.7'],
      result: null,
      message: null,
      propagationMs: null,
    },
    {
      recordId: 'r5',
      hostname: 'w.example.test',
      type: 'A',
      action: { kind: 'wait', value: '203.0.113.7', until: 'T', reason: 'rate limit' },
      served: null,
      result: null,
      message: null,
      propagationMs: null,
    },
  ];

  it('renderRuns as a plan', () => {
    expect(renderRuns(runs, 'plan')).toBe(
      [
        'HOSTNAME           TYPE  SERVED       PLAN',
        'home.example.test  A     203.0.113.5  update 203.0.113.5 → 203.0.113.7',
        'nas.example.test   A     ?            set back (none) → 203.0.113.7',
        'v6.example.test    AAAA  (none)       hold: no value',
        'ok.example.test    A     203.0.113.7  in sync (203.0.113.7)',
        'w.example.test     A     ?            wait until T (rate limit)',
        '',
      ].join('\n'),
    );
  });

  it('renderRuns after an update: the result, a failure with its message, the propagation time', () => {
    const lines = renderRuns(runs, 'update').split('\n');
    expect(lines[0]).toMatch(/^HOSTNAME +TYPE +SERVED BEFORE +ACTION +RESULT +PROPAGATION$/);
    expect(lines[1]).toMatch(/ updated +1\.2 s$/);
    expect(lines[2]).toMatch(/ failed: REFUSED +-$/);
    expect(renderRuns([], 'update')).toBe('No DDNS records.\n');
  });

  it('renderProviders marks the secret (stdin) and optional fields', () => {
    expect(renderProviders([rfc2136])).toBe(
      'KIND     PROVIDER         FIELDS\n' +
        'rfc2136  RFC 2136 (TSIG)  server, keyName, secret (secret, stdin), extra (secret, stdin) (optional)\n',
    );
  });
});

/** A scripted port: answers per route, and every call it got. */
function fakeAccess(answers: Partial<Record<DdnsRoute, Outcome<unknown>>>) {
  const calls: { route: DdnsRoute; body: unknown }[] = [];
  const access: DdnsAccess = {
    call: (route, body) => {
      calls.push({ route, body });
      return Promise.resolve(answers[route] ?? fail({ code: 'test.unscripted', message: route }));
    },
    hasState: () => Promise.resolve(true),
  };
  return { access, calls };
}

async function runDdns(argv: string[], access: DdnsAccess, stdin = '') {
  let out = '';
  let err = '';
  let code = -1;
  let stdinRead = false;
  const program = new Command('gatehouse').exitOverride().configureOutput({
    writeOut: (t) => (out += t),
    writeErr: (t) => (err += t),
  });
  addDdnsCommands<object>(program, {
    stdout: (t) => (out += t),
    stderr: (t) => (err += t),
    readStdin: () => {
      stdinRead = true;
      return Promise.resolve(stdin);
    },
    finish: (c) => (code = c),
    withSettings: (cmd) => cmd,
    connect: () => access,
  });
  await program.parseAsync(argv, { from: 'user' });
  return { out, err, code, stdinRead };
}

const account = {
  id: 'id-home',
  name: 'home',
  kind: 'rfc2136',
  provider: 'RFC 2136 (TSIG)',
  settings: {},
  credentials: [{ field: 'secret', set: true }],
  stopped: null,
  notBefore: null,
};

describe('the commands over a scripted port', () => {
  it('provider add: a credential in --set is a usage error before standard input is read', async () => {
    const { access, calls } = fakeAccess({ 'GET /providers': ok([rfc2136]) });
    const r = await runDdns(
      ['ddns', 'provider', 'add', 'x', '--kind', 'rfc2136', '--set', 'secret=abc'],
      access,
    );
    expect(r.code).toBe(2);
    expect(r.stdinRead).toBe(false);
    expect(r.err).toContain('"secret" is a credential');
    expect(calls.map((c) => c.route)).toEqual(['GET /providers']);
  });

  it('provider add: settings from --set, credentials from standard input; the credential is not printed', async () => {
    const { access, calls } = fakeAccess({ 'GET /providers': ok([rfc2136]), 'POST /accounts': ok(account) });
    const r = await runDdns(
      ['ddns', 'provider', 'add', 'home', '--kind', 'rfc2136', '--set', 'server=127.0.0.1', '--json'],
      access,
      'secret=c2VjcmV0\n',
    );
    expect(r.code).toBe(0);
    expect(calls[1]).toEqual({
      route: 'POST /accounts',
      body: {
        name: 'home',
        kind: 'rfc2136',
        settings: { server: '127.0.0.1' },
        secrets: { secret: 'c2VjcmV0' },
      },
    });
    expect(r.out + r.err).not.toContain('c2VjcmV0');
    expect(JSON.parse(r.out)).toMatchObject({ name: 'home', credentials: [{ field: 'secret', set: true }] });
  });

  it('provider add without the credential on standard input: usage error naming the field', async () => {
    const { access, calls } = fakeAccess({ 'GET /providers': ok([rfc2136]) });
    const r = await runDdns(['ddns', 'provider', 'add', 'home', '--kind', 'rfc2136'], access, '\n');
    expect(r.code).toBe(2);
    expect(r.err).toContain('needs "secret" on standard input');
    expect(calls).toHaveLength(1);
  });

  it('record add resolves the account by name; a domain failure exits 1 with its message (and as JSON)', async () => {
    const { access, calls } = fakeAccess({
      'GET /list': ok({ records: [], accounts: [account] }),
      'POST /records': fail({ code: 'ddns.duplicate', message: 'home.example.test A is managed already' }),
    });
    const r = await runDdns(
      ['ddns', 'record', 'add', 'home.example.test', '--type', 'A', '--account', 'home', '--json'],
      access,
    );
    expect(r.code).toBe(1);
    expect(calls[1]?.body).toMatchObject({ accountId: 'id-home', hostname: 'home.example.test', type: 'A' });
    expect(r.err).toBe('gatehouse: home.example.test A is managed already\n');
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'ddns.duplicate', message: 'home.example.test A is managed already' },
    });
  });

  it('record add with an unknown account names the known ones; a bad --ttl is a usage error asked nothing', async () => {
    const { access } = fakeAccess({ 'GET /list': ok({ records: [], accounts: [account] }) });
    const r = await runDdns(
      ['ddns', 'record', 'add', 'h.example.test', '--type', 'A', '--account', 'x'],
      access,
    );
    expect(r.code).toBe(1);
    expect(r.err).toBe('gatehouse: no provider account named "x"; there are: home\n');
    const bad = fakeAccess({});
    const u = await runDdns(
      ['ddns', 'record', 'add', 'h.example.test', '--type', 'A', '--account', 'x', '--ttl', 'soon'],
      bad.access,
    );
    expect(u.code).toBe(2);
    expect(bad.calls).toEqual([]);
  });

  it('record remove without --type removes both types of the hostname (case and trailing dot ignored)', async () => {
    const rec = (id: string, type: 'A' | 'AAAA', hostname = 'home.example.test') => ({
      id,
      hostname,
      zone: 'example.test',
      type,
      accountId: 'id-home',
      value: { kind: 'public' },
      ttl: 60,
      enabled: true,
      state: null,
    });
    const { access, calls } = fakeAccess({
      'GET /list': ok({
        records: [rec('r1', 'A'), rec('r2', 'AAAA'), rec('r3', 'A', 'other.example.test')],
        accounts: [account],
      }),
      'POST /records/remove': ok({ ok: true }),
    });
    const r = await runDdns(['ddns', 'record', 'remove', 'Home.Example.Test.'], access);
    expect(r.code).toBe(0);
    expect(calls.slice(1).map((c) => c.body)).toEqual([{ id: 'r1' }, { id: 'r2' }]);
    expect(r.out).toBe('Removed home.example.test A, home.example.test AAAA.\n');
  });

  it('update needs --once; a run with a failed record exits 1', async () => {
    const none = fakeAccess({});
    expect((await runDdns(['ddns', 'update'], none.access)).code).toBe(2);
    expect(none.calls).toEqual([]);
    const { access } = fakeAccess({ 'POST /update': ok(runs()) });
    const r = await runDdns(['ddns', 'update', '--once'], access);
    expect(r.code).toBe(1);
    expect(r.out).toContain('failed: REFUSED');
  });

  it('an answer of the wrong shape is a failure, not a crash', async () => {
    const { access } = fakeAccess({ 'GET /plan': ok([{ hostname: 1 }]) });
    const r = await runDdns(['ddns', 'plan'], access);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^gatehouse: unexpected answer at 0\./);
  });
});

function runs(): RunRow[] {
  return [
    {
      recordId: 'r2',
      hostname: 'nas.example.test',
      type: 'A',
      action: { kind: 'update', value: '203.0.113.7', previous: null, drift: false },
      served: null,
      result: 'failed',
      message: 'REFUSED',
      propagationMs: null,
    },
  ];
}
