// RFC 2136 + TSIG against the test bed's real BIND 9 (zone example.test, key gatehouse-ddns, hmac-sha256): the
// provider runs inside gw (behind the router's NAT), the authoritative verifier asks BIND directly, and `dig` in the
// phone namespace checks what the world sees.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addr } from '../testbed/plan.js';
import { startNamed, stopNamed } from '../testbed/ddns-named.js';
import { Testbed } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('DDNS RFC 2136');

interface Probe<T = unknown> {
  result: { ok: boolean; value?: T; error?: { kind: string; message: string; code?: string } };
  ms: number;
}

interface Lookup {
  zone?: string;
  servers: { server: string; nsName?: string; result: { ok: boolean; value?: { values: string[] } } }[];
}

/** The values the first authoritative server serves, per the verifier. */
const served = (p: Probe<Lookup>): string[] | undefined => p.result.value?.servers[0]?.result.value?.values;

describe.skipIf(skip !== undefined)('DDNS: RFC 2136 with TSIG against the bed BIND', () => {
  let bed = undefined as unknown as Testbed;
  const name = 'home.example.test';

  beforeAll(async () => {
    bed = await Testbed.up('nat');
  }, 60_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
  });

  const settings = () => ({ server: addr.dns, keyName: bed.tsigKeyName, zone: bed.zone });
  const secrets = (secret = bed.tsigSecret) => ({ secret });

  async function probe<T = unknown>(input: Record<string, unknown>): Promise<Probe<T>> {
    const r = await bed.node('gw', 'test/testbed/ddns-rfc2136-probe.ts', [JSON.stringify(input)], {
      timeoutMs: 30_000,
    });
    if (r.exitCode !== 0) throw new Error(`probe failed: ${r.stderr}`);
    return JSON.parse(r.stdout) as Probe<T>;
  }

  const set = (type: string, values: string[], extra: Record<string, unknown> = {}) =>
    probe({
      op: 'set',
      settings: settings(),
      secrets: secrets(),
      ref: { zone: bed.zone, name, type },
      values,
      ttl: 60,
      ...extra,
    });

  async function dig(type: string, n = name): Promise<string[]> {
    const r = await bed.exec('phone', ['dig', '+short', '+time=1', '+tries=2', `@${addr.dns}`, n, type]);
    return r.stdout.split('\n').filter(Boolean).sort();
  }

  const lookup = (type: string) => probe<Lookup>({ op: 'lookup', name, type, resolver: addr.dns });

  const serial = async (): Promise<string> =>
    (await bed.zoneRecords()).find((r) => r.type === 'SOA')?.value.split(' ')[2] ?? '';

  it('test() proves the key and the zone without changing the zone', async () => {
    const before = await bed.zoneRecords();
    const r = await probe({ op: 'test', settings: settings(), secrets: secrets(), zone: bed.zone });
    expect(r.result).toEqual({
      ok: true,
      value: { detail: 'the server takes updates for example.test signed with TSIG key "gatehouse-ddns"' },
    });
    expect(await bed.zoneRecords()).toEqual(before);
    console.log(`rfc2136 test(): ${r.ms} ms`);
    // The server by name, found through gw's resolver (the bed's DNS).
    const byName = await probe({
      op: 'test',
      settings: { ...settings(), server: 'ns1.example.test:53' },
      secrets: secrets(),
      zone: bed.zone,
    });
    expect(byName.result.ok).toBe(true);
  });

  it('sets A and AAAA; BIND, the verifier and dig agree; a change lands; the same values change nothing', async () => {
    const a = await set('A', ['203.0.113.7']);
    expect(a.result).toEqual({ ok: true, value: { changed: true } });
    const aaaa = await set('AAAA', ['2001:db8:10::2', '2001:DB8:10:0::20']);
    expect(aaaa.result).toEqual({ ok: true, value: { changed: true } });
    console.log(`rfc2136 set A: ${a.ms} ms, set AAAA: ${aaaa.ms} ms`);

    expect(await dig('A')).toEqual(['203.0.113.7']);
    expect(await dig('AAAA')).toEqual(['2001:db8:10::2', '2001:db8:10::20']);
    const seen = await lookup('A');
    expect(seen.result).toEqual({
      ok: true,
      value: {
        zone: 'example.test',
        servers: [
          {
            server: '203.0.113.65:53',
            nsName: 'ns1.example.test',
            result: { ok: true, value: { values: ['203.0.113.7'], ttl: 60 } },
          },
        ],
      },
    });
    const seen6 = await lookup('AAAA');
    expect(served(seen6)).toEqual(['2001:db8:10::2', '2001:db8:10::20']);

    const read = await probe({
      op: 'read',
      settings: settings(),
      secrets: secrets(),
      ref: { zone: bed.zone, name, type: 'AAAA' },
    });
    expect(read.result).toEqual({
      ok: true,
      value: { values: ['2001:db8:10::2', '2001:db8:10::20'], ttl: 60 },
    });

    // A new address replaces the old one in one atomic update.
    const changed = await set('A', ['203.0.113.8']);
    expect(changed.result).toEqual({ ok: true, value: { changed: true } });
    expect(await dig('A')).toEqual(['203.0.113.8']);
    expect(served(await lookup('A'))).toEqual(['203.0.113.8']);
    expect(await dig('AAAA')).toEqual(['2001:db8:10::2', '2001:db8:10::20']);

    // The same values (in another spelling): read shows them held, nothing is sent, the serial stays.
    const before = await serial();
    const same = await set('AAAA', ['2001:db8:10::20', '2001:db8:10:0:0:0:0:2']);
    expect(same.result).toEqual({ ok: true, value: { changed: false } });
    expect(await serial()).toBe(before);
    // Another TTL is a change.
    const ttl = await set('A', ['203.0.113.8'], { ttl: 120 });
    expect(ttl.result).toEqual({ ok: true, value: { changed: true } });
    expect(await serial()).not.toBe(before);
  });

  it('TXT for ACME: set, read, delete', async () => {
    const ref = { zone: bed.zone, name: '_acme-challenge.home.example.test', type: 'TXT' };
    const token = 'x'.repeat(300);
    const r = await probe({
      op: 'set',
      settings: settings(),
      secrets: secrets(),
      ref,
      values: [token, 'b c'],
      ttl: 60,
    });
    expect(r.result).toEqual({ ok: true, value: { changed: true } });
    const read = await probe({ op: 'read', settings: settings(), secrets: secrets(), ref });
    expect(read.result).toEqual({ ok: true, value: { values: ['b c', token], ttl: 60 } });
    const del = await probe({ op: 'delete', settings: settings(), secrets: secrets(), ref });
    expect(del.result).toEqual({ ok: true });
    expect(await dig('TXT', ref.name)).toEqual([]);
    // Deleting what is not there is a success.
    expect((await probe({ op: 'delete', settings: settings(), secrets: secrets(), ref })).result).toEqual({
      ok: true,
    });
  });

  it('a wrong key is an auth failure and changes nothing', async () => {
    const before = await bed.zoneRecords();
    const wrong = Buffer.alloc(32, 7).toString('base64');
    const r = await probe({
      op: 'set',
      settings: settings(),
      secrets: secrets(wrong),
      ref: { zone: bed.zone, name, type: 'A' },
      values: ['203.0.113.99'],
      ttl: 60,
    });
    expect(r.result.ok).toBe(false);
    expect(r.result.error).toMatchObject({ kind: 'auth', code: 'BADSIG' });
    expect(r.result.error?.message).not.toContain(wrong);
    console.log(`wrong key: ${r.result.error?.message ?? ''}`);
    const unknownKey = await probe({
      op: 'test',
      settings: { ...settings(), keyName: 'nobody' },
      secrets: secrets(),
      zone: bed.zone,
    });
    expect(unknownKey.result.error).toMatchObject({ kind: 'auth', code: 'BADKEY' });
    expect(await bed.zoneRecords()).toEqual(before);
    expect(await dig('A')).toEqual(['203.0.113.8']);
  });

  it('a zone the server does not serve is a config failure', async () => {
    const r = await probe({
      op: 'set',
      settings: { ...settings(), zone: 'other.test' },
      secrets: secrets(),
      ref: { zone: 'other.test', name: 'home.other.test', type: 'A' },
      values: ['203.0.113.7'],
      ttl: 60,
    });
    expect(r.result.error).toMatchObject({ kind: 'config' });
    const t = await probe({ op: 'test', settings: settings(), secrets: secrets(), zone: 'other.test' });
    expect(t.result.error).toMatchObject({ kind: 'config', code: 'NOTAUTH' });
    console.log(`zone not served: ${r.result.error?.message ?? ''}`);
  });

  it('named stopped: transient; started again: the same update succeeds', async () => {
    await stopNamed(bed);
    const down = await set('A', ['203.0.113.9'], { timeoutMs: 2000 });
    expect(down.result.error).toMatchObject({ kind: 'transient' });
    expect(down.ms).toBeLessThan(10_000);
    console.log(`named stopped (${down.ms} ms): ${down.result.error?.message ?? ''}`);
    const lookupDown = await lookup('A');
    expect(lookupDown.result.ok).toBe(false);
    await startNamed(bed);
    const up = await set('A', ['203.0.113.9']);
    expect(up.result).toEqual({ ok: true, value: { changed: true } });
    expect(await dig('A')).toEqual(['203.0.113.9']);
    expect(served(await lookup('A'))).toEqual(['203.0.113.9']);
  });

  it('an explicit server list is asked directly', async () => {
    const r = await probe({
      op: 'lookup',
      name,
      type: 'A',
      resolver: '198.51.100.1',
      servers: [`${addr.dns}:53`],
    });
    expect(r.result).toEqual({
      ok: true,
      value: {
        servers: [
          { server: '203.0.113.65:53', result: { ok: true, value: { values: ['203.0.113.9'], ttl: 60 } } },
        ],
      },
    });
  });
});
