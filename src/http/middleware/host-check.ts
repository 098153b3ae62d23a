/** @module Answers 421 Misdirected Request, in the API's error shape, to a Host this box does not answer to. */
import type { MiddlewareHandler } from 'hono';
import type { HostAllowList } from '../allowed-hosts.js';
import type { AppEnv } from '../context.js';
import { apiError } from '../errors.js';

export function hostCheck(hosts: HostAllowList): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // HTTP/1.0 may omit Host; browsers (the only way to rebind a name) always send it.
    const host = c.req.header('host');
    if (host === undefined || hosts.allows(host)) return next();
    const shown = JSON.stringify(host.slice(0, 255));
    return apiError(
      c,
      421,
      'http.unknown-host',
      `this server does not answer to the host ${shown}; if that is one of its names, add it to allowedHosts (GATEHOUSE_ALLOWED_HOSTS)`,
    );
  };
}
