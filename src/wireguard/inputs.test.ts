import { describe, expect, it } from 'vitest';
import {
  groupNameSchema,
  parsePorts,
  peerNameSchema,
  serviceCreateSchema,
  serviceNameSchema,
} from './inputs.js';

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
    ['kids.2', 'kids.2'],
    ['-x', undefined],
    ['a b', undefined],
    ['x'.repeat(33), undefined],
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
  ])('service %j → %j', (name, expected) => {
    const r = serviceNameSchema.safeParse(name);
    expect(r.success ? r.data : undefined).toBe(expected);
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
