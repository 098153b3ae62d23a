// HTTP-01 through the router's temporary mapping: a real `gatehouse serve` in the box behind the bed's NAT router,
// which runs miniupnpd (UPnP IGD, NAT-PMP, PCP) and forwards nothing by hand. For the challenge Gatehouse maps TCP 80
// on the router to its port-80 listener, pebble's VA validates through that mapping, and the mapping is gone once
// the order ends — port 80 is open only for the length of the challenge.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addDdnsHostname,
  dig,
  startCertGatehouse,
  type CertServer,
  type CertViewSeen,
} from '../testbed/cert-e2e.js';
import { addr, ports } from '../testbed/plan.js';
import { Testbed } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('Certificates through the router’s temporary mapping');
const hostname = 'home.example.test';

describe.skipIf(skip !== undefined)(
  'Certificates: HTTP-01 through a temporary UPnP/NAT-PMP/PCP mapping',
  () => {
    let bed = undefined as unknown as Testbed;
    let server = undefined as unknown as CertServer;

    /** The port-80 redirections miniupnpd holds on the router now. */
    const routerPort80 = async (): Promise<string[]> => {
      const r = await bed.exec('router', ['nft', 'list', 'chain', 'inet', 'filter', 'prerouting_miniupnpd']);
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout.split('\n').filter((l) => /dport 80 /.test(l));
    };

    beforeAll(async () => {
      bed = await Testbed.up('nat-upnp');
      await bed.removeAaaa(hostname);
      server = await startCertGatehouse(bed, {
        acme: { http01: { listen: `0.0.0.0:${ports.http}`, mapRouterPort: true } },
      });
      await addDdnsHostname(bed, server, hostname);
    }, 120_000);

    afterAll(async () => {
      await (server as CertServer | undefined)?.stop();
      await (bed as Testbed | undefined)?.down();
    });

    it('maps TCP 80 for the challenge only: issued through the mapping, which is removed afterwards', async () => {
      expect(await dig(bed, hostname, 'A')).toEqual([addr.routerWan]);
      // Nothing forwards port 80 before the order.
      expect(await routerPort80()).toEqual([]);
      const account = await server.call('PUT', '/api/v1/cert/account', {
        directoryUrl: bed.acmeDirectoryUrl,
        email: 'admin@example.test',
        agreeTerms: true,
        caBundlePem: bed.pebbleListenerCa,
      });
      expect(account.status, JSON.stringify(account.body)).toBe(200);
      const names = await server.call('PUT', '/api/v1/cert/certificate', {
        names: [hostname],
        challenge: 'http-01',
      });
      expect(names.status, JSON.stringify(names.body)).toBe(200);
      // The names wake the server's loop, which orders at once; asking with wait joins that order.
      const issued = await server.call('POST', '/api/v1/cert/issue', { wait: true });
      expect(issued.status, JSON.stringify(issued.body)).toBe(200);
      expect(issued.body, JSON.stringify(issued.body)).toMatchObject({ ok: true });
      const view = (await server.view()) as CertViewSeen & { challenge: { warnings: string[] } };
      expect(view.current).toMatchObject({ names: [hostname], challenge: 'http-01' });
      // No warning that the mapping could not be made.
      expect(view.challenge.warnings.join(' ')).not.toMatch(/could not be mapped/);
      // The router's own account: each order's challenge mapped TCP 80 to the box (PCP first here) and removed it.
      const log = bed.log('miniupnpd');
      const added = log.match(/added mapping TCP 80->10\.10\.0\.2:80/g) ?? [];
      const removed = log.match(/TCP port 80 mapping removed/g) ?? [];
      expect(added.length).toBeGreaterThanOrEqual(1);
      expect(removed).toHaveLength(added.length);
      // The mapping lived only as long as the challenge.
      expect(await routerPort80()).toEqual([]);
    }, 120_000);
  },
);
