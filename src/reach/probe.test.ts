import dgram from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeFetch } from '../../test/fakes/fetch.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { testConfig } from '../../test/support/config.js';
import { probeReachability, type ProbeProgress } from './probe.js';
import type { StunClient } from './stun-client.js';
import { known, unavailable, type PublicIpSource, type SourceResult } from './types.js';

const settings = {
  ...testConfig({ dataDir: '/nonexistent' }).reachability,
  publicRanges: ['203.0.113.0/24'],
};
const noStun: StunClient = { query: () => Promise.reject(new Error('no STUN in this test')) };
const answering = (id: string, address: string): PublicIpSource => ({
  id,
  probe: (family) => Promise.resolve(family === 'ipv4' ? [known(id, family, address)] : []),
});

/** A probe on a fake clock with one source that never answers; `seen` holds the signals it was given. */
function probeWithStuckSource(sourceLimitMs: number, others: PublicIpSource[]) {
  const seen: AbortSignal[] = [];
  const stuck: PublicIpSource = {
    id: 'stuck',
    probe: (_family, signal) => {
      seen.push(signal);
      return new Promise(() => undefined);
    },
  };
  const clock = new FakeClock();
  const probing = probeReachability(
    {
      runner: new FakeRunner().missing('ip'),
      fetch: () => Promise.reject(new Error('no HTTP in this test')),
      stun: noStun,
      clock,
      extraSources: [stuck, ...others],
      sourceLimitMs,
    },
    settings,
  );
  return { seen, clock, probing };
}

describe('probeReachability', () => {
  it('a source that never answers is reported unavailable after its limit; the others still decide', async () => {
    const { seen, clock, probing } = probeWithStuckSource(50, [
      answering('upnp', '203.0.113.7'),
      answering('http:echo.test', '203.0.113.7'),
    ]);
    await clock.settle();
    expect(seen.map((signal) => signal.aborted)).toEqual([false, false]);
    clock.advance(49);
    await clock.settle();
    expect(seen.map((signal) => signal.aborted)).toEqual([false, false]);
    clock.advance(1);
    const report = await probing;
    expect(report.consensus.ipv4).toMatchObject({ kind: 'accepted', address: '203.0.113.7' });
    expect(report.sources).toContainEqual(
      expect.objectContaining({ source: 'stuck', kind: 'unavailable', reason: 'no result within 0.05 s' }),
    );
    // Its work was told to stop (once per address family).
    expect(seen.map((signal) => signal.aborted)).toEqual([true, true]);
  });

  it('whatever still runs a minute after the probe began is told to stop (on the probe’s clock)', async () => {
    const { seen, clock, probing } = probeWithStuckSource(120_000, []);
    await clock.settle();
    clock.advance(59_999);
    await clock.settle();
    expect(seen.map((signal) => signal.aborted)).toEqual([false, false]);
    clock.advance(1);
    await clock.settle();
    expect(seen.map((signal) => (signal.reason as Error).name)).toEqual(['TimeoutError', 'TimeoutError']);
    clock.advance(60_000);
    expect((await probing).sources).toContainEqual(
      expect.objectContaining({ source: 'stuck', kind: 'unavailable' }),
    );
  });

  it('many sources listening on one probe do not trip Node’s listener-leak warning', async () => {
    // Node warns synchronously, inside addEventListener, once a signal has more listeners than allowed.
    const emitWarning = vi.spyOn(process, 'emitWarning');
    const listening = (id: string): PublicIpSource => ({
      id,
      probe: (family, signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => resolve([]), { once: true });
          // Answers after every source has started listening: they all start before any promise reaction runs.
          queueMicrotask(() => resolve(family === 'ipv4' ? [known(id, family, '203.0.113.7')] : []));
        }),
    });
    try {
      const caller = new AbortController();
      const report = await probeReachability(
        {
          runner: new FakeRunner().missing('ip'),
          fetch: () => Promise.reject(new Error('no HTTP in this test')),
          stun: noStun,
          clock: new FakeClock(),
          extraSources: Array.from({ length: 20 }, (_, i) => listening(`http:echo${i}`)),
        },
        settings,
        caller.signal,
      );
      expect(report.consensus.ipv4).toMatchObject({ kind: 'accepted', address: '203.0.113.7' });
      const warned = emitWarning.mock.calls.map(([w]) => (w instanceof Error ? w.name : w));
      expect(warned).not.toContain('MaxListenersExceededWarning');
    } finally {
      emitWarning.mockRestore();
    }
  });
});

const A = '203.0.113.7';
const B = '203.0.113.8';

/** A source whose IPv4 answer the test gives when it likes (IPv6: nothing, at once). */
function later(id: string) {
  let answer: ((r: SourceResult[]) => void) | undefined;
  const source: PublicIpSource = {
    id,
    probe: (family) =>
      family === 'ipv4'
        ? new Promise<SourceResult[]>((resolve) => {
            answer = resolve;
          })
        : Promise.resolve([]),
  };
  return {
    source,
    answer(address: string | null) {
      if (!answer) throw new Error(`${id} was not asked yet`);
      answer([address === null ? unavailable(id, 'ipv4', 'no answer') : known(id, 'ipv4', address)]);
    },
  };
}

/** A probe on a fake clock whose progress (settled / decided) and end are written down in order. */
function probeWatched(
  extraSources: PublicIpSource[],
  over: Partial<typeof settings> = {},
  deps: { runner?: FakeRunner; stun?: StunClient; fetch?: FakeFetch; sourceLimitMs?: number } = {},
) {
  const clock = new FakeClock();
  const events: string[] = [];
  const progress: ProbeProgress = {
    settled: (c, pending) =>
      events.push(`settled ${c.family} ${c.address} by ${c.sources.join(',')}; pending ${pending.join(',')}`),
    decided: () => events.push('decided'),
  };
  const probing = probeReachability(
    {
      runner: deps.runner ?? new FakeRunner().missing('ip'),
      fetch: deps.fetch?.fetch ?? (() => Promise.reject(new Error('no HTTP in this test'))),
      stun: deps.stun ?? noStun,
      clock,
      extraSources,
      ...(deps.sourceLimitMs === undefined ? {} : { sourceLimitMs: deps.sourceLimitMs }),
    },
    { ...settings, quorum: 2, ...over },
    undefined,
    progress,
  ).then((report) => {
    events.push('report');
    return report;
  });
  return { clock, events, probing };
}

describe('probeReachability settles at quorum', () => {
  it('accepts the address once the quorum agrees and no pending source could change it; the slow one is still in the report', async () => {
    const slow = later('pcp');
    const t = probeWatched([answering('http:a', A), answering('dns:b', A), slow.source]);
    await t.clock.settle();
    expect(t.events).toEqual([`settled ipv4 ${A} by http:a,dns:b; pending pcp`, 'decided']);
    // The router answers late, and otherwise: dissent of the accepted address, not a second settlement.
    slow.answer(B);
    const report = await t.probing;
    expect(t.events).toEqual([`settled ipv4 ${A} by http:a,dns:b; pending pcp`, 'decided', 'report']);
    expect(report.consensus.ipv4).toMatchObject({
      kind: 'accepted',
      address: A,
      sources: ['http:a', 'dns:b'],
      dissent: [{ source: 'pcp', address: B }],
    });
    expect(report.facts.ipv4.router).toEqual([{ source: 'pcp', externalAddress: B }]);
  });

  it('waits while the pending sources could still outvote the address', async () => {
    const echo = later('http:c');
    const dns = later('dns:d');
    const t = probeWatched([answering('http:a', A), answering('dns:b', A), echo.source, dns.source]);
    await t.clock.settle();
    expect(t.events).toEqual([]);
    echo.answer(A);
    await t.clock.settle();
    expect(t.events).toEqual([`settled ipv4 ${A} by http:a,dns:b,http:c; pending dns:d`, 'decided']);
    dns.answer(B);
    expect((await t.probing).consensus.ipv4).toMatchObject({ address: A, dissent: [{ source: 'dns:d' }] });
  });

  it('sources that do not agree: never settled, decided only once every source has answered', async () => {
    const other = later('dns:b');
    const t = probeWatched([answering('http:a', A), other.source]);
    await t.clock.settle();
    expect(t.events).toEqual([]);
    other.answer(B);
    const report = await t.probing;
    expect(t.events).toEqual(['decided', 'report']);
    expect(report.consensus.ipv4.kind).toBe('disagreement');
  });

  it('a trusted source still to answer is waited for, and its answer decides', async () => {
    const router = later('natpmp');
    const t = probeWatched([answering('http:a', A), answering('dns:b', A), router.source], {
      trustedSource: 'router',
    });
    await t.clock.settle();
    expect(t.events).toEqual([]);
    router.answer(B);
    await t.probing;
    expect(t.events).toEqual([`settled ipv4 ${B} by natpmp; pending `, 'decided', 'report']);
  });

  it('each HTTP echo endpoint is a vote of its own while it is pending', async () => {
    const fetch = new FakeFetch();
    const replies: Record<string, (text: string) => void> = {};
    for (const host of ['echo1.test', 'echo2.test']) {
      fetch.on(
        `http://${host}/`,
        () =>
          new Promise<Response>((resolve) => {
            replies[host] = (text) => resolve(new Response(text));
          }),
      );
    }
    const t = probeWatched(
      [answering('dns:x', A), answering('dns:y', A)],
      {
        httpEcho: [
          { url: 'http://echo1.test/', family: 'ipv4' },
          { url: 'http://echo2.test/', family: 'ipv4' },
        ],
      },
      { fetch },
    );
    await t.clock.settle();
    // Two pending echoes could give another address two votes: a tie, so no settling yet.
    expect(t.events).toEqual([]);
    replies['echo1.test']?.(A);
    await vi.waitFor(() =>
      expect(t.events).toEqual([
        `settled ipv4 ${A} by http:echo1.test,dns:x,dns:y; pending http:echo2.test`,
        'decided',
      ]),
    );
    replies['echo2.test']?.(A);
    expect((await t.probing).consensus.ipv4).toMatchObject({
      sources: ['http:echo1.test', 'http:echo2.test', 'dns:x', 'dns:y'],
    });
  });

  it('STUN answers count as soon as they are in; traceroute and the slow router only add facts to the report', async () => {
    const clock = new FakeClock();
    const runner = new FakeRunner({ clock }).missing('ip').hangs(['traceroute']);
    const stun: StunClient = {
      query: (servers) =>
        Promise.resolve({
          localPort: 40000,
          results: servers.map((server) => ({ server, mapped: { address: A, port: 40000 } })),
        }),
    };
    const slow = later('upnp');
    const events: string[] = [];
    const probing = probeReachability(
      {
        runner,
        fetch: () => Promise.reject(new Error('no HTTP in this test')),
        stun,
        clock,
        extraSources: [slow.source],
      },
      { ...settings, quorum: 2, stunServers: ['203.0.113.65:3478', '203.0.113.66:3478'] },
      undefined,
      {
        settled: (c, pending) =>
          events.push(`settled ${c.address} by ${c.sources.join(',')}; pending ${pending.join(',')}`),
        decided: () => events.push('decided'),
      },
    ).then((r) => {
      events.push('report');
      return r;
    });
    await clock.settle();
    expect(events).toEqual([
      `settled ${A} by stun:203.0.113.65:3478,stun:203.0.113.66:3478; pending upnp`,
      'decided',
    ]);
    slow.answer(null);
    await clock.settle();
    // traceroute still runs: no report yet.
    expect(events).toHaveLength(2);
    clock.advance(7500);
    const report = await probing;
    expect(events.at(-1)).toBe('report');
    expect(report.facts.pathError).toMatch(/traceroute/);
    expect(report.facts.ipv4.stun?.localPort).toBe(40000);
  });

  it('each STUN server counts as soon as it answers, while a silent one is still being asked', async () => {
    const servers = ['203.0.113.65:3478', '203.0.113.66:3478'];
    let finish: (() => void) | undefined;
    const stun: StunClient = {
      query: (asked, _family, options) => {
        options.onResult?.({ server: asked[0] ?? '', mapped: { address: A, port: 40000 } });
        return new Promise((resolve) => {
          finish = () =>
            resolve({
              localPort: 40000,
              results: [
                { server: asked[0] ?? '', mapped: { address: A, port: 40000 } },
                { server: asked[1] ?? '', mapped: null, error: 'no answer within 2500 ms' },
              ],
            });
        });
      },
    };
    const t = probeWatched(
      [answering('http:a', A)],
      { stunServers: servers },
      { stun, runner: new FakeRunner().missing('ip').missing('traceroute') },
    );
    await t.clock.settle();
    expect(t.events).toEqual([
      `settled ipv4 ${A} by stun:203.0.113.65:3478,http:a; pending stun:203.0.113.66:3478`,
      'decided',
    ]);
    finish?.();
    const report = await t.probing;
    expect(t.events.slice(2)).toEqual(['report']);
    expect(report.sources.slice(0, 2)).toEqual([
      known('stun:203.0.113.65:3478', 'ipv4', A, { port: 40000 }),
      unavailable('stun:203.0.113.66:3478', 'ipv4', 'no answer within 2500 ms'),
    ]);
  });

  it('without a progress listener the probe runs as before', async () => {
    const report = await probeReachability(
      {
        runner: new FakeRunner().missing('ip'),
        fetch: () => Promise.reject(new Error('no HTTP in this test')),
        stun: noStun,
        clock: new FakeClock(),
        extraSources: [answering('http:a', A), answering('dns:b', A)],
      },
      settings,
    );
    expect(report.consensus.ipv4).toMatchObject({ kind: 'accepted', address: A });
  });
});

describe('probeReachability and an inbound packet', () => {
  it('an inbound packet seen from a public endpoint makes the verdict proven; without a watcher it is not', async () => {
    const deps = {
      runner: new FakeRunner().missing('ip'),
      fetch: () => Promise.reject(new Error('no HTTP in this test')),
      stun: noStun,
      clock: new FakeClock(),
      extraSources: [answering('http:a', A), answering('dns:b', A)],
    };
    const seen = { from: '198.51.100.10:40000', at: '2026-01-01T00:00:00.000Z', via: 'WireGuard handshake' };
    const proven = await probeReachability({ ...deps, inboundSeen: () => seen }, settings);
    expect(proven.verdict.level).toBe('proven');
    const unproven = await probeReachability(deps, settings);
    expect(unproven.verdict.level).not.toBe('proven');
  });
});

/** A DNS answer naming the asker's address (A), as a DNS echo server gives it. */
function dnsEchoAnswer(query: Buffer, rinfo: dgram.RemoteInfo): Buffer {
  let i = 12;
  while (query[i] !== 0) i += (query[i] ?? 0) + 1;
  const header = Buffer.alloc(12);
  query.subarray(0, 2).copy(header, 0);
  header.writeUInt16BE(0x8180, 2); // response, recursion available, no error
  header.writeUInt16BE(1, 4);
  header.writeUInt16BE(1, 6);
  const rdata = Buffer.from(rinfo.address.split('.').map(Number));
  const rr = Buffer.alloc(12);
  rr.writeUInt16BE(0xc00c, 0); // the question's name
  rr.writeUInt16BE(1, 2);
  rr.writeUInt16BE(1, 4);
  rr.writeUInt32BE(60, 6);
  rr.writeUInt16BE(rdata.length, 10);
  return Buffer.concat([header, query.subarray(12, i + 5), rr, rdata]);
}

describe('probeReachability with DNS echo endpoints on loopback', () => {
  const echo = dgram.createSocket('udp4');
  const silent = dgram.createSocket('udp4');
  const bound = (socket: dgram.Socket) =>
    new Promise<number>((resolve) => socket.bind(0, '127.0.0.1', () => resolve(socket.address().port)));
  let echoPort = 0;
  let silentPort = 0;
  beforeAll(async () => {
    echo.on('message', (msg, rinfo) => echo.send(dnsEchoAnswer(msg, rinfo), rinfo.port, rinfo.address));
    echoPort = await bound(echo);
    silentPort = await bound(silent);
  });
  afterAll(() => {
    echo.close();
    silent.close();
  });

  it('each DNS echo endpoint is a vote of its own while it is pending', async () => {
    const t = probeWatched(
      [answering('http:a', '127.0.0.1')],
      {
        publicRanges: ['127.0.0.0/8'],
        dnsEcho: [
          { server: `127.0.0.1:${echoPort}`, name: 'myip.example.test', type: 'A' },
          { server: `127.0.0.1:${silentPort}`, name: 'myip.example.test', type: 'A' },
        ],
      },
      { sourceLimitMs: 1000 },
    );
    await vi.waitFor(() =>
      expect(t.events).toEqual([
        `settled ipv4 127.0.0.1 by dns:127.0.0.1:${echoPort},http:a; pending dns:127.0.0.1:${silentPort}`,
        'decided',
      ]),
    );
    // The silent one runs out of time (on the probe's clock) and is reported so.
    t.clock.advance(1000);
    const report = await t.probing;
    expect(report.sources).toContainEqual(
      unavailable(`dns:127.0.0.1:${silentPort}`, 'ipv4', 'no result within 1 s'),
    );
  });
});

describe('fresh', () => {
  const seen = { from: '198.51.100.10:40404', at: '2026-11-28T10:00:00.000Z', via: 'WireGuard handshake' };
  it('keeps an inbound packet for inboundFreshMs, not longer, and not one from the future', async () => {
    const { fresh, inboundFreshMs } = await import('./probe.js');
    const at = Date.parse(seen.at);
    expect(fresh(null, new Date(at))).toBeNull();
    expect(fresh(seen, new Date(at))).toBe(seen);
    expect(fresh(seen, new Date(at + inboundFreshMs))).toBe(seen);
    expect(fresh(seen, new Date(at + inboundFreshMs + 1))).toBeNull();
    expect(fresh(seen, new Date(at - 1))).toBeNull();
    expect(inboundFreshMs).toBe(600_000);
  });
});
