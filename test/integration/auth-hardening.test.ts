// Abuse cases: code replay across a restart, password guessing from a stolen session, audit flooding,
// abandoning a half-finished login, and exact audit paging.
import { describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/service.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import { MemoryLogger } from '../fakes/logger.js';
import {
  auditTypes,
  bearer,
  enableTotp,
  expectError,
  harnessPerTest,
  login,
  totpCodeAt,
} from '../support/api-helpers.js';
import { testPassword } from '../support/app-harness.js';
import { readAuditLog } from '../../src/audit/read.js';

const harness = harnessPerTest();
const ctx = { clientAddress: '203.0.113.50', userAgent: 'test' };

describe('auth hardening', () => {
  it('a TOTP code accepted once is refused after a restart (the last step is persisted)', async () => {
    const h = await harness();
    const session = await h.setupAdmin();
    const { secret } = await enableTotp(h, session);
    h.clock.advance(30_000);
    const code = totpCodeAt(secret, h.clock.now());
    const first = await login(h);
    const ok = await h.request('POST', '/api/v1/auth/login/totp', {
      cookie: first.cookie ?? '',
      body: { code },
    });
    expect(ok.status).toBe(200);

    // A new process: a fresh AuthService over the same store.
    const restarted = new AuthService({
      store: h.store,
      clock: h.clock,
      logger: new MemoryLogger(),
      files: nodePrivateFiles,
      dataDir: h.dataDir,
      sessionPolicy: { idleMs: 3600_000, maxAgeMs: 86_400_000, pendingMfaMs: 300_000 },
    });
    const pending = await restarted.login({ username: 'admin', password: testPassword }, ctx);
    expect(pending.ok && pending.value.session.stage).toBe('pending-mfa');
    const replay = await restarted.completeMfa(
      pending.ok ? pending.value.sessionId : undefined,
      { code },
      ctx,
    );
    expect(replay.ok).toBe(false);
    if (!replay.ok) expect(replay.error.code).toBe('auth.invalid-code');
    // The next time step works.
    h.clock.advance(30_000);
    const fresh = await restarted.completeMfa(
      pending.ok ? pending.value.sessionId : undefined,
      { code: totpCodeAt(secret, h.clock.now()) },
      ctx,
    );
    expect(fresh.ok).toBe(true);
  });

  it('wrong passwords on sensitive changes count toward the lockout', async () => {
    const h = await harness();
    const session = await h.setupAdmin();
    for (let i = 0; i < 5; i++) {
      const res = await h.request('POST', '/api/v1/auth/password', {
        ...session,
        body: { currentPassword: `guess number ${i}`, newPassword: 'a brand new passphrase' },
      });
      await expectError(res, 403, 'auth.wrong-password');
    }
    // Locked now: even the right password is refused, on this and the other guarded routes.
    const locked = await h.request('POST', '/api/v1/auth/password', {
      ...session,
      body: { currentPassword: testPassword, newPassword: 'a brand new passphrase' },
    });
    const body = await expectError(locked, 429, 'auth.locked');
    expect(body.error.message).toMatch(/try again in \d+ s/);
    await expectError(
      await h.request('POST', '/api/v1/auth/totp/disable', { ...session, body: { password: testPassword } }),
      429,
      'auth.locked',
    );
    expect(auditTypes(h).filter((t) => t === 'password.confirm-failed')).toHaveLength(5);
    expect(auditTypes(h)).toContain('login.lockout');
    h.clock.advance(31_000);
    const after = await h.request('POST', '/api/v1/auth/password', {
      ...session,
      body: { currentPassword: testPassword, newPassword: 'a brand new passphrase' },
    });
    expect(after.status).toBe(200);
  });

  it('unknown bearer tokens are audited at most once a minute per client', async () => {
    const h = await harness();
    await h.setupAdmin();
    const before = readAuditLog(h.store.log('audit')).length;
    for (let i = 0; i < 20; i++) {
      await expectError(await h.request('GET', '/api/v1/status', { headers: bearer(`ghp_guess${i}`) }), 401);
    }
    expect(readAuditLog(h.store.log('audit')).length - before).toBe(1);
    // Another client is audited on its own.
    await h.request('GET', '/api/v1/status', {
      headers: { ...bearer('ghp_x'), 'x-forwarded-for': '198.51.100.7' },
    });
    expect(readAuditLog(h.store.log('audit')).length - before).toBe(2);
    h.clock.advance(61_000);
    await h.request('GET', '/api/v1/status', { headers: bearer('ghp_later') });
    expect(readAuditLog(h.store.log('audit')).length - before).toBe(3);
  });

  it('attempts during a lockout are answered 429 but do not flood the audit log', async () => {
    const h = await harness();
    await h.setupAdmin();
    for (let i = 0; i < 5; i++) await login(h, { password: `wrong password ${i}` });
    const before = readAuditLog(h.store.log('audit')).length;
    for (let i = 0; i < 30; i++)
      expect((await login(h, { password: 'another guess!' })).res.status).toBe(429);
    expect(readAuditLog(h.store.log('audit')).length - before).toBe(1);
  });

  it('a half-finished login (waiting for the code) can be abandoned with logout', async () => {
    const h = await harness();
    const session = await h.setupAdmin();
    const { secret } = await enableTotp(h, session);
    const pending = await login(h);
    const out = await h.request('POST', '/api/v1/auth/logout', { cookie: pending.cookie ?? '' });
    expect(out.status).toBe(200);
    h.clock.advance(30_000);
    const late = await h.request('POST', '/api/v1/auth/login/totp', {
      cookie: pending.cookie ?? '',
      body: { code: totpCodeAt(secret, h.clock.now()) },
    });
    await expectError(late, 401, 'auth.no-pending-login');
  });

  it('audit paging with the cursor loses nothing when events share a timestamp', async () => {
    const h = await harness();
    h.auditTypes.registerAuditTypes('test', {
      'test.same-time': 'Events recorded at one instant, for paging',
    });
    const session = await h.setupAdmin();
    // Five events written in the same millisecond.
    await h.store.update((_d, tx) => {
      for (let i = 0; i < 5; i++) {
        tx.append('audit', {
          id: `00000000-0000-4000-8000-00000000000${i}`,
          at: h.clock.now().toISOString(),
          type: 'test.same-time',
          actor: 'x',
          clientAddress: 'x',
          outcome: 'success',
          details: { n: i },
        });
      }
    });
    const seen: number[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 5; page++) {
      const query: string = `?type=test.same-time&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const res = await h.request('GET', `/api/v1/audit${query}`, { cookie: session.cookie });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { events: { details: { n: number } }[]; nextCursor: string | null };
      seen.push(...body.events.map((e) => e.details.n));
      cursor = body.nextCursor;
      if (cursor === null) break;
    }
    expect(seen).toEqual([4, 3, 2, 1, 0]);
    await expectError(
      await h.request('GET', '/api/v1/audit?cursor=00000000-0000-4000-8000-0000000000ff', {
        cookie: session.cookie,
      }),
      400,
      'audit.cursor-unknown',
    );
  });

  it('parallel wrong passwords cannot slip past the limit', async () => {
    const h = await harness();
    await h.setupAdmin();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        login(h, { password: `parallel guess ${i}` }).then((r) => r.res.status),
      ),
    );
    expect(results.filter((s) => s === 401)).toHaveLength(5);
    expect(results.filter((s) => s === 429)).toHaveLength(35);
    // And the account is now locked for real.
    expect((await login(h)).res.status).toBe(429);
  });

  it('logging in with the password again does not reset the lockout that wrong codes build up', async () => {
    const h = await harness();
    const session = await h.setupAdmin();
    await enableTotp(h, session);
    const codeAnswers: number[] = [];
    // Three rounds of: right password, then two wrong codes.
    for (let round = 0; round < 3; round++) {
      const pending = await login(h);
      expect(pending.res.status).toBe(200);
      for (let i = 0; i < 2; i++) {
        const res = await h.request('POST', '/api/v1/auth/login/totp', {
          cookie: pending.cookie ?? '',
          body: { code: '000000' },
        });
        codeAnswers.push(res.status);
      }
    }
    // Five wrong codes are free, the sixth is refused although the password was entered again in between...
    expect(codeAnswers).toEqual([401, 401, 401, 401, 401, 429]);
    // ...and the password step is locked out too.
    expect((await login(h)).res.status).toBe(429);
  });

  it('the session cookie lives until the absolute session end, not the first idle deadline', async () => {
    const h = await harness();
    await h.setupAdmin();
    const { res } = await login(h);
    // Harness policy: idle 1 h, absolute 24 h.
    expect(res.headers.get('set-cookie') ?? '').toMatch(/Max-Age=86400/);
  });
});
