// The temporary TCP 80 mapping of an ACME HTTP-01 challenge on real packets: Gatehouse's RouterPortOpener (real
// dgram sockets, fetch and `ip route` inside the gw namespace) asks miniupnpd in the router namespace for TCP 80 over
// UPnP IGD, NAT-PMP and PCP; a client on the internet (`inet`) reaches the box's listener through the router's public
// address, and after close() the router refuses the connection while the listener still listens.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { addr } from '../testbed/plan.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('router TCP mapping (HTTP-01 port 80 via UPnP IGD, NAT-PMP, PCP)');
const probeScript = 'test/testbed/router-tcp-probe.ts';
const url = `http://${addr.routerWan}:80/`;
/** What miniupnpd puts in its DNAT chain for TCP (IP protocol 6) port 80 to the box. */
const tcp80Rule = /@nh,72,8 0x6 th dport 80 dnat ip to 10\.10\.0\.2:80/;

interface Opened {
  result: { state: 'mapped'; externalPort: number } | { state: 'unavailable'; reason: string };
  logs: { level: string; msg: string }[];
}

describe.skipIf(skip !== undefined)(
  'router: TCP 80 for the length of an HTTP-01 challenge (miniupnpd)',
  () => {
    // Unset when `up` failed: afterAll must not hide that error behind a TypeError.
    let bed = undefined as unknown as Testbed;
    let run = 0;

    beforeAll(async () => {
      bed = await Testbed.up('nat-upnp');
    }, 40_000);
    afterAll(async () => {
      await (bed as Testbed | undefined)?.down();
    });

    /** curl from the internet side; `refused` when the router answers the SYN with a reset. */
    async function fetchFromInternet(): Promise<{ body: string } | { refused: true } | { other: string }> {
      // -v: curl names a reset ("Connection refused") only in its verbose lines; a timeout would be exit 28.
      const r = await bed.exec('inet', ['curl', '-sSv', '--max-time', '5', url], { timeoutMs: 10_000 });
      if (r.exitCode === 0) return { body: r.stdout };
      if (r.exitCode === 7 && /connect to \S+ port 80 failed: Connection refused/.test(r.stderr))
        return { refused: true };
      return { other: `curl exit ${r.exitCode}: ${r.stderr.trim().split('\n').at(-1) ?? ''}` };
    }

    /** Starts the probe in gw; resolves its files and its end. */
    function startProbe(flags: readonly string[]) {
      run += 1;
      const dir = path.join(bed.dir, `tcp-probe-${run}`);
      fs.mkdirSync(dir, { recursive: true });
      const ended = bed.node('gw', probeScript, ['--dir', dir, ...flags], { timeoutMs: 60_000 });
      const read = async <T>(name: string): Promise<T> => {
        const file = path.join(dir, name);
        let finished = false;
        void ended.finally(() => (finished = true));
        return waitFor(
          `the probe's ${name}`,
          () => {
            if (fs.existsSync(file)) return Promise.resolve(JSON.parse(fs.readFileSync(file, 'utf8')) as T);
            if (finished)
              return ended.then((r) => {
                throw new Error(`the probe ended without ${name}: ${r.stdout}\n${r.stderr}`);
              });
            return Promise.resolve(undefined);
          },
          20_000,
        );
      };
      const signal = (name: 'close' | 'exit') => fs.writeFileSync(path.join(dir, name), '');
      return { ended, read, signal };
    }

    it.each([
      ['upnp', 'UPnP IGD'],
      ['natpmp', 'NAT-PMP'],
      ['pcp', 'PCP'],
    ] as const)(
      'nat-upnp: %s maps TCP 80 → the box; a client on the internet reaches it; close() unmaps, then the router refuses',
      async (protocol, name) => {
        await bed.setScenario('nat-upnp');
        // Before: nothing forwards port 80.
        expect(await fetchFromInternet()).toEqual({ refused: true });
        const probe = startProbe(['--protocol', protocol, '--lease', '120']);
        const opened = await probe.read<Opened>('opened.json');
        expect(opened.result).toEqual({ state: 'mapped', externalPort: 80 });
        expect(opened.logs.map((l) => l.msg)).toContain(
          `TCP port 80 mapped on the router via ${name} for 120 s`,
        );
        expect(await bed.routerMappings()).toMatch(tcp80Rule);

        expect(await fetchFromInternet()).toEqual({ body: 'gatehouse behind the router\n' });

        probe.signal('close');
        const closed = await probe.read<{ upnpEntryAfterClose?: unknown; logs: { msg: string }[] }>(
          'closed.json',
        );
        expect(closed.logs.map((l) => l.msg)).toContain('TCP port 80 unmapped on the router');
        if (protocol === 'upnp') expect(closed.upnpEntryAfterClose).toEqual({ ok: true, value: undefined });
        expect(await bed.routerMappings()).not.toMatch(/dport 80 /);
        // The listener in gw still listens: the refusal is the router's, because the mapping is gone.
        expect(await fetchFromInternet()).toEqual({ refused: true });

        probe.signal('exit');
        const r = await probe.ended;
        expect(r.exitCode).toBe(0);
        expect((JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '') as { served: number }).served).toBe(1);
      },
      60_000,
    );

    it('nat-upnp: with every protocol, the one that holds the WireGuard mapping (UPnP) is asked first', async () => {
      await bed.setScenario('nat-upnp');
      const probe = startProbe(['--protocol', 'all', '--preferred', 'upnp']);
      const opened = await probe.read<Opened>('opened.json');
      expect(opened.result).toEqual({ state: 'mapped', externalPort: 80 });
      expect(opened.logs.map((l) => l.msg)).toContain(
        'TCP port 80 mapped on the router via UPnP IGD for 120 s',
      );
      expect(await fetchFromInternet()).toEqual({ body: 'gatehouse behind the router\n' });
      probe.signal('close');
      await probe.read('closed.json');
      expect(await bed.routerMappings()).not.toMatch(/dport 80 /);
      probe.signal('exit');
      expect((await probe.ended).exitCode).toBe(0);
    }, 60_000);

    it('nat (no miniupnpd): unavailable, saying the router offers no port mapping', async () => {
      await bed.setScenario('nat');
      const probe = startProbe(['--protocol', 'all', '--timeout', '1000']);
      const opened = await probe.read<Opened>('opened.json');
      expect(opened.result).toEqual({
        state: 'unavailable',
        reason: expect.stringMatching(
          /^the router offers no port mapping \(no answer over PCP, NAT-PMP, UPnP IGD\), so TCP port 80 cannot be opened automatically \(PCP: no PCP answer from 10\.10\.0\.1 within 1 s; NAT-PMP: no NAT-PMP answer from 10\.10\.0\.1 within 1 s; UPnP IGD: .*\)$/,
        ) as unknown,
      });
      expect((await probe.ended).exitCode).toBe(0);
      expect(await fetchFromInternet()).toEqual({ refused: true });
    }, 60_000);

    it("cgnat-upnp: miniupnpd refuses (no public address): unavailable with the router's answers", async () => {
      await bed.setScenario('cgnat-upnp');
      const probe = startProbe(['--protocol', 'all', '--timeout', '1500']);
      const opened = await probe.read<Opened>('opened.json');
      expect(opened.result).toEqual({
        state: 'unavailable',
        reason: expect.stringMatching(
          /^the router refused to open TCP port 80 to this box \(.*NAT-PMP at 10\.10\.0\.1 refused to map TCP 80: result 3 \(network failure\).*UPnP IGD: AddPortMapping failed with UPnP error 501/,
        ) as unknown,
      });
      expect((await probe.ended).exitCode).toBe(0);
      expect(await bed.routerMappings()).not.toMatch(/dport 80 /);
    }, 60_000);
  },
);
