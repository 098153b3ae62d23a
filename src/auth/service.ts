/** @module Admin authentication: setup, login, TOTP, sessions, password changes; API tokens live in tokens.ts. */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/log.js';
import type { PrivateFiles } from '../core/node-fs.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import { lockoutRetention, type Session, type State, type User } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { appendAudit, type AuditInput } from '../audit/record.js';
import { AuditSampler } from './audit-sampler.js';
import { constantTimeEqual, generateSecret, sha256Hex } from './crypto.js';
import { authFailure, lockedFailure, type AuthFailure } from './failure.js';
import { createTimingDummyHash, hashPassword, verifyPassword } from './passwords.js';
import {
  deviceCookieMaxAgeSeconds,
  ensureDeviceKey,
  issueDeviceToken,
  readDeviceToken,
} from './device-cookie.js';
import {
  defaultLockoutPolicy,
  entriesToKeep,
  LoginThrottle,
  throttleKey,
  type LockoutPolicy,
} from './rate-limit.js';
import { auditContext, type RequestContext } from './request-context.js';
import { isSessionLive, needsTouch, publicSessionId, sessionExpiry, type SessionPolicy } from './sessions.js';
import { checkSetupToken, ensureSetupToken, removeSetupToken } from './setup-token.js';
import {
  createTotpSecret,
  generateRecoveryCodes,
  normalizeRecoveryCode,
  provisioningQrSvg,
  provisioningUri,
  verifyTotp,
} from './totp.js';
import { ApiTokenService } from './tokens.js';

export type { AuthFailure } from './failure.js';
export type { RequestContext } from './request-context.js';

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
  /** A new device cookie (see device-cookie.ts) once a login is complete; absent for a pending one. */
  readonly device?: { readonly token: string; readonly maxAgeSeconds: number };
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

export class AuthService {
  /** API tokens: their own service on the same store and clock (src/auth/tokens.ts). */
  readonly tokens: ApiTokenService;
  private readonly throttle: LoginThrottle;
  /** Attempts while locked out are audited sampled: the caller can repeat them at will. */
  private readonly lockedAttempts: AuditSampler;
  /** Hash checked for unknown usernames, so response time does not reveal which names exist. */
  private dummyHash: Promise<string> | undefined;

  /** The device cookies' signing key, read (or made) on first use. */
  private deviceKey: Buffer | undefined;

  constructor(private readonly deps: AuthServiceDeps) {
    // Lockouts from before a restart still hold.
    const kept = deps.store.read().lockouts.map(
      (l) =>
        [
          l.key,
          {
            failures: l.failures,
            lastFailureAt: Date.parse(l.lastFailureAt),
            lockedUntil: Date.parse(l.lockedUntil),
          },
        ] as const,
    );
    this.throttle = new LoginThrottle(deps.clock, deps.lockoutPolicy, kept);
    this.lockedAttempts = new AuditSampler(deps.clock, (input) => this.audit(input));
    this.tokens = new ApiTokenService({ store: deps.store, clock: deps.clock });
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
      return fail(authFailure('setup.already-complete', 'Gatehouse is already set up; log in instead'));
    const keys = [throttleKey('setup', ctx.clientAddress)];
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) return fail(lockedFailure(gate.retryAfterMs));
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
      const now = this.deps.clock.now();
      await this.deps.store.update((draft, tx) => {
        // Whatever username the visitor typed is no account: the attempt is nobody's.
        appendAudit(tx, now, {
          type: 'setup.token-rejected',
          actor: 'anonymous',
          outcome: 'failure',
          ...auditContext(ctx),
        });
        this.keepThrottle(draft, keys, now);
      });
      return fail(
        authFailure(
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
      deviceEpoch: generateSecret(16),
    };
    const created = await this.deps.store.update((draft, tx) => {
      // Re-checked inside the serialized update: two concurrent setups cannot both win.
      if (draft.setupCompletedAt !== null) return false;
      draft.users.push(user);
      draft.setupCompletedAt = now.toISOString();
      appendAudit(tx, now, {
        type: 'setup.completed',
        actor: user.username,
        outcome: 'success',
        ...auditContext(ctx),
      });
      return true;
    });
    if (!created)
      return fail(authFailure('setup.already-complete', 'Gatehouse is already set up; log in instead'));
    removeSetupToken(this.deps.files, this.deps.dataDir);
    this.deps.logger.info({ username: user.username }, 'setup complete: admin account created');
    return ok({ ...(await this.issueSession(user, 'complete', ctx)), device: this.newDevice(user) });
  }

  async login(
    input: { username: string; password: string },
    ctx: RequestContext,
  ): Promise<Outcome<IssuedSession, AuthFailure>> {
    const keys = this.throttleKeys(input.username, ctx);
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) {
      this.deps.events?.loginAttempt('locked');
      await this.lockedAttempts.record({
        type: 'login.failure',
        actor: input.username,
        outcome: 'failure',
        details: { reason: 'locked out' },
        ...auditContext(ctx),
      });
      return fail(lockedFailure(gate.retryAfterMs));
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
      return fail(authFailure('auth.invalid-credentials', 'wrong username or password'));
    }
    if (user.totpSecret !== null) {
      // The counters are cleared only once the second factor is right too: re-entering the password must not
      // reset the lockout that wrong codes are building up.
      return ok(await this.issueSession(user, 'pending-mfa', ctx));
    }
    this.throttle.recordSuccess(keys);
    this.deps.events?.loginAttempt('success');
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      appendAudit(tx, now, {
        type: 'login.success',
        actor: user.username,
        outcome: 'success',
        ...auditContext(ctx),
      });
      this.keepThrottle(draft, keys, now);
    });
    return ok({ ...(await this.issueSession(user, 'complete', ctx)), device: this.newDevice(user) });
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
        authFailure(
          'auth.no-pending-login',
          'no login is waiting for a code; log in with your password first',
        ),
      );
    }
    const keys = this.throttleKeys(found.user.username, ctx);
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) return fail(lockedFailure(gate.retryAfterMs));
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
      return fail(authFailure('auth.invalid-code', 'that code is not valid'));
    }
    const oldHash = found.session.idHash;
    const sessionIdNew = generateSecret(32);
    const session = this.newSession(user, 'complete', ctx, sessionIdNew);
    const committed = await this.deps.store.update((draft, tx): 'ok' | 'no-pending-login' | 'code-spent' => {
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
        appendAudit(tx, now, {
          type: 'recovery-code.used',
          actor: user.username,
          outcome: 'success',
          details: { remaining: u.recoveryCodeHashes.length },
          ...auditContext(ctx),
        });
      }
      // The pending session is replaced by a new id (no fixation of a pre-MFA cookie).
      draft.sessions = draft.sessions.filter((s) => s.idHash !== oldHash);
      draft.sessions.push(session);
      appendAudit(tx, now, {
        type: 'login.success',
        actor: user.username,
        outcome: 'success',
        details: { method: usedRecovery === undefined ? 'totp' : 'recovery-code' },
        ...auditContext(ctx),
      });
      // The counters restart only with the login complete; kept in this same write.
      this.throttle.recordSuccess(keys);
      this.keepThrottle(draft, keys, now);
      return 'ok';
    });
    if (committed === 'no-pending-login') {
      return fail(
        authFailure('auth.no-pending-login', 'this login was already completed or has expired; log in again'),
      );
    }
    if (committed === 'code-spent') {
      this.deps.events?.loginAttempt('failure');
      await this.recordLoginFailure(keys, user.username, ctx, 'login.mfa-failure');
      return fail(authFailure('auth.invalid-code', 'that code is not valid'));
    }
    this.deps.events?.loginAttempt('success');
    return ok({
      sessionId: sessionIdNew,
      session,
      user,
      cookieMaxAgeSeconds: this.cookieMaxAge(session),
      device: this.newDevice(user),
    });
  }

  /** Resolves a session cookie to a live session; refreshes its idle expiry (see touchIntervalMs for how often). */
  async authenticateSession(sessionId: string): Promise<{ session: Session; user: User } | undefined> {
    const found = this.findSession(sessionId);
    if (!found) return undefined;
    const now = this.deps.clock.now();
    if (found.session.stage === 'complete' && needsTouch(found.session, now, this.deps.sessionPolicy)) {
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
    await this.deps.store.update((draft, tx) => {
      draft.sessions = draft.sessions.filter((s) => s.idHash !== hash);
      if (found) {
        appendAudit(tx, this.deps.clock.now(), {
          type: 'logout',
          actor: found.user.username,
          outcome: 'success',
          ...auditContext(ctx),
        });
      }
    });
  }

  /** Ends every session of the user, including the caller's, and every device cookie of the user. */
  async logoutEverywhere(user: User, ctx: RequestContext): Promise<number> {
    return this.deps.store.update((draft, tx) => {
      const before = draft.sessions.length;
      draft.sessions = draft.sessions.filter((s) => s.userId !== user.id);
      // Device cookies end too: a stolen browser keeps no exemption from the lockouts.
      const u = draft.users.find((x) => x.id === user.id);
      if (u) u.deviceEpoch = generateSecret(16);
      const ended = before - draft.sessions.length;
      appendAudit(tx, this.deps.clock.now(), {
        type: 'logout.everywhere',
        actor: user.username,
        outcome: 'success',
        details: { sessionsEnded: ended },
        ...auditContext(ctx),
      });
      return ended;
    });
  }

  /** Ends one live session of `user`, found by its public id; another user's or an unknown id is not found. */
  async revokeSession(user: User, id: string, ctx: RequestContext): Promise<Outcome<void, AuthFailure>> {
    const now = this.deps.clock.now();
    const revoked = await this.deps.store.update((draft, tx) => {
      const target = draft.sessions.find(
        (s) => s.userId === user.id && isSessionLive(s, now) && publicSessionId(s) === id,
      );
      if (!target) return false;
      draft.sessions = draft.sessions.filter((s) => s !== target);
      appendAudit(tx, now, {
        type: 'session.revoked',
        actor: user.username,
        outcome: 'success',
        details: { clientAddress: target.clientAddress },
        ...auditContext(ctx),
      });
      return true;
    });
    if (!revoked)
      return fail(authFailure('auth.session-not-found', 'no such session (it may have ended already)'));
    return ok(undefined);
  }

  listSessions(user: User): Session[] {
    const now = this.deps.clock.now();
    return this.deps.store.read().sessions.filter((s) => s.userId === user.id && isSessionLive(s, now));
  }

  /** Changes the password after checking the current one; every other session and every device cookie of the user end. */
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
    await this.deps.store.update((draft, tx) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.passwordHash = passwordHash;
      u.passwordChangedAt = now.toISOString();
      u.deviceEpoch = generateSecret(16);
      draft.sessions = draft.sessions.filter((s) => s.userId !== user.id || s.idHash === currentSessionHash);
      appendAudit(tx, now, {
        type: 'password.changed',
        actor: user.username,
        outcome: 'success',
        ...auditContext(ctx),
      });
    });
    return ok(undefined);
  }

  /**
   * Offline reset (CLI, with the server stopped): new password, all sessions and device cookies end, the account's
   * lockout ends, optionally TOTP off.
   */
  async resetPassword(
    username: string | undefined,
    newPassword: string,
    disableTotp: boolean,
  ): Promise<Outcome<User, AuthFailure>> {
    const state = this.deps.store.read();
    const user = username === undefined ? state.users[0] : this.findUser(username);
    if (!user) {
      return fail(
        authFailure(
          'auth.no-such-user',
          username === undefined
            ? 'no admin account exists yet; complete setup first'
            : `no user "${username}"`,
        ),
      );
    }
    const passwordHash = await hashPassword(newPassword);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.passwordHash = passwordHash;
      u.passwordChangedAt = now.toISOString();
      // Every device cookie ends: whoever had the old password (or a stolen browser) loses its exemption.
      u.deviceEpoch = generateSecret(16);
      if (disableTotp) {
        u.totpSecret = null;
        u.pendingTotpSecret = null;
        u.recoveryCodeHashes = [];
        u.totpLastStep = null;
      }
      draft.sessions = draft.sessions.filter((s) => s.userId !== user.id);
      // Whoever resets on the box itself is the owner: the account's lockout ends (addresses stay locked).
      const accountKey = [throttleKey('account', user.username.toLowerCase())];
      this.throttle.recordSuccess(accountKey);
      this.keepThrottle(draft, accountKey, now);
      appendAudit(tx, now, {
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
      return fail(authFailure('totp.already-enabled', 'two-factor authentication is already on'));
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
      return fail(authFailure('totp.already-enabled', 'two-factor authentication is already on'));
    if (user.pendingTotpSecret === null) {
      return fail(
        authFailure('totp.not-started', 'start enrolment first: no secret is waiting for confirmation'),
      );
    }
    const now = this.deps.clock.now();
    const step = verifyTotp(user.pendingTotpSecret, code, now);
    if (step === undefined)
      return fail(
        authFailure('totp.invalid-code', 'that code does not match; check the clock on your phone'),
      );
    const codes = generateRecoveryCodes();
    await this.deps.store.update((draft, tx) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.totpSecret = u.pendingTotpSecret;
      u.pendingTotpSecret = null;
      u.totpLastStep = step;
      u.recoveryCodeHashes = codes.map((c) => sha256Hex(normalizeRecoveryCode(c)));
      appendAudit(tx, now, {
        type: 'totp.enabled',
        actor: user.username,
        outcome: 'success',
        ...auditContext(ctx),
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
    await this.deps.store.update((draft, tx) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.totpSecret = null;
      u.pendingTotpSecret = null;
      u.recoveryCodeHashes = [];
      u.totpLastStep = null;
      appendAudit(tx, this.deps.clock.now(), {
        type: 'totp.disabled',
        actor: user.username,
        outcome: 'success',
        ...auditContext(ctx),
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
      return fail(authFailure('totp.not-enabled', 'turn on two-factor authentication first'));
    const confirmed = await this.confirmPassword(user, password, ctx, 'new recovery codes');
    if (!confirmed.ok) return confirmed;
    const codes = generateRecoveryCodes();
    await this.deps.store.update((draft, tx) => {
      const u = draft.users.find((x) => x.id === user.id);
      if (!u) return;
      u.recoveryCodeHashes = codes.map((c) => sha256Hex(normalizeRecoveryCode(c)));
      appendAudit(tx, this.deps.clock.now(), {
        type: 'recovery-codes.regenerated',
        actor: user.username,
        outcome: 'success',
        ...auditContext(ctx),
      });
    });
    return ok(codes);
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
    const keys = this.throttleKeys(user.username, ctx);
    const gate = this.throttle.begin(keys);
    if (!gate.allowed) return fail(lockedFailure(gate.retryAfterMs));
    let valid: boolean;
    try {
      valid = await verifyPassword(password, user.passwordHash);
    } finally {
      this.throttle.end(keys);
    }
    if (valid) return ok(undefined);
    const started = this.throttle.recordFailure(keys);
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      appendAudit(tx, now, {
        type: 'password.confirm-failed',
        actor: user.username,
        outcome: 'failure',
        details: { action },
        ...auditContext(ctx),
      });
      for (const [key, ms] of started) {
        appendAudit(tx, now, {
          type: 'login.lockout',
          actor: user.username,
          outcome: 'failure',
          details: { key, seconds: Math.ceil(ms / 1000) },
          ...auditContext(ctx),
        });
      }
      this.keepThrottle(draft, keys, now);
    });
    return fail(authFailure('auth.wrong-password', 'the password is wrong'));
  }

  async audit(input: AuditInput): Promise<void> {
    await this.deps.store.update((draft, tx) => {
      appendAudit(tx, this.deps.clock.now(), input);
    });
  }

  private cookieMaxAge(session: Session): number {
    const { pendingMfaMs, maxAgeMs } = this.deps.sessionPolicy;
    return Math.floor((session.stage === 'pending-mfa' ? pendingMfaMs : maxAgeMs) / 1000);
  }

  /**
   * The throttle keys of an attempt for `username`. A browser with a valid device cookie for that user is counted
   * by its device alone (OWASP device cookies): strangers' failures on the account or from its address cannot
   * lock it out. Anyone else is counted by account and by address, as before.
   */
  private throttleKeys(username: string, ctx: RequestContext): string[] {
    const token = ctx.deviceToken;
    if (token !== undefined && token !== '') {
      const user = this.findUser(username);
      const claim = user && readDeviceToken(this.signingKey(), token, user);
      if (claim) return [throttleKey('device', claim.deviceId)];
    }
    return [throttleKey('account', username.toLowerCase()), throttleKey('client', ctx.clientAddress)];
  }

  private newDevice(user: User): { token: string; maxAgeSeconds: number } {
    return {
      token: issueDeviceToken(this.signingKey(), user),
      maxAgeSeconds: deviceCookieMaxAgeSeconds,
    };
  }

  private signingKey(): Buffer {
    this.deviceKey ??= ensureDeviceKey(this.deps.files, this.deps.dataDir, this.deps.logger);
    return this.deviceKey;
  }

  /** Writes the throttle's entries for `keys` into the lockouts slice (in the caller's write), bounded. */
  private keepThrottle(draft: State, keys: readonly string[], now: Date): void {
    const changed = new Set(keys);
    const others = draft.lockouts.filter((l) => !changed.has(l.key));
    const mine = keys.flatMap((key) => {
      const e = this.throttle.entryOf(key);
      return e === undefined || e.failures === 0
        ? []
        : [
            {
              key,
              failures: e.failures,
              lastFailureAt: new Date(e.lastFailureAt).toISOString(),
              lockedUntil: new Date(e.lockedUntil).toISOString(),
            },
          ];
    });
    const asEntries = [...others, ...mine].map((l) => ({
      record: l,
      failures: l.failures,
      lastFailureAt: Date.parse(l.lastFailureAt),
      lockedUntil: Date.parse(l.lockedUntil),
    }));
    const policy = this.deps.lockoutPolicy ?? defaultLockoutPolicy;
    draft.lockouts = entriesToKeep(asEntries, now.getTime(), policy, lockoutRetention).map((e) => e.record);
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
    await this.deps.store.update((draft, tx) => {
      appendAudit(tx, now, { type, actor: username, outcome: 'failure', ...auditContext(ctx) });
      for (const [key, ms] of started) {
        appendAudit(tx, now, {
          type: 'login.lockout',
          actor: username,
          outcome: 'failure',
          details: { key, seconds: Math.ceil(ms / 1000) },
          ...auditContext(ctx),
        });
      }
      this.keepThrottle(draft, keys, now);
    });
    if (started.size > 0) {
      this.deps.logger.warn(
        { username, clientAddress: ctx.clientAddress, lockouts: [...started.keys()] },
        'login lockout',
      );
    }
  }
}
