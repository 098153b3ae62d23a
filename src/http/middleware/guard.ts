/** @module Default-deny access control for /api: anonymous callers reach only the listed public routes. */
import type { MiddlewareHandler } from 'hono';
import { apiError } from '../errors.js';
import type { AppEnv } from '../context.js';

/** Method + path pairs that anonymous callers may reach. Everything else under /api needs a session or token. */
export const publicApiRoutes: ReadonlySet<string> = new Set([
  'GET /api/v1/health',
  'GET /api/v1/setup',
  'POST /api/v1/setup',
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/login/totp',
]);

const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

export function apiGuard(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const identity = c.get('identity');
    const key = `${c.req.method} ${c.req.path.replace(/\/+$/, '')}`;
    if (publicApiRoutes.has(key)) {
      await next();
      return;
    }
    if (identity.kind === 'anonymous') {
      return apiError(c, 401, 'auth.required', 'log in or send an API token (Authorization: Bearer …)');
    }
    // A half-finished login may still be abandoned (log out); it reaches nothing else.
    if (
      identity.kind === 'session' &&
      identity.session.stage !== 'complete' &&
      key !== 'POST /api/v1/auth/logout'
    ) {
      return apiError(c, 401, 'auth.mfa-required', 'finish logging in with your two-factor code');
    }
    if (identity.kind === 'token' && identity.token.scope === 'read' && !readMethods.has(c.req.method)) {
      return apiError(
        c,
        403,
        'auth.read-only-token',
        `token "${identity.token.name}" has read scope and cannot change anything`,
      );
    }
    await next();
  };
}

/** For routes that manage credentials themselves (tokens, password, 2FA): an API token must not reach them. */
export function sessionOnly(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get('identity').kind !== 'session') {
      return apiError(
        c,
        403,
        'auth.session-required',
        'this action needs an interactive login, not an API token',
      );
    }
    await next();
  };
}
