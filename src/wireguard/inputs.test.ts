import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  describeIssues,
  grantInputSchema,
  grantsSchema,
  groupNameSchema,
  parsePorts,
  peerCreateSchema,
  peerNameSchema,
  peerPatchSchema,
  serviceCreateSchema,
  serviceNameSchema,
  servicePatchSchema,
} from './inputs.js';

/** The first problem in the words the API answers with, or the parsed value. */
const outcome = (schema: z.ZodType, value: unknown) => {
  const r = schema.safeParse(value);
  return r.success ? { ok: r.data } : { refused: describeIssues(r.error).message };
};

describe('parsePorts', () => {
  it.each([
    [443, { from: 443, to: 443 }],
    ['8000', { from: 8000, to: 8000 }],
    ['8000-8010', { from: 8000, to: 8010 }],
    ['1-65535', { from: 1, to: 65535 }],
    ['80-80', { from: 80, to: 80 }],
    [0, 'a port is between 1 and 65535'],
    ['65536', 'a port is between 1 and 65535'],
    ['1-65536', 'a port is between 1 and 65535'],
    ['0-5', 'a port is between 1 and 65535'],
    ['90-80', 'the range 90-80 ends before it begins'],
    [1, { from: 1, to: 1 }],
    [65535, { from: 65535, to: 65535 }],
    ['65535-65535', { from: 65535, to: 65535 }],
    ['5-0', 'a port is between 1 and 65535'],
    ['65536-5', 'a port is between 1 and 65535'],
    ['0-0', 'a port is between 1 and 65535'],
  ])('%j → %j', (spec, expected) => {
    expect(parsePorts(spec)).toEqual(expected);
  });
});

describe('names', () => {
  it.each([
    ['Ann’s phone', true],
    ['[Peer] = # ;', true],
    ['  padded  ', true],
    ['line\nbreak', false],
    ['tab\there', false],
    ['nul\u0000', false],
    ['bidi\u202eoverride', false],
    ['sep\u2029para', false],
    ['sep\u2028line', false],
    ['soft\u00adhyphen', false],
    ['del\u007f', false],
    ['', false],
    ['x'.repeat(64), true],
    ['x'.repeat(65), false],
  ])('peer name %j accepted: %s', (name, accepted) => {
    expect(peerNameSchema.safeParse(name).success).toBe(accepted);
  });

  it('trims a peer name', () => {
    expect(peerNameSchema.parse('  phone ')).toBe('phone');
  });

  it.each([
    ['Family', 'family'],
    [' Family ', 'family'],
    ['kids.2', 'kids.2'],
    ['-x', undefined],
    ['a b', undefined],
    ['x'.repeat(33), undefined],
    ['x'.repeat(32), 'x'.repeat(32)],
    ['a-z_0.9a', 'a-z_0.9a'],
    ['z', 'z'],
    ['0', '0'],
    ['9-', '9-'],
    ['_x', undefined],
    ['x/y', undefined],
    ['', undefined],
  ])('group %j → %j', (name, expected) => {
    const r = groupNameSchema.safeParse(name);
    expect(r.success ? r.data : undefined).toBe(expected);
  });

  it.each([
    ['Camera', 'camera'],
    ['nas_1', 'nas_1'],
    ['', undefined],
    ['.hidden', undefined],
    ['web cam', undefined],
    [' NAS ', 'nas'],
    ['x'.repeat(32), 'x'.repeat(32)],
    ['x'.repeat(33), undefined],
    ['a-z_0.9a', 'a-z_0.9a'],
    ['z', 'z'],
    ['9', '9'],
  ])('service %j → %j', (name, expected) => {
    const r = serviceNameSchema.safeParse(name);
    expect(r.success ? r.data : undefined).toBe(expected);
  });
});

describe('what each name rule says', () => {
  const message = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? null : r.error.issues.map((i) => i.message);
  };
  it.each([
    [peerNameSchema, '  ', ['a peer needs a name']],
    [peerNameSchema, 'x'.repeat(65), ['a peer name is at most 64 characters']],
    [peerNameSchema, 'a\nb', ['a peer name cannot hold line breaks or control characters']],
    [groupNameSchema, 'x'.repeat(33), ['a group name is at most 32 characters']],
    [
      groupNameSchema,
      'a b',
      ['a group name is lowercase letters, digits, ".", "_" or "-", starting with a letter or digit'],
    ],
    [
      serviceNameSchema,
      '',
      [
        'a service needs a name',
        'a service name is lowercase letters, digits, ".", "_" or "-", starting with a letter or digit',
      ],
    ],
    [serviceNameSchema, 'x'.repeat(33), ['a service name is at most 32 characters']],
    [
      serviceNameSchema,
      '-cam',
      ['a service name is lowercase letters, digits, ".", "_" or "-", starting with a letter or digit'],
    ],
  ] as const)('%#: %j', (schema, value, expected) => {
    expect(message(schema, value)).toEqual(expected);
  });
});

describe('describeIssues', () => {
  it('the first issue, with its field path', () => {
    const r = z.object({ a: z.array(z.object({ b: z.string() })) }).safeParse({ a: [{ b: 1 }], c: 2 });
    expect(r.success).toBe(false);
    if (!r.success)
      expect(describeIssues(r.error)).toEqual({
        field: 'a.0.b',
        message: 'a.0.b: Invalid input: expected string, received number',
      });
  });
  it('no field for an issue of the whole value', () => {
    const r = z.string().safeParse(1);
    if (!r.success)
      expect(describeIssues(r.error)).toEqual({
        field: '',
        message: 'Invalid input: expected string, received number',
      });
    expect(r.success).toBe(false);
  });
  it('no issue at all: invalid, no field', () => {
    expect(describeIssues(new z.ZodError([]))).toEqual({ field: '', message: 'invalid' });
  });
});

describe('serviceCreateSchema', () => {
  it('fills webUrl and takes only http(s) URLs', () => {
    expect(serviceCreateSchema.parse({ name: 'cam', host: '10.0.0.2', protocol: 'tcp', port: 80 })).toEqual({
      name: 'cam',
      host: '10.0.0.2',
      protocol: 'tcp',
      port: 80,
      webUrl: null,
    });
    for (const webUrl of ['https://cam.lan/', 'HTTP://10.0.0.2:8080/x'])
      expect(
        serviceCreateSchema.safeParse({ name: 'c', host: '10.0.0.2', protocol: 'tcp', port: 1, webUrl })
          .success,
      ).toBe(true);
    for (const webUrl of ['ftp://x', 'javascript:alert(1)', 'https://', 'cam.lan'])
      expect(
        serviceCreateSchema.safeParse({ name: 'c', host: '10.0.0.2', protocol: 'tcp', port: 1, webUrl })
          .success,
      ).toBe(false);
  });
});

describe('peerCreateSchema', () => {
  it('a name alone: every default', () => {
    expect(outcome(peerCreateSchema, { name: ' phone ' })).toEqual({
      ok: {
        name: 'phone',
        groups: [],
        services: [],
        expiresAt: null,
        dns: null,
        persistentKeepalive: null,
        tunnel: 'services',
        keyMode: 'kept',
      },
    });
  });

  it('every field given, trimmed where it is text', () => {
    expect(
      outcome(peerCreateSchema, {
        name: 'phone',
        groups: [' Family ', 'kids'],
        services: ['s', 'x'.repeat(64)],
        expiresAt: '2026-12-01T00:00:00.000Z',
        dns: [' 10.0.0.1 ', '2001:db8::53'],
        persistentKeepalive: 25,
        tunnel: 'lan',
        keyMode: 'own',
        publicKey: ' AAAA= ',
      }),
    ).toEqual({
      ok: {
        name: 'phone',
        groups: ['family', 'kids'],
        services: ['s', 'x'.repeat(64)],
        expiresAt: '2026-12-01T00:00:00.000Z',
        dns: ['10.0.0.1', '2001:db8::53'],
        persistentKeepalive: 25,
        tunnel: 'lan',
        keyMode: 'own',
        publicKey: 'AAAA=',
      },
    });
  });

  it.each(['services', 'lan', 'full'])('tunnel %s', (tunnel) => {
    expect(peerCreateSchema.parse({ name: 'p', tunnel }).tunnel).toBe(tunnel);
  });

  it.each(['kept', 'forget-after-download', 'own'])('key mode %s', (keyMode) => {
    expect(peerCreateSchema.parse({ name: 'p', keyMode }).keyMode).toBe(keyMode);
  });

  it.each([
    [{ persistentKeepalive: 0 }, { persistentKeepalive: 0 }],
    [{ persistentKeepalive: 65535 }, { persistentKeepalive: 65535 }],
    [{ persistentKeepalive: -1 }, null],
    [{ persistentKeepalive: 65536 }, null],
    [{ persistentKeepalive: 2.5 }, null],
    [
      { dns: ['1.1.1.1', '1.0.0.1', '9.9.9.9', '2001:db8::1'] },
      { dns: ['1.1.1.1', '1.0.0.1', '9.9.9.9', '2001:db8::1'] },
    ],
    [{ dns: ['1.1.1.1', '1.0.0.1', '9.9.9.9', '2001:db8::1', '2001:db8::2'] }, null],
    [{ groups: Array.from({ length: 16 }, (_, i) => `g${String(i)}`) }, {}],
    [{ groups: Array.from({ length: 17 }, (_, i) => `g${String(i)}`) }, null],
    [{ services: [''] }, null],
    [{ services: ['x'.repeat(65)] }, null],
    [{ publicKey: 'k'.repeat(100) }, { publicKey: 'k'.repeat(100) }],
    [{ publicKey: 'k'.repeat(101) }, null],
    [{ tunnel: 'vpn' }, null],
    [{ keyMode: 'lost' }, null],
    [{ privateKey: 'x' }, null],
  ])('%j', (extra, expected) => {
    const r = peerCreateSchema.safeParse({ name: 'p', ...extra });
    if (expected === null) expect(r.success).toBe(false);
    else expect(r.data).toMatchObject(expected);
  });

  it('a DNS server that is not an IP address, in words', () => {
    expect(outcome(peerCreateSchema, { name: 'p', dns: ['dns.example.test'] })).toEqual({
      refused: 'dns.0: expected an IP address',
    });
  });
});

describe('peerPatchSchema', () => {
  it('nothing to change is a valid patch', () => {
    expect(outcome(peerPatchSchema, {})).toEqual({ ok: {} });
  });

  it('every field, as given (trimmed, group names lowercased)', () => {
    const patch = {
      name: ' tablet ',
      groups: ['Kids'],
      expiresAt: null,
      dns: [' 10.0.0.1 '],
      persistentKeepalive: null,
      tunnel: 'full',
      enabled: false,
    };
    expect(outcome(peerPatchSchema, patch)).toEqual({
      ok: { ...patch, name: 'tablet', groups: ['kids'], dns: ['10.0.0.1'] },
    });
  });

  it.each(['services', 'lan', 'full'])('tunnel %s', (tunnel) => {
    expect(peerPatchSchema.parse({ tunnel })).toEqual({ tunnel });
  });

  it.each([
    { tunnel: 'vpn' },
    { publicKey: 'AAAA=' },
    { dns: ['1.1.1.1', '1.0.0.1', '9.9.9.9', '2001:db8::1', '2001:db8::2'] },
    { groups: Array.from({ length: 17 }, (_, i) => `g${String(i)}`) },
  ])('refuses %j', (patch) => {
    expect(peerPatchSchema.safeParse(patch).success).toBe(false);
  });
});

describe('service schemas', () => {
  const cam = { name: 'cam', host: '10.0.0.2', protocol: 'tcp', port: 80 };

  it.each([
    [80, 80],
    [' 8000 ', '8000'],
    ['8000-8010', '8000-8010'],
    ['1-65535', '1-65535'],
  ])('port %j is taken as %j (parsePorts reads it)', (port, expected) => {
    expect(serviceCreateSchema.parse({ ...cam, port }).port).toBe(expected);
  });

  it.each(['x8000', '8000x', '8000-', '-8000', '123456', '80-123456', '80 - 90', 'http'])(
    'port %j is refused in words',
    (port) => {
      expect(outcome(serviceCreateSchema, { ...cam, port })).toEqual({
        refused: 'port: expected a port (8000) or a range (8000-8010)',
      });
    },
  );

  it('trims the host and the web URL; udp too', () => {
    expect(
      outcome(serviceCreateSchema, {
        name: ' NAS ',
        host: ' 2001:db8::5 ',
        protocol: 'udp',
        port: '53',
        webUrl: ' https://nas.lan/ ',
      }),
    ).toEqual({
      ok: { name: 'nas', host: '2001:db8::5', protocol: 'udp', port: '53', webUrl: 'https://nas.lan/' },
    });
  });

  it.each([
    [{ host: 'cam.lan' }, 'host: expected an IP address'],
    [{ webUrl: 'ftp://cam.lan/?next=http://cam.lan/' }, 'webUrl: expected an http:// or https:// URL'],
  ])('refuses %j in words', (change, expected) => {
    expect(outcome(serviceCreateSchema, { ...cam, ...change })).toEqual({ refused: expected });
  });

  it('refuses a protocol other than tcp and udp', () => {
    const r = serviceCreateSchema.safeParse({ ...cam, protocol: 'icmp' });
    expect(r.success ? null : describeIssues(r.error).field).toBe('protocol');
  });

  it('a patch: nothing, or any field', () => {
    expect(outcome(servicePatchSchema, {})).toEqual({ ok: {} });
    const patch = { name: 'Cam2', host: ' 10.0.0.3 ', protocol: 'udp', port: '81-82', webUrl: null };
    expect(outcome(servicePatchSchema, patch)).toEqual({
      ok: { ...patch, name: 'cam2', host: '10.0.0.3' },
    });
    expect(servicePatchSchema.parse({ protocol: 'tcp' })).toEqual({ protocol: 'tcp' });
    expect(outcome(servicePatchSchema, { host: 'cam.lan' })).toEqual({
      refused: 'host: expected an IP address',
    });
    expect(servicePatchSchema.safeParse({ protocol: 'icmp' }).success).toBe(false);
  });
});

describe('grant schemas', () => {
  it('a grant to a peer or to a group (group names lowercased)', () => {
    expect(outcome(grantInputSchema, { subject: { kind: 'peer', peerId: 'p1' }, serviceId: 's1' })).toEqual({
      ok: { subject: { kind: 'peer', peerId: 'p1' }, serviceId: 's1' },
    });
    expect(
      outcome(grantInputSchema, { subject: { kind: 'group', group: ' Family ' }, serviceId: 's1' }),
    ).toEqual({ ok: { subject: { kind: 'group', group: 'family' }, serviceId: 's1' } });
  });

  it.each([
    { subject: { kind: 'peer', peerId: '' }, serviceId: 's1' },
    { subject: { kind: 'peer', peerId: 'x'.repeat(65) }, serviceId: 's1' },
    { subject: { kind: 'peer', peerId: 'p1' }, serviceId: '' },
    { subject: { kind: 'peer', peerId: 'p1' }, serviceId: 'x'.repeat(65) },
    { subject: { kind: 'peer', group: 'family' }, serviceId: 's1' },
    { subject: { kind: 'group', group: 'a b' }, serviceId: 's1' },
    { subject: { kind: 'user', peerId: 'p1' }, serviceId: 's1' },
  ])('refuses %j', (grant) => {
    expect(grantInputSchema.safeParse(grant).success).toBe(false);
  });

  it('the whole matrix, empty or not', () => {
    expect(outcome(grantsSchema, { grants: [] })).toEqual({ ok: { grants: [] } });
    const grants = [
      { subject: { kind: 'peer', peerId: 'x'.repeat(64) }, serviceId: 'x'.repeat(64) },
      { subject: { kind: 'group', group: 'kids' }, serviceId: 's2' },
    ];
    expect(outcome(grantsSchema, { grants })).toEqual({ ok: { grants } });
    expect(grantsSchema.safeParse({ grants, extra: 1 }).success).toBe(false);
  });
});
