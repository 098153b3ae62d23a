import { createHash, createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/clock.js';
import { startFakeApi, type FakeApiAnswer, type FakeApiRequest } from '../../../test/fakes/fake-api.js';
import { providerTestDeps, serveFakeApi } from '../../../test/support/provider-fake.js';
import { childText, findAll, parseXml, type XmlElement } from '../../reach/router/xml.js';
import type { DnsProvider, ProviderDeps, RecordRef } from '../provider.js';
import { failureKindOf, insyncPollDelaysMs, route53Provider } from './route53.js';

const AK = 'AKIDGATEHOUSE0TEST';
const SK = 'gatehouse/SECRET+key/0123456789abcdefEXAMPLE';
const TEMP_AK = 'ASIAGATEHOUSE0TEMP';
const TEMP_SK = 'temp/SECRET+key/EXAMPLE';
const TOKEN = 'session-TOKEN-0123456789';
const ns = 'https://route53.amazonaws.com/doc/2013-04-01/';

/** A FakeClock whose sleeps pass at once (time moves by the sleep): the INSYNC wait is checked by its schedule. */
class InstantClock extends FakeClock {
  override sleep(ms: number, signal?: AbortSignal): Promise<void> {
    const slept = super.sleep(ms, signal);
    this.advance(ms);
    return slept;
  }
}

interface FakeSet {
  /** Lower-case, with the trailing dot, as Route 53 writes names. */
  name: string;
  type: string;
  ttl?: number;
  values: string[];
  setIdentifier?: string;
  alias?: boolean;
}
interface FakeZone {
  id: string;
  name: string;
  private: boolean;
  sets: FakeSet[];
}

/** DNS order: labels compared from the right. */
function dnsKey(name: string): string {
  return name.replace(/\.$/, '').split('.').reverse().join('\u0000');
}
/** Route 53's listing order: names in DNS order (a name before the names under it), then types. */
function dnsOrder(a: { name: string; type: string }, b: { name: string; type: string }): number {
  const [x, y] = [dnsKey(a.name), dnsKey(b.name)];
  if (x !== y) return x < y ? -1 : 1;
  return a.type < b.type ? -1 : a.type > b.type ? 1 : 0;
}
const strictEncode = (s: string): string =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/**
 * Route 53's documented requests as a small in-memory model: hosted zones (a public and a private one may share a
 * name), record sets, changes that turn INSYNC after `insyncAfterPolls` GetChange calls. Every request's Signature
 * Version 4 is recomputed here, independently of the adapter's signer, as the SigV4 documentation describes; a
 * wrong one gets Route 53's 403 error answer. `next` replaces the next answer (throttling, 5xx, garbage).
 */
class FakeRoute53 {
  zones: FakeZone[] = [];
  changes = new Map<string, { polls: number }>();
  insyncAfterPolls = 1;
  next: FakeApiAnswer[] = [];
  private seq = 0;
  private readonly keys = new Map<string, { secret: string; token?: string }>([
    [AK, { secret: SK }],
    [TEMP_AK, { secret: TEMP_SK, token: TOKEN }],
  ]);

  constructor(private readonly clock: FakeClock) {}

  reset(): void {
    this.next = [];
    this.seq = 0;
    this.changes.clear();
    this.insyncAfterPolls = 1;
    this.zones = [
      { id: 'ZPRIVATE0EXAMPLE', name: 'example.com.', private: true, sets: [] },
      {
        id: 'Z1EXAMPLE',
        name: 'example.com.',
        private: false,
        sets: [
          { name: 'example.com.', type: 'NS', ttl: 172800, values: ['ns-1.awsdns-01.org.'] },
          { name: 'home.example.com.', type: 'A', ttl: 300, values: ['198.51.100.7'] },
          { name: 'home.example.com.', type: 'AAAA', ttl: 300, values: ['2001:db8::7'] },
          { name: 'nas.example.com.', type: 'A', ttl: 60, values: ['198.51.100.9', '198.51.100.8'] },
          { name: '_acme-challenge.home.example.com.', type: 'TXT', ttl: 120, values: ['"old token"'] },
          {
            name: 'www.example.com.',
            type: 'A',
            values: [],
            alias: true,
          },
          {
            name: 'lb.example.com.',
            type: 'A',
            ttl: 60,
            values: ['203.0.113.1'],
            setIdentifier: 'blue',
          },
        ],
      },
      { id: 'Z2NET', name: 'example.net.', private: false, sets: [] },
    ];
  }

  zone(id: string): FakeZone | undefined {
    return this.zones.find((z) => z.id === id);
  }
  setOf(name: string, type: string): FakeSet | undefined {
    return this.zone('Z1EXAMPLE')?.sets.find((s) => s.name === name && s.type === type);
  }
  /** Every set except one name and type, to check that nothing else was touched. */
  others(name: string, type: string): FakeSet[] {
    return structuredClone(
      this.zones.flatMap((z) => z.sets).filter((s) => !(s.name === name && s.type === type)),
    );
  }

  handle(req: FakeApiRequest): FakeApiAnswer {
    const refused = this.verify(req);
    if (refused) return refused;
    const queued = this.next.shift();
    if (queued) return queued;
    const url = new URL(req.url, 'http://fake');
    const q = url.searchParams;
    const path = url.pathname;
    let m: RegExpExecArray | null;
    if (req.method === 'GET' && path === '/2013-04-01/hostedzonesbyname') return this.listZones(q);
    if (req.method === 'GET' && (m = /^\/2013-04-01\/hostedzone\/([^/]+)$/.exec(path))) {
      const zone = this.zone(m[1] ?? '');
      if (!zone) return errorAnswer(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${m[1]}`);
      return xml(
        `<GetHostedZoneResponse xmlns="${ns}"><HostedZone>${zoneXml(zone)}</HostedZone>` +
          `<DelegationSet><NameServers><NameServer>ns-1.awsdns-01.org</NameServer></NameServers></DelegationSet>` +
          `</GetHostedZoneResponse>`,
      );
    }
    if ((m = /^\/2013-04-01\/hostedzone\/([^/]+)\/rrset$/.exec(path))) {
      const zone = this.zone(m[1] ?? '');
      if (!zone) return errorAnswer(404, 'NoSuchHostedZone', `No hosted zone found with ID: ${m[1]}`);
      if (req.method === 'GET') return this.listSets(zone, q);
      if (req.method === 'POST') return this.change(zone, req.body);
    }
    if (req.method === 'GET' && (m = /^\/2013-04-01\/change\/([^/]+)$/.exec(path))) {
      const id = m[1] ?? '';
      const change = this.changes.get(id);
      if (!change)
        return errorAnswer(404, 'NoSuchChange', `A change with the specified change ID does not exist.`);
      change.polls++;
      return xml(
        `<GetChangeResponse xmlns="${ns}"><ChangeInfo><Id>/change/${id}</Id>` +
          `<Status>${change.polls >= this.insyncAfterPolls ? 'INSYNC' : 'PENDING'}</Status>` +
          `<SubmittedAt>2026-11-28T12:00:00.000Z</SubmittedAt></ChangeInfo></GetChangeResponse>`,
      );
    }
    return errorAnswer(404, 'UnknownOperationException', 'fake: no such operation');
  }

  /** Signature Version 4 as documented: canonical request, string to sign, derived key, HMAC. */
  private verify(req: FakeApiRequest): FakeApiAnswer | undefined {
    const auth = req.headers.authorization ?? '';
    const m =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    if (!m) return errorAnswer(403, 'IncompleteSignature', 'Authorization header is malformed', 'Sender');
    const [, ak = '', date = '', region, service, signedHeaders = '', signature] = m;
    const key = this.keys.get(ak);
    if (!key)
      return errorAnswer(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    if (key.token !== undefined && req.headers['x-amz-security-token'] !== key.token)
      return errorAnswer(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    const names = signedHeaders.split(';');
    if (!names.includes('host') || !names.includes('x-amz-date'))
      return errorAnswer(403, 'IncompleteSignature', 'Host and X-Amz-Date must be signed');
    if (key.token !== undefined && !names.includes('x-amz-security-token'))
      return errorAnswer(403, 'IncompleteSignature', 'X-Amz-Security-Token must be signed');
    const stamp = String(req.headers['x-amz-date'] ?? '');
    const at = Date.parse(
      stamp.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    if (Number.isNaN(at) || Math.abs(at - this.clock.now().getTime()) > 5 * 60_000)
      return errorAnswer(403, 'SignatureDoesNotMatch', 'Signature expired');
    const url = new URL(req.url, 'http://fake');
    const query = url.search
      .slice(1)
      .split('&')
      .filter((p) => p !== '')
      .map((p) => p.split('=').map((x) => strictEncode(decodeURIComponent(x.replace(/\+/g, ' ')))))
      .map(([k = '', v = '']) => `${k}=${v}`)
      .sort()
      .join('&');
    const canonical = [
      req.method,
      url.pathname,
      query,
      names.map((n) => `${n}:${String(req.headers[n] ?? '').trim()}\n`).join(''),
      signedHeaders,
      createHash('sha256').update(req.body).digest('hex'),
    ].join('\n');
    const scope = `${date}/${region}/${service}/aws4_request`;
    const sts = ['AWS4-HMAC-SHA256', stamp, scope, createHash('sha256').update(canonical).digest('hex')].join(
      '\n',
    );
    const h = (k: string | Buffer, d: string): Buffer => createHmac('sha256', k).update(d).digest();
    const signingKey = h(h(h(h(`AWS4${key.secret}`, date), region ?? ''), service ?? ''), 'aws4_request');
    const expected = h(signingKey, sts).toString('hex');
    if (
      region !== 'us-east-1' ||
      service !== 'route53' ||
      date !== stamp.slice(0, 8) ||
      expected !== signature
    )
      return errorAnswer(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided.',
      );
    return undefined;
  }

  private listZones(q: URLSearchParams): FakeApiAnswer {
    const start = q.get('dnsname');
    const max = Number(q.get('maxitems') ?? '100');
    const sorted = [...this.zones].sort((a, b) => (dnsKey(a.name) < dnsKey(b.name) ? -1 : 1));
    const from = start === null ? sorted : sorted.filter((z) => dnsKey(z.name) >= dnsKey(start));
    const page = from.slice(0, max);
    return xml(
      `<ListHostedZonesByNameResponse xmlns="${ns}"><HostedZones>` +
        page.map((z) => `<HostedZone>${zoneXml(z)}</HostedZone>`).join('') +
        `</HostedZones>${start === null ? '' : `<DNSName>${start}</DNSName>`}` +
        `<IsTruncated>${from.length > max}</IsTruncated><MaxItems>${max}</MaxItems></ListHostedZonesByNameResponse>`,
    );
  }

  private listSets(zone: FakeZone, q: URLSearchParams): FakeApiAnswer {
    const name = q.get('name');
    const type = q.get('type');
    if (type !== null && name === null)
      return errorAnswer(400, 'InvalidInput', 'The input is not valid: type needs name');
    const max = Number(q.get('maxitems') ?? '300');
    const sorted = [...zone.sets].sort(dnsOrder);
    const from =
      name === null
        ? sorted
        : sorted.filter((s) => dnsOrder(s, { name: name.toLowerCase(), type: type ?? '' }) >= 0);
    return xml(
      `<ListResourceRecordSetsResponse xmlns="${ns}"><ResourceRecordSets>` +
        from
          .slice(0, max)
          .map(
            (s) =>
              `<ResourceRecordSet><Name>${s.name}</Name><Type>${s.type}</Type>` +
              (s.setIdentifier
                ? `<SetIdentifier>${s.setIdentifier}</SetIdentifier><Weight>10</Weight>`
                : '') +
              (s.alias
                ? `<AliasTarget><HostedZoneId>Z2FDTNDATAQYW2</HostedZoneId><DNSName>d1.cloudfront.net.</DNSName><EvaluateTargetHealth>false</EvaluateTargetHealth></AliasTarget>`
                : `<TTL>${s.ttl}</TTL><ResourceRecords>${s.values
                    .map((v) => `<ResourceRecord><Value>${escape(v)}</Value></ResourceRecord>`)
                    .join('')}</ResourceRecords>`) +
              `</ResourceRecordSet>`,
          )
          .join('') +
        `</ResourceRecordSets><IsTruncated>${from.length > max}</IsTruncated><MaxItems>${max}</MaxItems>` +
        `</ListResourceRecordSetsResponse>`,
    );
  }

  /** ChangeResourceRecordSets: the batch is checked whole, then applied whole (it is transactional). */
  private change(zone: FakeZone, body: string): FakeApiAnswer {
    const doc = parseXml(body);
    if (!doc.ok || doc.root.name !== 'ChangeResourceRecordSetsRequest' || doc.root.attributes.xmlns !== ns)
      return errorAnswer(400, 'InvalidInput', 'fake: not a ChangeResourceRecordSetsRequest');
    const next = structuredClone(zone.sets);
    for (const c of findAll(doc.root, 'Change')) {
      const action = childText(c, 'Action');
      const set = c.children.find((x) => x.name === 'ResourceRecordSet');
      if (!set) return errorAnswer(400, 'InvalidInput', 'fake: no ResourceRecordSet');
      const rawName = (childText(set, 'Name') ?? '').toLowerCase();
      const name = rawName.endsWith('.') ? rawName : `${rawName}.`;
      const type = childText(set, 'Type') ?? '';
      const ttl = Number(childText(set, 'TTL'));
      const values = findAll(set, 'Value').map((v: XmlElement) => v.text);
      if (name !== zone.name && !name.endsWith(`.${zone.name}`))
        return invalidBatch(`RRSet with DNS name ${name} is not permitted in zone ${zone.name}`);
      for (const v of values) {
        if (type === 'A' && isIP(v) !== 4)
          return invalidBatch(
            `Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with '${v}''`,
          );
        if (type === 'AAAA' && isIP(v) !== 6)
          return invalidBatch(
            `Invalid Resource Record: 'FATAL problem: AAAARRDATAIllegalIPv6Address encountered with '${v}''`,
          );
        if (type === 'TXT' && !/^"(?:[^"\\]|\\.)*"(?: "(?:[^"\\]|\\.)*")*$/.test(v))
          return invalidBatch(
            `Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with '${v}''`,
          );
      }
      const at = next.findIndex((s) => s.name === name && s.type === type && !s.setIdentifier);
      if (action === 'UPSERT') {
        const created: FakeSet = { name, type, ttl, values };
        if (at >= 0) next[at] = created;
        else next.push(created);
      } else if (action === 'DELETE') {
        const held = next[at];
        if (!held)
          return invalidBatch(
            `Tried to delete resource record set [name='${name}', type='${type}'] but it was not found`,
          );
        if (held.ttl !== ttl || [...held.values].sort().join('\n') !== [...values].sort().join('\n'))
          return invalidBatch(
            `Tried to delete resource record set [name='${name}', type='${type}'] but the values provided do not match the current values`,
          );
        next.splice(at, 1);
      } else return errorAnswer(400, 'InvalidInput', `fake: action ${action}`);
    }
    zone.sets = next;
    const id = `C${++this.seq}GATEHOUSE`;
    this.changes.set(id, { polls: 0 });
    return xml(
      `<?xml version="1.0" encoding="UTF-8"?>\n<ChangeResourceRecordSetsResponse xmlns="${ns}"><ChangeInfo>` +
        `<Id>/change/${id}</Id><Status>${this.insyncAfterPolls === 0 ? 'INSYNC' : 'PENDING'}</Status><SubmittedAt>2026-11-28T12:00:00.000Z</SubmittedAt>` +
        `<Comment>${escape(childText(doc.root.children[0] ?? doc.root, 'Comment') ?? '')}</Comment>` +
        `</ChangeInfo></ChangeResourceRecordSetsResponse>`,
    );
  }
}

function escape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
function zoneXml(z: FakeZone): string {
  return (
    `<Id>/hostedzone/${z.id}</Id><Name>${z.name}</Name><CallerReference>ref-${z.id}</CallerReference>` +
    `<Config><PrivateZone>${z.private}</PrivateZone></Config><ResourceRecordSetCount>${z.sets.length}</ResourceRecordSetCount>`
  );
}
function xml(body: string): FakeApiAnswer {
  return { status: 200, headers: { 'content-type': 'text/xml', 'x-amz-request-id': 'req-1' }, body };
}
function errorAnswer(status: number, code: string, message: string, type = 'Sender'): FakeApiAnswer {
  return {
    status,
    headers: { 'content-type': 'text/xml', 'x-amz-request-id': 'req-1' },
    body:
      `<?xml version="1.0"?>\n<ErrorResponse xmlns="${ns}"><Error><Type>${type}</Type><Code>${code}</Code>` +
      `<Message>${escape(message)}</Message></Error><RequestId>req-1</RequestId></ErrorResponse>`,
  };
}
function invalidBatch(message: string): FakeApiAnswer {
  return {
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: `<?xml version="1.0"?>\n<InvalidChangeBatch xmlns="${ns}"><Messages><Message>${escape(message)}</Message></Messages><RequestId>req-2</RequestId></InvalidChangeBatch>`,
  };
}

const clock = new InstantClock('2026-11-28T12:00:00Z');
const fake = new FakeRoute53(clock);
const api = serveFakeApi(fake);
const deps = providerTestDeps(clock);

function client(
  secrets: Record<string, string> = { accessKeyId: AK, secretAccessKey: SK },
  settings: Record<string, string> = {},
): DnsProvider {
  return route53Provider.create(
    route53Provider.settings.parse({ endpoint: api.baseUrl, ...settings }),
    route53Provider.secrets.parse(secrets),
    deps,
  );
}
const writes = (): FakeApiRequest[] => api.requests.filter((r) => r.method === 'POST');
const polls = (): FakeApiRequest[] => api.requests.filter((r) => r.url.startsWith('/2013-04-01/change/'));
const ref = (name: string, type: RecordRef['type'] = 'A', zone = 'example.com'): RecordRef => ({
  zone,
  name,
  type,
});
const noSecret = (r: unknown): void => {
  const text = JSON.stringify(r);
  for (const s of [SK, TEMP_SK, TOKEN]) expect(text).not.toContain(s);
};

describe('Route 53 adapter against a fake Route 53 that checks SigV4', () => {
  it('reads a record set: values sorted with the TTL; a missing set is empty', async () => {
    const r53 = client();
    expect(await r53.read?.(ref('nas.example.com'))).toEqual({
      ok: true,
      value: { values: ['198.51.100.8', '198.51.100.9'], ttl: 60 },
    });
    // The listing starts at the name and runs on: the next set (nas … A after home … AAAA) is not taken for it.
    expect(await r53.read?.(ref('missing.example.com'))).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
    expect(await r53.read?.(ref('home.example.com', 'TXT'))).toEqual({
      ok: true,
      value: { values: [], ttl: null },
    });
    const list = api.requests.find((r) => r.url.includes('/rrset?'));
    expect(list?.url).toBe('/2013-04-01/hostedzone/Z1EXAMPLE/rrset?name=nas.example.com.&type=A&maxitems=1');
    expect(list?.headers['user-agent']).toBe('Gatehouse/test');
    expect(list?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDGATEHOUSE0TEST\/20261128\/us-east-1\/route53\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
  });

  it('finds the public hosted zone by name once (a private zone of the same name is skipped)', async () => {
    const r53 = client();
    await r53.read?.(ref('home.example.com'));
    await r53.read?.(ref('nas.example.com'));
    const lookups = api.requests.filter((r) => r.url.includes('hostedzonesbyname'));
    expect(lookups.map((r) => r.url)).toEqual([
      '/2013-04-01/hostedzonesbyname?dnsname=example.com&maxitems=10',
    ]);
    expect(
      api.requests.filter((r) => r.url.includes('/rrset?')).every((r) => r.url.includes('/Z1EXAMPLE/')),
    ).toBe(true);
  });

  it('a hosted zone id in the settings skips the lookup, after checking the zone is the record’s', async () => {
    const r53 = client(undefined, { hostedZoneId: '/hostedzone/Z1EXAMPLE' });
    expect(await r53.read?.(ref('home.example.com'))).toMatchObject({
      ok: true,
      value: { values: ['198.51.100.7'] },
    });
    expect(api.requests.map((r) => r.url.split('?')[0])).toEqual([
      '/2013-04-01/hostedzone/Z1EXAMPLE',
      '/2013-04-01/hostedzone/Z1EXAMPLE/rrset',
    ]);
    const wrong = await client(undefined, { hostedZoneId: 'Z2NET' }).read?.(ref('home.example.com'));
    expect(wrong).toMatchObject({ ok: false, error: { kind: 'config', code: 'NoSuchHostedZone' } });
    expect(!wrong?.ok && wrong?.error.message).toBe(
      'Route 53: the hosted zone Z2NET is example.net, not example.com',
    );
    const gone = await client(undefined, { hostedZoneId: 'ZGONE' }).read?.(ref('home.example.com'));
    expect(gone).toMatchObject({ ok: false, error: { kind: 'config', code: 'NoSuchHostedZone' } });
  });

  it('reads AAAA in canonical text and TXT without its quotes', async () => {
    fake
      .zone('Z1EXAMPLE')
      ?.sets.push({ name: 'cam.example.com.', type: 'AAAA', ttl: 60, values: ['2001:DB8:0:0::1'] });
    fake.zone('Z1EXAMPLE')?.sets.push({
      name: 'long.example.com.',
      type: 'TXT',
      ttl: 60,
      values: ['"part \\"one\\"" "\\302\\251 two"'],
    });
    const r53 = client();
    expect(await r53.read?.(ref('cam.example.com', 'AAAA'))).toMatchObject({
      value: { values: ['2001:db8::1'] },
    });
    expect(await r53.read?.(ref('_acme-challenge.home.example.com', 'TXT'))).toEqual({
      ok: true,
      value: { values: ['old token'], ttl: 120 },
    });
    expect(await r53.read?.(ref('long.example.com', 'TXT'))).toMatchObject({
      value: { values: ['part "one"© two'] },
    });
  });

  it('set creates a missing set with one UPSERT, waits for INSYNC, and touches nothing else', async () => {
    const others = fake.others('new.example.com.', 'A');
    fake.insyncAfterPolls = 2;
    const r = await client().set(ref('new.example.com'), ['203.0.113.5'], 60);
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(fake.setOf('new.example.com.', 'A')).toEqual({
      name: 'new.example.com.',
      type: 'A',
      ttl: 60,
      values: ['203.0.113.5'],
    });
    expect(fake.others('new.example.com.', 'A')).toEqual(others);
    expect(writes()).toHaveLength(1);
    expect(writes()[0]?.headers['content-type']).toBe('application/xml');
    expect(writes()[0]?.body).toContain('<Action>UPSERT</Action>');
    expect(writes()[0]?.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date,');
    // Two GetChange polls: the first still PENDING, the second INSYNC, after the first pauses of the schedule.
    expect(polls().map((p) => p.url)).toEqual([
      '/2013-04-01/change/C1GATEHOUSE',
      '/2013-04-01/change/C1GATEHOUSE',
    ]);
    expect(clock.sleepsAsked()).toEqual(insyncPollDelaysMs.slice(0, 2));
  });

  it('set updates an existing set to exactly the values asked, with the TTL asked', async () => {
    const others = fake.others('nas.example.com.', 'A');
    const r = await client().set(ref('nas.example.com'), ['203.0.113.7'], 300);
    expect(r).toEqual({ ok: true, value: { changed: true } });
    expect(fake.setOf('nas.example.com.', 'A')).toMatchObject({ ttl: 300, values: ['203.0.113.7'] });
    expect(fake.others('nas.example.com.', 'A')).toEqual(others);
  });

  it('set with the values already held (any order, AAAA in another spelling) is changed:false and writes nothing', async () => {
    const r53 = client();
    expect(
      await r53.set(ref('nas.example.com'), ['198.51.100.9', '198.51.100.8', '198.51.100.9'], 60),
    ).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(await r53.set(ref('home.example.com', 'AAAA'), ['2001:DB8:0::7'], 300)).toEqual({
      ok: true,
      value: { changed: false },
    });
    expect(writes()).toHaveLength(0);
  });

  it('TXT is written quoted and escaped, read back as written; delete repeats the set exactly', async () => {
    const r53 = client();
    const acme = ref('_acme-challenge.home.example.com', 'TXT');
    expect(await r53.set(acme, ['tok "x" \\ <&>'], 60)).toEqual({ ok: true, value: { changed: true } });
    expect(fake.setOf('_acme-challenge.home.example.com.', 'TXT')?.values).toEqual([
      '"tok \\"x\\" \\\\ <&>"',
    ]);
    expect(writes()[0]?.body).toContain('<Value>&#34;tok \\&#34;x\\&#34; \\\\ &#60;&#38;&#62;&#34;</Value>');
    expect(await r53.read?.(acme)).toEqual({ ok: true, value: { values: ['tok "x" \\ <&>'], ttl: 60 } });
    const others = fake.others('_acme-challenge.home.example.com.', 'TXT');
    expect(await r53.delete?.(acme)).toEqual({ ok: true, value: undefined });
    expect(fake.setOf('_acme-challenge.home.example.com.', 'TXT')).toBeUndefined();
    expect(fake.others('_acme-challenge.home.example.com.', 'TXT')).toEqual(others);
    expect(writes()[1]?.body).toContain('<Action>DELETE</Action>');
    expect(writes()[1]?.body).toContain('<TTL>60</TTL>');
    // Deleting what is not there succeeds without a write.
    expect(await r53.delete?.(acme)).toEqual({ ok: true, value: undefined });
    expect(writes()).toHaveLength(2);
  });

  it('delete of a set with several values and its own TTL sends them all (Route 53 refuses anything else)', async () => {
    expect(await client().delete?.(ref('nas.example.com'))).toEqual({ ok: true, value: undefined });
    expect(fake.setOf('nas.example.com.', 'A')).toBeUndefined();
  });

  it('set to no values removes the set', async () => {
    expect(await client().set(ref('home.example.com'), [], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.setOf('home.example.com.', 'A')).toBeUndefined();
    expect(await client().set(ref('home.example.com'), [], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
  });

  it('a change still PENDING at the bound is transient and names the change', async () => {
    fake.insyncAfterPolls = 1000;
    const r = await client().set(ref('home.example.com'), ['203.0.113.9'], 60);
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'transient',
        code: 'PENDING',
        message: 'Route 53: change C1GATEHOUSE was accepted but is still PENDING after 30 s',
      },
    });
    expect(clock.sleepsAsked().slice(-insyncPollDelaysMs.length)).toEqual(insyncPollDelaysMs);
    expect(polls()).toHaveLength(insyncPollDelaysMs.length);
    // Accepted all the same: the next set finds the values in place.
    expect(await client().set(ref('home.example.com'), ['203.0.113.9'], 60)).toEqual({
      ok: true,
      value: { changed: false },
    });
  });

  it('temporary credentials send the session token, signed', async () => {
    const r53 = client({ accessKeyId: TEMP_AK, secretAccessKey: TEMP_SK, sessionToken: TOKEN });
    expect(await r53.read?.(ref('home.example.com'))).toMatchObject({ ok: true });
    expect(api.requests[0]?.headers['x-amz-security-token']).toBe(TOKEN);
    expect(api.requests[0]?.headers.authorization).toContain(
      'SignedHeaders=host;x-amz-date;x-amz-security-token,',
    );
    const without = await client({ accessKeyId: TEMP_AK, secretAccessKey: TEMP_SK }).read?.(
      ref('home.example.com'),
    );
    // The 403's error code decides, not its status: this one is the credentials.
    expect(without).toMatchObject({ ok: false, error: { kind: 'auth', code: 'InvalidClientTokenId' } });
    noSecret(without);
  });

  it('test() checks the key, and the zone when given, without writing', async () => {
    const r53 = client();
    expect(await r53.test()).toEqual({
      ok: true,
      value: { detail: 'the access key is accepted and may list hosted zones' },
    });
    expect(await r53.test('example.com')).toEqual({
      ok: true,
      value: { detail: 'the access key may read the hosted zone example.com (Z1EXAMPLE)' },
    });
    expect(await r53.test('example.org')).toMatchObject({ ok: false, error: { kind: 'config' } });
    expect(writes()).toHaveLength(0);
  });

  it.each([
    ['an unknown access key', { accessKeyId: 'AKIDUNKNOWN', secretAccessKey: SK }, 'InvalidClientTokenId'],
    ['a wrong secret', { accessKeyId: AK, secretAccessKey: 'wrong/SECRET' }, 'SignatureDoesNotMatch'],
  ])('%s is an auth failure that never shows a secret', async (_, secrets, code) => {
    const r53 = client(secrets);
    for (const r of [await r53.test(), await r53.set(ref('home.example.com'), ['203.0.113.1'], 60)]) {
      expect(r).toMatchObject({ ok: false, error: { kind: 'auth', code } });
      noSecret(r);
      expect(JSON.stringify(r)).not.toContain('wrong/SECRET');
    }
    expect(writes()).toHaveLength(0);
    expect(fake.setOf('home.example.com.', 'A')?.values).toEqual(['198.51.100.7']);
  });

  it('a clock far from AWS time is refused (the signature carries the time)', async () => {
    const skewed: ProviderDeps = { ...deps, clock: new FakeClock('2026-11-28T13:00:00Z') };
    const r53 = route53Provider.create(
      route53Provider.settings.parse({ endpoint: api.baseUrl }),
      route53Provider.secrets.parse({ accessKeyId: AK, secretAccessKey: SK }),
      skewed,
    );
    expect(await r53.test()).toMatchObject({ ok: false, error: { kind: 'auth' } });
  });

  it('a name outside the zone, or a zone not in the account, is config', async () => {
    const r53 = client();
    const outside = await r53.read?.(ref('home.example.org'));
    expect(outside).toEqual({
      ok: false,
      error: { kind: 'config', message: 'Route 53: home.example.org is not in the zone example.com' },
    });
    const missing = await r53.set(ref('home.example.org', 'A', 'example.org'), ['203.0.113.1'], 60);
    expect(missing).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'NoSuchHostedZone',
        message: 'Route 53: no public hosted zone example.org in this account',
      },
    });
    expect(writes()).toHaveLength(0);
  });

  it('alias and weighted record sets are config: Gatehouse does not replace them', async () => {
    const r53 = client();
    expect(await r53.set(ref('www.example.com'), ['203.0.113.1'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'not-simple', message: expect.stringContaining('an alias record set') },
    });
    expect(await r53.read?.(ref('lb.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'not-simple' },
    });
    expect(writes()).toHaveLength(0);
  });

  it('a value Route 53 refuses (InvalidChangeBatch) is config with its message', async () => {
    const r = await client().set(ref('home.example.com'), ['not-an-address'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'InvalidChangeBatch' } });
    expect(!r.ok && r.error.message).toMatch(
      /^Route 53: POST \/2013-04-01\/hostedzone\/Z1EXAMPLE\/rrset: HTTP 400 InvalidChangeBatch: Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address/,
    );
    expect(fake.setOf('home.example.com.', 'A')?.values).toEqual(['198.51.100.7']);
  });

  it('a DELETE refused because the set changed meanwhile is transient', async () => {
    const r53 = client();
    const real = fake.handle.bind(fake);
    // Someone changes the TTL between our read and our DELETE.
    fake.handle = (req) => {
      if (req.method === 'POST') {
        const s = fake.setOf('home.example.com.', 'A');
        if (s) s.ttl = 999;
      }
      return real(req);
    };
    try {
      const r = await r53.delete?.(ref('home.example.com'));
      expect(r).toMatchObject({ ok: false, error: { kind: 'transient', code: 'InvalidChangeBatch' } });
      expect(!r?.ok && r?.error.message).toContain('do not match the current values');
    } finally {
      fake.handle = real;
    }
  });

  it('Throttling and PriorRequestNotComplete (HTTP 400) are rate-limited', async () => {
    fake.next.push(errorAnswer(400, 'Throttling', 'Rate exceeded'));
    expect(await client().read?.(ref('home.example.com'))).toEqual({
      ok: false,
      error: {
        kind: 'rate-limited',
        code: 'Throttling',
        message: 'Route 53: GET /2013-04-01/hostedzonesbyname: HTTP 400 Throttling: Rate exceeded',
      },
    });
    const r53 = client();
    await r53.read?.(ref('home.example.com'));
    fake.next.push(
      errorAnswer(
        400,
        'PriorRequestNotComplete',
        'The request was rejected because Route 53 was still processing a prior request.',
      ),
    );
    expect(await r53.set(ref('home.example.com'), ['203.0.113.2'], 60)).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', code: 'PriorRequestNotComplete' },
    });
  });

  it('429 is rate-limited with the Retry-After wait', async () => {
    fake.next.push({ status: 429, headers: { 'retry-after': '7' }, body: 'slow down' });
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'rate-limited', retryAfterMs: 7000 },
    });
  });

  it('5xx is transient, also while waiting for INSYNC', async () => {
    fake.next.push(errorAnswer(503, 'ServiceUnavailable', 'Service is unavailable', 'Receiver'));
    expect(await client().read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 503' },
    });
    const r53 = client();
    await r53.read?.(ref('home.example.com'));
    fake.insyncAfterPolls = 2;
    const real = fake.handle.bind(fake);
    fake.handle = (req) =>
      req.url.startsWith('/2013-04-01/change/') ? { status: 500, body: 'oops' } : real(req);
    try {
      expect(await r53.set(ref('home.example.com'), ['203.0.113.3'], 60)).toMatchObject({
        ok: false,
        error: { kind: 'transient', code: 'HTTP 500' },
      });
    } finally {
      fake.handle = real;
    }
  });

  it('a garbage or undocumented body is transient and says what came', async () => {
    fake.next.push({ status: 200, body: '<html><body>Proxy login</body></html>' });
    const g = await client().read?.(ref('home.example.com'));
    expect(g).toMatchObject({ ok: false, error: { kind: 'transient' } });
    expect(!g?.ok && g?.error.message).toContain('<html> instead of <ListHostedZonesByNameResponse>');
    fake.next.push({ status: 200, body: 'not xml at all <' });
    const n = await client().read?.(ref('home.example.com'));
    expect(!n?.ok && n?.error.message).toContain('not XML');
    const r53 = client();
    const real = fake.handle.bind(fake);
    fake.handle = (req) =>
      req.method === 'POST'
        ? {
            status: 200,
            body: `<ChangeResourceRecordSetsResponse xmlns="${ns}"><ChangeInfo><Id>/change/C9</Id><Status>DONE</Status></ChangeInfo></ChangeResourceRecordSetsResponse>`,
          }
        : real(req);
    let s;
    try {
      s = await r53.set(ref('home.example.com'), ['203.0.113.4'], 60);
    } finally {
      fake.handle = real;
    }
    expect(!s.ok && s.error.message).toContain('unexpected answer (HTTP 200, status: Invalid option');
    fake.next.push({ status: 418, body: 'teapot' });
    expect(await client().test()).toMatchObject({
      ok: false,
      error: { kind: 'transient', code: 'HTTP 418' },
    });
  });

  it('nothing listening is transient and names no secret', async () => {
    const closed = await startFakeApi(() => ({}));
    await closed.close();
    const r53 = route53Provider.create(
      route53Provider.settings.parse({ endpoint: closed.baseUrl }),
      route53Provider.secrets.parse({ accessKeyId: AK, secretAccessKey: SK, sessionToken: TOKEN }),
      deps,
    );
    const r = await r53.set(ref('home.example.com'), ['203.0.113.1'], 60);
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient' } });
    noSecret(r);
  });

  it('settings default to the official endpoint; ids and secrets are checked', () => {
    expect(route53Provider.settings.parse({})).toEqual({ endpoint: 'https://route53.amazonaws.com' });
    expect(route53Provider.settings.safeParse({ endpoint: 'ftp://x' }).success).toBe(false);
    expect(route53Provider.settings.safeParse({ hostedZoneId: 'Z1/../x' }).success).toBe(false);
    expect(route53Provider.secrets.safeParse({ accessKeyId: AK, secretAccessKey: ' ' }).success).toBe(false);
    expect(route53Provider.secrets.safeParse({ accessKeyId: AK, secretAccessKey: SK }).success).toBe(true);
  });
});

describe('Route 53 adapter: edges', () => {
  it('set to values that only partly overlap what is held writes them all', async () => {
    const r53 = client();
    expect(await r53.set(ref('nas.example.com'), ['198.51.100.8', '203.0.113.1'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(fake.setOf('nas.example.com.', 'A')?.values).toEqual(['198.51.100.8', '203.0.113.1']);
    expect(await r53.set(ref('nas.example.com'), ['198.51.100.8', '203.0.113.1', '203.0.113.2'], 60)).toEqual(
      {
        ok: true,
        value: { changed: true },
      },
    );
    expect(fake.setOf('nas.example.com.', 'A')?.values).toEqual([
      '198.51.100.8',
      '203.0.113.1',
      '203.0.113.2',
    ]);
  });

  it('the change batch carries a comment saying what Gatehouse does', async () => {
    const r53 = client();
    await r53.set(ref('new.example.com'), ['203.0.113.5'], 60);
    await r53.delete?.(ref('new.example.com'));
    expect(writes().map((w) => /<Comment>([^<]*)<\/Comment>/.exec(w.body)?.[1])).toEqual([
      'Gatehouse sets new.example.com A',
      'Gatehouse removes new.example.com A',
    ]);
  });

  it('a change INSYNC at once needs no GetChange and no wait', async () => {
    fake.insyncAfterPolls = 0;
    const asked = clock.sleepsAsked().length;
    expect(await client().set(ref('home.example.com'), ['203.0.113.9'], 60)).toEqual({
      ok: true,
      value: { changed: true },
    });
    expect(polls()).toHaveLength(0);
    expect(clock.sleepsAsked()).toHaveLength(asked);
  });

  it('a TXT value that is not quoted strings is transient for read and set', async () => {
    fake
      .zone('Z1EXAMPLE')
      ?.sets.push({ name: 'odd.example.com.', type: 'TXT', ttl: 60, values: ['bare words'] });
    const r53 = client();
    const odd = ref('odd.example.com', 'TXT');
    const expected = {
      ok: false,
      error: {
        kind: 'transient',
        message: 'Route 53: odd.example.com TXT holds a value that is not quoted strings: "bare words"',
      },
    };
    expect(await r53.read?.(odd)).toEqual(expected);
    expect(await r53.set(odd, ['x'], 60)).toEqual(expected);
    expect(writes()).toHaveLength(0);
  });

  it('TXT values are never taken for addresses; an AAAA value that is not one is sent as it is', async () => {
    const r53 = client();
    expect(await r53.set(ref('t.example.com', 'TXT'), ['2001:DB8:0::1'], 60)).toMatchObject({ ok: true });
    expect(fake.setOf('t.example.com.', 'TXT')?.values).toEqual(['"2001:DB8:0::1"']);
    const bad = await r53.set(ref('home.example.com', 'AAAA'), ['not-an-address'], 60);
    expect(bad).toMatchObject({ ok: false, error: { kind: 'config', code: 'InvalidChangeBatch' } });
    expect(writes()[1]?.body).toContain('<Value>not-an-address</Value>');
  });

  it('the apex is in its zone; delete outside the zone is config', async () => {
    const r53 = client();
    expect(await r53.read?.(ref('example.com'))).toEqual({ ok: true, value: { values: [], ttl: null } });
    expect(await r53.delete?.(ref('home.example.org'))).toMatchObject({
      ok: false,
      error: { kind: 'config' },
    });
  });

  it('a zone name that is not in the account is not taken for the next zone in the listing', async () => {
    const r = await client().read?.(ref('x.aaa.com', 'A', 'aaa.com'));
    expect(r).toMatchObject({ ok: false, error: { kind: 'config', code: 'NoSuchHostedZone' } });
  });

  it('test(zone) names a missing zone and fails when the zone cannot be read', async () => {
    expect(await client().test('example.org')).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'NoSuchHostedZone',
        message: 'Route 53: no public hosted zone example.org in this account',
      },
    });
    const real = fake.handle.bind(fake);
    fake.handle = (req) => (req.url.includes('/rrset') ? { status: 503, body: 'down' } : real(req));
    try {
      expect(await client().test('example.com')).toMatchObject({ ok: false, error: { kind: 'transient' } });
    } finally {
      fake.handle = real;
    }
  });

  it('a hosted zone that is gone is looked up again; other failures keep the zone', async () => {
    const r53 = client();
    await r53.read?.(ref('home.example.com'));
    fake.next.push(errorAnswer(503, 'ServiceUnavailable', 'down', 'Receiver'));
    await r53.read?.(ref('home.example.com'));
    expect(await r53.read?.(ref('home.example.com'))).toMatchObject({ ok: true });
    expect(api.requests.filter((r) => r.url.includes('hostedzonesbyname'))).toHaveLength(1);
    const zone = fake.zone('Z1EXAMPLE');
    if (zone) zone.id = 'Z3MOVED';
    expect(await r53.read?.(ref('home.example.com'))).toMatchObject({
      ok: false,
      error: { kind: 'config', code: 'NoSuchHostedZone' },
    });
    expect(await r53.read?.(ref('home.example.com'))).toMatchObject({
      ok: true,
      value: { values: ['198.51.100.7'] },
    });
    expect(api.requests.filter((r) => r.url.includes('hostedzonesbyname'))).toHaveLength(2);
  });

  it('a weighted set is named as such', async () => {
    expect(await client().read?.(ref('lb.example.com'))).toEqual({
      ok: false,
      error: {
        kind: 'config',
        code: 'not-simple',
        message:
          'Route 53: lb.example.com A is a weighted, latency, failover or geolocation record set; Gatehouse changes only simple record sets',
      },
    });
  });

  it('an endpoint with trailing slashes works; a long error message is cut', async () => {
    expect(
      await client(undefined, { endpoint: `${api.baseUrl}//` }).read?.(ref('home.example.com')),
    ).toMatchObject({
      ok: true,
    });
    fake.next.push(errorAnswer(400, 'Throttling', 'x'.repeat(1000)));
    const r = await client().read?.(ref('home.example.com'));
    expect(!r?.ok && r?.error.message).toBe(
      `Route 53: GET /2013-04-01/hostedzonesbyname: HTTP 400 Throttling: ${'x'.repeat(300)}`,
    );
  });

  it('a 300 answer is not taken for a result', async () => {
    fake.next.push({
      status: 300,
      body: `<ListHostedZonesByNameResponse xmlns="${ns}"><HostedZones/></ListHostedZonesByNameResponse>`,
    });
    const r = await client().test();
    expect(r).toMatchObject({ ok: false, error: { kind: 'transient', code: 'HTTP 300' } });
  });

  it('the descriptor: kind, label, documentation, fields and abilities', () => {
    expect(route53Provider).toMatchObject({
      kind: 'route53',
      label: 'AWS Route 53',
      docsUrl: 'https://docs.aws.amazon.com/Route53/latest/APIReference/API_ChangeResourceRecordSets.html',
      can: { read: true, txt: true },
    });
    expect(route53Provider.fields.map((f) => [f.name, f.secret, f.optional ?? false])).toEqual([
      ['accessKeyId', true, false],
      ['secretAccessKey', true, false],
      ['sessionToken', true, true],
      ['hostedZoneId', false, true],
      ['endpoint', false, true],
    ]);
    expect(route53Provider.fields.every((f) => f.label !== '' && f.help !== '')).toBe(true);
    expect(route53Provider.fields.filter((f) => f.help !== undefined)).toHaveLength(4);
    const r53 = client();
    expect([r53.kind, r53.can]).toEqual(['route53', { read: true, txt: true }]);
  });

  it('settings and secrets are checked and trimmed', () => {
    for (const endpoint of ['xhttp://x', 'httpsx://x'])
      expect(route53Provider.settings.safeParse({ endpoint }).success).toBe(false);
    expect(route53Provider.settings.parse({ hostedZoneId: ' Z1EXAMPLE ' }).hostedZoneId).toBe('Z1EXAMPLE');
    const bad = route53Provider.settings.safeParse({ hostedZoneId: 'bad Z1' });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error)).toContain('a hosted zone id such as');
    expect(
      route53Provider.secrets.parse({ accessKeyId: ' AK ', secretAccessKey: ' S ', sessionToken: ' T ' }),
    ).toEqual({ accessKeyId: 'AK', secretAccessKey: 'S', sessionToken: 'T' });
  });
});

describe('Route 53 error codes', () => {
  it.each([
    ['Throttling', undefined, 'rate-limited'],
    ['PriorRequestNotComplete', undefined, 'rate-limited'],
    ['SignatureDoesNotMatch', undefined, 'auth'],
    ['InvalidClientTokenId', undefined, 'auth'],
    ['AccessDenied', undefined, 'auth'],
    ['IncompleteSignature', undefined, 'auth'],
    ['MissingAuthenticationToken', undefined, 'auth'],
    ['ExpiredToken', undefined, 'auth'],
    ['UnrecognizedClientException', undefined, 'auth'],
    ['NoSuchHostedZone', undefined, 'config'],
    ['InvalidInput', undefined, 'config'],
    ['InvalidDomainName', undefined, 'config'],
    ['InvalidChangeBatch', 'UPSERT', 'config'],
    ['InvalidChangeBatch', 'DELETE', 'transient'],
    ['InvalidChangeBatch', undefined, 'transient'],
    ['NoSuchChange', undefined, 'transient'],
    ['ServiceUnavailable', undefined, 'transient'],
  ] as const)('%s (%s) → %s', (code, action, kind) => {
    expect(failureKindOf(code, action)).toBe(kind);
  });
});
