import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { testConfig } from '../../test/support/config.js';
import { probeReachability } from './probe.js';
import { reportJson, reportText } from './report-format.js';
import type { StunClient } from './stun-client.js';

const settings = {
  ...testConfig({ dataDir: '/nonexistent' }).reachability,
  stunServers: ['203.0.113.65:3478', '203.0.113.66:3478'],
  httpEcho: [],
  dnsEcho: [],
  publicRanges: ['203.0.113.0/24'],
};
/** Both servers see the box behind one NAT at 203.0.113.7:4000. */
const stun: StunClient = {
  query: (servers, family) =>
    Promise.resolve({
      localPort: 40000,
      results:
        family === 'ipv4'
          ? servers.map((server) => ({ server, mapped: { address: '203.0.113.7', port: 4000 } }))
          : servers.map((server) => ({ server, mapped: null, error: 'no IPv6' })),
    }),
};

function probeWith(runner: FakeRunner) {
  return probeReachability(
    {
      runner,
      fetch: () => Promise.reject(new Error('no HTTP in this test')),
      stun,
      clock: new FakeClock('2026-11-28T10:00:00.000Z'),
    },
    settings,
  );
}

describe('the report says why the path was not traced (README: "without it the report says so")', () => {
  it('traceroute missing: JSON, doctor text and the evidence name it', async () => {
    const report = await probeWith(new FakeRunner().missing('ip').missing('traceroute'));
    const json = reportJson(report);
    expect(json.ipv4.path).toBeNull();
    expect(json.ipv4.pathError).toBe('traceroute is not installed (apt-get install traceroute)');
    expect(reportText(report)).toContain(
      "Path not traced: traceroute is not installed (apt-get install traceroute); the verdict relies on the router's answers.",
    );
    // The probe asked for the path towards the first STUN server.
    expect(report.facts.ipv4.stun?.results).toHaveLength(2);
  });

  it('traceroute present: the hops are there and no path error is printed', async () => {
    const runner = new FakeRunner()
      .missing('ip')
      .on(['traceroute', '-n', '-q', '1', '-w', '1', '-m', '3', '203.0.113.65'], {
        exitCode: 0,
        stdout:
          'traceroute to 203.0.113.65 (203.0.113.65), 3 hops max, 60 byte packets\n 1  10.10.0.1  0.1 ms\n 2  *\n 3  203.0.113.65  0.3 ms\n',
        stderr: '',
      });
    const report = await probeWith(runner);
    const json = reportJson(report);
    expect(json.ipv4.path).toEqual(['10.10.0.1', null, '203.0.113.65']);
    expect(json.ipv4.pathError).toBeNull();
    expect(reportText(report)).not.toContain('Path not traced');
  });
});
