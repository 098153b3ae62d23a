// ACME DNS-01 on the test bed: the solver writes `_acme-challenge.<name>` through the DDNS TXT access (an RFC 2136
// account with TSIG on the bed's BIND, found by the name's record), returns only once BIND serves the value, keeps a
// base name's and its wildcard's values side by side, and removes them afterwards — checked with dig, a DNS client
// apart from Gatehouse's. Then pebble, whose VA resolves through the same BIND, issues a certificate for the name
// and its wildcard from those TXT values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addr } from '../testbed/plan.js';
import { Testbed } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('cert DNS-01');

interface Dig {
  values: string[];
  status: string;
}

interface Result {
  ok: boolean;
  error?: { kind: string; message: string };
}

describe.skipIf(skip !== undefined)('cert: DNS-01 through RFC 2136 on the bed BIND', () => {
  let bed = undefined as unknown as Testbed;

  beforeAll(async () => {
    bed = await Testbed.up('nat');
  }, 60_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
  });

  async function probe<T>(input: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    const r = await bed.exec(
      'gw',
      [
        'env',
        `NODE_EXTRA_CA_CERTS=${bed.pebbleListenerCaFile}`,
        process.execPath,
        '--import',
        'tsx',
        new URL('../testbed/cert-dns01-probe.ts', import.meta.url).pathname,
        JSON.stringify({
          dns: addr.dns,
          zone: bed.zone,
          keyName: bed.tsigKeyName,
          secret: bed.tsigSecret,
          ...input,
        }),
      ],
      { timeoutMs },
    );
    if (r.exitCode !== 0) throw new Error(`probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }

  it('present returns once BIND serves the value; base and wildcard values coexist; cleanUp removes them', async () => {
    const r = await probe<{
      before: Dig;
      presentBase: { result: Result; ms: number };
      afterBase: Dig;
      presentWildcard: { result: Result; ms: number };
      afterWildcard: Dig;
      afterCleanBase: Dig;
      afterCleanAll: Dig;
      noAccount: Result;
      dyndns: Result;
    }>({ op: 'solve', name: 'home.example.test' });
    expect(r.before.values).toEqual([]);
    expect(r.presentBase.result).toEqual({ ok: true });
    expect(r.afterBase.values).toEqual(['base-value-1']);
    expect(r.presentWildcard.result).toEqual({ ok: true });
    expect(r.afterWildcard.values).toEqual(['base-value-1', 'wildcard-value-2']);
    expect(r.afterCleanBase.values).toEqual(['wildcard-value-2']);
    expect(r.afterCleanAll).toEqual({ values: [], status: 'NXDOMAIN' });
    console.log(
      `DNS-01 present through RFC 2136: ${r.presentBase.ms} ms, second value ${r.presentWildcard.ms} ms`,
    );

    expect(r.noAccount).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message: expect.stringMatching(
          /^no DDNS account holds home\.other\.test, so DNS-01 cannot prove it: add a DDNS account that can write TXT records \(RFC 2136 \(TSIG\), Cloudflare, .*\) for the zone of home\.other\.test, or use HTTP-01$/,
        ) as unknown,
      },
    });
    expect(r.dyndns.error).toMatchObject({ kind: 'config' });
    expect(r.dyndns.error?.message).toContain(
      'home.elsewhere.test is at the DDNS account "Some dyndns2" (dyndns2 (Dyn, No-IP, Dynu, custom)), which cannot write TXT records, so DNS-01 cannot prove it: add a DDNS account that can write TXT records (RFC 2136 (TSIG), Cloudflare,',
    );
  });

  it('a server that never serves it: transient after the timeout, naming that server; cleanUp still removes it', async () => {
    const r = await probe<{ present: { result: Result; ms: number }; during: Dig; after: Dig }>({
      op: 'timeout',
      name: 'late.example.test',
      // 203.0.113.66 runs no DNS server: it never serves the value.
      servers: [`${addr.dns}:53`, '203.0.113.66:53'],
    });
    expect(r.present.result.error).toMatchObject({ kind: 'transient' });
    expect(r.present.result.error?.message).toMatch(
      /^TXT _acme-challenge\.late\.example\.test at "Bed BIND" \(RFC 2136 \(TSIG\)\) was written, but after [5-9] s \(acme\.dns01\.propagationTimeoutSeconds is 5\)/,
    );
    expect(r.present.result.error?.message).toContain('it is not served yet by 203.0.113.66:53 (no answer');
    expect(r.present.result.error?.message).not.toContain('203.0.113.65:53 (');
    expect(r.present.ms).toBeGreaterThanOrEqual(5_000);
    expect(r.present.ms).toBeLessThan(15_000);
    expect(r.during.values).toEqual(['never-everywhere']);
    expect(r.after.values).toEqual([]);
    console.log(`DNS-01 timeout: ${r.present.ms} ms: ${r.present.result.error?.message ?? ''}`);
  });

  it('pebble issues a certificate for the name and its wildcard from the TXT values the solver wrote', async () => {
    const r = await probe<{
      ms: number;
      seen: { name: string; wildcard: boolean; served: string[] }[];
      altNames: string[];
      issuer: string;
      after: Dig;
    }>({ op: 'issue', name: 'dns01.example.test', directoryUrl: bed.acmeDirectoryUrl }, 90_000);
    expect(r.altNames.sort()).toEqual(['*.dns01.example.test', 'dns01.example.test']);
    expect(r.issuer).toMatch(/^Pebble Intermediate CA/);
    expect(r.seen.map((s) => s.wildcard).sort()).toEqual([false, true]);
    // Both values were served side by side once both were presented (acme-client presents them together).
    expect(Math.max(...r.seen.map((s) => s.served.length))).toBe(2);
    expect(r.after).toEqual({ values: [], status: 'NXDOMAIN' });
    expect(bed.log('pebble')).toContain('dns01.example.test');
    console.log(`DNS-01 issuance (name + wildcard) from pebble through BIND: ${r.ms} ms`);
  });

  it("Gatehouse's own path — the AcmeCa adapter and issueCertificate with this solver — issues name + wildcard", async () => {
    const r = await probe<{
      ms: number;
      events: string[];
      result: { ok: boolean; certificate?: { names: string[]; issuer: string }; error?: unknown };
      after: Dig;
    }>(
      {
        op: 'gatehouse',
        name: 'gh.example.test',
        directoryUrl: bed.acmeDirectoryUrl,
        caBundleFile: bed.pebbleListenerCaFile,
      },
      90_000,
    );
    expect(r.result.error).toBeUndefined();
    expect(r.result.ok).toBe(true);
    expect([...(r.result.certificate?.names ?? [])].sort()).toEqual(['*.gh.example.test', 'gh.example.test']);
    expect(r.result.certificate?.issuer).toMatch(/^Pebble Intermediate CA/);
    expect(r.events).toContain('certificate-issued');
    expect(r.events).not.toContain('clean-up-failed');
    expect(r.after).toEqual({ values: [], status: 'NXDOMAIN' });
    console.log(`DNS-01 issuance through Gatehouse's adapter and issueCertificate: ${r.ms} ms`);
  });
});
