import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { coreAuditTypes } from '../audit/core-types.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { State } from '../store/schema.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { DdnsAdmin } from './admin.js';
import { ddnsInboundAuditTypes } from './inbound/audit-types.js';
import { DdnsClients } from './inbound/clients.js';
import {
  addDdnsCommands,
  callOffline,
  checkAccountFlags,
  clientAddedSchema,
  clientListSchema,
  checkCredentials,
  clientInput,
  clientName,
  formatDuration,
  parseCredentials,
  parseSettings,
  readAnswer,
  recordInput,
  removeCredentialRoute,
  renderClientAdded,
  renderClients,
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

const fritzbox = {
  id: 'c1',
  name: 'fritzbox',
  hostnames: ['home.example.test', 'nas.example.test'],
  trusted: false,
  createdAt: '2026-03-01T12:00:00.000Z',
  lastUsedAt: null,
};

describe('dyndns2 client credentials: input and output', () => {
  it('clientInput checks name and hostnames with the clients’ schema and names the flag at fault', () => {
    expect(clientInput('fritzbox', ['Home.Example.Test.', 'home.example.test'], true)).toEqual(
      ok({ name: 'fritzbox', hostnames: ['home.example.test'], trusted: true }),
    );
    expect(clientInput('fritzbox', [], false)).toEqual(
      fail({ code: 'usage', message: 'give at least one --hostname, e.g. --hostname home.example.com' }),
    );
    expect(clientInput('Fritz Box', ['home.example.test'], false)).toEqual(
      fail({ code: 'usage', message: 'NAME: name may hold only a-z, 0-9, ".", "_" and "-"' }),
    );
    expect(clientInput('..', ['home.example.test'], false)).toEqual(
      fail({ code: 'usage', message: 'NAME: begin it with a letter or a digit, e.g. fritzbox' }),
    );
    const bad = clientInput('fritzbox', ['home.example.test', 'home'], false);
    expect(bad.ok).toBe(false);
    if (!bad.ok)
      expect(bad.error.message).toMatch(/^--hostname: "home" is not a fully qualified domain name/);
  });

  it('clientName refuses what cannot be a client name before it goes into a path', () => {
    expect(clientName('fritzbox')).toEqual(ok('fritzbox'));
    expect(clientName('a/b').ok).toBe(false);
    expect(clientName('').ok).toBe(false);
  });

  it('renderClients: hostnames, trusted, created and last used; says how to begin when there is none', () => {
    const lines = renderClients([
      fritzbox,
      {
        ...fritzbox,
        id: 'c2',
        name: 'nas',
        hostnames: ['x.example.test'],
        trusted: true,
        lastUsedAt: '2026-03-02T08:30:00.000Z',
      },
    ]).split('\n');
    expect(lines[0]).toMatch(/^NAME +HOSTNAMES +TRUSTED +CREATED +LAST USED$/);
    expect(lines[1]).toMatch(
      /^fritzbox +home\.example\.test,nas\.example\.test +no +2026-03-01T12:00:00Z +never$/,
    );
    expect(lines[2]).toMatch(/^nas +x\.example\.test +yes +2026-03-01T12:00:00Z +2026-03-02T08:30:00Z$/);
    expect(renderClients([])).toBe(
      'No dyndns2 clients. Add one with `gatehouse ddns credential add NAME --hostname HOSTNAME`.\n',
    );
  });

  it('renderClientAdded: the password once, the update URL and ddclient / inadyn hints', () => {
    const text = renderClientAdded({ client: fritzbox, password: 'pw-123' });
    expect(text.split('pw-123')).toHaveLength(2);
    expect(text).toContain(
      'Added the dyndns2 client "fritzbox" for home.example.test, nas.example.test (an address it pushes is one vote in the quorum).',
    );
    expect(text).toContain(
      'https://<this box>/nic/update?hostname=home.example.test,nas.example.test&myip=<ipaddr>',
    );
    expect(text).toContain('    login=fritzbox\n');
    expect(text).toContain('hostname    = { "home.example.test", "nas.example.test" }');
    const one = renderClientAdded({
      client: { ...fritzbox, hostnames: ['home.example.test'], trusted: true },
      password: 'pw',
    });
    expect(one).toContain('(trusted: an address it pushes is accepted on its own)');
    expect(one).toContain('hostname    = home.example.test\n');
  });
});

describe('credential commands over a scripted port', () => {
  it('add sends the checked body and prints the password once; --json gives {client, password}', async () => {
    const { access, calls } = fakeAccess({
      'POST /credentials': ok({ client: fritzbox, password: 'pw-Once-123' }),
    });
    const r = await runDdns(
      [
        'ddns',
        'credential',
        'add',
        'fritzbox',
        '--hostname',
        'Home.Example.Test',
        '--hostname',
        'nas.example.test',
      ],
      access,
    );
    expect(r.code).toBe(0);
    expect(calls).toEqual([
      {
        route: 'POST /credentials',
        body: { name: 'fritzbox', hostnames: ['home.example.test', 'nas.example.test'], trusted: false },
      },
    ]);
    expect(r.out.split('pw-Once-123')).toHaveLength(2);
    const j = await runDdns(
      ['ddns', 'credential', 'add', 'fritzbox', '--hostname', 'home.example.test', '--trusted', '--json'],
      access,
    );
    expect(calls[1]?.body).toMatchObject({ trusted: true });
    expect(JSON.parse(j.out)).toEqual({ client: fritzbox, password: 'pw-Once-123' });
  });

  it('add: a bad name or hostname, or none, is a usage error (exit 2) that asks nothing', async () => {
    for (const argv of [
      ['ddns', 'credential', 'add', 'Bad Name', '--hostname', 'home.example.test'],
      ['ddns', 'credential', 'add', 'fritzbox', '--hostname', 'home'],
      ['ddns', 'credential', 'add', 'fritzbox'],
    ]) {
      const { access, calls } = fakeAccess({});
      const r = await runDdns(argv, access);
      expect([r.code, calls]).toEqual([2, []]);
      expect(r.err).toMatch(/^gatehouse: (NAME|--hostname|give at least one --hostname)/);
    }
  });

  it('add: a name taken is a failure (exit 1) with the message', async () => {
    const { access } = fakeAccess({
      'POST /credentials': fail({
        code: 'ddns.client-exists',
        message: 'a client named "fritzbox" exists; remove it first',
      }),
    });
    const r = await runDdns(
      ['ddns', 'credential', 'add', 'fritzbox', '--hostname', 'home.example.test'],
      access,
    );
    expect(r.code).toBe(1);
    expect(r.err).toBe('gatehouse: a client named "fritzbox" exists; remove it first\n');
  });

  it('list never prints a hash, even when an answer carries one', async () => {
    const { access } = fakeAccess({
      'GET /credentials': ok({ clients: [{ ...fritzbox, passwordHash: 'scrypt$secret-hash' }] }),
    });
    for (const json of [false, true]) {
      const r = await runDdns(['ddns', 'credential', 'list', ...(json ? ['--json'] : [])], access);
      expect(r.code).toBe(0);
      expect(r.out).toContain('fritzbox');
      expect(r.out).not.toContain('secret-hash');
      if (json) expect(JSON.parse(r.out)).toEqual({ clients: [fritzbox] });
    }
  });

  it('remove calls DELETE /credentials/NAME; a bad name asks nothing; not found exits 1', async () => {
    const { access, calls } = fakeAccess({ 'DELETE /credentials/fritzbox': ok({ client: fritzbox }) });
    const r = await runDdns(['ddns', 'credential', 'remove', 'fritzbox'], access);
    expect(r.code).toBe(0);
    expect(calls.map((c) => c.route)).toEqual(['DELETE /credentials/fritzbox']);
    expect(r.out).toBe('Removed the dyndns2 client "fritzbox": its password no longer works.\n');
    const bad = fakeAccess({});
    expect((await runDdns(['ddns', 'credential', 'remove', '../list'], bad.access)).code).toBe(2);
    expect(bad.calls).toEqual([]);
    const none = fakeAccess({
      'DELETE /credentials/nobody': fail({
        code: 'ddns.client-not-found',
        message: 'no client named "nobody"',
      }),
    });
    const n = await runDdns(['ddns', 'credential', 'remove', 'nobody'], none.access);
    expect([n.code, n.err]).toEqual([1, 'gatehouse: no client named "nobody"\n']);
  });
});

describe('callOffline for the dyndns2 clients', () => {
  function offline() {
    const registry = coreAuditTypes();
    registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
    const store = new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
    const clock = new FakeClock('2026-03-01T12:00:00.000Z');
    const admin = new DdnsAdmin({
      store,
      secrets: new FakeSecrets(clock),
      providers: new Map(),
      providerDeps: { udp: undefined as never, userAgent: 'test', fetch: globalThis.fetch, clock },
      clock,
      newId: () => 'id',
    });
    const clients = new DdnsClients({ store, clock, generatePassword: () => 'pw-offline-1' });
    return { store, admin, clients };
  }

  it('adds, lists and removes through the clients service with the bodies of the control routes, as local', async () => {
    const t = offline();
    const call = (route: DdnsRoute, body?: unknown) =>
      callOffline(t.admin, undefined, route, body, t.clients);
    const added = await call('POST /credentials', { name: 'fritzbox', hostnames: ['home.example.test'] });
    expect(added).toMatchObject(
      ok({ client: { name: 'fritzbox', trusted: false }, password: 'pw-offline-1' }),
    );
    expect(readAnswer(clientAddedSchema, added.ok ? added.value : null).ok).toBe(true);
    const listed = await call('GET /credentials');
    expect(readAnswer(clientListSchema, listed.ok ? listed.value : null)).toMatchObject(
      ok({ clients: [{ name: 'fritzbox', hostnames: ['home.example.test'] }] }),
    );
    expect(JSON.stringify(listed)).not.toMatch(/scrypt|passwordHash|pw-offline-1/);
    expect(await call(removeCredentialRoute('fritzbox'))).toMatchObject(ok({ client: { name: 'fritzbox' } }));
    expect(t.store.read().ddns.clients).toEqual([]);
    expect(await call(removeCredentialRoute('fritzbox'))).toMatchObject(
      fail({ code: 'ddns.client-not-found' }),
    );
    const audit = (t.store.appended.get('audit') ?? []) as { type: string; actor: string }[];
    expect(audit.map((a) => [a.type, a.actor])).toEqual([
      ['ddns.client-added', 'local'],
      ['ddns.client-removed', 'local'],
    ]);
  });
});
