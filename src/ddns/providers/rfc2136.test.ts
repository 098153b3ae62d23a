import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { FakeUdp } from '../../../test/fakes/udp.js';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  Opcode,
  Rcode,
  RRClass,
  RRType,
  sameName,
  TsigError,
  type DnsMessage,
  type RData,
  type ResourceRecord,
} from '../dns/codec.js';
import { signMessage, verifyMessage, type TsigKey } from '../dns/tsig.js';
import { parseServer } from '../dns/server.js';
import type { ProviderResult } from '../provider.js';
import { failureOfRcode, inZone, rdataOf, rfc2136Provider, type Rfc2136Deps } from './rfc2136.js';

const secret = Buffer.alloc(32, 3).toString('base64');
const server = { address: '203.0.113.65', port: 53 };

/**
 * A small BIND: zones of record sets, RFC 2136 updates (delete RRset, add RR, the "name in use" prerequisite),
 * authoritative answers, TSIG checked on every request and every answer signed, as named does.
 */
class FakeNamed {
  readonly records = new Map<string, { ttl: number; data: RData[] }>();
  readonly requests: DnsMessage[] = [];
  mode: 'normal' | 'servfail' | 'silent' | 'unsigned' | 'badtime' | 'refused' | 'refuse-queries' = 'normal';
  serial = 1;

  constructor(
    readonly clock: FakeClock,
    readonly key: TsigKey,
    readonly zones: readonly string[] = ['example.test'],
  ) {
    this.put('ns1.example.test', RRType.A, 60, [{ kind: 'a', address: '203.0.113.65' }]);
    this.put('other.example.test', RRType.A, 60, [{ kind: 'a', address: '203.0.113.50' }]);
  }

  put(name: string, type: number, ttl: number, data: RData[]): void {
    this.records.set(`${name}|${type}`, { ttl, data });
  }

  get(name: string, type: number): { ttl: number; data: RData[] } | undefined {
    return this.records.get(`${name}|${type}`);
  }

  private zoneOf(name: string): string | undefined {
    return this.zones.find((z) => inZone(name, z));
  }

  private now(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }

  handle(bytes: Uint8Array): Uint8Array | undefined {
    const d = decodeMessage(bytes);
    if (!d.ok || this.mode === 'silent') return undefined;
    const request = d.value.message;
    this.requests.push(request);
    const reply = (fields: Partial<DnsMessage>): DnsMessage => ({
      ...createMessage({ id: request.id, opcode: request.opcode, questions: request.questions }),
      qr: true,
      ...fields,
    });
    const tsig = request.additionals.at(-1);
    const unsignedError = (error: number): Uint8Array => {
      const rr: ResourceRecord = {
        name: tsig?.name ?? '',
        type: RRType.TSIG,
        class: RRClass.ANY,
        ttl: 0,
        data: {
          kind: 'tsig',
          algorithm: this.key.algorithm,
          timeSigned: this.now(),
          fudge: 300,
          mac: new Uint8Array(),
          originalId: request.id,
          error,
          otherData: new Uint8Array(),
        },
      };
      const r = encodeMessage(reply({ rcode: Rcode.NOTAUTH, additionals: [rr] }));
      return r.ok ? r.value : new Uint8Array();
    };
    if (!tsig || tsig.data.kind !== 'tsig') return encodeOrEmpty(reply({ rcode: Rcode.REFUSED }));
    if (!sameName(tsig.name, this.key.name)) return unsignedError(TsigError.BADKEY);
    const checked = verifyMessage(bytes, d.value, this.key, { now: this.now() });
    if (!checked.ok) return unsignedError(TsigError.BADSIG);
    const sign = (m: DnsMessage, options: { error?: number } = {}): Uint8Array | undefined => {
      if (this.mode === 'unsigned') return encodeOrEmpty(m);
      const s = signMessage(m, this.key, {
        timeSigned: this.now(),
        requestMac: checked.value.mac,
        ...options,
      });
      return s.ok ? s.value.bytes : undefined;
    };
    if (this.mode === 'servfail') return sign(reply({ rcode: Rcode.SERVFAIL }));
    if (this.mode === 'refused') return sign(reply({ rcode: Rcode.REFUSED }));
    if (this.mode === 'badtime') return sign(reply({ rcode: Rcode.NOTAUTH }), { error: TsigError.BADTIME });
    if (request.opcode === Opcode.UPDATE) return sign(reply({ rcode: this.update(request) }));
    if (this.mode === 'refuse-queries') return sign(reply({ rcode: Rcode.REFUSED }));
    const q = request.questions[0];
    if (!q) return sign(reply({ rcode: Rcode.FORMERR }));
    if (!this.zoneOf(q.name)) return sign(reply({ rcode: Rcode.REFUSED }));
    const held = this.get(q.name, q.type);
    const exists = [...this.records.keys()].some((k) => k.startsWith(`${q.name}|`));
    return sign(
      reply({
        aa: true,
        rcode: exists || this.zones.includes(q.name) ? Rcode.NOERROR : Rcode.NXDOMAIN,
        answers: (held?.data ?? []).map((data) => ({
          name: q.name,
          type: q.type,
          class: RRClass.IN,
          ttl: held?.ttl ?? 0,
          data,
        })),
      }),
    );
  }

  private update(request: DnsMessage): number {
    const zone = request.questions[0]?.name ?? '';
    if (!this.zones.includes(zone)) return Rcode.NOTAUTH;
    for (const p of request.answers) {
      if (!inZone(p.name, zone)) return Rcode.NOTZONE;
      const inUse = p.name === zone || [...this.records.keys()].some((k) => k.startsWith(`${p.name}|`));
      if (p.class === RRClass.ANY && p.type === RRType.ANY && !inUse) return Rcode.NXDOMAIN;
    }
    for (const u of request.authorities) if (!inZone(u.name, zone)) return Rcode.NOTZONE;
    const before = JSON.stringify([...this.records]);
    for (const u of request.authorities) {
      if (u.class === RRClass.ANY) this.records.delete(`${u.name}|${u.type}`);
      else {
        const set = this.get(u.name, u.type) ?? { ttl: u.ttl, data: [] };
        if (!set.data.some((x) => JSON.stringify(x) === JSON.stringify(u.data))) set.data.push(u.data);
        this.put(u.name, u.type, u.ttl, set.data);
      }
    }
    if (JSON.stringify([...this.records]) !== before) this.serial++;
    return Rcode.NOERROR;
  }
}

function encodeOrEmpty(m: DnsMessage): Uint8Array {
  const r = encodeMessage(m);
  return r.ok ? r.value : new Uint8Array();
}

function setup(
  options: {
    secret?: string;
    keyName?: string;
    settings?: Record<string, unknown>;
    extra?: Partial<Rfc2136Deps>;
    tcp?: boolean;
  } = {},
) {
  const clock = new FakeClock('2026-11-28T12:00:00Z');
  const udp = new FakeUdp(clock);
  const named = new FakeNamed(clock, {
    name: 'gatehouse-ddns',
    algorithm: 'hmac-sha256',
    secret: Buffer.from(secret, 'base64'),
  });
  udp.peer(server, (d) => named.handle(d.data));
  const settings = rfc2136Provider.settings.parse({
    server: '203.0.113.65',
    keyName: options.keyName ?? 'gatehouse-ddns',
    zone: 'example.test',
    ...options.settings,
  });
  const secrets = rfc2136Provider.secrets.parse({ secret: options.secret ?? secret });
  let id = 100;
  const tcpCalls: unknown[] = [];
  const deps: Rfc2136Deps = {
    fetch: () => Promise.reject(new Error('no HTTP')),
    clock,
    udp,
    userAgent: 'test',
    randomId: () => id++,
    ...(options.tcp
      ? {
          tcp: {
            exchange: (to, message) => {
              tcpCalls.push(to);
              const answer = named.handle(message);
              return Promise.resolve(answer ? { ok: true, value: answer } : { ok: false, error: 'closed' });
            },
          },
        }
      : {}),
    ...options.extra,
  };
  const provider = rfc2136Provider.create(settings, secrets, deps);
  return { clock, udp, named, provider, tcpCalls };
}

/** Runs the call to its end, moving the fake clock to every wake-up it waits for. */
async function drive<T>(clock: FakeClock, work: Promise<T>): Promise<T> {
  const state: { done: boolean; value?: T } = { done: false };
  void work.then((v) => {
    state.done = true;
    state.value = v;
  });
  for (let i = 0; i < 200 && !state.done; i++) {
    await clock.settle();
    const next = clock.pendingWakeups()[0];
    if (next !== undefined) clock.advance(next);
  }
  if (!state.done) throw new Error('did not end');
  return state.value as T;
}

const ref = { zone: 'example.test', name: 'home.example.test', type: 'A' as const };
const values = (named: FakeNamed, name = ref.name, type: number = RRType.A) =>
  (named.get(name, type)?.data ?? []).map((d) =>
    d.kind === 'a' || d.kind === 'aaaa' ? d.address : d.kind === 'txt' ? d.strings : d.kind,
  );

function expectFailure<T>(r: ProviderResult<T>, kind: string, code?: string): string {
  expect(r.ok).toBe(false);
  if (r.ok) return '';
  expect(r.error.kind).toBe(kind);
  if (code !== undefined) expect(r.error.code).toBe(code);
  expect(r.error.message).not.toContain(secret);
  return r.error.message;
}

describe('settings', () => {
  it.each([
    ['203.0.113.65', { address: '203.0.113.65', port: 53 }],
    ['203.0.113.65:5353', { address: '203.0.113.65', port: 5353 }],
    ['2001:db8::53', { address: '2001:db8::53', port: 53 }],
    ['[2001:db8::53]:5353', { address: '2001:db8::53', port: 5353 }],
    ['[2001:db8::53]', { address: '2001:db8::53', port: 53 }],
    ['ns1.example.com', { address: 'ns1.example.com', port: 53 }],
    ['ns1.example.com:53', { address: 'ns1.example.com', port: 53 }],
    ['ns1.example.com:0', undefined],
    ['ns1.example.com:65536', undefined],
    ['[203.0.113.65]:53', undefined],
    ['ns1 example', undefined],
    ['-bad.example', undefined],
    ['', undefined],
    ['http://ns1.example.com', undefined],
  ])('server %j', (text, endpoint) => {
    expect(parseServer(text)).toEqual(endpoint);
    expect(rfc2136Provider.settings.safeParse({ server: text, keyName: 'k' }).success).toBe(
      endpoint !== undefined,
    );
  });

  it('defaults the algorithm to hmac-sha256, takes hmac-sha512, refuses others; the zone is lower-cased', () => {
    expect(rfc2136Provider.settings.parse({ server: '203.0.113.65', keyName: 'k' })).toEqual({
      server: '203.0.113.65',
      keyName: 'k',
      algorithm: 'hmac-sha256',
    });
    expect(
      rfc2136Provider.settings.parse({
        server: 'x',
        keyName: 'k',
        algorithm: 'hmac-sha512',
        zone: 'Example.COM.',
      }),
    ).toMatchObject({ algorithm: 'hmac-sha512', zone: 'example.com' });
    expect(
      rfc2136Provider.settings.safeParse({ server: 'x', keyName: 'k', algorithm: 'hmac-md5' }).success,
    ).toBe(false);
    expect(rfc2136Provider.settings.safeParse({ server: 'x', keyName: 'a b' }).success).toBe(false);
    expect(rfc2136Provider.settings.safeParse({ server: 'x', keyName: 'k', zone: 'a..b' }).success).toBe(
      false,
    );
  });

  it('takes a base64 secret only', () => {
    expect(rfc2136Provider.secrets.safeParse({ secret }).success).toBe(true);
    expect(rfc2136Provider.secrets.safeParse({ secret: 'not base64!' }).success).toBe(false);
    expect(rfc2136Provider.secrets.safeParse({ secret: '' }).success).toBe(false);
  });

  it('describes itself for the form: the secret field is secret, the rest is not', () => {
    expect(rfc2136Provider.kind).toBe('rfc2136');
    expect(rfc2136Provider.can).toEqual({ read: true, txt: true });
    expect(rfc2136Provider.fields.filter((f) => f.secret).map((f) => f.name)).toEqual(['secret']);
    expect(rfc2136Provider.fields.map((f) => f.name)).toEqual([
      'server',
      'zone',
      'keyName',
      'algorithm',
      'secret',
    ]);
  });
});

describe('set', () => {
  it('creates the record set with ONE update: the zone, delete the RRset (ANY, TTL 0, no RDATA), then add each value', async () => {
    const { named, provider, clock } = setup();
    const r = await drive(clock, provider.set(ref, ['203.0.113.7', '203.0.113.8'], 60));
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(values(named)).toEqual(['203.0.113.7', '203.0.113.8']);
    const updates = named.requests.filter((m) => m.opcode === Opcode.UPDATE);
    expect(updates).toHaveLength(1);
    const u = updates[0];
    expect(u?.questions).toEqual([{ name: 'example.test', type: RRType.SOA, class: RRClass.IN }]);
    expect(u?.answers).toEqual([]);
    expect(u?.authorities).toEqual([
      { name: 'home.example.test', type: RRType.A, class: RRClass.ANY, ttl: 0, data: { kind: 'empty' } },
      {
        name: 'home.example.test',
        type: RRType.A,
        class: RRClass.IN,
        ttl: 60,
        data: { kind: 'a', address: '203.0.113.7' },
      },
      {
        name: 'home.example.test',
        type: RRType.A,
        class: RRClass.IN,
        ttl: 60,
        data: { kind: 'a', address: '203.0.113.8' },
      },
    ]);
    // The read before the update was a signed, non-recursive query for the name and type.
    expect(named.requests[0]).toMatchObject({
      opcode: Opcode.QUERY,
      rd: false,
      questions: [{ name: 'home.example.test', type: RRType.A, class: RRClass.IN }],
    });
  });

  it('replaces the values and touches no other name or type', async () => {
    const { named, provider, clock } = setup();
    named.put('home.example.test', RRType.A, 60, [{ kind: 'a', address: '203.0.113.1' }]);
    named.put('home.example.test', RRType.AAAA, 60, [{ kind: 'aaaa', address: '2001:db8::1' }]);
    const r = await drive(clock, provider.set(ref, ['203.0.113.2'], 60));
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(values(named)).toEqual(['203.0.113.2']);
    expect(values(named, 'home.example.test', RRType.AAAA)).toEqual(['2001:db8::1']);
    expect(values(named, 'other.example.test')).toEqual(['203.0.113.50']);
  });

  it('sends nothing when the server already holds the values and TTL (IPv6 in any spelling, any order)', async () => {
    const { named, provider, clock } = setup();
    named.put('home.example.test', RRType.AAAA, 60, [
      { kind: 'aaaa', address: '2001:db8::1' },
      { kind: 'aaaa', address: '2001:db8::2' },
    ]);
    const r = await drive(
      clock,
      provider.set({ ...ref, type: 'AAAA' }, ['2001:DB8:0::2', '2001:db8::1'], 60),
    );
    expect(r).toEqual({ ok: true, value: { changed: false } });
    expect(named.requests.map((m) => m.opcode)).toEqual([Opcode.QUERY]);
    expect(named.serial).toBe(1);
  });

  it('updates when only the TTL differs, or when the server refuses the read (query policy)', async () => {
    const { named, provider, clock } = setup();
    named.put('home.example.test', RRType.A, 300, [{ kind: 'a', address: '203.0.113.7' }]);
    expect(await drive(clock, provider.set(ref, ['203.0.113.7'], 60))).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(named.get('home.example.test', RRType.A)?.ttl).toBe(60);
    named.mode = 'refuse-queries';
    expect(await drive(clock, provider.set(ref, ['203.0.113.7'], 60))).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(named.requests.slice(-2).map((m) => m.opcode)).toEqual([Opcode.QUERY, Opcode.UPDATE]);
  });

  it('sends no update when the read timed out or the key was refused', async () => {
    const silent = setup({ extra: { timeoutMs: 2000 } });
    silent.named.mode = 'silent';
    expectFailure(await drive(silent.clock, silent.provider.set(ref, ['203.0.113.7'], 60)), 'transient');
    expect(silent.udp.sent).toHaveLength(2); // the query, sent at 0 and 1 s; no update
    const bad = setup({ secret: Buffer.alloc(32, 9).toString('base64') });
    expectFailure(await drive(bad.clock, bad.provider.set(ref, ['203.0.113.7'], 60)), 'auth');
    expect(bad.named.requests.map((m) => m.opcode)).toEqual([Opcode.QUERY]);
  });

  it('writes TXT values over 255 bytes as several character-strings, cut between characters', async () => {
    const { named, provider, clock, tcpCalls } = setup({ tcp: true });
    const long = `${'a'.repeat(254)}é${'b'.repeat(10)}`;
    const txt = { ...ref, name: '_acme-challenge.home.example.test', type: 'TXT' as const };
    expect(await drive(clock, provider.set(txt, [long, 'short'], 60))).toEqual({
      ok: true,
      value: { changed: true },
    });
    // The update (over 512 bytes) went over TCP.
    expect(tcpCalls).toEqual([server]);
    expect(values(named, txt.name, RRType.TXT)).toEqual([['a'.repeat(254), `é${'b'.repeat(10)}`], ['short']]);
    const read = await drive(clock, provider.read?.(txt) ?? Promise.reject(new Error('no read')));
    expect(read).toEqual({ ok: true, value: { values: [long, 'short'].sort(), ttl: 60 } });
    // Read back equal: no second update.
    expect(await drive(clock, provider.set(txt, ['short', long], 60))).toEqual({
      ok: true,
      value: { changed: false },
    });
  });

  it.each<[string, Record<string, unknown>, string, RegExp]>([
    ['a name outside the zone', { name: 'home.other.test' }, 'config', /not inside the zone example\.test/],
    ['not an IPv4 address', { values: ['999.0.0.1'] }, 'config', /not an IPv4 address/],
    ['an IPv4 address as AAAA', { type: 'AAAA', values: ['203.0.113.7'] }, 'config', /not an IPv6 address/],
  ])('refuses %s without sending an update', async (_what, change, kind, message) => {
    const { named, provider, clock } = setup();
    const r = await drive(
      clock,
      provider.set(
        { ...ref, ...(change as object) },
        (change.values as string[] | undefined) ?? ['203.0.113.7'],
        60,
      ),
    );
    expect(expectFailure(r, kind)).toMatch(message);
    expect(named.requests.filter((m) => m.opcode === Opcode.UPDATE)).toEqual([]);
  });

  it("takes the record's zone when no zone is set", async () => {
    const { named, provider, clock } = setup({ settings: { zone: undefined } });
    expect(await drive(clock, provider.set(ref, ['203.0.113.7'], 60))).toMatchObject({ ok: true });
    expect(named.requests.at(-1)?.questions[0]?.name).toBe('example.test');
    const noZone = await drive(clock, provider.set({ ...ref, zone: '' }, ['203.0.113.7'], 60));
    expect(expectFailure(noZone, 'config')).toMatch(/no zone/);
  });
});

describe('read and delete', () => {
  it('reads values sorted with the TTL; a missing name or type is empty', async () => {
    const { named, provider, clock } = setup();
    named.put('home.example.test', RRType.A, 90, [
      { kind: 'a', address: '203.0.113.9' },
      { kind: 'a', address: '203.0.113.10' },
    ]);
    const read = (r: typeof ref) => drive(clock, provider.read?.(r) ?? Promise.reject(new Error('no read')));
    expect(await read(ref)).toEqual({
      ok: true,
      value: { values: ['203.0.113.10', '203.0.113.9'], ttl: 90 },
    });
    expect(await read({ ...ref, type: 'AAAA' } as unknown as typeof ref)).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
    expect(await read({ ...ref, name: 'nothing.example.test' })).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
  });

  it('deletes the record set, and succeeds when it is not there', async () => {
    const { named, provider, clock } = setup();
    named.put('home.example.test', RRType.A, 60, [{ kind: 'a', address: '203.0.113.9' }]);
    expect(await drive(clock, provider.delete?.(ref) ?? Promise.reject(new Error('no delete')))).toEqual({
      ok: true,
      value: undefined,
    });
    expect(named.get('home.example.test', RRType.A)).toBeUndefined();
    expect(await drive(clock, provider.delete?.(ref) ?? Promise.reject(new Error('no delete')))).toEqual({
      ok: true,
      value: undefined,
    });
    expect(named.requests.at(-1)?.authorities).toEqual([
      { name: 'home.example.test', type: RRType.A, class: RRClass.ANY, ttl: 0, data: { kind: 'empty' } },
    ]);
  });
});

describe('test', () => {
  it('sends an UPDATE with only the "zone apex in use" prerequisite, which changes nothing', async () => {
    const { named, provider, clock } = setup();
    const r = await drive(clock, provider.test('example.test'));
    expect(r).toEqual({
      ok: true,
      value: { detail: 'the server takes updates for example.test signed with TSIG key "gatehouse-ddns"' },
    });
    expect(named.requests).toHaveLength(1);
    expect(named.requests[0]).toMatchObject({
      opcode: Opcode.UPDATE,
      questions: [{ name: 'example.test', type: RRType.SOA, class: RRClass.IN }],
      answers: [
        { name: 'example.test', type: RRType.ANY, class: RRClass.ANY, ttl: 0, data: { kind: 'empty' } },
      ],
      authorities: [],
    });
    expect(named.serial).toBe(1);
  });

  it('a zone the server does not serve is a config failure (NOTAUTH)', async () => {
    const { provider, clock } = setup();
    expect(expectFailure(await drive(clock, provider.test('other.test')), 'config', 'NOTAUTH')).toMatch(
      /not authoritative/,
    );
  });

  it('without any zone, checks the key with a signed query', async () => {
    const { named, provider, clock } = setup({ settings: { zone: undefined } });
    const r = await drive(clock, provider.test());
    expect(r).toEqual({
      ok: true,
      value: { detail: 'the server knows TSIG key "gatehouse-ddns" (no zone given to check)' },
    });
    expect(named.requests[0]?.opcode).toBe(Opcode.QUERY);
  });
});

describe('failures', () => {
  it('a wrong secret is auth (BADSIG) and changes nothing', async () => {
    const { named, provider, clock } = setup({ secret: Buffer.alloc(32, 9).toString('base64') });
    const r = await drive(clock, provider.set(ref, ['203.0.113.7'], 60));
    expect(expectFailure(r, 'auth', 'BADSIG')).toMatch(/refused TSIG key "gatehouse-ddns"/);
    expect(named.get('home.example.test', RRType.A)).toBeUndefined();
  });

  it('an unknown key name is auth (BADKEY)', async () => {
    const { provider, clock } = setup({ keyName: 'someone-else' });
    expectFailure(await drive(clock, provider.test('example.test')), 'auth', 'BADKEY');
  });

  it('a server clock far off is transient (BADTIME)', async () => {
    const { named, provider, clock } = setup();
    named.mode = 'badtime';
    expect(expectFailure(await drive(clock, provider.test('example.test')), 'transient', 'BADTIME')).toMatch(
      /clock/,
    );
  });

  it('SERVFAIL is transient; REFUSED is config', async () => {
    const { named, provider, clock } = setup();
    named.mode = 'servfail';
    expectFailure(await drive(clock, provider.set(ref, ['203.0.113.7'], 60)), 'transient', 'SERVFAIL');
    named.mode = 'refused';
    expectFailure(await drive(clock, provider.test('example.test')), 'config', 'REFUSED');
  });

  it('an answer that is not signed with the key is not trusted (transient), even a NOERROR', async () => {
    const { named, provider, clock } = setup();
    named.mode = 'unsigned';
    expect(expectFailure(await drive(clock, provider.set(ref, ['203.0.113.7'], 60)), 'transient')).toMatch(
      /not signed with the key/,
    );
  });

  it('a silent server is transient after the timeout (sent three times)', async () => {
    const { named, provider, clock, udp } = setup({ extra: { timeoutMs: 4000 } });
    named.mode = 'silent';
    const start = clock.now().getTime();
    expect(expectFailure(await drive(clock, provider.test('example.test')), 'transient')).toMatch(
      /no answer from 203\.0\.113\.65:53 within 4000 ms/,
    );
    expect(clock.now().getTime() - start).toBe(4000);
    expect(udp.sent).toHaveLength(3);
  });

  it('resolves a server given by name, and says so when it cannot', async () => {
    const asked: string[] = [];
    const { provider, clock } = setup({
      settings: { server: 'ns1.example.test' },
      extra: {
        resolveHost: (host) => {
          asked.push(host);
          return Promise.resolve(['203.0.113.65']);
        },
      },
    });
    expect(await drive(clock, provider.test('example.test'))).toMatchObject({ ok: true });
    expect(asked).toEqual(['ns1.example.test']);
    const lost = setup({
      settings: { server: 'ns9.example.test' },
      extra: { resolveHost: () => Promise.reject(new Error('ENOTFOUND')) },
    });
    expect(expectFailure(await drive(lost.clock, lost.provider.test('example.test')), 'transient')).toMatch(
      /cannot resolve ns9\.example\.test \(ENOTFOUND\)/,
    );
  });
});

describe('pure parts', () => {
  it.each([
    [Rcode.NOERROR, undefined],
    [Rcode.NOTAUTH, 'config'],
    [Rcode.NOTZONE, 'config'],
    [Rcode.REFUSED, 'config'],
    [Rcode.NOTIMP, 'config'],
    [Rcode.NXDOMAIN, 'config'],
    [Rcode.YXDOMAIN, 'config'],
    [Rcode.YXRRSET, 'config'],
    [Rcode.NXRRSET, 'config'],
    [Rcode.SERVFAIL, 'transient'],
    [Rcode.FORMERR, 'transient'],
    [15, 'transient'],
  ])('rcode %i → %s', (rcode, kind) => {
    expect(failureOfRcode(rcode, 'x')?.kind).toBe(kind);
  });

  it.each([
    ['home.example.test', 'example.test', true],
    ['example.test', 'example.test', true],
    ['HOME.Example.test.', 'example.test', true],
    ['homeexample.test', 'example.test', false],
    ['example.test', 'home.example.test', false],
  ])('inZone(%j, %j) is %s', (name, zone, inside) => {
    expect(inZone(name, zone)).toBe(inside);
  });

  it('builds RDATA per type', () => {
    expect(rdataOf('A', '203.0.113.7')).toEqual({ ok: true, value: { kind: 'a', address: '203.0.113.7' } });
    expect(rdataOf('AAAA', '2001:db8::1')).toEqual({
      ok: true,
      value: { kind: 'aaaa', address: '2001:db8::1' },
    });
    expect(rdataOf('TXT', '')).toEqual({ ok: true, value: { kind: 'txt', strings: [''] } });
    expect(rdataOf('TXT', 'x'.repeat(255))).toEqual({
      ok: true,
      value: { kind: 'txt', strings: ['x'.repeat(255)] },
    });
    expect(rdataOf('TXT', 'x'.repeat(256))).toEqual({
      ok: true,
      value: { kind: 'txt', strings: ['x'.repeat(255), 'x'] },
    });
  });
});
