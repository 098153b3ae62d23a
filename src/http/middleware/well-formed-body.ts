/**
 * @module Refuses a JSON request body holding a string that is not well-formed Unicode (a lone UTF-16 surrogate,
 * sent as a `\ud800` escape), for every route at once: capabilities' routes included, before any handler or store.
 */
import type { MiddlewareHandler } from 'hono';
import { findIllFormedText, notWellFormedMessage } from '../../core/text.js';
import type { AppEnv } from '../context.js';
import { apiError } from '../errors.js';

export function wellFormedJsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]*\+)?json\b/i.test(type)) return next();
    // Hono caches the text, so the route's validator reads the same body again without a second read.
    const text = await c.req.text();
    // A raw UTF-8 body cannot hold a lone surrogate (the decoder turns bad bytes into U+FFFD); only an escape can.
    if (!/\\u[dD][89a-fA-F]/.test(text)) return next();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // The route's own validator answers malformed JSON as it always has.
      return next();
    }
    const path = findIllFormedText(parsed);
    if (path === undefined) return next();
    const where = ['json', ...path.map(String)].join('.');
    return apiError(c, 400, 'validation', `${where}: ${notWellFormedMessage}`);
  };
}
