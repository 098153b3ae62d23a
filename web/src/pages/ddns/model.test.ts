import { describe, expect, it } from 'vitest';
import type { AccountItem, ProviderItem, RecordItem, RecordState } from './api.js';
import {
  accountDraftOf,
  accountPatchOf,
  changeWords,
  clientProblem,
  credentialWords,
  emptyClientDraft,
  emptyRecordDraft,
  fieldHint,
  fieldPath,
  formatSeconds,
  hostnameList,
  lastResultOf,
  lastUsedWords,
  newAccountOf,
  newClientOf,
  newestFirst,
  newRecordOf,
  plainProblem,
  propagationWords,
  removeAccountProblem,
  runWords,
  trustWords,
  updateUrlOf,
  valueSourceWords,
  type RecordDraft,
} from './model.js';

const dyndns2: ProviderItem = {
  kind: 'dyndns2',
  label: 'dyndns2 (Dyn, No-IP, Dynu, custom)',
  docsUrl: 'https://help.dyn.com/remote-access-api/perform-update/',
  fields: [
    { name: 'preset', label: 'Service', secret: false },
    { name: 'serverUrl', label: 'Update URL', secret: false, optional: true, help: 'For a custom server.' },
    { name: 'username', label: 'Username', secret: false },
    { name: 'password', label: 'Password', secret: true, help: 'The updater password.' },
  ],
  can: { read: false, txt: false },
};

const account: AccountItem = {
  id: 'acc-1',
  name: 'Home',
  kind: 'dyndns2',
  provider: dyndns2.label,
  settings: { preset: 'custom', serverUrl: 'http://127.0.0.1:8080/nic/update', username: 'me' },
  credentials: [{ field: 'password', set: true, updatedAt: '2026-01-02T03:04:05.000Z' }],
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  stopped: null,
  notBefore: null,
};

const okAttempt = { at: '2026-01-01T00:00:00.000Z', ok: true, kind: null, code: 'good', message: 'good' };

const baseState: RecordState = {
  desired: '203.0.113.7',
  applied: '203.0.113.7',
  appliedAt: '2026-01-01T00:00:00.000Z',
  verifiedAt: '2026-01-01T00:00:01.200Z',
  propagationMs: 1200,
  pending: null,
  stopped: null,
  drift: null,
  lastAttempt: okAttempt,
};

const record = (state: RecordState | null, enabled = true): Pick<RecordItem, 'enabled' | 'state'> => ({
  enabled,
  state,
});

describe('words', () => {
  it.each([
    [1234, '1.2 s'],
    [400, '0.4 s'],
    [9_949, '9.9 s'],
    [10_000, '10 s'],
    [61_400, '61 s'],
  ])('formatSeconds(%d) = %s', (ms, words) => {
    expect(formatSeconds(ms)).toBe(words);
  });

  it('says how soon the authoritative servers served a change, and nothing when never measured', () => {
    expect(propagationWords(1200)).toBe('served by the authoritative servers 1.2 s after the change');
    expect(propagationWords(0)).toBe('served by the authoritative servers 0.0 s after the change');
    expect(propagationWords(null)).toBeUndefined();
    expect(propagationWords(undefined)).toBeUndefined();
    expect(propagationWords(-5)).toBeUndefined();
    expect(propagationWords(Number.NaN)).toBeUndefined();
  });

  it.each([
    [{ kind: 'public' }, 'This box’s public address'],
    [{ kind: 'fixed', address: '203.0.113.9' }, 'Fixed: 203.0.113.9'],
    [
      { kind: 'ipv6-host', suffix: '::211:32ff:fe12:3456' },
      'Device ::211:32ff:fe12:3456 behind the IPv6 prefix',
    ],
    [{ kind: 'fixed' }, 'Fixed: ?'],
    [{ kind: 'future-kind' }, 'future-kind'],
    [{}, 'unknown'],
  ])('value source %j → %s', (value, words) => {
    expect(valueSourceWords(value)).toBe(words);
  });

  it('history changes: old → new, or the first value alone', () => {
    expect(changeWords({ value: '203.0.113.7', previous: '203.0.113.5' })).toBe('203.0.113.5 → 203.0.113.7');
    expect(changeWords({ value: '203.0.113.7', previous: null })).toBe('203.0.113.7');
  });

  it('history newest first, whatever order it came in', () => {
    const sorted = newestFirst([
      { at: '2026-01-01T00:00:00.000Z', n: 1 },
      { at: '2026-01-03T00:00:00.000Z', n: 3 },
      { at: '2026-01-02T00:00:00.000Z', n: 2 },
    ]);
    expect(sorted.map((e) => e.n)).toEqual([3, 2, 1]);
  });

  it('credentials only as set (date), never a value', () => {
    const fmt = (iso: string) => `<${iso.slice(0, 10)}>`;
    expect(
      credentialWords({ field: 'password', set: true, updatedAt: '2026-01-02T03:04:05.000Z' }, fmt),
    ).toBe('set (<2026-01-02>)');
    expect(credentialWords({ field: 'password', set: true, updatedAt: null }, fmt)).toBe('set');
    expect(credentialWords({ field: 'password', set: false, updatedAt: null }, fmt)).toBe('not set');
  });

  it('strips the API path in front of a problem shown beside its field', () => {
    expect(plainProblem('settings.serverUrl', 'Settings.serverUrl: invalid URL.')).toBe('Invalid URL.');
    expect(plainProblem('hostname', 'Hostname: a hostname such as home.example.com.')).toBe(
      'A hostname such as home.example.com.',
    );
    expect(plainProblem('hostname', 'Home.example.com A is managed already.')).toBe(
      'Home.example.com A is managed already.',
    );
    expect(plainProblem('name', 'Name: ')).toBe('Name: ');
  });

  it('a 409 "records use it" in words; other failures keep their message', () => {
    expect(
      removeAccountProblem(
        'ddns.account-in-use',
        'Remove or move its records first: home.example.com A, nas.example.com AAAA.',
      ),
    ).toBe(
      'Records still use this account (home.example.com A, nas.example.com AAAA): remove them or move them to another account first.',
    );
    expect(removeAccountProblem('ddns.account-not-found', 'No DNS provider account x.')).toBe(
      'No DNS provider account x.',
    );
  });

  it('field hints: help, how to keep a stored secret, optional', () => {
    const [preset, serverUrl, , password] = dyndns2.fields;
    if (!preset || !serverUrl || !password) throw new Error('fixture');
    expect(fieldHint(preset, false)).toBeUndefined();
    expect(fieldHint(serverUrl, false)).toBe('For a custom server. Optional.');
    expect(fieldHint(password, false)).toBe('The updater password.');
    expect(fieldHint(password, true)).toBe('The updater password. Leave empty to keep the stored one.');
  });
});

describe('lastResultOf: what needs the person first', () => {
  it.each<[string, Pick<RecordItem, 'enabled' | 'state'>, string, string, string | undefined]>([
    ['off', record(baseState, false), 'unknown', 'off', 'Turned off: not updated.'],
    ['never run', record(null), 'unknown', 'not yet', 'Not tried yet.'],
    ['no attempt', record({ ...baseState, lastAttempt: null }), 'unknown', 'not yet', 'Not tried yet.'],
    ['ok', record(baseState), 'ok', 'ok', 'good'],
    [
      'ok without words',
      record({ ...baseState, lastAttempt: { ...okAttempt, message: '' } }),
      'ok',
      'ok',
      undefined,
    ],
    [
      'failed',
      record({ ...baseState, lastAttempt: { ...okAttempt, ok: false, message: 'HTTP 500' } }),
      'error',
      'failed',
      'HTTP 500',
    ],
    [
      'pending, one attempt',
      record({
        ...baseState,
        pending: { value: '203.0.113.8', since: 's', attempts: 1, nextAttemptAt: 'T1' },
      }),
      'warning',
      'pending',
      'Setting 203.0.113.8: 1 attempt so far; next try at <T1>.',
    ],
    [
      'pending after failures',
      record({
        ...baseState,
        pending: { value: '203.0.113.8', since: 's', attempts: 3, nextAttemptAt: 'T2' },
        lastAttempt: { ...okAttempt, ok: false, message: 'connection refused' },
      }),
      'warning',
      'pending',
      'Setting 203.0.113.8: 3 attempts so far (last: connection refused); next try at <T2>.',
    ],
    [
      'drift beats pending',
      record({
        ...baseState,
        drift: { at: 'x', served: '198.51.100.4' },
        pending: { value: '203.0.113.8', since: 's', attempts: 1, nextAttemptAt: 'T1' },
      }),
      'warning',
      'drift',
      'Changed by hand at the provider: the servers answered 198.51.100.4.',
    ],
    [
      'stopped beats drift',
      record({
        ...baseState,
        stopped: { at: 'x', message: 'badauth: wrong username or password' },
        drift: { at: 'x', served: '198.51.100.4' },
      }),
      'error',
      'stopped',
      'Stopped: badauth: wrong username or password. Change the record or its account to try again.',
    ],
    [
      'off beats stopped',
      record({ ...baseState, stopped: { at: 'x', message: 'nohost' } }, false),
      'unknown',
      'off',
      'Turned off: not updated.',
    ],
  ])('%s', (_name, r, tone, label, detail) => {
    expect(lastResultOf(r, (iso) => `<${iso}>`)).toEqual({
      tone,
      label,
      ...(detail === undefined ? {} : { detail }),
    });
  });
});

describe('runWords: what "Update now" did', () => {
  const run = {
    hostname: 'home.example.test',
    type: 'A' as const,
    result: null,
    message: null,
    propagationMs: null,
  };
  it.each([
    [
      { ...run, action: { kind: 'in-sync', value: '203.0.113.7' }, result: 'unchanged' as const },
      'ok',
      'home.example.test A: already 203.0.113.7, nothing to do.',
    ],
    [
      {
        ...run,
        action: { kind: 'update', value: '203.0.113.7', previous: '203.0.113.5' },
        result: 'updated' as const,
        propagationMs: 1234,
      },
      'ok',
      'home.example.test A: set to 203.0.113.7 (was 203.0.113.5), served by the authoritative servers 1.2 s after the change.',
    ],
    [
      {
        ...run,
        action: { kind: 'update', value: '203.0.113.7', previous: null },
        result: 'updated' as const,
      },
      'ok',
      'home.example.test A: set to 203.0.113.7.',
    ],
    [
      {
        ...run,
        action: { kind: 'update', value: '203.0.113.7' },
        result: 'failed' as const,
        message: 'badauth',
      },
      'error',
      'home.example.test A: failed: badauth.',
    ],
    [
      { ...run, action: { kind: 'update', value: '203.0.113.7' }, result: 'failed' as const },
      'error',
      'home.example.test A: failed.',
    ],
    [
      {
        ...run,
        action: {
          kind: 'wait',
          value: '203.0.113.7',
          until: 'T',
          reason: 'the server asked for a pause (911)',
        },
      },
      'warning',
      'home.example.test A: waiting until <T> before setting 203.0.113.7: the server asked for a pause (911).',
    ],
    [
      { ...run, action: { kind: 'hold', reason: 'no value: no public IPv4 address agreed yet' } },
      'unknown',
      'home.example.test A: left alone: no value: no public IPv4 address agreed yet.',
    ],
    [{ ...run, action: { kind: 'other' } }, 'unknown', 'home.example.test A: other.'],
  ])('%#', (r, tone, text) => {
    expect(runWords(r, (iso) => `<${iso}>`)).toEqual({ tone, text });
  });
});

describe('the record form', () => {
  const draft = (over: Partial<RecordDraft>): RecordDraft => ({ ...emptyRecordDraft('acc-1'), ...over });
  it.each<[string, Partial<RecordDraft>, unknown]>([
    [
      'public A with defaults',
      { hostname: ' home.example.com ' },
      {
        ok: true,
        body: {
          hostname: 'home.example.com',
          type: 'A',
          accountId: 'acc-1',
          value: { kind: 'public' },
          ttl: 60,
        },
      },
    ],
    [
      'fixed AAAA, TTL 300',
      { hostname: 'v6.example.com', type: 'AAAA', valueKind: 'fixed', address: ' 2001:db8::7 ', ttl: '300' },
      {
        ok: true,
        body: {
          hostname: 'v6.example.com',
          type: 'AAAA',
          accountId: 'acc-1',
          value: { kind: 'fixed', address: '2001:db8::7' },
          ttl: 300,
        },
      },
    ],
    [
      'device behind the prefix',
      { hostname: 'nas.example.com', type: 'AAAA', valueKind: 'ipv6-host', suffix: '::211:32ff:fe12:3456' },
      {
        ok: true,
        body: {
          hostname: 'nas.example.com',
          type: 'AAAA',
          accountId: 'acc-1',
          value: { kind: 'ipv6-host', suffix: '::211:32ff:fe12:3456' },
          ttl: 60,
        },
      },
    ],
    [
      'no hostname',
      { hostname: '  ' },
      { ok: false, field: 'hostname', message: 'Enter the hostname, e.g. home.example.com.' },
    ],
    [
      'no account',
      { hostname: 'a.example.com', accountId: '' },
      { ok: false, field: 'accountId', message: 'Add a provider account first.' },
    ],
    [
      'device on an A record',
      { hostname: 'a.example.com', valueKind: 'ipv6-host', suffix: '::1' },
      { ok: false, field: 'value.kind', message: 'A device behind the IPv6 prefix needs an AAAA record.' },
    ],
    [
      'TTL 0',
      { hostname: 'a.example.com', ttl: '0' },
      { ok: false, field: 'ttl', message: 'TTL: whole seconds from 1 to 86400.' },
    ],
    [
      'TTL blank',
      { hostname: 'a.example.com', ttl: ' ' },
      { ok: false, field: 'ttl', message: 'TTL: whole seconds from 1 to 86400.' },
    ],
    [
      'TTL 1.5',
      { hostname: 'a.example.com', ttl: '1.5' },
      { ok: false, field: 'ttl', message: 'TTL: whole seconds from 1 to 86400.' },
    ],
    [
      'TTL 86401',
      { hostname: 'a.example.com', ttl: '86401' },
      { ok: false, field: 'ttl', message: 'TTL: whole seconds from 1 to 86400.' },
    ],
    [
      'fixed without address',
      { hostname: 'a.example.com', valueKind: 'fixed' },
      { ok: false, field: 'value.address', message: 'Enter the address the name should point to.' },
    ],
    [
      'device without suffix',
      { hostname: 'a.example.com', type: 'AAAA', valueKind: 'ipv6-host' },
      {
        ok: false,
        field: 'value.suffix',
        message: 'Enter the device’s interface identifier, e.g. ::211:32ff:fe12:3456.',
      },
    ],
  ])('%s', (_name, over, expected) => {
    expect(newRecordOf(draft(over))).toEqual(expected);
  });

  it('TTL 86400 is the largest allowed', () => {
    const r = newRecordOf(draft({ hostname: 'a.example.com', ttl: '86400' }));
    expect(r.ok && r.body.ttl).toBe(86_400);
  });
});

describe('the account form', () => {
  it('names each field as the API does', () => {
    expect(dyndns2.fields.map(fieldPath)).toEqual([
      'settings.preset',
      'settings.serverUrl',
      'settings.username',
      'secrets.password',
    ]);
  });

  it('a new account starts empty; an edit starts with its settings, never a secret', () => {
    expect(accountDraftOf(dyndns2)).toEqual({
      kind: 'dyndns2',
      name: '',
      values: { preset: '', serverUrl: '', username: '', password: '' },
    });
    expect(
      accountDraftOf(dyndns2, { ...account, settings: { ...account.settings, password: 'leaked?' } }),
    ).toEqual({
      kind: 'dyndns2',
      name: 'Home',
      values: {
        preset: 'custom',
        serverUrl: 'http://127.0.0.1:8080/nic/update',
        username: 'me',
        password: '',
      },
    });
  });

  it('sends settings trimmed, empty optional ones left out, a secret exactly as typed', () => {
    const d = {
      kind: 'dyndns2',
      name: ' Home ',
      values: { preset: ' custom ', serverUrl: '', username: 'me', password: ' pass word ' },
    };
    expect(newAccountOf(dyndns2, d)).toEqual({
      ok: true,
      body: {
        kind: 'dyndns2',
        name: 'Home',
        settings: { preset: 'custom', username: 'me' },
        secrets: { password: ' pass word ' },
      },
    });
  });

  it.each([
    ['name', { name: ' ' }, 'name', 'Enter a name for the account.'],
    [
      'a required setting',
      { values: { preset: 'dyn', username: ' ', password: 'p' } },
      'settings.username',
      'Enter the username.',
    ],
    [
      'a required secret',
      { values: { preset: 'dyn', username: 'me', password: '  ' } },
      'secrets.password',
      'Enter the password.',
    ],
  ])('a new account without %s says which field', (_n, over, field, message) => {
    const d = { kind: 'dyndns2', name: 'Home', values: {}, ...over };
    expect(newAccountOf(dyndns2, d)).toEqual({ ok: false, field, message });
  });

  it('an edit sends only what changed; an empty secret keeps the stored one', () => {
    const start = accountDraftOf(dyndns2, account);
    const withPassword = { ...start, values: { ...start.values, password: 'new secret' } };
    expect(accountPatchOf(dyndns2, account, withPassword)).toEqual({
      ok: true,
      body: { secrets: { password: 'new secret' } },
    });
    const renamed = { ...start, name: 'Office' };
    expect(accountPatchOf(dyndns2, account, renamed)).toEqual({ ok: true, body: { name: 'Office' } });
    const moved = { ...start, values: { ...start.values, serverUrl: '' } };
    expect(accountPatchOf(dyndns2, account, moved)).toEqual({
      ok: true,
      body: { settings: { preset: 'custom', username: 'me' } },
    });
  });

  it('an edit that changes nothing is a problem, and for a stopped account it says new credentials are needed', () => {
    const start = accountDraftOf(dyndns2, account);
    expect(accountPatchOf(dyndns2, account, start)).toEqual({
      ok: false,
      field: 'form',
      message: 'Nothing changed.',
    });
    const stopped = { ...account, stopped: { at: 'x', code: 'badauth', message: 'badauth' } };
    const r = accountPatchOf(dyndns2, stopped, start);
    expect(!r.ok && r.message).toContain('enter the new credentials');
  });

  it('an edit keeps required settings required', () => {
    const start = accountDraftOf(dyndns2, account);
    expect(accountPatchOf(dyndns2, account, { ...start, values: { ...start.values, username: '' } })).toEqual(
      {
        ok: false,
        field: 'settings.username',
        message: 'Enter the username.',
      },
    );
    expect(accountPatchOf(dyndns2, account, { ...start, name: '' })).toMatchObject({
      ok: false,
      field: 'name',
    });
  });
});

describe('the clients of the inbound dyndns2 endpoint', () => {
  it('hostnameList splits on commas, spaces and new lines, each once', () => {
    expect(hostnameList(' home.example.com, nas.example.com\nhome.example.com  ')).toEqual([
      'home.example.com',
      'nas.example.com',
    ]);
    expect(hostnameList(' , ')).toEqual([]);
  });

  it('newClientOf: the body, or the field to fix first', () => {
    expect(newClientOf({ name: ' fritzbox ', hostnames: 'home.example.com', trusted: true })).toEqual({
      ok: true,
      body: { name: 'fritzbox', hostnames: ['home.example.com'], trusted: true },
    });
    expect(newClientOf({ ...emptyClientDraft, hostnames: 'h.example.com' })).toMatchObject({
      ok: false,
      field: 'name',
    });
    expect(newClientOf({ name: 'Fritz Box', hostnames: 'h.example.com', trusted: false })).toMatchObject({
      ok: false,
      field: 'name',
      message: expect.stringContaining('user name the router sends') as unknown,
    });
    expect(newClientOf({ name: '..', hostnames: 'h.example.com', trusted: false })).toMatchObject({
      ok: false,
      field: 'name',
    });
    expect(newClientOf({ name: 'fritzbox', hostnames: ' ', trusted: false })).toMatchObject({
      ok: false,
      field: 'hostnames',
    });
    const many = Array.from({ length: 21 }, (_, i) => `h${i}.example.com`).join(',');
    expect(newClientOf({ name: 'fritzbox', hostnames: many, trusted: false })).toMatchObject({
      ok: false,
      field: 'hostnames',
      message: 'At most 20 hostnames.',
    });
  });

  it('clientProblem ties the server’s reason to its field', () => {
    expect(clientProblem('hostnames.1: "x" is not a fully qualified domain name')).toEqual({
      field: 'hostnames',
      message: '"x" is not a fully qualified domain name',
    });
    expect(clientProblem('Name: name is empty.')).toEqual({ field: 'name', message: 'name is empty.' });
    expect(clientProblem('Hostnames: at most 20 hostnames.')).toMatchObject({ field: 'hostnames' });
    expect(clientProblem('invalid input')).toEqual({ message: 'invalid input' });
  });

  it('updateUrlOf, trustWords, lastUsedWords', () => {
    expect(updateUrlOf('https://box.example.com:8443/', ['a.example.com', 'b.example.com'])).toBe(
      'https://box.example.com:8443/nic/update?hostname=a.example.com,b.example.com&myip=<ipaddr>',
    );
    expect(trustWords(true)).toMatch(/accepted on its own/);
    expect(trustWords(false)).toMatch(/^One vote/);
    expect(lastUsedWords(null, () => 'x')).toBe('never');
    expect(lastUsedWords('2026-03-01T12:00:00.000Z', (iso) => `at ${iso}`)).toBe(
      'at 2026-03-01T12:00:00.000Z',
    );
  });
});
