/** @module Login throttling over HTTP: lockouts per account and per client address, growth, audit and enumeration. */
import { describe, expect, it } from 'vitest';
import { testPassword } from '../support/app-harness.js';
import { expectError, harnessPerTest, login } from '../support/api-helpers.js';
import { readAuditLog } from '../../src/audit/read.js';

const createHarness = harnessPerTest();
const wrong = 'not the password at all';

describe('per-account lockout (one username, many addresses)', () => {
  it('locks the account after 5 failures: the 6th attempt is 429 with Retry-After, even with the right password', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    for (let i = 1; i <= 5; i++) {
      const { res } = await login(h, { password: wrong, from: `198.51.100.${i}` });
      await expectError(res, 401, 'auth.invalid-credentials');
    }
    const sixth = await login(h, { password: wrong, from: '198.51.100.6' });
    await expectError(sixth.res, 429, 'auth.locked');
    expect(sixth.res.headers.get('retry-after')).toBe('30');

    const right = await login(h, { from: '198.51.100.7' });
    await expectError(right.res, 429, 'auth.locked');
    expect(right.cookie).toBeUndefined();
    // The account key is case-insensitive like the username itself.
    await expectError((await login(h, { username: 'ADMIN', from: '198.51.100.8' })).res, 429, 'auth.locked');

    h.clock.advance(29_000);
    const almost = await login(h, { from: '198.51.100.9' });
    await expectError(almost.res, 429, 'auth.locked');
    expect(almost.res.headers.get('retry-after')).toBe('1');

    h.clock.advance(1_001);
    const after = await login(h, { from: '198.51.100.10' });
    expect(after.res.status).toBe(200);
    expect(after.cookie).toBeDefined();
  });

  it('grows the lockout: one failure after the first lockout starts a second, longer one', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    for (let i = 1; i <= 5; i++) await login(h, { password: wrong, from: `198.51.100.${i}` });
    const first = await login(h, { password: wrong, from: '198.51.100.6' });
    const firstSeconds = Number(first.res.headers.get('retry-after'));
    expect(firstSeconds).toBe(30);

    h.clock.advance(firstSeconds * 1000 + 1);
    await expectError((await login(h, { password: wrong, from: '198.51.100.7' })).res, 401);
    const second = await login(h, { from: '198.51.100.8' });
    await expectError(second.res, 429, 'auth.locked');
    const secondSeconds = Number(second.res.headers.get('retry-after'));
    expect(secondSeconds).toBeGreaterThan(firstSeconds);
    expect(secondSeconds).toBe(60);

    // Still locked after the first lockout's length has passed again.
    h.clock.advance(firstSeconds * 1000 + 1);
    await expectError((await login(h, { from: '198.51.100.9' })).res, 429, 'auth.locked');
    h.clock.advance((secondSeconds - firstSeconds) * 1000);
    expect((await login(h, { from: '198.51.100.10' })).res.status).toBe(200);

    // A success forgets the failures: the next lockout starts from the base length again.
    for (let i = 1; i <= 5; i++) await login(h, { password: wrong, from: `198.51.100.${20 + i}` });
    expect((await login(h, { from: '198.51.100.30' })).res.headers.get('retry-after')).toBe('30');
  });
});

describe('per-client lockout (many usernames, one address)', () => {
  it('locks the address after 5 failures across different usernames, but not the account elsewhere', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const attacker = '192.0.2.66';
    for (const username of ['root', 'administrator', 'user', 'test', 'guest']) {
      await expectError((await login(h, { username, password: wrong, from: attacker })).res, 401);
    }
    const locked = await login(h, { username: 'admin', from: attacker });
    await expectError(locked.res, 429, 'auth.locked');
    expect(locked.res.headers.get('retry-after')).toBe('30');
    // The real admin, from another address, still gets in.
    expect((await login(h, { from: '198.51.100.200' })).res.status).toBe(200);

    h.clock.advance(30_001);
    expect((await login(h, { from: attacker })).res.status).toBe(200);
  });
});

describe('client address behind the reverse proxy', () => {
  it('cannot be forged with an X-Forwarded-For header that the proxy then extends', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const attacker = '192.0.2.66';
    // A proxy appends the address it saw, so whatever the client sent stays on the left.
    for (let i = 1; i <= 5; i++) {
      const res = await h.request('POST', '/api/v1/auth/login', {
        body: { username: `user${i}`, password: wrong },
        headers: { 'x-forwarded-for': `10.9.8.${i}, ${attacker}` },
      });
      await expectError(res, 401);
    }
    const sixth = await h.request('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: testPassword },
      headers: { 'x-forwarded-for': `10.9.8.77, ${attacker}` },
    });
    await expectError(sixth, 429, 'auth.locked');
    const addresses = new Set(
      readAuditLog(h.store.log('audit'))
        .filter((e) => e.type === 'login.failure')
        .map((e) => e.clientAddress),
    );
    expect([...addresses]).toEqual([attacker]);
  });
});

describe('audit and metrics of failures', () => {
  it('records each failure as login.failure and each lockout as login.lockout, naming account and client keys', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    for (let i = 0; i < 5; i++) await login(h, { password: wrong, from: '192.0.2.10' });
    await login(h, { from: '192.0.2.10' });

    const audit = readAuditLog(h.store.log('audit'));
    const failures = audit.filter((e) => e.type === 'login.failure');
    // Five wrong passwords plus one refused attempt while locked.
    expect(failures).toHaveLength(6);
    expect(
      failures.every(
        (e) => e.actor === 'admin' && e.outcome === 'failure' && e.clientAddress === '192.0.2.10',
      ),
    ).toBe(true);
    expect(failures.at(-1)?.details).toEqual({ reason: 'locked out' });
    const lockouts = audit.filter((e) => e.type === 'login.lockout');
    expect(lockouts.map((e) => e.details.key).sort()).toEqual(['account:admin', 'client:192.0.2.10']);
    expect(lockouts.every((e) => e.details.seconds === 30)).toBe(true);
    expect(JSON.stringify(audit)).not.toContain(wrong);

    expect(h.logger.lines.some((l) => l.level === 'warn' && l.msg === 'login lockout')).toBe(true);
    const metrics = await h.metrics.registry.getSingleMetricAsString('gatehouse_login_attempts_total');
    expect(metrics).toContain('gatehouse_login_attempts_total{outcome="failure"} 5');
    expect(metrics).toContain('gatehouse_login_attempts_total{outcome="locked"} 1');
  });
});

describe('user enumeration', () => {
  it('gives an unknown username exactly the same answer as a wrong password', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    const wrongPassword = await login(h, { password: wrong, from: '198.51.100.1' });
    const unknownUser = await login(h, { username: 'nobody', password: wrong, from: '198.51.100.2' });
    expect(unknownUser.res.status).toBe(wrongPassword.res.status);
    expect(wrongPassword.res.status).toBe(401);
    expect(await unknownUser.res.text()).toBe(await wrongPassword.res.text());
    expect(unknownUser.res.headers.get('set-cookie')).toBeNull();
  });

  it('locks an unknown username just like a real one', async () => {
    const h = await createHarness();
    await h.setupAdmin();
    for (let i = 1; i <= 5; i++)
      await login(h, { username: 'ghost', password: wrong, from: `198.51.100.${i}` });
    await expectError(
      (await login(h, { username: 'ghost', password: testPassword, from: '198.51.100.9' })).res,
      429,
    );
  });
});
