/** @module The expected failures of authentication: a stable code, a message for people, and when to retry. */

/**
 * Every code an auth operation can fail with. A closed list, so the HTTP edge's table of statuses
 * (src/http/errors.ts) must name each one: a new code without a status does not compile.
 */
export type AuthFailureCode =
  | 'setup.already-complete'
  | 'setup.bad-token'
  | 'auth.invalid-credentials'
  | 'auth.no-pending-login'
  | 'auth.invalid-code'
  | 'auth.wrong-password'
  | 'auth.locked'
  | 'auth.no-such-user'
  | 'auth.session-not-found'
  | 'totp.already-enabled'
  | 'totp.not-started'
  | 'totp.not-enabled'
  | 'totp.invalid-code'
  | 'token.name-taken'
  | 'token.not-found';

/** A failure as the domain sees it: what went wrong, never how a transport should say so. */
export interface AuthFailure {
  readonly code: AuthFailureCode;
  readonly message: string;
  /** Set when waiting helps (a lockout): how long until the next attempt can succeed. */
  readonly retryAfterSeconds?: number;
}

export function authFailure(code: AuthFailureCode, message: string, retryAfterSeconds?: number): AuthFailure {
  return retryAfterSeconds === undefined ? { code, message } : { code, message, retryAfterSeconds };
}

/** The answer while a throttle holds: `auth.locked`, rounded up to whole seconds. */
export function lockedFailure(retryAfterMs: number): AuthFailure {
  const seconds = Math.ceil(retryAfterMs / 1000);
  return authFailure('auth.locked', `too many failed attempts; try again in ${seconds} s`, seconds);
}
