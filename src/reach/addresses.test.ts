import { describe, expect, it } from 'vitest';
import { checkBogon, inCidr, isPrivateOrCgnat, parseCidr, toBigInt } from './addresses.js';

describe('addresses', () => {
  it.each([
    ['0.0.0.1', 1n],
    ['1.2.3.4', 0x01020304n],
    ['::1', 1n],
    ['2001:db8::2', 0x20010db8000000000000000000000002n],
    ['::ffff:1.2.3.4', 0xffff01020304n],
  ])('toBigInt(%s)', (address, value) => {
    expect(toBigInt(address)).toBe(value);
  });

  it('matches CIDRs by prefix', () => {
    const cgn = parseCidr('100.64.0.0/10');
    expect(cgn && inCidr('100.127.255.255', cgn)).toBe(true);
    expect(cgn && inCidr('100.128.0.0', cgn)).toBe(false);
    const doc6 = parseCidr('2001:db8::/32');
    expect(doc6 && inCidr('2001:db8:10::2', doc6)).toBe(true);
    expect(doc6 && inCidr('2001:db9::1', doc6)).toBe(false);
    expect(doc6 && inCidr('1.2.3.4', doc6)).toBe(false);
  });

  it.each([
    ['10.1.2.3', '10.0.0.0/8'],
    ['100.64.0.2', '100.64.0.0/10'],
    ['192.0.0.2', '192.0.0.0/29'],
    ['192.168.1.1', '192.168.0.0/16'],
    ['169.254.9.9', '169.254.0.0/16'],
    ['127.0.0.1', '127.0.0.0/8'],
    ['224.0.0.251', '224.0.0.0/4'],
    ['203.0.113.2', '203.0.113.0/24'],
    ['fe80::1', 'fe80::/10'],
    ['fd12:3456::1', 'fc00::/7'],
    ['2001:db8::1', '2001:db8::/32'],
    ['not-an-ip', 'not-an-ip'],
  ])('%s is a bogon (%s)', (address, range) => {
    expect(checkBogon(address)).toMatchObject({ bogon: true, range });
  });

  it.each(['1.1.1.1', '8.8.8.8', '2606:4700::1111', '2a00:1450::1'])('%s is public', (address) => {
    expect(checkBogon(address)).toEqual({ bogon: false });
  });

  it('configured public ranges override the bogon list (test bed, lab)', () => {
    expect(checkBogon('203.0.113.2', ['203.0.113.0/24'])).toEqual({ bogon: false });
    expect(checkBogon('2001:db8:10::2', ['2001:db8::/32'])).toEqual({ bogon: false });
    expect(checkBogon('100.64.0.2', ['203.0.113.0/24']).bogon).toBe(true);
  });

  it('tells CGNAT from private space', () => {
    expect(isPrivateOrCgnat('100.64.0.1')).toBe('cgnat');
    expect(isPrivateOrCgnat('10.20.0.1')).toBe('private');
    expect(isPrivateOrCgnat('203.0.113.1')).toBeUndefined();
  });
});
