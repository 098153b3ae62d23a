/** @module Admin authentication: setup, login with TOTP, sessions, API tokens, password and 2FA management. */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PrivateFiles } from '../core/node-fs.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { ApiToken, Session, State, User } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { appendAudit, type AuditInput } from './audit.js';
import { constantTimeEqual, generateSecret, sha256Hex } from './crypto.js';
import { createTimingDummyHash, hashPassword, verifyPassword } from './passwords.js';
import { LoginThrottle, type LockoutPolicy } from './rate-limit.js';
import { isSessionLive, needsTouch, sessionExpiry, type SessionPolicy } from './sessions.js';
import { checkSetupToken, ensureSetupToken, removeSetupToken } from './setup-token.js';
import {
  createTotpSecret,
  generateRecoveryCodes,
  normalizeRecoveryCode,
  provisioningQrSvg,
  provisioningUri,
  verifyTotp,
} from './totp.js';

export interface AuthFailure {
  readonly code: string;
  readonly message: string;
  readonly status: 400 | 401 | 403 | 404 | 409 | 429;
  readonly retryAfterSeconds?: number;
}

/** Who is making a request, for throttling and the audit log. */
export interface RequestContext {
  readonly clientAddress: string;
  readonly userAgent: string;
}

export interface IssuedSession {
  /** The cookie value: returned once, stored only as a hash. */
  readonly sessionId: string;
  readonly session: Session;
  readonly user: User;
  /**
   * How long the browser should keep the cookie: until the session's absolute end (the server enforces the idle
   * limit itself), so an active session is not dropped by the browser at the first idle deadline.
   */
  readonly cookieMaxAgeSeconds: number;
}

export interface AuthEvents {
  loginAttempt(outcome: 'success' | 'failure' | 'locked'): void;
}

export interface AuthServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly files: PrivateFiles;
  readonly dataDir: string;
  readonly sessionPolicy: SessionPolicy;
  readonly lockoutPolicy?: LockoutPolicy;
  readonly events?: AuthEvents;
}

const tokenPrefix = 'ghp_';

const err = (
  status: AuthFailure['status'],
  code: string,
  message: string,
  retryAfterSeconds?: number,
): AuthFailure =>
  retryAfterSeconds === undefined ? { status, code, message } : { status, code, message, retryAfterSeconds };

export class AuthService {
  private readonly throttle: LoginThrottle;
  /** Hash checked for unknown usernames, so response time does not reveal which names exist. */
  private dummyHash: Promise<string> | undefined;
  /** When an audit event of a noisy kind (key: type + client) was last written; see auditSampled. */
  private readonly auditSampledAt = new Map<string, number>();

  constructor(private readonly deps: AuthServiceDeps) {
    this.throttle = new LoginThrottle(deps.clock, deps.lockoutPolicy);
  }

  needsSetup(): boolean {
    return this.deps.store.read().setupCompletedAt === null;
  }

  /** The pending setup token (created if needed), or undefined once setup is complete. */
  pendingSetupToken(): string | undefined {
    if (!this.needsSetup()) return undefined;
    return ensureSetupToken(this.deps.files, this.deps.dataDir);
  }

  async completeSetup(
    input: { setupToken: string; username: string; password: string },
    ctx: RequestContext,
  ): Promise<Outcome<IssuedSession, AuthFailure>> {
    if (!this.needsSetup())
      return fail(err(409, 'setup.already-complete', 'Gatehouse is already set up; log in instead'));
    const keys = [`setup:${ctx.clientAddress}`];
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) return fail(this.lockedFailure(gate.retryAfterMs));
    try {
      return await this.completeSetupAttempt(input, ctx, keys);
    } finally {
      this.throttle.end(keys);
    }
  }

  private async completeSetupAttempt(
    input: { setupToken: string; username: string; password: string },
    ctx: RequestContext,
    keys: string[],
  ): Promise<Outcome<IssuedSession, AuthFailure>> {
    if (!checkSetupToken(this.deps.files, this.deps.dataDir, input.setupToken)) {
      this.throttle.recordFailure(keys);
      await this.audit({
        type: 'setup.token-rejected',
        actor: input.username,
        outcome: 'failure',
        ...ctxFields(ctx),
      });
      return fail(
        err(
          403,
          'setup.bad-token',
          'the setup token is wrong; find it in the server log or run `gatehouse setup-token`',
        ),
      );
    }
    const passwordHash = await hashPassword(input.password);
    const now = this.deps.clock.now();
    const user: User = {
      id: randomUUID(),
      username: input.username,
      passwordHash,
      createdAt: now.toISOString(),
      passwordChangedAt: now.toISOString(),
      totpSecret: null,
      pendingTotpSecret: null,
      recoveryCodeHashes: [],
      totpLastStep: null,
    };
    const created = await this.deps.store.update((draft) => {
      // Re-checked inside the serialized update: two concurrent setups cannot both win.
      if (draft.setupCompletedAt !== null) return false;
      draft.users.push(user);
      draft.setupCompletedAt = now.toISOString();
      appendAudit(draft, now, {
        type: 'setup.completed',
        actor: user.username,
        outcome: 'success',
        ...ctxFields(ctx),
      });
      return true;
    });
    if (!created)
      return fail(err(409, 'setup.already-complete', 'Gatehouse is already set up; log in instead'));
    removeSetupToken(this.deps.files, this.deps.dataDir);
    this.deps.logger.info({ username: user.username }, 'setup complete: admin account created');
    return ok(await this.issueSession(user, 'complete', ctx));
  }

  async login(
    input: { username: string; password: string },
    ctx: RequestContext,
  ): Promise<Outcome<IssuedSession, AuthFailure>> {
    const keys = [`account:${input.username.toLowerCase()}`, `client:${ctx.clientAddress}`];
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) {
      this.deps.events?.loginAttempt('locked');
      await this.auditSampled({
        type: 'login.failure',
        actor: input.username,
        outcome: 'failure',
        details: { reason: 'locked out' },
        ...ctxFields(ctx),
      });
      return fail(this.lockedFailure(gate.retryAfterMs));
    }
    try {
      return await this.loginAttempt(input, ctx, keys);
    } finally {
      this.throttle.end(keys);
    }
  }

  private async loginAttempt(
    input: { username: string; password: string },
    ctx: RequestContext,
    keys: string[],
  ): Promise<Outcome<IssuedSession, AuthFailure>> {
    const user = this.findUser(input.username);
    // Verify against a dummy hash for unknown users so response time does not reveal which names exist.
    const valid = await verifyPassword(input.password, user?.passwordHash ?? (await this.timingDummyHash()));
    if (!user || !valid) {
      this.deps.events?.loginAttempt('failure');
      await this.recordLoginFailure(keys, input.username, ctx, 'login.failure');
      return fail(err(401, 'auth.invalid-credentials', 'wrong username or password'));
    }
    if (user.totpSecret !== null) {
      // The counters are cleared only once the second factor is right too: re-entering the password must not
      // reset the lockout that wrong codes are building up.
      return ok(await this.issueSession(user, 'pending-mfa', ctx));
    }
    this.throttle.recordSuccess(keys);
    this.deps.events?.loginAttempt('success');
    await this.audit({ type: 'login.success', actor: user.username, outcome: 'success', ...ctxFields(ctx) });
    return ok(await this.issueSession(user, 'complete', ctx));
  }

  /** Second step of a login: a TOTP code or a recovery code upgrades a pending session to a complete one. */
  async completeMfa(
    sessionId: string | undefined,
    input: { code?: string | undefined; recoveryCode?: string | undefined },
    ctx: RequestContext,
  ): Promise<Outcome<IssuedSession, AuthFailure>> {
    const found = sessionId === undefined ? undefined : this.findSession(sessionId);
    if (!found || found.session.stage !== 'pending-mfa' || found.user.totpSecret === null) {
      return fail(
        err(401, 'auth.no-pending-login', 'no login is waiting for a code; log in with your password first'),
      );
    }
    const keys = [`account:${found.user.username.toLowerCase()}`, `client:${ctx.clientAddress}`];
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) return fail(this.lockedFailure(gate.retryAfterMs));
    try {
      return await this.completeMfaAttempt(found, input, ctx, keys);
    } finally {
      this.throttle.end(keys);
    }
  }

  private async completeMfaAttempt(
    found: { session: Session; user: User },
    input: { code?: string | undefined; recoveryCode?: string | undefined },
    ctx: RequestContext,
    keys: string[],
  ): Promise<Outcome<IssuedSession, AuthFailure>> {
    const { user } = found;

    const now = this.deps.clock.now();
    let usedRecovery: string | undefined;
    let acceptedStep: number | undefined;
    let accepted = false;
    if (input.code !== undefined) {
      acceptedStep = verifyTotp(user.totpSecret ?? '', input.code, now);
      accepted =
        acceptedStep !== undefined && (user.totpLastStep === null || acceptedStep > user.totpLastStep);
    } else if (input.recoveryCode !== undefined) {
      const hash = sha256Hex(normalizeRecoveryCode(input.recoveryCode));
      usedRecovery = user.recoveryCodeHashes.find((h) => constantTimeEqual(h, hash));
      accepted = usedRecovery !== undefined;
    }
    if (!accepted) {
      this.deps.events?.loginAttempt('failure');
      await this.recordLoginFailure(keys, user.username, ctx, 'login.mfa-failure');
      return fail(err(401, 'auth.invalid-code', 'that code is not valid'));
    }
    const oldHash = found.session.idHash;
    const sessionIdNew = generateSecret(32);
    const session = this.newSession(user, 'complete', ctx, sessionIdNew);
    const committed = await this.deps.store.update((draft): 'ok' | 'no-pending-login' | 'code-spent' => {
      // Re-checked inside the serialized update: two racing requests cannot both complete one pending login
      // or both spend one recovery code.
      if (!draft.sessions.some((s) => s.idHash === oldHash)) return 'no-pending-login';
      const u = draft.users.find((x) => x.id === user.id);
      if (acceptedStep !== undefined && u) {
        // Same for a TOTP code: the step must still be newer than the last one accepted.
        if (u.totpLastStep !== null && acceptedStep <= u.totpLastStep) return 'code-spent';
        u.totpLastStep = acceptedStep;
      }
      if (usedRecovery !== undefined) {
        if (!u?.recoveryCodeHashes.includes(usedRecovery)) return 'code-spent';
        u.recoveryCodeHashes = u.recoveryCodeHashes.filter((h) => h !== usedRecovery);
        appendAudit(draft, now, {
          type: 'recovery-code.used',
          actor: user.username,
          outcome: 'success',
          details: { remaining: u.recoveryCodeHashes.length },
          ...ctxFields(ctx),
        });
      }
      // The pending session is replaced by a new id (no fixation of a pre-MFA cookie).
      draft.sessions = draft.sessions.filter((s) => s.idHash !== oldHash);
      draft.sessions.push(session);
      appendAudit(draft, now, {
        type: 'login.success',
        actor: user.username,
        outcome: 'success',
        details: { method: usedRecovery === undefined ? 'totp' : 'recovery-code' },
        ...ctxFields(ctx),
      });
      return 'ok';
    });
    if (committed === 'no-pending-login') {
      return fail(
        err(401, 'auth.no-pending-login', 'this login was already completed or has expired; log in again'),
      );
    }
    if (committed === 'code-spent') {
      this.deps.events?.loginAttempt('failure');
      await this.recordLoginFailure(keys, user.username, ctx, 'login.mfa-failure');
      return fail(err(401, 'auth.invalid-code', 'that code is not valid'));
    }
    this.throttle.recordSuccess(keys);
    this.deps.events?.loginAttempt('success');
    return ok({ sessionId: sessionIdNew, session, user, cookieMaxAgeSeconds: this.cookieMaxAge(session) });
  }

  /** Resolves a session cookie to a live session; refreshes its idle expiry at most once a minute. */
  async authenticateSession(sessionId: string): Promise<{ session: Session; user: User } | undefined> {
    const found = this.findSession(sessionId);
    if (!found) return undefined;
    const now = this.deps.clock.now();
    if (found.session.stage === 'complete' && needsTouch(found.session, now)) {
      const expiresAt = sessionExpiry(
        new Date(found.session.createdAt),
        now,
        this.deps.sessionPolicy,
        found.session.stage,
      ).toISOString();
      const idHash = found.session.idHash;
      await this.deps.store.update((draft) => {
        const s = draft.sessions.find((x) => x.idHash === idHash);
        if (s) {
          s.lastSeenAt = now.toISOString();
          s.expiresAt = expiresAt;
        }
        // Expired sessions are swept on the same write.
        draft.sessions = draft.sessions.filter((x) => isSessionLive(x, now));
      });
      const refreshed = this.findSession(sessionId);
      return refreshed;
    }
    return found;
  }

  async logout(sessionId: string, ctx: RequestContext): Promise<void> {
    const found = this.findSession(sessionId);
    const hash = sha256Hex(sessionId);
    await this.deps.store.update((draft) => {
      draft.sessions = draft.sessions.filter((s) => s.idHash !== hash);
      if (found) {
        appendAudit(draft, this.deps.clock.now(), {
          type: 'logout',
          actor: found.user.username,
          outcome: 'success',
          ...ctxFields(ctx),
        });
      }
    });
  }

  /** Ends every session of the user, including the caller's. */
  async logoutEverywhere(user: User, ctx: RequestContext): Promise<number> {
    return this.deps.store.update((draft) => {
      const before = draft.sessions.length;
      draft.sessions = draft.sessions.filter((s) => s.userId !== user.id);
      const ended = before - draft.sessions.length;
      appendAudit(draft, this.deps.clock.now(), {
        type: 'logout.everywhere',
        actor: user.username,
        outcome: 'success',
        details: { sessionsEnded: ended },
        ...ctxFields(ctx),
      });
      return ended;
    });
  }

  listSessions(user: User): Session[] {
    const now = this.deps.clock.now();
    return this.deps.store.read().sessions.filter((s) => s.userId === user.id && isSessionLive(s, now));
  }

  /** Changes the password after checking the current one; every other session of the user ends. */
  async changePassword(
    user: User,
    currentSessionHash: string | undefined,
    input: { currentPassword: string; newPassword: string },
    ctx: RequestContext,
  ): Promise<Outcome<void, AuthFailure>> {
    const confirmed = await this.confirmPassword(user, input.currentPassword, ctx, 'password change');
    if (!confirmed.ok) return confirmed;
    const passwordHash = await hashPassword(input.newPassword);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.passwordHash = passwordHash;
      u.passwordChangedAt = now.toISOString();
      draft.sessions = draft.sessions.filter((s) => s.userId !== user.id || s.idHash === currentSessionHash);
      appendAudit(draft, now, {
        type: 'password.changed',
        actor: user.username,
        outcome: 'success',
        ...ctxFields(ctx),
      });
    });
    return ok(undefined);
  }

  /** Offline reset (CLI, with the server stopped): new password, all sessions end, optionally TOTP off. */
  async resetPassword(
    username: string | undefined,
    newPassword: string,
    disableTotp: boolean,
  ): Promise<Outcome<User, AuthFailure>> {
    const state = this.deps.store.read();
    const user = username === undefined ? state.users[0] : this.findUser(username);
    if (!user) {
      return fail(
        err(
          404,
          'auth.no-such-user',
          username === undefined
            ? 'no admin account exists yet; complete setup first'
            : `no user "${username}"`,
        ),
      );
    }
    const passwordHash = await hashPassword(newPassword);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.passwordHash = passwordHash;
      u.passwordChangedAt = now.toISOString();
      if (disableTotp) {
        u.totpSecret = null;
        u.pendingTotpSecret = null;
        u.recoveryCodeHashes = [];
        u.totpLastStep = null;
      }
      draft.sessions = draft.sessions.filter((s) => s.userId !== user.id);
      appendAudit(draft, now, {
        type: 'password.reset',
        actor: 'cli',
        clientAddress: 'local',
        outcome: 'success',
        details: { user: user.username, totpDisabled: disableTotp },
      });
    });
    return ok(user);
  }

  async beginTotpEnrolment(
    user: User,
  ): Promise<Outcome<{ secret: string; uri: string; qrSvg: string }, AuthFailure>> {
    if (user.totpSecret !== null)
      return fail(err(409, 'totp.already-enabled', 'two-factor authentication is already on'));
    const secret = createTotpSecret();
    await this.deps.store.update((draft) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (u) u.pendingTotpSecret = secret;
    });
    const uri = provisioningUri(secret, this.deps.store.read().settings.instanceName, user.username);
    return ok({ secret, uri, qrSvg: await provisioningQrSvg(uri) });
  }

  /** Turns TOTP on once the user proves the authenticator works; returns the recovery codes (shown once). */
  async confirmTotpEnrolment(
    user: User,
    code: string,
    ctx: RequestContext,
  ): Promise<Outcome<string[], AuthFailure>> {
    if (user.totpSecret !== null)
      return fail(err(409, 'totp.already-enabled', 'two-factor authentication is already on'));
    if (user.pendingTotpSecret === null) {
      return fail(
        err(409, 'totp.not-started', 'start enrolment first: no secret is waiting for confirmation'),
      );
    }
    const now = this.deps.clock.now();
    const step = verifyTotp(user.pendingTotpSecret, code, now);
    if (step === undefined)
      return fail(err(400, 'totp.invalid-code', 'that code does not match; check the clock on your phone'));
    const codes = generateRecoveryCodes();
    await this.deps.store.update((draft) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.totpSecret = u.pendingTotpSecret;
      u.pendingTotpSecret = null;
      u.totpLastStep = step;
      u.recoveryCodeHashes = codes.map((c) => sha256Hex(normalizeRecoveryCode(c)));
      appendAudit(draft, now, {
        type: 'totp.enabled',
        actor: user.username,
        outcome: 'success',
        ...ctxFields(ctx),
      });
    });
    return ok(codes);
  }

  async disableTotp(user: User, password: string, ctx: RequestContext): Promise<Outcome<void, AuthFailure>> {
    const confirmed = await this.confirmPassword(
      user,
      password,
      ctx,
      'turning off two-factor authentication',
    );
    if (!confirmed.ok) return confirmed;
    await this.deps.store.update((draft) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.totpSecret = null;
      u.pendingTotpSecret = null;
      u.recoveryCodeHashes = [];
      u.totpLastStep = null;
      appendAudit(draft, this.deps.clock.now(), {
        type: 'totp.disabled',
        actor: user.username,
        outcome: 'success',
        ...ctxFields(ctx),
      });
    });
    return ok(undefined);
  }

  async regenerateRecoveryCodes(
    user: User,
    password: string,
    ctx: RequestContext,
  ): Promise<Outcome<string[], AuthFailure>> {
    if (user.totpSecret === null)
      return fail(err(409, 'totp.not-enabled', 'turn on two-factor authentication first'));
    const confirmed = await this.confirmPassword(user, password, ctx, 'new recovery codes');
    if (!confirmed.ok) return confirmed;
    const codes = generateRecoveryCodes();
    await this.deps.store.update((draft) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.recoveryCodeHashes = codes.map((c) => sha256Hex(normalizeRecoveryCode(c)));
      appendAudit(draft, this.deps.clock.now(), {
        type: 'recovery-codes.regenerated',
        actor: user.username,
        outcome: 'success',
        ...ctxFields(ctx),
      });
    });
    return ok(codes);
  }

  listTokens(): ApiToken[] {
    return this.deps.store.read().apiTokens;
  }

  /** Creates a token; the plain value is returned here once and only its hash is kept. */
  async createToken(
    input: { name: string; scope: 'read' | 'write' },
    actor: User,
    ctx: RequestContext,
  ): Promise<Outcome<{ token: string; record: ApiToken }, AuthFailure>> {
    if (this.deps.store.read().apiTokens.some((t) => t.name === input.name)) {
      return fail(err(409, 'token.name-taken', `a token named "${input.name}" already exists`));
    }
    const token = `${tokenPrefix}${generateSecret(32)}`;
    const now = this.deps.clock.now();
    const record: ApiToken = {
      id: randomUUID(),
      name: input.name,
      scope: input.scope,
      tokenHash: sha256Hex(token),
      prefix: token.slice(0, tokenPrefix.length + 4),
      createdAt: now.toISOString(),
      lastUsedAt: null,
      createdBy: actor.username,
    };
    const created = await this.deps.store.update((draft) => {
      // Re-checked inside the serialized update: two racing creations cannot both take the name.
      if (draft.apiTokens.some((t) => t.name === input.name)) return false;
      draft.apiTokens.push(record);
      appendAudit(draft, now, {
        type: 'token.created',
        actor: actor.username,
        outcome: 'success',
        details: { name: record.name, scope: record.scope, id: record.id },
        ...ctxFields(ctx),
      });
      return true;
    });
    if (!created) return fail(err(409, 'token.name-taken', `a token named "${input.name}" already exists`));
    return ok({ token, record });
  }

  async revokeToken(id: string, actor: User, ctx: RequestContext): Promise<Outcome<ApiToken, AuthFailure>> {
    const record = this.deps.store.read().apiTokens.find((t) => t.id === id);
    if (!record) return fail(err(404, 'token.not-found', `no API token with id ${id}`));
    await this.deps.store.update((draft) => {
      draft.apiTokens = draft.apiTokens.filter((t) => t.id !== id);
      appendAudit(draft, this.deps.clock.now(), {
        type: 'token.revoked',
        actor: actor.username,
        outcome: 'success',
        details: { name: record.name, id },
        ...ctxFields(ctx),
      });
    });
    return ok(record);
  }

  /** Resolves a bearer token; unknown tokens are audited. lastUsedAt is written at most once a minute. */
  async authenticateToken(token: string, ctx: RequestContext): Promise<ApiToken | undefined> {
    const hash = sha256Hex(token);
    const record = this.deps.store.read().apiTokens.find((t) => constantTimeEqual(t.tokenHash, hash));
    const now = this.deps.clock.now();
    if (!record) {
      await this.auditSampled({
        type: 'token.rejected',
        actor: 'anonymous',
        outcome: 'failure',
        details: { prefix: token.slice(0, tokenPrefix.length + 4) },
        ...ctxFields(ctx),
      });
      return undefined;
    }
    if (record.lastUsedAt === null || now.getTime() - new Date(record.lastUsedAt).getTime() > 60_000) {
      await this.deps.store.update((draft) => {
        const t = draft.apiTokens.find((x) => x.id === record.id);
        if (t) t.lastUsedAt = now.toISOString();
      });
    }
    return record;
  }

  /**
   * Re-checks the password of a logged-in user before a sensitive change. Wrong answers count toward the same
   * lockouts as failed logins, so a stolen session cannot guess the password freely.
   */
  private async confirmPassword(
    user: User,
    password: string,
    ctx: RequestContext,
    action: string,
  ): Promise<Outcome<void, AuthFailure>> {
    const keys = [`account:${user.username.toLowerCase()}`, `client:${ctx.clientAddress}`];
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) return fail(this.lockedFailure(gate.retryAfterMs));
    let valid: boolean;
    try {
      valid = await verifyPassword(password, user.passwordHash);
    } finally {
      this.throttle.end(keys);
    }
    if (valid) return ok(undefined);
    const started = this.throttle.recordFailure(keys);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft) => {
      appendAudit(draft, now, {
        type: 'password.confirm-failed',
        actor: user.username,
        outcome: 'failure',
        details: { action },
        ...ctxFields(ctx),
      });
      for (const [key, ms] of started) {
        appendAudit(draft, now, {
          type: 'login.lockout',
          actor: user.username,
          outcome: 'failure',
          details: { key, seconds: Math.ceil(ms / 1000) },
          ...ctxFields(ctx),
        });
      }
    });
    return fail(err(403, 'auth.wrong-password', 'the password is wrong'));
  }

  /**
   * Audits events that an anonymous caller can trigger at will (unknown tokens, attempts while locked out) at
   * most once a minute per type and client, so they can neither load the disk nor flush the real history.
   */
  private async auditSampled(input: AuditInput): Promise<void> {
    const key = `${input.type}|${input.clientAddress}`;
    const now = this.deps.clock.now().getTime();
    const last = this.auditSampledAt.get(key);
    if (last !== undefined && now - last < 60_000) return;
    if (this.auditSampledAt.size > 10_000) this.auditSampledAt.clear();
    this.auditSampledAt.set(key, now);
    await this.audit(input);
  }

  async audit(input: AuditInput): Promise<void> {
    await this.deps.store.update((draft) => {
      appendAudit(draft, this.deps.clock.now(), input);
    });
  }

  private cookieMaxAge(session: Session): number {
    const { pendingMfaMs, maxAgeMs } = this.deps.sessionPolicy;
    return Math.floor((session.stage === 'pending-mfa' ? pendingMfaMs : maxAgeMs) / 1000);
  }

  private timingDummyHash(): Promise<string> {
    this.dummyHash ??= createTimingDummyHash();
    return this.dummyHash;
  }

  private findUser(username: string): User | undefined {
    const wanted = username.toLowerCase();
    return this.deps.store.read().users.find((u) => u.username.toLowerCase() === wanted);
  }

  private findSession(sessionId: string): { session: Session; user: User } | undefined {
    const hash = sha256Hex(sessionId);
    const state: Readonly<State> = this.deps.store.read();
    const session = state.sessions.find((s) => constantTimeEqual(s.idHash, hash));
    if (!session || !isSessionLive(session, this.deps.clock.now())) return undefined;
    const user = state.users.find((u) => u.id === session.userId);
    return user ? { session, user } : undefined;
  }

  private newSession(user: User, stage: Session['stage'], ctx: RequestContext, sessionId: string): Session {
    const now = this.deps.clock.now();
    return {
      idHash: sha256Hex(sessionId),
      userId: user.id,
      createdAt: now.toISOString(),
      lastSeenAt: now.toISOString(),
      expiresAt: sessionExpiry(now, now, this.deps.sessionPolicy, stage).toISOString(),
      stage,
      csrfToken: generateSecret(24),
      clientAddress: ctx.clientAddress,
      userAgent: ctx.userAgent.slice(0, 200),
    };
  }

  private async issueSession(
    user: User,
    stage: Session['stage'],
    ctx: RequestContext,
  ): Promise<IssuedSession> {
    const sessionId = generateSecret(32);
    const session = this.newSession(user, stage, ctx, sessionId);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft) => {
      draft.sessions = draft.sessions.filter((s) => isSessionLive(s, now));
      draft.sessions.push(session);
    });
    return { sessionId, session, user, cookieMaxAgeSeconds: this.cookieMaxAge(session) };
  }

  private async recordLoginFailure(
    keys: string[],
    username: string,
    ctx: RequestContext,
    type: 'login.failure' | 'login.mfa-failure',
  ): Promise<void> {
    const started = this.throttle.recordFailure(keys);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft) => {
      appendAudit(draft, now, { type, actor: username, outcome: 'failure', ...ctxFields(ctx) });
      for (const [key, ms] of started) {
        appendAudit(draft, now, {
          type: 'login.lockout',
          actor: username,
          outcome: 'failure',
          details: { key, seconds: Math.ceil(ms / 1000) },
          ...ctxFields(ctx),
        });
      }
    });
    if (started.size > 0) {
      this.deps.logger.warn(
        { username, clientAddress: ctx.clientAddress, lockouts: [...started.keys()] },
        'login lockout',
      );
    }
  }

  private lockedFailure(retryAfterMs: number): AuthFailure {
    const seconds = Math.ceil(retryAfterMs / 1000);
    return err(429, 'auth.locked', `too many failed attempts; try again in ${seconds} s`, seconds);
  }
}

function ctxFields(ctx: RequestContext): { clientAddress: string } {
  return { clientAddress: ctx.clientAddress };
}
