// The real ACME CA adapter (src/cert/acme-client.ts) against the bed's pebble: accounts, HTTP-01 and DNS-01
// issuance validated by pebble for real (no PEBBLE_VA_ALWAYS_VALID), ACME Renewal Information through ari-shim (RFC
// 9773: pebble 2.4.0 has none), and every failure kind the bed can produce. The adapter runs inside gw
// (acme-ca-probe.ts) with no NODE_EXTRA_CA_CERTS: the CA bundle it is given is its only trust.
/* eslint-disable @typescript-eslint/no-explicit-any, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   the probe prints JSON whose shape each assertion checks */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariShimDirectory, ariShimPort, ariShimRecords, startAriShim } from '../testbed/cert-e2e.js';
import { addr, ports } from '../testbed/plan.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('acme-ca');
const probeFile = path.resolve(import.meta.dirname, '../testbed/acme-ca-probe.ts');
const shimPort = ariShimPort;
const eabPort = 14010;
const shimDirectory = ariShimDirectory;
const pebbleDirectory = `https://acme.example.test:${ports.acme}/dir`;
const httpName = 'acme-ca.example.test';
const failName = 'acme-ca-fail.example.test';
const dnsName = 'acme-ca-dns.example.test';

interface Step {
  op: string;
  [key: string]: unknown;
}
interface ProbeOutput {
  accountKeyPem: string;
  results: { op: string; ms: number; result: any }[];
}

describe.skipIf(skip !== undefined)('ACME CA adapter against pebble (e2e)', () => {
  let bed = undefined as unknown as Testbed;
  let stateDir = '';
  let accountKeyPem = '';
  let issued: { chainPem: string; certId: { ok: true; value: string } } | undefined;
  const eabKid = 'gatehouse-test-kid';
  const eabKey = randomBytes(32).toString('base64url');

  function probe(input: {
    directoryUrl?: string;
    steps: Step[];
    [key: string]: unknown;
  }): Promise<ProbeOutput> {
    const full = { directoryUrl: shimDirectory, caBundleFile: bed.pebbleListenerCaFile, ...input };
    return bed
      .exec('gw', [process.execPath, '--import', 'tsx', probeFile, JSON.stringify(full)], {
        timeoutMs: 90_000,
      })
      .then((r) => {
        if (r.exitCode !== 0) throw new Error(`probe failed (${r.exitCode}): ${r.stderr}`);
        return JSON.parse(r.stdout) as ProbeOutput;
      });
  }

  function control(settings: object): void {
    fs.writeFileSync(path.join(stateDir, 'control.json'), JSON.stringify(settings));
  }

  function lines(file: string): any[] {
    return ariShimRecords(stateDir, file);
  }

  async function reachable(url: string): Promise<true | undefined> {
    const r = await bed.exec('gw', ['curl', '-sf', '-m', '2', '--cacert', bed.pebbleListenerCaFile, url]);
    return r.exitCode === 0 ? true : undefined;
  }

  beforeAll(async () => {
    bed = await Testbed.up('public');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-acme-ca-'));
    const pebbleDir = path.join(bed.dir, 'pebble');
    startAriShim(bed, stateDir);
    // A second pebble that requires External Account Binding, with one known key.
    const eabConfig = path.join(stateDir, 'pebble-eab.json');
    fs.writeFileSync(
      eabConfig,
      JSON.stringify({
        pebble: {
          listenAddress: `${addr.acme}:${eabPort}`,
          managementListenAddress: `${addr.acme}:${eabPort + 1000}`,
          certificate: path.join(pebbleDir, 'listener.crt'),
          privateKey: path.join(pebbleDir, 'listener.key'),
          httpPort: 80,
          tlsPort: 443,
          ocspResponderURL: '',
          externalAccountBindingRequired: true,
          externalAccountMACKeys: { [eabKid]: eabKey },
        },
      }),
    );
    bed.spawn(
      'inet',
      'pebble-eab',
      ['pebble', '-config', eabConfig, '-dnsserver', `${addr.dns}:${ports.dns}`],
      {
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_WFE_NONCEREJECT: '0',
      },
    );
    for (const name of [httpName, failName]) {
      const added = await bed.nsupdate('gw', [`update add ${name}. 60 A ${addr.gwPublic}`]);
      expect(added.exitCode).toBe(0);
    }
    await waitFor('ari-shim answering', () => reachable(shimDirectory), 20_000);
    await waitFor(
      'the EAB pebble answering',
      () => reachable(`https://acme.example.test:${eabPort}/dir`),
      20_000,
    );
  }, 90_000);

  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
    if (stateDir !== '') fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('creates an account, finds the same one again, and issues over HTTP-01 validated by pebble', async () => {
    const out = await probe({
      http01: true,
      steps: [
        { op: 'directory' },
        { op: 'ensureAccount', email: 'admin@example.test', termsAgreed: true },
        { op: 'fresh' },
        { op: 'ensureAccount', email: 'admin@example.test', termsAgreed: true },
        { op: 'issue', names: [httpName], challenge: 'http-01' },
      ],
    });
    accountKeyPem = out.accountKeyPem;
    const [dir, created, , found, issue] = out.results;
    expect(dir?.result).toEqual({
      ok: true,
      value: {
        url: shimDirectory,
        termsOfService: expect.stringMatching(/^data:|^https?:/),
        website: null,
        externalAccountRequired: false,
        renewalInfo: `https://acme.example.test:${shimPort}/ari/renewalInfo`,
      },
    });
    expect(created?.result).toEqual({
      ok: true,
      value: expect.stringMatching(/^https:\/\/acme\.example\.test:14100\/my-account\//),
    });
    expect(found?.result).toEqual(created?.result);
    expect(issue?.result.ok).toBe(true);
    const chainPem: string = issue?.result.value.chainPem;
    expect(chainPem.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
    console.log(`acme-ca: HTTP-01 issuance (order → valid → chain) took ${issue?.ms} ms`);
    expect(issue?.ms).toBeLessThan(5_000);
    issued = issue?.result.value;
    // The order went through the shim without `replaces` (nothing to replace).
    expect(lines('orders.jsonl').at(-1)).toEqual({
      identifiers: [{ type: 'dns', value: httpName }],
      replaces: null,
    });
    // The leaf is pebble's, for the name, and its ARI identifier agrees with openssl's reading of it.
    const leafFile = path.join(stateDir, 'leaf.pem');
    fs.writeFileSync(leafFile, chainPem);
    const text = await bed.exec('gw', [
      'openssl',
      'x509',
      '-in',
      leafFile,
      '-noout',
      '-serial',
      '-ext',
      'authorityKeyIdentifier,subjectAltName',
    ]);
    expect(text.stdout).toContain(`DNS:${httpName}`);
    const serialHex = /serial=([0-9A-F]+)/.exec(text.stdout)?.[1] ?? '';
    const akiHex = (
      /keyid:([0-9A-F:]+)/i.exec(text.stdout)?.[1] ??
      /\n\s+([0-9A-F]{2}(?::[0-9A-F]{2})+)/.exec(text.stdout)?.[1] ??
      ''
    ).replaceAll(':', '');
    const serialBytes = Buffer.from(serialHex.length % 2 ? `0${serialHex}` : serialHex, 'hex');
    const serialDer = serialBytes[0]! & 0x80 ? Buffer.concat([Buffer.of(0), serialBytes]) : serialBytes;
    expect(issued?.certId).toEqual({
      ok: true,
      value: `${Buffer.from(akiHex, 'hex').toString('base64url')}.${serialDer.toString('base64url')}`,
    });
  }, 120_000);

  it('ARI through the shim: the window and Retry-After are read, and a renewal order carries `replaces`', async () => {
    expect(issued).toBeDefined();
    const certId = issued!.certId.value;
    control({
      window: { start: '2031-01-01T00:00:00Z', end: '2031-01-02T12:00:00Z' },
      explanationURL: 'https://acme.example.test/why',
      retryAfter: '21600',
    });
    const out = await probe({
      accountKeyPem,
      http01: true,
      steps: [
        { op: 'ensureAccount', termsAgreed: true },
        { op: 'renewalInfo', certId },
        { op: 'issue', names: [httpName], challenge: 'http-01', replaces: certId },
      ],
    });
    const [, info, renewed] = out.results;
    expect(info?.result).toEqual({
      ok: true,
      value: {
        start: '2031-01-01T00:00:00.000Z',
        end: '2031-01-02T12:00:00.000Z',
        explanationUrl: 'https://acme.example.test/why',
        retryAfterMs: 21_600_000,
      },
    });
    expect(lines('ari.jsonl').at(-1)).toEqual({ certId });
    expect(renewed?.result.ok).toBe(true);
    expect(lines('orders.jsonl').at(-1)).toEqual({
      identifiers: [{ type: 'dns', value: httpName }],
      replaces: certId,
    });

    // An HTTP-date Retry-After is read too; a CA without renewalInfo gets no ARI request and no `replaces`.
    control({
      window: { start: '2031-01-01T00:00:00Z', end: '2031-01-02T12:00:00Z' },
      retryAfter: 'Wed, 01 Jan 2031 00:00:00 GMT',
    });
    const dated = await probe({ accountKeyPem, steps: [{ op: 'renewalInfo', certId }] });
    expect(dated.results[0]?.result.value.retryAfterMs).toBeGreaterThan(0);
    control({ ari: false });
    const ariRequests = lines('ari.jsonl').length;
    const plain = await probe({
      accountKeyPem,
      steps: [
        { op: 'directory' },
        { op: 'renewalInfo', certId },
        { op: 'ensureAccount', termsAgreed: true },
        { op: 'newOrder', names: [httpName], replaces: certId },
      ],
    });
    expect(plain.results[0]?.result.value.renewalInfo).toBeNull();
    expect(plain.results[1]?.result).toEqual({ ok: true });
    expect(lines('ari.jsonl')).toHaveLength(ariRequests);
    expect(plain.results[3]?.result.ok).toBe(true);
    expect(lines('orders.jsonl').at(-1)).toEqual({
      identifiers: [{ type: 'dns', value: httpName }],
      replaces: null,
    });
  }, 120_000);

  it('issues a wildcard over DNS-01: the TXT value (the digest) goes through BIND by RFC 2136', async () => {
    const out = await probe({
      directoryUrl: pebbleDirectory,
      dns: { server: addr.dns, zone: bed.zone, keyName: bed.tsigKeyName, secret: bed.tsigSecret },
      steps: [
        { op: 'ensureAccount', termsAgreed: true },
        { op: 'issue', names: [dnsName, `*.${dnsName}`], challenge: 'dns-01', keyType: 'rsa-2048' },
      ],
    });
    const issue = out.results[1];
    expect(issue?.result.ok).toBe(true);
    console.log(`acme-ca: DNS-01 issuance (two names, one wildcard) took ${issue?.ms} ms`);
    const leafFile = path.join(stateDir, 'dns-leaf.pem');
    fs.writeFileSync(leafFile, issue?.result.value.chainPem);
    const text = await bed.exec('gw', [
      'openssl',
      'x509',
      '-in',
      leafFile,
      '-noout',
      '-ext',
      'subjectAltName',
      '-text',
    ]);
    expect(text.stdout).toContain(`DNS:${dnsName}`);
    expect(text.stdout).toContain(`DNS:*.${dnsName}`);
    expect(text.stdout).toContain('rsaEncryption');
    expect(issue?.result.value.certId.ok).toBe(true);
    // The challenge records are gone afterwards.
    const left = await bed.exec('gw', ['dig', '+short', `@${addr.dns}`, `_acme-challenge.${dnsName}`, 'TXT']);
    expect(left.stdout.trim()).toBe('');
  }, 120_000);

  it('maps every failure the bed can produce to its kind', async () => {
    control({ ari: true, ariStatus: 503, rateLimitNewOrder: { retryAfter: '120' } });
    const out = await probe({
      http01: true,
      steps: [
        {
          op: 'directoryAt',
          directoryUrl: `https://acme.example.test:${ports.acme}/nothing-here`,
          trust: true,
        },
        {
          op: 'directoryAt',
          directoryUrl: `https://acme.example.test:${ports.acmeManagement}/roots/0`,
          trust: true,
        },
        { op: 'directoryAt', directoryUrl: 'https://acme.example.test:14999/dir', trust: true },
        { op: 'directoryAt', directoryUrl: pebbleDirectory, trust: false },
        { op: 'ensureAccount', termsAgreed: false },
        { op: 'ensureAccount', termsAgreed: true },
        { op: 'newOrder', names: [failName] },
        { op: 'renewalInfo', certId: 'AAAA.AQ' },
      ],
    });
    const [notFound, notAcme, refused, untrusted, terms, account, limited, ari5xx] = out.results.map(
      (r) => r.result,
    );
    expect(notFound).toMatchObject({
      ok: false,
      error: { kind: 'config', message: expect.stringContaining('HTTP 404') },
    });
    expect(notAcme).toMatchObject({
      ok: false,
      error: { kind: 'config', message: expect.stringContaining('not an ACME directory') },
    });
    expect(refused).toMatchObject({
      ok: false,
      error: { kind: 'unreachable', message: expect.stringContaining('connection refused') },
    });
    expect(untrusted).toMatchObject({
      ok: false,
      error: { kind: 'unreachable', message: expect.stringContaining('not trusted') },
    });
    expect(terms).toMatchObject({
      ok: false,
      error: { kind: 'config', acmeType: 'urn:ietf:params:acme:error:agreementRequired' },
    });
    expect(terms.error.message).toContain('terms of service');
    expect(account.ok).toBe(true);
    expect(limited).toEqual({
      ok: false,
      error: {
        kind: 'rate-limited',
        acmeType: 'urn:ietf:params:acme:error:rateLimited',
        retryAfterMs: 120_000,
        message: expect.stringContaining('too many new orders'),
      },
    });
    expect(ari5xx).toMatchObject({ ok: false, error: { kind: 'transient' } });

    // A challenge that nothing answers: pebble's VA finds no token on gw's :80 and says so.
    control({ ari: true });
    const failing = await probe({
      accountKeyPem: out.accountKeyPem,
      http01: true,
      steps: [
        { op: 'ensureAccount', termsAgreed: true },
        { op: 'issue', names: [failName], challenge: 'http-01', serve: false },
      ],
    });
    expect(failing.results[1]?.result).toMatchObject({
      ok: false,
      error: { kind: 'challenge', message: expect.stringContaining(`http-01 for ${failName}`) },
    });
    expect(failing.results[1]?.result.error.acmeType).toMatch(/^urn:ietf:params:acme:error:/);
  }, 120_000);

  it('External Account Binding: required, refused with a wrong key, accepted with the right one', async () => {
    const directoryUrl = `https://acme.example.test:${eabPort}/dir`;
    const steps = [{ op: 'ensureAccount', termsAgreed: true }];
    const [none, wrong, right] = await Promise.all([
      probe({ directoryUrl, steps: [{ op: 'directory' }, ...steps] }),
      probe({ directoryUrl, eab: { kid: eabKid, hmacKey: randomBytes(32).toString('base64url') }, steps }),
      probe({ directoryUrl, eab: { kid: eabKid, hmacKey: eabKey }, steps }),
    ]);
    expect(none.results[0]?.result.value.externalAccountRequired).toBe(true);
    expect(none.results[1]?.result).toMatchObject({
      ok: false,
      error: { kind: 'config', acmeType: 'urn:ietf:params:acme:error:externalAccountRequired' },
    });
    expect(wrong.results[0]?.result).toMatchObject({
      ok: false,
      error: { kind: 'config', acmeType: 'urn:ietf:params:acme:error:unauthorized' },
    });
    expect(right.results[0]?.result).toEqual({
      ok: true,
      value: expect.stringContaining(`:${eabPort}/my-account/`),
    });
  }, 120_000);
});
