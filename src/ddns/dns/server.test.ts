import { describe, expect, it } from 'vitest';
import { parseServer } from './server.js';

const name254 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(62)}`;

describe('parseServer', () => {
  it.each([
    [' 203.0.113.65 ', { address: '203.0.113.65', port: 53 }],
    ['\t[2001:db8::53]:5353\n', { address: '2001:db8::53', port: 5353 }],
    ['x[2001:db8::53]:53', undefined],
    ['[2001:db8::53]:53x', undefined],
    ['[2001:db8::53]x', undefined],
    ['ns1.example.com:1', { address: 'ns1.example.com', port: 1 }],
    ['ns1.example.com:65535', { address: 'ns1.example.com', port: 65535 }],
    ['[2001:db8::53]:0', undefined],
    ['a.example.com', { address: 'a.example.com', port: 53 }],
    ['ns1.example.com.', { address: 'ns1.example.com.', port: 53 }],
    ['_ns.example.com', { address: '_ns.example.com', port: 53 }],
    ['ns.example._com', undefined],
    [name254, undefined],
    [name254.slice(1), { address: name254.slice(1), port: 53 }],
    ['ns1.example.com:123456', undefined],
  ])('%j → %j', (text, endpoint) => {
    expect(parseServer(text)).toEqual(endpoint);
  });
});
