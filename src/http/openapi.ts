/** @module Helpers for declaring zod-validated, OpenAPI-described routes with the shared error shape. */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { MiddlewareHandler } from 'hono';
import type { ZodType } from 'zod';
import type { AppEnv } from './context.js';
import { describeZodIssues, errorBody, errorSchema } from './errors.js';

/** A router whose validation failures answer 400 with the shared error shape and the first offending field. */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (!result.success) {
        return c.json(
          errorBody('validation', describeZodIssues(result.target, result.error.issues), result.error.issues),
          400,
        );
      }
      return undefined;
    },
  });
}

/** A required JSON body: a request without `Content-Type: application/json` is refused, not silently skipped. */
export function jsonBody<T extends ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } } as const;
}

export function jsonContent<T extends ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } } as const;
}

export const errorResponse = (description: string) => jsonContent(errorSchema, description);

/** The error responses every authenticated route can produce. */
export const commonErrors = {
  400: errorResponse('Invalid input'),
  401: errorResponse('Not logged in'),
  403: errorResponse('Not allowed (CSRF, scope or session-only route)'),
} as const;

export const okSchema = z.object({ ok: z.literal(true) }).openapi('Ok');

/**
 * For routes that take no query and no body: anything sent anyway is refused with the shared error shape,
 * so a typo (`?limt=5`) or a misplaced field never passes silently. An empty JSON object body is accepted.
 */
export function noInput(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const unknownParams = [...new URL(c.req.url).searchParams.keys()];
    if (unknownParams.length > 0) {
      return c.json(
        errorBody(
          'validation',
          `query: unknown parameter${unknownParams.length > 1 ? 's' : ''} ${unknownParams.map((k) => `"${k}"`).join(', ')}`,
        ),
        400,
      );
    }
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const text = await c.req.text();
      if (text.trim() !== '') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          return c.json(errorBody('body.malformed', 'malformed JSON in request body'), 400);
        }
        const fields =
          parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
            ? Object.keys(parsed)
            : null;
        if (fields === null || fields.length > 0) {
          return c.json(
            errorBody(
              'validation',
              fields === null
                ? 'json: this route takes no body'
                : `json: unknown field${fields.length > 1 ? 's' : ''} ${fields.map((k) => `"${k}"`).join(', ')}`,
            ),
            400,
          );
        }
      }
    }
    await next();
    return undefined;
  };
}
