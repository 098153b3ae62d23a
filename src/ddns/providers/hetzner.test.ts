import { beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import type { DnsProvider, RecordRef } from '../provider.js';
import { actionPollDelaysMs, hetznerProvider, rrName } from './hetzner.js';

const TOKEN = 'hcloud-SECRET-rw-0123456789abcdef';
const READ_ONLY = 'hcloud-SECRET-ro-0123456789abcdef';

interface HzRecord {
  value: string;
  comment?: string;
}
interface HzRRSet {
  zone: number;
  name: string;
  type: string;
  ttl: number | null;
  records: HzRecord[];
}
interface HzAction {
  id: number;
  command: string;
  status: 'running' | 'success' | 'error';
  /** Polls answered `running` before it ends. */
  pollsLeft: number;
  apply: () => void;
  error: { code: string; message: string } | null;
}

/**
 * The Hetzner Cloud API's zones, RRSets and actions as an in-memory model: Bearer tokens (401 `unauthorized` for an
 * unknown one, 403 `forbidden` for a read-only one on writes), RRSets addressed by relative name (`@` apex) and
 * type, changes as actions that stay `running` for `actionPolls` polls of `GET /zones/actions/{id}` and only then
 * apply, 422 `incorrect_zone_mode` for secondary zones, 422 `invalid_input` for an A value that is not IPv4 or a
 * TXT value that is not quoted, 409 `uniqueness_error` for an RRSet that exists. `next` replaces the next answer.
 */
class FakeHetzner {
  zones = [
    { id: 1001, name: 'example.com', mode: 'primary', ttl: 3600 },
    { id: 1002, name: 'lab.example.net', mode: 'primary', ttl: 3600 },
    { id: 1003, name: 'sec.example.org', mode: 'secondary', ttl: 3600 },
  ];
  rrsets: HzRRSet[] = [];
  actions = new Map<number, HzAction>();
  actionPolls = 1;
  failNextAction: { code: string; message: string } | undefined;
  next: FakeApiAnswer | undefined;
  /** Replaces the answer to the next write (POST, DELETE). */
  nextWrite: FakeApiAnswer | undefined;
  /** Replaces the answer to the next poll of an action. */
  nextPoll: FakeApiAnswer | undefined;
  /** An API that ignores the zone name filter and lists the zones in another order: the adapter must still check. */
  sloppy = false;
  private seq = 500;

  reset(): void {
    this.next = undefined;
    this.seq = 500;
    this.nextWrite = undefined;
    this.nextPoll = undefined;
    this.sloppy = false;
    this.actionPolls = 1;
    this.failNextAction = undefined;
    this.actions.clear();
    this.rrsets = [
      {
        zone: 1001,
        name: 'home',
        type: 'A',
        ttl: 300,
        records: [{ value: '198.51.100.7', comment: 'router' }],
      },
      { zone: 1001, name: 'home', type: 'AAAA', ttl: 300, records: [{ value: '2001:db8::7' }] },
      { zone: 1001, name: 'nas', type: 'A', ttl: null, records: [{ value: '198.51.100.8' }] },
      { zone: 1001, name: '@', type: 'A', ttl: 3600, records: [{ value: '198.51.100.1' }] },
      { zone: 1001, name: '_acme-challenge', type: 'TXT', ttl: 60, records: [{ value: '"old" "token"' }] },
      { zone: 1002, name: 'pi', type: 'A', ttl: 60, records: [{ value: '203.0.113.9' }] },
    ];
  }

  handle(req: FakeApiRequest): FakeApiAnswer {
    if (this.next) {
      const n = this.next;
      this.next = undefined;
      return n;
    }
    if (this.nextWrite && req.method !== 'GET') {
      const n = this.nextWrite;
      this.nextWrite = undefined;
      return n;
    }
    if (this.nextPoll && req.url.startsWith('/v1/zones/actions/')) {
      const n = this.nextPoll;
      this.nextPoll = undefined;
      return n;
    }
    if (req.body !== '' && req.headers['content-type'] !== 'application/json')
      return error(415, 'json_error', 'Content-Type must be application/json');
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (token !== TOKEN && token !== READ_ONLY) return error(401, 'unauthorized', 'unable to authenticate');
    if (token === READ_ONLY && req.method !== 'GET')
      return error(403, 'forbidden', 'insufficient permissions');
    const url = new URL(req.url, 'http://fake');
    const path = url.pathname.replace(/^\/v1/, '');
    if (path === '/zones' && req.method === 'GET') {
      const name = this.sloppy ? null : url.searchParams.get('name');
      const matching = this.zones.filter((z) => name === null || z.name === name);
      const zones = this.sloppy ? matching.reverse() : matching;
      return {
        body: { zones, meta: { pagination: { page: 1, per_page: 25, total_entries: zones.length } } },
      };
    }
    const action = /^\/zones\/actions\/(\d+)$/.exec(path);
    if (action) {
      const a = this.actions.get(Number(action[1]));
      if (!a) return error(404, 'not_found', 'action not found');
      if (a.status === 'running') {
        if (a.pollsLeft > 0) a.pollsLeft--;
        else if (a.error) a.status = 'error';
        else {
          a.apply();
          a.status = 'success';
        }
      }
      return { body: { action: this.actionJson(a) } };
    }
    const m = /^\/zones\/(\d+)\/rrsets(?:\/([^/]+)\/([A-Z]+)(\/actions\/set_records)?)?$/.exec(path);
    const zone = this.zones.find((z) => z.id === Number(m?.[1]));
    if (!m || !zone) return error(404, 'not_found', 'zone not found');
    const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const found = this.rrsets.find((r) => r.zone === zone.id && r.name === name && r.type === m[3]);
    if (req.method !== 'GET' && zone.mode !== 'primary')
      return error(422, 'incorrect_zone_mode', "This operation is not supported for this Zone's mode.");
    if (name === undefined && req.method === 'POST') {
      const b = JSON.parse(req.body) as Omit<HzRRSet, 'zone'>;
      if (this.rrsets.some((r) => r.zone === zone.id && r.name === b.name && r.type === b.type))
        return error(409, 'uniqueness_error', 'rrset already exists');
      const invalid = this.check(b.type, b.records);
      if (invalid) return invalid;
      const rrset = { zone: zone.id, name: b.name, type: b.type, ttl: b.ttl, records: b.records };
      const a = this.action('create_rrset', () => this.rrsets.push(rrset));
      return { status: 201, body: { rrset: this.rrsetJson(rrset), action: this.actionJson(a) } };
    }
    if (!found) return error(404, 'not_found', 'rrset not found');
    if (req.method === 'GET' && m[4] === undefined) return { body: { rrset: this.rrsetJson(found) } };
    if (req.method === 'POST' && m[4] !== undefined) {
      const b = JSON.parse(req.body) as { records: HzRecord[] };
      const invalid = this.check(found.type, b.records);
      if (invalid) return invalid;
      const a = this.action('set_rrset_records', () => (found.records = b.records));
      return { status: 201, body: { action: this.actionJson(a) } };
    }
    if (req.method === 'DELETE') {
      const a = this.action('delete_rrset', () => (this.rrsets = this.rrsets.filter((r) => r !== found)));
      return { status: 201, body: { action: this.actionJson(a) } };
    }
    return error(405, 'method_not_allowed', 'method not allowed');
  }

  private check(type: string, records: readonly HzRecord[]): FakeApiAnswer | undefined {
    for (const r of records) {
      if (type === 'A' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(r.value))
        return error(422, 'invalid_input', 'invalid input in field records');
      if (type === 'TXT' && !/^"(?:[^"\\]|\\.){0,255}"(?: "(?:[^"\\]|\\.){0,255}")*$/.test(r.value))
        return error(422, 'invalid_input', 'TXT value must be quoted strings of up to 255 characters');
    }
    return undefined;
  }

  private action(command: string, apply: () => void): HzAction {
    const a: HzAction = {
      id: ++this.seq,
      command,
      status: 'running',
      pollsLeft: this.actionPolls - 1,
      apply,
      error: this.failNextAction ?? null,
    };
    this.failNextAction = undefined;
    this.actions.set(a.id, a);
    return a;
  }

  private actionJson(a: HzAction): unknown {
    return {
      id: a.id,
      command: a.command,
      status: a.status,
      progress: a.status === 'running' ? 0 : 100,
      started: '2026-11-28T12:00:00Z',
      finished: a.status === 'running' ? null : '2026-11-28T12:00:01Z',
      resources: [{ id: 1001, type: 'zone' }],
      error: a.status === 'error' ? a.error : null,
    };
  }

  private rrsetJson(r: HzRRSet): unknown {
    return {
      id: `${r.name}/${r.type}`,
      name: r.name,
      type: r.type,
      ttl: r.ttl,
      labels: {},
      protection: { change: false },
      records: r.records.map((x) => ({ value: x.value, comment: x.comment ?? null })),
      zone: r.zone,
    };
  }

  others(zone: number, name: string, type: string): HzRRSet[] {
    return structuredClone(
      this.rrsets.filter((r) => !(r.zone === zone && r.name === name && r.type === type)),
    );
  }
  of(zone: number, name: string, type: string): HzRRSet | undefined {
    return this.rrsets.find((r) => r.zone === zone && r.name === name && r.type === type);
  }
}

function error(status: number, code: string, message: string): FakeApiAnswer {
  return { status, body: { error: { code, message, details: {} } } };
}

const fake = new FakeHetzner();
const api = serveFakeApi(fake);
let clock = new FakeClock('2026-11-28T12:00:00Z');

function client(token = TOKEN, endpoint = `${api.baseUrl}/v1`): DnsProvider {
  const deps = providerTestDeps(clock);
  return hetznerProvider.create(
    hetznerProvider.settings.parse({ endpoint }),
    hetznerProvider.secrets.parse({ token }),
    deps,
  );
}

/** Runs the call, moving the fake clock to each sleep it waits on, until it ends. */
async function driven<T>(p: Promise<T> | undefined): Promise<T> {
  if (p === undefined) throw new Error('no such method');
  const state = { done: false };
  const watched = p.finally(() => {
    state.done = true;
  });
  while (!state.done) {
    await Promise.race([clock.sleeping(), watched]);
    const next = clock.pendingWakeups()[0];
    if (next !== undefined) clock.advance(next);
  }
  return watched;
}

const writes = (): FakeApiRequest[] => api.requests.filter((r) => r.method !== 'GET');
const polls = (): FakeApiRequest[] => api.requests.filter((r) => r.url.startsWith('/v1/zones/actions/'));
const A = (name: string, zone = 'example.com'): RecordRef => ({ zone, name, type: 'A' });

beforeEach(() => {
  clock = new FakeClock('2026-11-28T12:00:00Z');
});

describe('Hetzner adapter against a fake Hetzner Cloud API', () => {
  it('reads an RRSet (TTL null is the zone default); a missing one is empty', async () => {
    const h = client();
    expect(await h.read?.(A('home.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.7'], ttl: 300 },
    });
    expect(await h.read?.(A('nas.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.8'], ttl: null },
    });
    expect(await h.read?.(A('example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.1'], ttl: 3600 },
    });
    expect(await h.read?.(A('missing.example.com'))).toEqual({ ok: true, value: { values: [], ttl: null } });
    expect(api.requests.map((r) => r.url)).toEqual([
      '/v1/zones?name=home.example.com',
      '/v1/zones?name=example.com',
      '/v1/zones/1001/rrsets/home/A',
      '/v1/zones?name=nas.example.com',
      '/v1/zones?name=example.com',
      '/v1/zones/1001/rrsets/nas/A',
      '/v1/zones?name=example.com',
      '/v1/zones/1001/rrsets/%40/A',
      '/v1/zones?name=missing.example.com',
      '/v1/zones?name=example.com',
      '/v1/zones/1001/rrsets/missing/A',
    ]);
    expect(api.requests[0]?.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('reads TXT strings joined and unquoted', async () => {
    expect(
      await client().read?.({ zone: 'example.com', name: '_acme-challenge.example.com', type: 'TXT' }),
    ).toMatchObject({ value: { values: ['oldtoken'] } });
  });

  it('set creates a missing RRSet with the TTL asked and waits for its action', async () => {
    const others = fake.others(1001, 'new', 'A');
    const r = await driven(client().set(A('new.example.com'), ['203.0.113.6', '203.0.113.5'], 60));
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of(1001, 'new', 'A')).toEqual({
      zone: 1001,
      name: 'new',
      type: 'A',
      ttl: 60,
      records: [{ value: '203.0.113.5' }, { value: '203.0.113.6' }],
    });
    expect(writes().map((w) => [w.method, w.url])).toEqual([['POST', '/v1/zones/1001/rrsets']]);
    expect(polls()).toHaveLength(1);
    expect(clock.sleepsAsked()).toEqual([500]);
    expect(fake.others(1001, 'new', 'A')).toEqual(others);
  });

  it('set replaces the records with set_records: a kept value keeps its comment, TTL and other RRSets stay', async () => {
    fake.of(1001, 'home', 'A')?.records.push({ value: '198.51.100.9' });
    const others = fake.others(1001, 'home', 'A');
    const r = await driven(client().set(A('home.example.com'), ['198.51.100.7', '203.0.113.44'], 60));
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(fake.of(1001, 'home', 'A')).toMatchObject({
      ttl: 300,
      records: [{ value: '198.51.100.7', comment: 'router' }, { value: '203.0.113.44' }],
    });
    expect(writes().map((w) => [w.method, w.url, JSON.parse(w.body) as unknown])).toEqual([
      [
        'POST',
        '/v1/zones/1001/rrsets/home/A/actions/set_records',
        { records: [{ value: '198.51.100.7', comment: 'router' }, { value: '203.0.113.44' }] },
      ],
    ]);
    expect(fake.others(1001, 'home', 'A')).toEqual(others);
  });

  it('set with the values already held is changed:false and writes nothing', async () => {
    fake.rrsets.push({
      zone: 1001,
      name: 'cam',
      type: 'AAAA',
      ttl: 60,
      records: [{ value: '2001:DB8:0::1' }],
    });
    const h = client();
    expect(await h.set(A('home.example.com'), ['198.51.100.7'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(
      await h.set({ zone: 'example.com', name: 'cam.example.com', type: 'AAAA' }, ['2001:db8::1'], 60),
    ).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(writes()).toEqual([]);
  });

  it('TXT: each value is quoted (split at 255 characters), read back whole; delete removes only that RRSet', async () => {
    const h = client();
    const ref: RecordRef = { zone: 'example.com', name: '_acme-challenge.home.example.com', type: 'TXT' };
    const long = 'x'.repeat(300);
    const others = fake.others(1001, '_acme-challenge.home', 'TXT');
    expect(await driven(h.set(ref, ['a "quoted" token', long], 60))).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of(1001, '_acme-challenge.home', 'TXT')?.records).toEqual([
      { value: '"a \\"quoted\\" token"' },
      { value: `"${'x'.repeat(255)}" "${'x'.repeat(45)}"` },
    ]);
    expect(await h.read?.(ref)).toMatchObject({ value: { values: ['a "quoted" token', long] } });
    expect(await driven(h.delete?.(ref))).toEqual({ ok: true, value: undefined });
    expect(fake.of(1001, '_acme-challenge.home', 'TXT')).toBeUndefined();
    expect(fake.others(1001, '_acme-challenge.home', 'TXT')).toEqual(others);
    api.requests.length = 0;
    expect(await h.delete?.(ref)).toEqual({ ok: true, value: undefined });
    expect(writes()).toEqual([]);
  });

  it('set to no values deletes the RRSet', async () => {
    expect(await driven(client().set(A('nas.example.com'), [], 60))).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.of(1001, 'nas', 'A')).toBeUndefined();
    expect(writes().map((w) => [w.method, w.url])).toEqual([['DELETE', '/v1/zones/1001/rrsets/nas/A']]);
  });

  it('polls a running action on the clock until it succeeds', async () => {
    fake.actionPolls = 3;
    const r = await driven(client().set(A('home.example.com'), ['203.0.113.44'], 60));
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(clock.sleepsAsked()).toEqual(actionPollDelaysMs.slice(0, 3));
    expect(polls()).toHaveLength(3);
    expect(fake.of(1001, 'home', 'A')?.records).toEqual([{ value: '203.0.113.44', comment: 'router' }]);
  });

  it('an action still running after every poll is transient (bounded)', async () => {
    fake.actionPolls = 100;
    const r = await driven(client().set(A('home.example.com'), ['203.0.113.44'], 60));
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient', code: 'running' } });
    expect(!r.ok && r.error.message).toBe(
      'Hetzner: POST /zones/1001/rrsets/home/A/actions/set_records: action 501 still running after 8 checks',
    );
    expect(clock.sleepsAsked()).toEqual([...actionPollDelaysMs]);
    expect(polls()).toHaveLength(actionPollDelaysMs.length);
  });

  it('an action that ends in error is transient with its code and message', async () => {
    fake.failNextAction = { code: 'action_failed', message: 'Action failed' };
    const r = await driven(client().set(A('home.example.com'), ['203.0.113.44'], 60));
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient', code: 'action_failed' } });
    expect(!r.ok && r.error.message).toMatch(/action 501 failed: Action failed \(action_failed\)$/);
    expect(fake.of(1001, 'home', 'A')?.records[0]?.value).toBe('198.51.100.7');
  });

  it('test() reads the zones (and the zone given) without writing', async () => {
    const h = client();
    expect(await h.test()).toEqual({
      ok: true,
      value: { detail: 'the token may read the zones of its project' },
    });
    expect(await h.test('example.com')).toMatchObject({
      ok: true,
      value: { detail: expect.stringContaining('example.com (primary)') as unknown },
    });
    expect(await h.test('example.org')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'no-zone' },
    });
    expect(await h.test('sec.example.org')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'incorrect_zone_mode' },
    });
    expect(writes()).toEqual([]);
  });

  it('an unknown token is auth (401); a read-only one reads but its write is auth (403); neither is shown', async () => {
    const bad = 'hcloud-WRONG-9876543210';
    for (const r of [await client(bad).test(), await client(bad).read?.(A('home.example.com'))]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code: 'HTTP 401' } });
      expect(JSON.stringify(r)).not.toContain(bad);
    }
    const ro = await client(READ_ONLY).set(A('home.example.com'), ['203.0.113.1'], 60);
    expect(ro).toMatchObject({ ok: false, error: { kind: 'auth', code: 'HTTP 403' } });
    expect(JSON.stringify(ro)).not.toContain(READ_ONLY);
    expect(fake.of(1001, 'home', 'A')?.records[0]?.value).toBe('198.51.100.7');
  });

  it('a name in no zone of the project is config', async () => {
    const r = await client().set(A('host.nowhere.org', 'nowhere.org'), ['203.0.113.1'], 60);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'no-zone',
        message: 'Hetzner: no zone of this project holds host.nowhere.org',
      },
    });
  });

  it('a secondary zone refuses changes (422 incorrect_zone_mode): config', async () => {
    const r = await client().set(A('www.sec.example.org', 'sec.example.org'), ['203.0.113.1'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'incorrect_zone_mode' } });
  });

  it('a value Hetzner refuses (422 invalid_input) is config; a locked RRSet (423) is transient', async () => {
    const h = client();
    expect(await h.set(A('home.example.com'), ['not-an-ip'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'invalid_input' },
    });
    fake.nextWrite = error(423, 'locked', 'another action is running on this RRSet');
    expect(await h.set(A('home.example.com'), ['203.0.113.2'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'locked' },
    });
    expect(fake.of(1001, 'home', 'A')?.records[0]?.value).toBe('198.51.100.7');
  });

  it('429 is rate-limited: Retry-After when sent, else the RateLimit-Reset time', async () => {
    fake.next = {
      status: 429,
      headers: { 'retry-after': '7' },
      body: { error: { code: 'rate_limit_exceeded', message: 'limit' } },
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 7000 },
    });
    const reset = Math.floor(clock.now().getTime() / 1000) + 90;
    fake.next = {
      status: 429,
      headers: { 'ratelimit-limit': '3600', 'ratelimit-remaining': '0', 'ratelimit-reset': String(reset) },
      body: { error: { code: 'rate_limit_exceeded', message: 'limit' } },
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 90_000 },
    });
  });

  it('5xx is transient', async () => {
    fake.next = error(503, 'maintenance', 'down for maintenance');
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
  });

  it('a garbage body, a body not as documented, or an unknown error shape is transient', async () => {
    fake.next = { status: 200, body: 'garbage' };
    const g = await client().read?.(A('home.example.com'));
    expect(!g?.ok && g?.error).toMatchObject({ kind: 'transient' });
    expect(!g?.ok && g?.error.message).toContain('not JSON');
    fake.next = { status: 200, body: { zones: [{ id: 'x' }] } };
    const s = await client().read?.(A('home.example.com'));
    expect(!s?.ok && s?.error.message).toContain('not as documented');
    fake.next = { status: 400, body: { message: 'x' } };
    const e = await client().read?.(A('home.example.com'));
    expect(!e?.ok && e?.error.message).toContain('not a Hetzner error');
  });

  it('nothing listening is transient and names no token', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r = await client(TOKEN, `${closed.baseUrl}/v1`).set(A('home.example.com'), ['203.0.113.1'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(JSON.stringify(r)).not.toContain(TOKEN);
  });

  it('settings default to the Cloud API', () => {
    expect(hetznerProvider.settings.parse({})).toEqual({ endpoint: 'https://api.hetzner.cloud/v1' });
  });
});

describe('Hetzner adapter: what it checks for itself', () => {
  it('declares itself as the descriptor says, and its client agrees', () => {
    expect(hetznerProvider.kind).toBe('hetzner');
    expect(hetznerProvider.label).toBe('Hetzner DNS');
    expect(hetznerProvider.docsUrl).toMatch(/^https:\/\/docs\.hetzner\.cloud\//);
    expect(hetznerProvider.can).toEqual({ read: true, txt: true });
    expect(hetznerProvider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['token', true, false],
      ['endpoint', false, true],
    ]);
    for (const f of hetznerProvider.fields) expect([f.label, f.help ?? '']).not.toContain('');
    expect(client().kind).toBe('hetzner');
    expect(client().can).toEqual({ read: true, txt: true });
    expect(hetznerProvider.settings.safeParse({ endpoint: 'xhttps://x' }).success).toBe(false);
    expect(hetznerProvider.settings.safeParse({ endpoint: 'httpsx://x' }).success).toBe(false);
    expect(hetznerProvider.secrets.safeParse({ token: ' ' }).success).toBe(false);
  });

  it('an endpoint with a trailing slash makes the same requests; writes are JSON', async () => {
    await driven(client(TOKEN, `${api.baseUrl}/v1//`).set(A('home.example.com'), ['203.0.113.9'], 60));
    expect(api.requests[0]?.url).toBe('/v1/zones?name=home.example.com');
    expect(api.requests[0]?.headers.accept).toBe('application/json');
    expect(api.requests[0]?.headers['content-type']).toBeUndefined();
    expect(writes()[0]?.headers['content-type']).toBe('application/json');
    expect(fake.of(1001, 'home', 'A')?.records[0]?.value).toBe('203.0.113.9');
  });

  it('an API that ignores the zone filter still yields the zone asked for', async () => {
    fake.sloppy = true;
    const h = client();
    expect(await h.read?.(A('home.example.com'))).toMatchObject({
      ok: true,
      value: { values: ['198.51.100.7'] },
    });
    expect(await h.test('example.org')).toMatchObject({ ok: false, error: { code: 'no-zone' } });
  });

  it('test() passes a failed lookup on and says what is wrong with the zone', async () => {
    expect(await client('hcloud-WRONG').test('example.com')).toMatchObject({
      ok: false,
      error: { kind: 'auth' },
    });
    const missing = await client().test('example.org');
    expect(!missing.ok && missing.error.message).toBe(
      'Hetzner: the token works but its project has no zone example.org',
    );
    const secondary = await client().test('sec.example.org');
    expect(!secondary.ok && secondary.error.message).toBe(
      'Hetzner: the zone sec.example.org is in secondary mode; only primary zones take changes',
    );
    expect(await client().test('example.com')).toEqual({
      ok: true,
      value: {
        detail:
          'the token may read the zone example.com (primary); whether it may write shows at the first change',
      },
    });
  });

  it.each([
    [409, 'uniqueness_error', 'transient'],
    [409, 'conflict', 'transient'],
    [423, 'locked', 'transient'],
    [422, 'maintenance', 'transient'],
    [422, 'resource_unavailable', 'transient'],
    [423, 'protected', 'config'],
    [422, 'invalid_input', 'config'],
  ])('a write answered HTTP %i %s is %s', async (status, code, kind) => {
    fake.nextWrite = error(status, code, `fake ${code}`);
    const r = await client().set(A('home.example.com'), ['203.0.113.2'], 60);
    expect(r).toEqual({
      ok: false,
      error: {
        kind,
        code,
        message: `Hetzner: POST /v1/zones/1001/rrsets/home/A/actions/set_records: HTTP ${status}: fake ${code} (${code})`,
      },
    });
  });

  it('an RRSet deleted meanwhile (404 on DELETE) is gone as asked; a zone gone before a write is config', async () => {
    const h = client();
    fake.nextWrite = error(404, 'not_found', 'rrset not found');
    expect(await h.delete?.(A('home.example.com'))).toEqual({ ok: true, value: undefined });
    fake.nextWrite = error(404, 'not_found', 'zone not found');
    const create = await h.set(A('new.example.com'), ['203.0.113.2'], 60);
    expect(create).toMatchObject({ ok: false, error: { kind: 'config', code: 'not_found' } });
    expect(!create.ok && create.error.message).toBe(
      'Hetzner: POST /zones/1001/rrsets: not found (the zone is no longer in this project)',
    );
    fake.nextWrite = error(404, 'not_found', 'zone not found');
    const update = await h.set(A('home.example.com'), ['203.0.113.2'], 60);
    expect(!update.ok && update.error.message).toBe(
      'Hetzner: POST /zones/1001/rrsets/home/A/actions/set_records: not found (the zone is no longer in this project)',
    );
    // The zone is looked up again after such a failure.
    api.requests.length = 0;
    await h.read?.(A('home.example.com'));
    expect(api.requests[0]?.url).toBe('/v1/zones?name=home.example.com');
  });

  it('a poll that fails is that failure; an action that vanished is config; an error without detail says error', async () => {
    fake.nextPoll = { status: 502, body: 'bad gateway' };
    expect(await driven(client().set(A('home.example.com'), ['203.0.113.2'], 60))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 502' },
    });
    fake.nextPoll = error(404, 'not_found', 'action not found');
    const vanished = await driven(client().set(A('home.example.com'), ['203.0.113.3'], 60));
    expect(!vanished.ok && vanished.error.message).toMatch(/^Hetzner: action \d+: not found/);
    fake.nextPoll = {
      body: { action: { id: 77, command: 'set_rrset_records', status: 'error', progress: 100, error: null } },
    };
    const failed = await driven(client().set(A('home.example.com'), ['203.0.113.4'], 60));
    expect(failed).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        code: 'error',
        message: 'Hetzner: POST /zones/1001/rrsets/home/A/actions/set_records: action 77 failed',
      },
    });
  });

  it('an action answered done at once is not polled', async () => {
    fake.nextWrite = {
      status: 201,
      body: {
        action: { id: 9, command: 'set_rrset_records', status: 'success', progress: 100, error: null },
      },
    };
    expect(await client().set(A('home.example.com'), ['203.0.113.2'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(polls()).toEqual([]);
    expect(clock.sleepsAsked()).toEqual([]);
  });

  it('reads values sorted, looks the zone up once per name, and again after a failed read', async () => {
    fake.of(1001, 'home', 'A')?.records.unshift({ value: '203.0.113.200' });
    const h = client();
    expect(await h.read?.(A('home.example.com'))).toMatchObject({
      value: { values: ['198.51.100.7', '203.0.113.200'] },
    });
    await h.read?.(A('home.example.com'));
    expect(api.requests.filter((r) => r.url.startsWith('/v1/zones?'))).toHaveLength(2);
    fake.next = { status: 500, body: 'oops' };
    expect(await h.read?.(A('home.example.com'))).toMatchObject({ ok: false, error: { kind: 'transient' } });
    api.requests.length = 0;
    await h.read?.(A('home.example.com'));
    expect(api.requests[0]?.url).toBe('/v1/zones?name=home.example.com');
  });

  it('a 404 on a zone lookup is "no such zone": the walk goes on, and test() says config', async () => {
    fake.next = error(404, 'not_found', 'not found');
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      ok: true,
      value: { values: ['198.51.100.7'] },
    });
    fake.next = error(404, 'not_found', 'not found');
    expect(await client().test('example.com')).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'no-zone' },
    });
  });

  it('test() asks for one zone of the project, or for the zone by name', async () => {
    await client().test();
    await client().test('example.com');
    expect(api.requests.map((r) => r.url)).toEqual(['/v1/zones?per_page=1', '/v1/zones?name=example.com']);
  });

  it('delete passes a failed read on without writing', async () => {
    expect(await client('hcloud-WRONG').delete?.(A('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'auth' },
    });
    expect(writes()).toEqual([]);
  });

  it('rate-limit headers on other failures are ignored; Retry-After wins over RateLimit-Reset; a reset of 0 is no time', async () => {
    const reset = String(Math.floor(clock.now().getTime() / 1000) + 90);
    fake.next = {
      status: 401,
      headers: { 'ratelimit-reset': reset },
      body: { error: { code: 'unauthorized', message: 'x' } },
    };
    const auth = await client().read?.(A('home.example.com'));
    expect(!auth?.ok && auth?.error).toMatchObject({ kind: 'auth' });
    expect(!auth?.ok && auth?.error.retryAfterMs).toBeUndefined();
    fake.next = {
      status: 429,
      headers: { 'retry-after': '5', 'ratelimit-reset': reset },
      body: { error: { code: 'rate_limit_exceeded', message: 'x' } },
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({ error: { retryAfterMs: 5000 } });
    fake.next = {
      status: 429,
      headers: { 'ratelimit-reset': '0' },
      body: { error: { code: 'rate_limit_exceeded', message: 'x' } },
    };
    const zero = await client().read?.(A('home.example.com'));
    expect(!zero?.ok && zero?.error.retryAfterMs).toBeUndefined();
  });

  it('a RateLimit-Reset in the past is no wait; one that is not a time is ignored', async () => {
    const past = Math.floor(clock.now().getTime() / 1000) - 10;
    fake.next = {
      status: 429,
      headers: { 'ratelimit-reset': String(past) },
      body: { error: { code: 'rate_limit_exceeded', message: 'x' } },
    };
    expect(await client().read?.(A('home.example.com'))).toMatchObject({
      error: { kind: 'rate-limited', retryAfterMs: 0 },
    });
    fake.next = {
      status: 429,
      headers: { 'ratelimit-reset': 'soon' },
      body: { error: { code: 'rate_limit_exceeded', message: 'x' } },
    };
    const r = await client().read?.(A('home.example.com'));
    expect(r).toMatchObject({ error: { kind: 'rate-limited' } });
    expect(!r?.ok && r?.error.retryAfterMs).toBeUndefined();
  });
});

describe('Hetzner names and values', () => {
  it.each([
    ['home.example.com', 'example.com', 'home'],
    ['a.b.example.com', 'example.com', 'a.b'],
    ['example.com', 'example.com', '@'],
  ])('rrName(%s, %s) = %s', (name, zone, rel) => {
    expect(rrName(name, zone)).toBe(rel);
  });
});
