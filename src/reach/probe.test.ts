import { describe, expect, it, vi } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { testConfig } from '../../test/support/config.js';
import { probeReachability } from './probe.js';
import type { StunClient } from './stun-client.js';
import { known, type PublicIpSource } from './types.js';

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
