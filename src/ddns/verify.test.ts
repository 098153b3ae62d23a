import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeUdp } from '../../test/fakes/udp.js';
import {
  decodeMessage,
  encodeMessage,
  Rcode,
  RRClass,
  RRType,
  type DnsMessage,
  type ResourceRecord,
} from './dns/codec.js';
import {
  allServe,
  lookupAuthoritative,
  parseResolvConf,
  type AuthoritativeAnswers,
  type VerifyDeps,
} from './verify.js';

const resolver = { address: '198.51.100.53', port: 53 };
const ns1 = { address: '203.0.113.65', port: 53 };
const ns2 = { address: '203.0.113.66', port: 53 };

const a = (name: string, address: string, ttl = 60): ResourceRecord => ({
  name,
  type: RRType.A,
  class: RRClass.IN,
  ttl,
  data: { kind: 'a', address },
});
const soa: ResourceRecord = {
  name: 'example.test',
  type: RRType.SOA,
  class: RRClass.IN,
  ttl: 60,
  data: {
    kind: 'soa',
    mname: 'ns1.example.test',
    rname: 'hostmaster.example.test',
    serial: 1,
    refresh: 60,
    retry: 60,
    expire: 600,
    minimum: 60,
  },
};
const ns = (target: string): ResourceRecord => ({
  name: 'example.test',
  type: RRType.NS,
  class: RRClass.IN,
  ttl: 60,
  data: { kind: 'name', name: target },
});

type Answerer = (q: DnsMessage) => Partial<DnsMessage> | undefined;

function serve(
  udp: FakeUdp,
  at: { address: string; port: number },
  answer: Answerer,
  asked: DnsMessage[] = [],
): DnsMessage[] {
  udp.peer(at, (d) => {
    const r = decodeMessage(d.data);
    if (!r.ok) return undefined;
    const q = r.value.message;
    asked.push(q);
    const fields = answer(q);
    if (!fields) return undefined;
    const bytes = encodeMessage({ ...q, qr: true, ...fields });
    return bytes.ok ? bytes.value : undefined;
  });
  return asked;
}

/** The resolver: SOA in the authority section for names below the apex, NS with glue for ns1 only. */
const resolverAnswers: Answerer = (q) => {
  const question = q.questions[0];
  if (!question) return undefined;
  if (question.type === RRType.SOA)
    return question.name === 'example.test'
      ? { answers: [soa] }
      : { rcode: Rcode.NXDOMAIN, authorities: [soa] };
  if (question.type === RRType.NS)
    return {
      answers: [ns('ns2.example.test'), ns('ns1.example.test')],
      additionals: [a('ns1.example.test', ns1.address)],
    };
  if (question.type === RRType.A && question.name === 'ns2.example.test')
    return { answers: [a('ns2.example.test', ns2.address)] };
  return { rcode: Rcode.NXDOMAIN };
};

function authoritative(values: readonly string[]): Answerer {
  return (q) => ({ aa: true, answers: values.map((v) => a(q.questions[0]?.name ?? '', v)) });
}

function setup() {
  const clock = new FakeClock();
  const udp = new FakeUdp(clock);
  let id = 1;
  const deps: VerifyDeps = { udp, clock, resolver, timeoutMs: 2000, randomId: () => id++ };
  return { clock, udp, deps };
}

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

describe('lookupAuthoritative', () => {
  it('finds the zone by SOA, its NS names and addresses (glue, else asked), and asks each server directly', async () => {
    const { clock, udp, deps } = setup();
    const viaResolver = serve(udp, resolver, resolverAnswers);
    const at1 = serve(udp, ns1, authoritative(['203.0.113.7']));
    const at2 = serve(udp, ns2, authoritative(['203.0.113.7']));
    const r = await drive(clock, lookupAuthoritative('home.example.test', 'A', deps));
    expect(r).toEqual({
      ok: true,
      value: {
        zone: 'example.test',
        servers: [
          {
            server: '203.0.113.65:53',
            nsName: 'ns1.example.test',
            result: { ok: true, value: { values: ['203.0.113.7'], ttl: 60 } },
          },
          {
            server: '203.0.113.66:53',
            nsName: 'ns2.example.test',
            result: { ok: true, value: { values: ['203.0.113.7'], ttl: 60 } },
          },
        ],
      },
    });
    // The resolver was asked with recursion; the authoritative servers without.
    expect(viaResolver.map((m) => [m.rd, m.questions[0]?.type, m.questions[0]?.name])).toEqual([
      [true, RRType.SOA, 'home.example.test'],
      [true, RRType.NS, 'example.test'],
      [true, RRType.A, 'ns2.example.test'],
    ]);
    expect([...at1, ...at2].map((m) => [m.rd, m.questions[0]?.type, m.questions[0]?.name])).toEqual([
      [false, RRType.A, 'home.example.test'],
      [false, RRType.A, 'home.example.test'],
    ]);
    expect(allServe(r.ok ? r.value : { servers: [] }, ['203.0.113.7'])).toBe(true);
  });

  it('reports each server on its own: one stale, one silent, one without authority', async () => {
    const { clock, udp, deps } = setup();
    serve(udp, resolver, resolverAnswers);
    serve(udp, ns1, authoritative(['203.0.113.6']));
    serve(udp, ns2, () => undefined);
    const r = await drive(clock, lookupAuthoritative('home.example.test', 'A', deps));
    expect(r.ok && r.value.servers.map((s) => s.result)).toEqual([
      { ok: true, value: { values: ['203.0.113.6'], ttl: 60 } },
      { ok: false, error: 'no answer from 203.0.113.66:53 within 2000 ms' },
    ]);
    expect(allServe(r.ok ? r.value : { servers: [] }, ['203.0.113.7'])).toBe(false);
    serve(udp, ns2, (q) => ({ aa: false, answers: [a(q.questions[0]?.name ?? '', '203.0.113.7')] }));
    const r2 = await drive(clock, lookupAuthoritative('home.example.test', 'A', deps));
    expect(r2.ok && r2.value.servers[1]?.result).toEqual({
      ok: false,
      error: '203.0.113.66:53 answered without authority (NOERROR)',
    });
  });

  it('takes NXDOMAIN from a server as "no values", and other rcodes as failures', async () => {
    const { clock, udp, deps } = setup();
    serve(udp, resolver, resolverAnswers);
    serve(udp, ns1, () => ({ aa: true, rcode: Rcode.NXDOMAIN, authorities: [soa] }));
    serve(udp, ns2, () => ({ aa: true, rcode: Rcode.SERVFAIL }));
    const r = await drive(clock, lookupAuthoritative('gone.example.test', 'A', deps));
    expect(r.ok && r.value.servers.map((s) => s.result)).toEqual([
      { ok: true, value: { values: [], ttl: null } },
      { ok: false, error: '203.0.113.66:53 answered SERVFAIL' },
    ]);
  });

  it('the zone apex is its own zone', async () => {
    const { clock, udp, deps } = setup();
    serve(udp, resolver, resolverAnswers);
    serve(udp, ns1, authoritative(['203.0.113.1']));
    serve(udp, ns2, authoritative(['203.0.113.1']));
    const r = await drive(clock, lookupAuthoritative('example.test', 'A', deps));
    expect(r.ok && r.value.zone).toBe('example.test');
  });

  it('fails when the resolver does not answer, or knows no SOA or NS', async () => {
    const { clock, udp, deps } = setup();
    expect(await drive(clock, lookupAuthoritative('home.example.test', 'A', deps))).toEqual({
      ok: false,
      error: 'the resolver 198.51.100.53:53: no answer from 198.51.100.53:53 within 2000 ms',
    });
    serve(udp, resolver, () => ({ rcode: Rcode.NOERROR }));
    expect(await drive(clock, lookupAuthoritative('home.example.test', 'A', deps))).toEqual({
      ok: false,
      error: 'no SOA for home.example.test at the resolver 198.51.100.53:53',
    });
    serve(udp, resolver, (q) => (q.questions[0]?.type === RRType.SOA ? { answers: [soa] } : {}));
    expect(await drive(clock, lookupAuthoritative('example.test', 'A', deps))).toEqual({
      ok: false,
      error: 'no NS records for example.test at the resolver 198.51.100.53:53',
    });
    serve(udp, resolver, () => ({ rcode: Rcode.REFUSED }));
    expect(await drive(clock, lookupAuthoritative('home.example.test', 'A', deps))).toEqual({
      ok: false,
      error: 'the resolver 198.51.100.53:53 answered REFUSED for the SOA of home.example.test',
    });
  });

  it('asks exactly the servers given, by address or by name, and never the resolver for the zone', async () => {
    const { clock, udp, deps } = setup();
    const viaResolver = serve(udp, resolver, (q) => ({
      answers: [a(q.questions[0]?.name ?? '', ns2.address)],
    }));
    serve(udp, ns1, authoritative(['203.0.113.7']));
    const at2 = serve(udp, { address: ns2.address, port: 5353 }, authoritative(['203.0.113.8']));
    const r = await drive(
      clock,
      lookupAuthoritative('home.example.test', 'A', deps, {
        servers: ['203.0.113.65', 'ns2.example.test:5353', 'bad server'],
      }),
    );
    expect(r).toEqual({
      ok: true,
      value: {
        servers: [
          { server: '203.0.113.65:53', result: { ok: true, value: { values: ['203.0.113.7'], ttl: 60 } } },
          {
            server: '203.0.113.66:5353',
            nsName: 'ns2.example.test',
            result: { ok: true, value: { values: ['203.0.113.8'], ttl: 60 } },
          },
          { server: '', result: { ok: false, error: '"bad server" is not a server address' } },
        ],
      },
    });
    expect(viaResolver.map((m) => m.questions[0]?.name)).toEqual(['ns2.example.test']);
    expect(at2).toHaveLength(1);
  });

  it('AAAA and TXT values', async () => {
    const { clock, udp, deps } = setup();
    serve(udp, ns1, (q) => ({
      aa: true,
      answers:
        q.questions[0]?.type === RRType.AAAA
          ? [
              {
                name: 'home.example.test',
                type: RRType.AAAA,
                class: 1,
                ttl: 30,
                data: { kind: 'aaaa', address: '2001:db8::1' },
              },
            ]
          : [
              {
                name: 'home.example.test',
                type: RRType.TXT,
                class: 1,
                ttl: 30,
                data: { kind: 'txt', strings: ['ab', 'cd'] },
              },
            ],
    }));
    const six = await drive(
      clock,
      lookupAuthoritative('home.example.test', 'AAAA', deps, { servers: [ns1.address] }),
    );
    expect(six.ok && six.value.servers[0]?.result).toEqual({
      ok: true,
      value: { values: ['2001:db8::1'], ttl: 30 },
    });
    expect(allServe(six.ok ? six.value : { servers: [] }, ['2001:DB8:0::1'])).toBe(true);
    const txt = await drive(
      clock,
      lookupAuthoritative('home.example.test', 'TXT', deps, { servers: [ns1.address] }),
    );
    expect(txt.ok && txt.value.servers[0]?.result).toEqual({
      ok: true,
      value: { values: ['abcd'], ttl: 30 },
    });
  });
});

describe('parseResolvConf', () => {
  it('reads nameserver lines in order, skipping what is not an address', () => {
    expect(
      parseResolvConf(
        '# comment\nsearch lan\nnameserver 203.0.113.53\nnameserver fe80::1%eth0\n  nameserver  2001:db8::53\nnameserver host\noptions timeout:1\n',
      ),
    ).toEqual([
      { address: '203.0.113.53', port: 53 },
      { address: 'fe80::1', port: 53 },
      { address: '2001:db8::53', port: 53 },
    ]);
    expect(parseResolvConf('')).toEqual([]);
  });
});

describe('allServe', () => {
  const answers = (...values: (readonly string[] | string)[]): AuthoritativeAnswers => ({
    servers: values.map((v, i) => ({
      server: `s${i}`,
      result: typeof v === 'string' ? { ok: false, error: v } : { ok: true, value: { values: v, ttl: 60 } },
    })),
  });
  it.each<[string, AuthoritativeAnswers, string[], boolean]>([
    ['all serve it', answers(['1.1.1.1'], ['1.1.1.1']), ['1.1.1.1'], true],
    ['one stale', answers(['1.1.1.1'], ['2.2.2.2']), ['1.1.1.1'], false],
    ['one failed', answers(['1.1.1.1'], 'timeout'), ['1.1.1.1'], false],
    ['no servers', answers(), ['1.1.1.1'], false],
    ['one extra value', answers(['1.1.1.1', '2.2.2.2']), ['1.1.1.1'], false],
    ['order does not matter', answers(['2.2.2.2', '1.1.1.1']), ['1.1.1.1', '2.2.2.2'], true],
    ['nothing wanted, nothing served', answers([]), [], true],
  ])('%s', (_what, a, want, expected) => {
    expect(allServe(a, want)).toBe(expected);
  });
});
