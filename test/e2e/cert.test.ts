// Certificates end to end (issue 12): a real `gatehouse serve` in the box (gw, behind the bed's single NAT router),
// HTTPS on 10.10.0.2:8443, its port-80 listener for HTTP-01, an RFC 2136 DDNS account at the bed's BIND that keeps
// home.example.test pointed at the router's public address. The CA is the bed's pebble (acme.example.test:14000, its
// listener CA given as the account's CA bundle; pebble's VA resolves names at BIND and validates without sleeps).
// The router forwards public TCP 80 to the box (the path of HTTP-01: pebble's VA → 203.0.113.2:80 → 10.10.0.2:80) and
// public 443 to the box's HTTPS listener, so the TLS client — in the phone namespace, trusting only pebble's root,
// SNI home.example.test — sees what the world sees, through the same name and forward.
// Everything goes through the HTTP API (/api/v1/cert...), the DDNS account and record through the control socket.
// Renewal by time: the server's clock cannot be driven from outside, so the last test restarts pebble with 30-second
// certificates and lets the server's own scheduler renew at a third of the lifetime left. The ARI window on a
// controlled clock against pebble: cert-clock.test.ts; HTTP-01 through a temporary router mapping: cert-upnp.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath } from '../../src/control/socket-path.js';
import {
  addDdnsHostname,
  auditEvents,
  dig,
  sameSerial,
  runCert,
  startCertGatehouse,
  tlsProbe,
  type CertServer,
  type CertViewSeen,
  type TlsSeen,
} from '../testbed/cert-e2e.js';
import { addr, ports } from '../testbed/plan.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('Certificates (ACME against pebble)');
const hostname = 'home.example.test';

describe.skipIf(skip !== undefined)('Certificates: a real Gatehouse against the bed’s pebble', () => {
  let bed = undefined as unknown as Testbed;
  let server = undefined as unknown as CertServer;
  /** Pebble's issuing root (new at every pebble start). */
  let root = '';
  const figures: Record<string, number | string> = {};

  const account = (directoryUrl = bed.acmeDirectoryUrl) => ({
    directoryUrl,
    email: 'admin@example.test',
    agreeTerms: true,
    caBundlePem: bed.pebbleListenerCa,
  });

  /** The certificate a TLS client in the phone gets from https://home.example.test (the router's 443 forward). */
  const seen = (servername = hostname): Promise<TlsSeen> =>
    tlsProbe(bed, 'phone', { host: hostname, port: ports.https, servername }, root);

  /** Polls the TLS client until it is served `serial` (the swap is live; a handshake or two may still see the old). */
  const served = (serial: string) =>
    waitFor(
      `the HTTPS listener serving ${serial}`,
      async () => {
        const s = await seen();
        return sameSerial(s.serial, serial) ? s : undefined;
      },
      15_000,
    );

  const run = (kind: 'issue' | 'renew') => runCert(server, kind);

  const put = async (p: string, body: unknown) => {
    const r = await server.call('PUT', `/api/v1/cert/${p}`, body);
    expect(r.status, `PUT /cert/${p}: ${JSON.stringify(r.body)}`).toBe(200);
    return r.body as CertViewSeen;
  };

  beforeAll(async () => {
    bed = await Testbed.up('nat');
    await bed.removeAaaa(hostname);
    await bed.setWebForward({ http: true, httpsToPort: ports.gatehouseHttps });
    root = (await bed.pebbleRoots()).root;
    server = await startCertGatehouse(bed);
    await addDdnsHostname(bed, server, hostname);
  }, 120_000);

  afterAll(async () => {
    if (Object.keys(figures).length > 0) console.log(`cert e2e figures: ${JSON.stringify(figures)}`);
    await (server as CertServer | undefined)?.stop();
    await (bed as Testbed | undefined)?.down();
  });

  it('HTTP-01 through the router’s forward: issued on request, served live to a client that trusts pebble’s root', async () => {
    // The name points at the router only (no AAAA to mislead pebble's VA, which prefers IPv6).
    expect(await dig(bed, hostname, 'A')).toEqual([addr.routerWan]);
    expect(await dig(bed, hostname, 'AAAA')).toEqual([]);

    // Before: the self-signed bootstrap certificate, which pebble's root does not vouch for.
    const before = await seen();
    expect(before.error).toBeUndefined();
    expect(before.authorized).toBe(false);
    const initial = await server.view();
    expect(initial).toMatchObject({
      enabled: true,
      account: null,
      current: null,
      serving: { kind: 'bootstrap' },
    });
    expect(initial.suggestedNames).toContain(hostname);

    // The CA's directory, as the UI shows it before the terms are agreed.
    const directory = await server.call(
      'GET',
      `/api/v1/cert/directory?url=${encodeURIComponent(bed.acmeDirectoryUrl)}`,
    );
    expect(directory.status).toBe(200);
    expect(directory.body).toMatchObject({ url: bed.acmeDirectoryUrl, externalAccountRequired: false });

    const withAccount = await put('account', account());
    expect(withAccount.account).toMatchObject({ directoryUrl: bed.acmeDirectoryUrl, caBundleSet: true });
    expect(withAccount.account?.accountUrl).toMatch(/^https:\/\/acme\.example\.test:14000\//);
    await put('certificate', { names: [hostname], challenge: 'http-01' });

    const t0 = Date.now();
    const { answer, result } = await run('issue');
    figures.http01IssueMs = Date.now() - t0;
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const current = result.current;
    expect(current).toMatchObject({ names: [hostname], challenge: 'http-01' });
    expect(current?.issuer).toMatch(/^Pebble Intermediate CA/);
    const serial = current?.serial ?? '';
    expect(serial).toMatch(/^[0-9a-f]+$/);

    // Pebble's VA fetched the token from the name, i.e. through the router's forward to the box's port 80.
    expect(bed.log('pebble')).toContain(
      `Attempting to validate w/ HTTP: http://${hostname}:80/.well-known/acme-challenge/`,
    );

    // Served without a restart: same process, one start-up line.
    const tls = await served(serial);
    figures.http01IssueToServedMs = Date.now() - t0;
    expect(tls).toMatchObject({ authorized: true, authorizationError: null, subject: hostname });
    expect(tls.altNames).toEqual([hostname]);
    expect(tls.issuer).toMatch(/^Pebble Intermediate CA/);
    // Leaf, intermediate (sent by Gatehouse), root (pebble's, trusted).
    expect(tls.chainLength).toBe(3);
    expect(server.alive()).toBe(true);
    expect(
      bed
        .log('gatehouse')
        .split('\n')
        .filter((l) => l.includes('Gatehouse is listening')),
    ).toHaveLength(1);

    const view = await server.view();
    expect(view.current?.serial).toBe(serial);
    expect(view.serving).toMatchObject({ kind: 'acme', names: [hostname] });
    expect(view.serving.fingerprintSha256?.replace(/:/g, '').toLowerCase()).toBe(
      tls.fingerprint256?.replace(/:/g, '').toLowerCase(),
    );
    expect(view.renewal).toMatchObject({ failures: 0, lastError: null });
    expect(view.renewal.state).toBe('waiting');
    // The CLI's path (`gatehouse cert status`): the control socket gives the same view.
    const status = await createControlClient(controlSocketPath(server.dataDir), {
      timeoutMs: 20_000,
    }).request(
      'GET',
      '/v1/cert/status',
      z.looseObject({ current: z.looseObject({ serial: z.string() }).nullable() }),
    );
    expect(status).toMatchObject({ kind: 'ok', value: { current: { serial } } });

    // The port-80 listener answers anything but a challenge with a redirect to HTTPS (asked from the internet).
    const redirect = await bed.exec('phone', [
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-m',
      '5',
      '-w',
      '%{http_code} %{redirect_url}',
      `http://${hostname}/some/page`,
    ]);
    expect(redirect.stdout).toMatch(/^30[178] https:\/\/home\.example\.test/);
    // An unknown token is not served.
    const unknown = await bed.exec('phone', [
      'curl',
      '-s',
      '-o',
      '/dev/null',
      '-m',
      '5',
      '-w',
      '%{http_code}',
      `http://${hostname}/.well-known/acme-challenge/nope`,
    ]);
    expect(unknown.stdout).toBe('404');
  });

  it('DNS-01 through BIND and RFC 2136 (port 80 closed from outside): issued, TXT removed afterwards, served live', async () => {
    const previous = (await server.view()).current?.serial ?? '';
    await bed.setWebForward({ http: false, httpsToPort: ports.gatehouseHttps });
    try {
      await put('certificate', { names: [hostname], challenge: 'dns-01' });
      const namedFrom = bed.log('named').length;
      const pebbleFrom = bed.log('pebble').length;
      const t0 = Date.now();
      const { answer, result } = await run('issue');
      figures.dns01IssueMs = Date.now() - t0;
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
      expect(result.ok, JSON.stringify(result)).toBe(true);
      expect(result.current).toMatchObject({ names: [hostname], challenge: 'dns-01' });
      const serial = result.current?.serial ?? '';
      expect(serial).not.toBe(previous);
      // The TXT record went to BIND by RFC 2136 (its update log); pebble's VA tried no HTTP validation.
      expect(bed.log('named').slice(namedFrom)).toContain(`_acme-challenge.${hostname}`);
      expect(bed.log('pebble').slice(pebbleFrom)).not.toContain('Attempting to validate w/ HTTP');
      // The challenge record is gone again.
      await waitFor('the challenge TXT removed', async () =>
        (await dig(bed, `_acme-challenge.${hostname}`, 'TXT')).length === 0 ? true : undefined,
      );
      const tls = await served(serial);
      expect(tls).toMatchObject({ authorized: true, subject: hostname });
      const view = await server.view();
      expect(view.history.map((h) => h.serial)).toContain(previous);
      expect(view.challenge.chosen).toBe('dns-01');
    } finally {
      await bed.setWebForward({ http: true, httpsToPort: ports.gatehouseHttps });
    }
  });

  it('a wildcard goes through DNS-01 (auto): *.home.example.test is served for another name under it', async () => {
    await put('certificate', { names: [hostname, `*.${hostname}`], challenge: 'auto' });
    const { result } = await run('issue');
    expect(result.ok, JSON.stringify(result)).toBe(true);
    expect(result.current?.challenge).toBe('dns-01');
    expect([...(result.current?.names ?? [])].sort()).toEqual([`*.${hostname}`, hostname]);
    await served(result.current?.serial ?? '');
    const cam = await seen(`cam.${hostname}`);
    expect(cam.authorized).toBe(true);
    expect(sameSerial(cam.serial, result.current?.serial)).toBe(true);
  });

  describe('faults: a clear error, the old certificate keeps serving, the process keeps running', () => {
    let kept = '';
    beforeAll(async () => {
      // A plain HTTP-01 certificate to keep.
      await put('certificate', { names: [hostname], challenge: 'http-01' });
      const { result } = await run('issue');
      expect(result.ok, JSON.stringify(result)).toBe(true);
      kept = result.current?.serial ?? '';
      await served(kept);
    }, 60_000);

    const stillServing = async () => {
      expect(server.alive()).toBe(true);
      expect(sameSerial((await seen()).serial, kept)).toBe(true);
      expect((await server.view()).current?.serial).toBe(kept);
    };

    it('a wrong directory URL: refused with a reason; the account and the certificate stay as they were', async () => {
      const notAcme = `https://acme.example.test:${ports.acmeManagement}/roots/0`;
      const dir = await server.call('GET', `/api/v1/cert/directory?url=${encodeURIComponent(notAcme)}`);
      expect(dir.status).toBe(422);
      const message = (dir.body as { error: { message: string } }).error.message;
      expect(message).toMatch(/directory/i);
      console.log(`cert: not a directory → ${dir.status} ${message}`);

      const wrong = await server.call('PUT', '/api/v1/cert/account', account(notAcme));
      expect([422, 502]).toContain(wrong.status);
      console.log(`cert: PUT account with a wrong URL → ${wrong.status} ${JSON.stringify(wrong.body)}`);
      // Nothing listens there: unreachable.
      const nowhere = await server.call(
        'PUT',
        '/api/v1/cert/account',
        account('https://203.0.113.66:14000/dir'),
      );
      expect(nowhere.status).toBe(502);
      expect((nowhere.body as { error: { code: string } }).error.code).toBe('cert.ca-unreachable');

      const view = await server.view();
      expect(view.account?.directoryUrl).toBe(bed.acmeDirectoryUrl);
      await stillServing();
    });

    it('the challenge failing (port 80 forward off): lastError names HTTP-01, backoff of a minute or more', async () => {
      await bed.setWebForward({ http: false, httpsToPort: ports.gatehouseHttps });
      try {
        const t0 = Date.now();
        const { answer, result } = await run('renew');
        figures.challengeFailureMs = Date.now() - t0;
        expect(answer.status).toBe(200);
        expect(result.ok).toBe(false);
        expect(result.error?.kind).toBe('challenge');
        console.log(`cert: challenge failing → ${result.error?.message ?? ''}`);
        const view = await server.view();
        expect(view.renewal.lastError).toMatchObject({ kind: 'challenge', challenge: 'http-01' });
        expect(view.renewal.lastError?.message).toMatch(/home\.example\.test|connect|refused|80/i);
        expect(view.renewal.failures).toBeGreaterThanOrEqual(1);
        expect(view.renewal.state).toBe('failing');
        // Never a tight loop: the next automatic attempt a minute or more after the failure.
        const next = Date.parse(view.renewal.nextAt ?? '');
        expect(next - Date.parse(view.renewal.lastError?.at ?? '')).toBeGreaterThanOrEqual(59_000);
        await stillServing();
      } finally {
        await bed.setWebForward({ http: true, httpsToPort: ports.gatehouseHttps });
      }
    });

    it('the CA unreachable (pebble stopped): lastError says so, within seconds', async () => {
      await bed.stopPebble();
      const t0 = Date.now();
      const { answer, result } = await run('renew');
      figures.caUnreachableMs = Date.now() - t0;
      expect(answer.status).toBe(200);
      expect(result.ok).toBe(false);
      expect(result.error?.kind).toBe('unreachable');
      console.log(`cert: CA unreachable (${figures.caUnreachableMs} ms) → ${result.error?.message ?? ''}`);
      const view = await server.view();
      expect(view.renewal.lastError).toMatchObject({ kind: 'unreachable' });
      expect(view.renewal.state).toBe('failing');
      await stillServing();
    });
  });

  it('renewal by time with 30-second certificates: the scheduler renews at a third of the lifetime left, served live, the old one in history, cert.issued audited', async () => {
    // Pebble back with short-lived certificates; it forgot every account, and has a new root. The same CA under
    // its address (the listener certificate names it too) is a new CA to the server, so the account is made afresh
    // rather than taken from the stored account URL, which this pebble no longer knows.
    await bed.restartPebble({ certificateValiditySeconds: 30 });
    root = (await bed.pebbleRoots()).root;
    await put('account', account(`https://${addr.acme}:${ports.acme}/dir`));
    await put('certificate', { names: [hostname], challenge: 'http-01' });
    const { result } = await run('issue');
    expect(result.ok, JSON.stringify(result)).toBe(true);
    const first = result.current;
    const firstSerial = first?.serial ?? '';
    const lifetimeMs = Date.parse(first?.notAfter ?? '') - Date.parse(first?.notBefore ?? '');
    expect(lifetimeMs).toBeGreaterThanOrEqual(29_000);
    expect(lifetimeMs).toBeLessThanOrEqual(31_000);
    await served(firstSerial);
    const view = await server.view();
    expect(view.renewal.state).toBe('waiting');
    const dueAt = Date.parse(first?.notBefore ?? '') + (lifetimeMs * 2) / 3;
    expect(Math.abs(Date.parse(view.renewal.nextAt ?? '') - dueAt)).toBeLessThanOrEqual(1500);

    // No request from here: the server's own loop renews.
    const renewed = await waitFor(
      'the scheduler renewing',
      async () => {
        const v = await server.status();
        return v.current && v.current.serial !== firstSerial ? v : undefined;
      },
      40_000,
    );
    figures.renewedAfterDueMs = Date.parse(renewed.renewal.lastSuccessAt ?? '') - dueAt;
    expect(figures.renewedAfterDueMs).toBeGreaterThanOrEqual(-1000);
    expect(figures.renewedAfterDueMs).toBeLessThan(10_000);
    const second = renewed.current?.serial ?? '';
    expect(renewed.history[0]?.serial).toBe(firstSerial);
    const tls = await served(second);
    expect(tls).toMatchObject({ authorized: true, subject: hostname });
    expect(Date.parse(tls.validTo ?? '')).toBeGreaterThan(Date.parse(first?.notAfter ?? ''));

    // The effect of cert.renewed, audited: the new serial replacing the old, by the system.
    const issued = await auditEvents(server, 'cert.issued');
    expect(issued[0]).toMatchObject({
      type: 'cert.issued',
      actor: 'system',
      outcome: 'success',
      details: expect.objectContaining({ serial: second, replaced: firstSerial }) as unknown,
    });
    expect(server.alive()).toBe(true);
  }, 120_000);
});
