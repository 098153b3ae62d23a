import { describe, expect, it } from 'vitest';
import type { DumpPeer } from './model.js';
import { clockSkewSeconds, endpointAddress, isPublicEndpoint, peerStatus } from './peer-status.js';

const peer: DumpPeer = {
  publicKey: 'aZwgVSduRyPks8WxR2UFQveyx4pWaE/t7a4YOVnVhmA=',
  presharedKey: null,
  endpoint: '198.51.100.7:51000',
  allowedIps: ['10.8.0.2/32'],
  latestHandshake: 1_700_000_000,
  rxBytes: 1234,
  txBytes: 5678,
  persistentKeepalive: 0,
};
const at = 1_700_000_000_000;

describe('peerStatus', () => {
  it('reports the handshake time, endpoint and traffic', () => {
    expect(peerStatus(peer, at + 1000, 180)).toEqual({
      online: true,
      latestHandshakeAt: '2023-11-14T22:13:20.000Z',
      endpoint: '198.51.100.7:51000',
      rxBytes: 1234,
      txBytes: 5678,
    });
  });

  it('a peer that never shook hands is offline, with no time', () => {
    expect(peerStatus({ ...peer, latestHandshake: null, endpoint: null }, at, 180)).toEqual({
      online: false,
      latestHandshakeAt: null,
      endpoint: null,
      rxBytes: 1234,
      txBytes: 5678,
    });
  });

  it.each([
    [0, 180, true],
    [180_000, 180, true],
    [180_001, 180, false],
    [179_999, 180, true],
    [10_000, 10, true],
    [10_001, 10, false],
    [-clockSkewSeconds * 1000, 180, true],
    [-clockSkewSeconds * 1000 - 1, 180, false],
    [-1, 180, true],
    [86_400_000, 180, false],
  ])('%s ms after the handshake with a %s s window: online %s', (offsetMs, window, online) => {
    expect(peerStatus(peer, at + offsetMs, window).online).toBe(online);
  });

  it('a peer that never shook hands is offline whatever the time', () => {
    for (const nowMs of [0, 1000, at])
      expect(peerStatus({ ...peer, latestHandshake: null }, nowMs, 180).online).toBe(false);
  });

  it('allows a minute of clock skew', () => {
    expect(clockSkewSeconds).toBe(60);
  });
});

describe('endpointAddress', () => {
  it.each([
    ['198.51.100.7:51000', '198.51.100.7'],
    ['198.51.100.7:0', '198.51.100.7'],
    ['[2001:db8::7]:51820', '2001:db8::7'],
    ['[fe80::1%eth0]:51820', 'fe80::1'],
    ['[fe80::1%eth0.100]:1', 'fe80::1'],
    ['[::ffff:198.51.100.7]:5', '::ffff:198.51.100.7'],
    ['(none)', undefined],
    ['', undefined],
    ['198.51.100.7', undefined],
    ['198.51.100.7:', undefined],
    ['198.51.100.7:x', undefined],
    [':51820', undefined],
    ['[]:51820', undefined],
    ['2001:db8::7:51820', undefined],
    ['[198.51.100.7]:51820', undefined],
    ['[2001:db8::7]', undefined],
    ['[2001:db8::7]51820', undefined],
    ['x[2001:db8::7]:1', undefined],
    ['x:[2001:db8::7]:1', undefined],
    ['[2001:db8::7:1', undefined],
    ['2001:db8::7]:1', undefined],
    ['x:198.51.100.7:1', undefined],
    ['198.51.100.7:65535', '198.51.100.7'],
    ['198.51.100.7:65536', undefined],
    ['198.51.100.7:-1', undefined],
    ['198.51.100.7: 1', undefined],
    ['[2001:db8::7%]:1', '2001:db8::7'],
    ['[2001:db8::7]:1x', undefined],
    ['host.example.test:51820', undefined],
    ['198.51.100.7:51820\n', undefined],
  ])('%j → %s', (endpoint, address) => {
    expect(endpointAddress(endpoint)).toBe(address);
  });
});

describe('isPublicEndpoint', () => {
  it.each([
    ['8.8.8.8:51000', [], true],
    ['[2606:4700::1111]:51000', [], true],
    ['192.168.1.50:51000', [], false],
    ['100.64.1.2:51000', [], false],
    ['[fd8a::2]:51000', [], false],
    ['[fe80::1%eth0]:51000', [], false],
    ['198.51.100.7:51000', [], false],
    ['198.51.100.7:51000', ['198.51.100.0/24'], true],
    ['[2001:db8::7]:1', ['2001:db8::/32'], true],
    ['[2001:db8::7]:1', ['198.51.100.0/24'], false],
    ['(none)', ['0.0.0.0/0'], false],
    ['junk:1', ['0.0.0.0/0'], false],
  ])('%s with public ranges %j → %s', (endpoint, ranges, isPublic) => {
    expect(isPublicEndpoint(endpoint, ranges)).toBe(isPublic);
  });
});
