/**
 * @module `--trust-proxy` over a real loopback socket: off, X-Forwarded-For is ignored and the socket's address is
 * the client (so rotating the header cannot dodge the per-address lockout); on, the proxy's last hop is used.
 */
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { testPassword } from '../support/app-harness.js';
import { harnessPerTest } from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const createHarness = harnessPerTest();
const wrong = 'not the password at all';
const servers: ServerType[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    await new Promise<void>((done) => {
      s.close(() => done());
      if ('closeAllConnections' in s) s.closeAllConnections();
    });
  }
});

/** Serves the harness's app on 127.0.0.1 and returns a login function that posts from this process. */
async function servedHarness(trustProxy: boolean) {
  const h = await createHarness({ trustProxy });
  await h.setupAdmin();
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: h.app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) =>
      resolve(info.port),
    );
    servers.push(server);
  });
  const login = (username: string, password: string, forwardedFor: string) =>
    fetch(`http://127.0.0.1:${port}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': forwardedFor },
      body: JSON.stringify({ username, password }),
    });
  const auditAddresses = (type: string) =>
    readAuditLog(h.store.log('audit'))
      .filter((e) => e.type === type)
      .map((e) => e.clientAddress);
  return { h, login, auditAddresses };
}

describe('--trust-proxy off (the default)', () => {
  it('ignores X-Forwarded-For: rotating it still locks out the one real client address', async () => {
    const { h, login, auditAddresses } = await servedHarness(false);
    // Different usernames, so only the per-address key can lock; a new forged address each time.
    for (let i = 1; i <= 5; i++) {
      const res = await login(`user${i}`, wrong, `198.51.100.${i}`);
      expect(res.status).toBe(401);
    }
    const sixth = await login('admin', testPassword, '198.51.100.77');
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBe('30');

    expect(auditAddresses('login.failure')).toEqual(Array(6).fill('127.0.0.1'));
    const lockouts = readAuditLog(h.store.log('audit')).filter((e) => e.type === 'login.lockout');
    expect(lockouts.map((e) => e.details.key)).toEqual(['client:127.0.0.1']);
    const logged = h.logger.lines.filter((l) => l.msg === 'login lockout').map((l) => l.fields);
    expect(logged).toEqual([
      { username: 'user5', clientAddress: '127.0.0.1', lockouts: ['client:127.0.0.1'] },
    ]);

    h.clock.advance(30_000);
    expect((await login('admin', testPassword, '198.51.100.78')).status).toBe(200);
  });
});

describe('--trust-proxy on', () => {
  it('takes the client address from X-Forwarded-For: each forwarded address has its own count', async () => {
    const { login, auditAddresses } = await servedHarness(true);
    for (let i = 1; i <= 5; i++) {
      expect((await login(`user${i}`, wrong, `198.51.100.${i}`)).status).toBe(401);
    }
    // No address (and no account) has five failures, so the right password gets in.
    expect((await login('admin', testPassword, '198.51.100.77')).status).toBe(200);
    expect(auditAddresses('login.failure')).toEqual([1, 2, 3, 4, 5].map((i) => `198.51.100.${i}`));
    expect(auditAddresses('login.success')).toEqual(['198.51.100.77']);
  });
});

describe('--trust-proxy on, with an X-Forwarded-For that is no address', () => {
  it.each([
    ['400 characters', 'x'.repeat(400)],
    ['garbage last', '198.51.100.4, not-an-address'],
    ['an address with a long zone', `fe80::1%${'z'.repeat(400)}`],
  ])(
    '(%s) the socket address counts: 401 five times, then 429, every failure audited',
    async (_w, header) => {
      const { h, login, auditAddresses } = await servedHarness(true);
      for (let i = 1; i <= 5; i++) expect((await login(`user${i}`, wrong, header)).status).toBe(401);
      expect((await login('admin', testPassword, header)).status).toBe(429);
      expect(auditAddresses('login.failure')).toEqual(Array(6).fill('127.0.0.1'));
      expect(h.store.read().lockouts.map((l) => l.key)).toContain('client:127.0.0.1');
      expect(h.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
      // Noted at debug by its length, never its text.
      const noted = h.logger.lines.filter((l) => l.msg.startsWith('X-Forwarded-For holds no IP address'));
      expect(noted.map((l) => [l.level, l.fields.headerLength])).toEqual(
        Array(6).fill(['debug', header.length]),
      );
      expect(JSON.stringify(h.logger.lines)).not.toContain(header.slice(-40));
    },
  );

  it('an address with a port or in brackets counts without them', async () => {
    const { login, auditAddresses } = await servedHarness(true);
    expect((await login('user1', wrong, '198.51.100.9:8080')).status).toBe(401);
    expect((await login('user2', wrong, '[2001:db8::5]:443')).status).toBe(401);
    expect(auditAddresses('login.failure')).toEqual(['198.51.100.9', '2001:db8::5']);
  });
});
