import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { FakeUdp } from '../../test/fakes/udp.js';
import { testConfig } from '../../test/support/config.js';
import { doctorProbe } from './doctor.js';
import type { StunClient } from './stun-client.js';

/** Both servers see the box behind one NAT at 203.0.113.7:4000. */
const stun: StunClient = {
  query: (servers, family) =>
    Promise.resolve({
      localPort: 40000,
      results: servers.map((server) =>
        family === 'ipv4'
          ? { server, mapped: { address: '203.0.113.7', port: 4000 } }
          : { server, mapped: null, error: 'no IPv6' },
      ),
    }),
};

/** Runs the doctor's probe on a fake clock, moving time on until it is done (router protocols wait 2 s). */
async function doctor(portMapping: { enabled: boolean; port: number; leaseSeconds: number }) {
  const clock = new FakeClock('2026-11-28T10:00:00.000Z');
  // No `ip`: no default gateway, so NAT-PMP and PCP have no router to ask; UPnP's SSDP search meets silence.
  const runner = new FakeRunner({ clock }).missing('ip').missing('traceroute');
  const udp = new FakeUdp(clock);
  const settings = {
    ...testConfig({ dataDir: '/nonexistent' }).reachability,
    stunServers: ['203.0.113.65:3478', '203.0.113.66:19302'],
    httpEcho: [],
    dnsEcho: [],
    publicRanges: ['203.0.113.0/24'],
    portMapping,
  };
  const state = { done: false };
  const report = doctorProbe(
    { runner, clock, fetch: () => Promise.reject(new Error('no HTTP in this test')) },
    settings,
    { udp, stun },
  ).finally(() => (state.done = true));
  while (!state.done) {
    await clock.settle();
    clock.advance(500);
  }
  return { report: await report, udp };
}

describe('doctorProbe', () => {
  it('tries a test mapping next to the WireGuard port; with no router answering it is "unsupported"', async () => {
    const { report, udp } = await doctor({ enabled: true, port: 51820, leaseSeconds: 3600 });
    expect(report.facts.portMapping).toMatchObject({ state: 'unsupported', externalPort: 51821, test: true });
    expect(report.facts.portMapping?.error).toMatch(/NAT-PMP: no router to ask/);
    expect(report.verdict.ipv4.portMapping).toBe('unsupported');
    // The probe's own sources and the test mapping both searched for a UPnP router.
    expect(udp.sent.length).toBeGreaterThan(0);
  });

  it('with port mapping turned off no mapping is tried, and the verdict says "disabled"', async () => {
    const { report } = await doctor({ enabled: false, port: 51820, leaseSeconds: 3600 });
    expect(report.facts.portMapping).toEqual({ state: 'disabled' });
    expect(report.verdict.ipv4.portMapping).toBe('disabled');
    expect(report.verdict.remedies).not.toContain(
      'Or turn on UPnP or NAT-PMP on the router, so Gatehouse maps the port itself.',
    );
  });
});
