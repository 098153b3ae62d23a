/** @module CSRF protection for state-changing requests: same-origin check plus a per-session token header. */
import type { MiddlewareHandler } from 'hono';
import { constantTimeEqual } from '../../auth/crypto.js';
import { apiError } from '../errors.js';
import type { AppEnv } from '../context.js';

const csrfHeader = 'x-csrf-token';
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Unsafe methods must come from this origin (Origin / Sec-Fetch-Site) and, when authenticated by the session
 * cookie, carry the session's CSRF token in X-CSRF-Token. Bearer-token calls carry no ambient credential,
 * so they need no CSRF token.
 */
export function csrfProtection(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (safeMethods.has(c.req.method)) {
      await next();
      return;
    }
    const fetchSite = c.req.header('sec-fetch-site');
    if (fetchSite === 'cross-site' || fetchSite === 'same-site') {
      return apiError(c, 403, 'csrf.cross-site', 'cross-site request refused');
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && origin !== 'null') {
      const host = c.req.header('host');
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost === undefined || host === undefined || originHost !== host) {
        return apiError(
          c,
          403,
          'csrf.origin-mismatch',
          `request origin ${origin} does not match this server`,
        );
      }
    } else if (origin === 'null') {
      return apiError(c, 403, 'csrf.origin-mismatch', 'requests from an opaque origin are refused');
    }
    const identity = c.get('identity');
    // A pending-MFA session is never shown its CSRF token and the guard lets it reach only the public routes
    // (the second login step), so only complete sessions must prove the token; the origin checks above still apply.
    if (identity.kind === 'session' && identity.session.stage === 'complete') {
      const offered = c.req.header(csrfHeader);
      if (offered === undefined || !constantTimeEqual(offered, identity.session.csrfToken)) {
        return apiError(c, 403, 'csrf.token-invalid', `missing or wrong ${csrfHeader} header`);
      }
    }
    await next();
  };
}
