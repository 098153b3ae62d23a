// The router side of reachability on real packets: Gatehouse's NAT-PMP, PCP and UPnP IGD clients (real dgram
// sockets, fetch and `ip route` inside the gw namespace) against miniupnpd in the router namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandResult } from '../../src/core/runner.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { addr, ports } from '../testbed/plan.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('router (NAT-PMP, PCP, UPnP IGD)');
const descriptionUrl = `http://${addr.routerLan}:${ports.upnpHttp}/rootDesc.xml`;
const probeScript = 'test/testbed/router-probe.ts';

interface ProbeResult {
  kind: 'known' | 'unavailable';
  source: string;
  address?: string;
  reason?: string;
  ms: number;
}

function lastJson(r: CommandResult): unknown {
  const lines = r.stdout.trim().split('\n');
  try {
    return JSON.parse(lines.at(-1) ?? '');
  } catch {
    throw new Error(`router probe printed no JSON (exit ${r.exitCode}): ${r.stdout}\n${r.stderr}`);
  }
}

describe.skipIf(skip !== undefined)('router: NAT-PMP, PCP and UPnP IGD against miniupnpd', () => {
  // Unset when `up` failed: afterAll must not hide that error behind a TypeError.
  let bed = undefined as unknown as Testbed;

  beforeAll(async () => {
    bed = await Testbed.up('nat-upnp');
  }, 40_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
  });

  const miniupnpdChain = (): Promise<string> => bed.routerMappings();

  it('nat-upnp: UPnP (discovered and configured), NAT-PMP and PCP all read 203.0.113.2', async () => {
    await bed.setScenario('nat-upnp');
    const r = await bed.node('gw', probeScript, ['address', '--description-url', descriptionUrl]);
    const out = lastJson(r) as Record<'pcp' | 'natpmp' | 'upnp' | 'upnpConfigured', ProbeResult>;
    for (const key of ['pcp', 'natpmp', 'upnp', 'upnpConfigured'] as const) {
      expect(out[key], key).toMatchObject({ kind: 'known', address: addr.routerWan });
    }
    // Nothing is left behind by PCP's address probe (a MAP deleted right away).
    expect(await miniupnpdChain()).not.toMatch(/dnat/);
  });

  it.each(['pcp', 'natpmp', 'upnp'] as const)(
    'nat-upnp: %s maps UDP 51820 → gw, a datagram from the phone arrives, stop() removes the mapping',
    async (protocol) => {
      await bed.setScenario('nat-upnp');
      const probe = bed.node(
        'gw',
        probeScript,
        ['hold', '--protocol', protocol, '--port', String(ports.wireguard), '--lease', '600'],
        { timeoutMs: 30_000 },
      );
      const rule = `dport ${ports.wireguard} dnat ip to ${addr.gwLan}:${ports.wireguard}`;
      const ended = probe.then((r) => {
        throw new Error(`the probe ended before the mapping appeared: ${r.stdout}\n${r.stderr}`);
      });
      ended.catch(() => undefined);
      await Promise.race([
        waitFor('the mapping in miniupnpd', async () =>
          (await miniupnpdChain()).includes(rule) ? true : undefined,
        ),
        ended,
      ]);
      // The probe listens on 51820 once its mapping holds: send until it has the datagram.
      await waitFor('the probe listening on UDP 51820', async () => {
        const ss = await bed.exec('gw', ['ss', '-Hlnu', 'sport', '=', `:${ports.wireguard}`]);
        return ss.stdout.trim() !== '' ? true : undefined;
      });
      await bed.exec('phone', ['socat', '-u', 'STDIN', `UDP-SENDTO:${addr.routerWan}:${ports.wireguard}`], {
        stdin: `through ${protocol}\n`,
      });
      const r = await probe;
      const lines = r.stdout.trim().split('\n');
      const mapped = JSON.parse(lines[0] ?? '') as { status: Record<string, unknown> };
      expect(mapped.status).toMatchObject({
        state: 'mapped',
        protocol,
        externalAddress: addr.routerWan,
        externalPort: ports.wireguard,
        internalPort: ports.wireguard,
      });
      const done = lastJson(r) as {
        received: string | null;
        status: { state: string };
        upnpEntryAfterStop?: unknown;
      };
      expect(done.received).toBe(`through ${protocol}\n`);
      expect(done.status.state).toBe('disabled');
      if (protocol === 'upnp') expect(done.upnpEntryAfterStop).toEqual({ ok: true, value: undefined });
      // Removed on stop: the rule is gone from miniupnpd's chain.
      expect(await miniupnpdChain()).not.toContain(rule);
    },
  );

  it('A1 cgnat-silent-upnp: the server\'s mapper reports "refused" with the router\'s answers, and holds nothing', async () => {
    await bed.setScenario('cgnat-silent-upnp');
    const r = await bed.node('gw', probeScript, ['attempt', '--timeout', '1500']);
    const out = lastJson(r) as { status: { state: string; error?: string } };
    expect(out.status.state).toBe('refused');
    expect(out.status.error).toMatch(
      /NAT-PMP at 10\.10\.0\.1 refused to map UDP 51820: result 3 \(network failure\)/,
    );
    expect(out.status.error).toMatch(/UPnP IGD: AddPortMapping failed with UPnP error 501/);
    expect(await miniupnpdChain()).not.toContain('51820');
  });

  it('A3 router-declines: NAT-PMP and UPnP answer but decline to say the address (declined, not silent)', async () => {
    await bed.setScenario('router-declines');
    const r = await bed.node('gw', probeScript, ['address', '--timeout', '1500']);
    const out = lastJson(r) as Record<'pcp' | 'natpmp' | 'upnp', ProbeResult & { declined?: boolean }>;
    expect(out.natpmp).toMatchObject({
      kind: 'unavailable',
      declined: true,
      reason: expect.stringMatching(/network failure/),
    });
    expect(out.upnp).toMatchObject({
      kind: 'unavailable',
      declined: true,
      reason: 'UPnP IGD: the router has no external address (GetExternalIPAddress answered empty)',
    });
  });

  // How long each protocol takes to give up is measured by npm run bench:reachability, not asserted here.
  it('nat (no miniupnpd): every protocol is unavailable with a reason', async () => {
    await bed.setScenario('nat');
    const r = await bed.node('gw', probeScript, [
      'address',
      '--timeout',
      '1000',
      '--description-url',
      descriptionUrl,
    ]);
    const out = lastJson(r) as Record<'pcp' | 'natpmp' | 'upnp' | 'upnpConfigured', ProbeResult>;
    expect(out.pcp).toMatchObject({
      kind: 'unavailable',
      reason: `no PCP answer from ${addr.routerLan} within 1 s`,
    });
    expect(out.natpmp).toMatchObject({
      kind: 'unavailable',
      reason: `no NAT-PMP answer from ${addr.routerLan} within 1 s`,
    });
    expect(out.upnp).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringMatching(/no IGD answered an SSDP search within 1 s/),
    });
    expect(out.upnpConfigured).toMatchObject({
      kind: 'unavailable',
      reason: expect.stringMatching(
        /no device description at http:\/\/10\.10\.0\.1:5000\/rootDesc\.xml \(fetch failed: .*ECONNREFUSED/,
      ),
    });
  });
});
