import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import type { AppEnv } from '../context.js';
import { forwardedAddress, identify, sessionCookieSettings, type Identifier } from './identify.js';

describe('forwardedAddress (the client address in X-Forwarded-For, behind a trusted proxy)', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['198.51.100.7', '198.51.100.7'],
    [' 198.51.100.7 ', '198.51.100.7'],
    ['203.0.113.1, 198.51.100.7', '198.51.100.7'],
    ['198.51.100.7, 203.0.113.1', '203.0.113.1'],
    ['198.51.100.7:8080', '198.51.100.7'],
    ['198.51.100.7:123456', undefined],
    ['2001:db8::1', '2001:db8::1'],
    ['[2001:db8::1]', '2001:db8::1'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['[2001:db8::1]:', undefined],
    ['[2001:db8::1', undefined],
    ['x[2001:db8::1]', undefined],
    ['[2001:db8::1]:443x', undefined],
    ['x198.51.100.7:80', undefined],
    ['198.51.100.7:80x', undefined],
    ['[198.51.100.7]', '198.51.100.7'],
    ['::ffff:198.51.100.7', '::ffff:198.51.100.7'],
    ['fe80::1%eth0', 'fe80::1%eth0'],
    [`fe80::1%${'z'.repeat(56)}`, `fe80::1%${'z'.repeat(56)}`],
    [`fe80::1%${'z'.repeat(57)}`, undefined],
    ['198.51.100.7, ', undefined],
    ['unknown', undefined],
    ['x'.repeat(400), undefined],
    ['198.51.100.256', undefined],
  ])('%j → %j', (header, address) => {
    expect(forwardedAddress(header)).toBe(address);
  });
});

describe('identify, behind a trusted proxy', () => {
  const nobody = {
    authenticateSession: () => Promise.resolve(undefined),
    tokens: { authenticate: () => Promise.resolve(undefined) },
  } as unknown as Identifier;
  function appWith(logger: MemoryLogger) {
    const app = new Hono<AppEnv>();
    app.use('*', identify(nobody, sessionCookieSettings(false), true, logger));
    app.get('/', (c) => c.text(c.get('requestContext').clientAddress));
    return app;
  }

  it('uses a forwarded address and logs nothing', async () => {
    const logger = new MemoryLogger();
    const res = await appWith(logger).request('/', { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(await res.text()).toBe('198.51.100.7');
    expect(logger.lines).toEqual([]);
  });

  it('ignores one that is no address, noting its length (not its text) at debug', async () => {
    const logger = new MemoryLogger();
    const res = await appWith(logger).request('/', { headers: { 'x-forwarded-for': 'secret-ish junk' } });
    // app.request() has no socket to fall back on.
    expect(await res.text()).toBe('unknown');
    expect(logger.lines).toEqual([
      {
        level: 'debug',
        fields: { headerLength: 15 },
        msg: 'X-Forwarded-For holds no IP address last; using the socket address',
      },
    ]);
  });

  it('without a logger, ignores it all the same', async () => {
    const app = new Hono<AppEnv>();
    app.use('*', identify(nobody, sessionCookieSettings(false), true));
    app.get('/', (c) => c.text(c.get('requestContext').clientAddress));
    expect(await (await app.request('/', { headers: { 'x-forwarded-for': 'junk' } })).text()).toBe('unknown');
  });

  it('with trust-proxy off, never reads the header', async () => {
    const logger = new MemoryLogger();
    const app = new Hono<AppEnv>();
    app.use('*', identify(nobody, sessionCookieSettings(false), false, logger));
    app.get('/', (c) => c.text(c.get('requestContext').clientAddress));
    const res = await app.request('/', { headers: { 'x-forwarded-for': '198.51.100.7' } });
    expect(await res.text()).toBe('unknown');
    expect((await app.request('/', { headers: { 'x-forwarded-for': 'junk' } })).status).toBe(200);
    expect(logger.lines).toEqual([]);
  });

  it('without the header, logs nothing', async () => {
    const logger = new MemoryLogger();
    expect(await (await appWith(logger).request('/')).text()).toBe('unknown');
    expect(logger.lines).toEqual([]);
  });
});

describe('sessionCookieSettings', () => {
  it('over HTTPS: __Host- prefixed and Secure; over HTTP: plain names, not Secure', () => {
    expect(sessionCookieSettings(true)).toEqual({
      name: '__Host-gatehouse_session',
      secure: true,
      deviceName: '__Host-gatehouse_device',
    });
    expect(sessionCookieSettings(false)).toEqual({
      name: 'gatehouse_session',
      secure: false,
      deviceName: 'gatehouse_device',
    });
  });
});
