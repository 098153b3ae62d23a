// HTTP-01 over IPv6 behind CGNAT (the bed's cgnat-v6 scenario): no way in over IPv4, but the box has a global IPv6
// address routed end to end. The DDNS account publishes only an AAAA record for the name (no A record at all), so
// pebble's VA can reach the box only over IPv6. With the HTTP-01 listener's default (`[::]:80`, nothing set) the
// certificate is issued; the same order with the listener on `0.0.0.0:80` (the default before) fails the challenge —
// the counter-proof that the dual-stack default is what made the difference.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDdnsHostname,
  dig,
  runCert,
  startCertGatehouse,
  type CertServer,
  type RunResult,
} from '../testbed/cert-e2e.js';
import { addr } from '../testbed/plan.js';
import { Testbed, TestbedError } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('Certificates over IPv6 (HTTP-01 behind CGNAT)');
const hostname = 'home.example.test';

describe.skipIf(skip !== undefined)(
  'Certificates: HTTP-01 over IPv6 behind CGNAT, the name with an AAAA record only',
  () => {
    let bed = undefined as unknown as Testbed;
    const servers: CertServer[] = [];

    /** A server (HTTP-01 listener as `http01` says), an RFC 2136 account at BIND, AAAA for the name, the CA account. */
    async function serverWith(http01: Record<string, unknown>): Promise<CertServer> {
      const server = await startCertGatehouse(bed, {
        acme: { http01, dns01: { propagationTimeoutSeconds: 30 } },
      });
      servers.push(server);
      await addDdnsHostname(bed, server, hostname, 'AAAA');
      const put = async (p: string, body: unknown) => {
        const r = await server.call('PUT', `/api/v1/cert/${p}`, body);
        if (r.status !== 200) throw new TestbedError(`PUT /cert/${p}: ${r.status} ${JSON.stringify(r.body)}`);
      };
      await put('account', {
        directoryUrl: bed.acmeDirectoryUrl,
        email: 'admin@example.test',
        agreeTerms: true,
        caBundlePem: bed.pebbleListenerCa,
      });
      await put('certificate', { names: [hostname], challenge: 'http-01' });
      return server;
    }

    async function issue(server: CertServer): Promise<RunResult> {
      const { answer, result } = await runCert(server, 'issue');
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      return result;
    }

    beforeAll(async () => {
      bed = await Testbed.up('cgnat-v6');
      // No A record for the name: pebble's VA has only the AAAA record to go by.
      const r = await bed.nsupdate('inet', [`update delete ${hostname}. A`]);
      if (r.exitCode !== 0) throw new TestbedError(`nsupdate: ${r.stderr.trim()}`);
      await bed.removeAaaa(hostname);
    }, 120_000);

    afterAll(async () => {
      for (const s of servers.splice(0)) await s.stop();
      await (bed as Testbed | undefined)?.down();
    });

    it('with the default listener ([::]:80) the certificate is issued, validated over IPv6', async () => {
      // Nothing set for the listen address: the default.
      const server = await serverWith({ mapRouterPort: false });
      expect(await dig(bed, hostname, 'A')).toEqual([]);
      expect(await dig(bed, hostname, 'AAAA')).toEqual([addr.gwLan6]);
      const result = await issue(server);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      expect(result.current).toMatchObject({ names: [hostname], challenge: 'http-01' });
      expect(result.current?.issuer).toMatch(/^Pebble Intermediate CA/);
      expect(bed.log('pebble')).toContain(
        `Attempting to validate w/ HTTP: http://${hostname}:80/.well-known/acme-challenge/`,
      );
      await server.stop();
    });

    it('with the listener on 0.0.0.0:80 (IPv4 only) the same challenge fails', async () => {
      const server = await serverWith({ listen: '0.0.0.0:80', mapRouterPort: false });
      expect(await dig(bed, hostname, 'A')).toEqual([]);
      const result = await issue(server);
      expect(result.ok, JSON.stringify(result)).toBe(false);
      expect(result.error?.kind).toBe('challenge');
      const view = await server.view();
      expect(view.renewal.lastError).toMatchObject({ kind: 'challenge', challenge: 'http-01' });
      expect(view.current).toBeNull();
    });
  },
);
