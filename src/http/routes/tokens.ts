/** @module API tokens: named, scoped (read / write), shown once, stored hashed, revocable. Session-only. */
import { createRoute, z } from '@hono/zod-openapi';
import type { ApiTokenService } from '../../auth/tokens.js';
import type { ApiToken } from '../../store/schema.js';
import { sessionUser } from '../context.js';
import { sessionOnly } from '../middleware/guard.js';
import {
  commonErrors,
  createRouter,
  errorResponse,
  jsonBody,
  jsonContent,
  okSchema,
  noInput,
} from '../openapi.js';
import { failAuth } from './auth-failures.js';

const tokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    scope: z.enum(['read', 'write']),
    prefix: z.string().openapi({ description: 'First characters of the token, to tell tokens apart' }),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
    createdBy: z.string(),
  })
  .openapi('ApiToken');

const createTokenSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9 ._-]{1,64}$/, 'name: 1-64 letters, digits, spaces, dot, dash or underscore')
      .openapi({ example: 'home-assistant' }),
    scope: z.enum(['read', 'write']),
  })
  .strict()
  .openapi('CreateApiToken');

const createdTokenSchema = z
  .object({
    token: z.string().openapi({ description: 'The secret; shown only in this response' }),
    record: tokenSchema,
  })
  .openapi('CreatedApiToken');

const toPublic = (t: ApiToken): z.infer<typeof tokenSchema> => ({
  id: t.id,
  name: t.name,
  scope: t.scope,
  prefix: t.prefix,
  createdAt: t.createdAt,
  lastUsedAt: t.lastUsedAt,
  createdBy: t.createdBy,
});

/** Takes what owns the token service (the AuthService does), so the wiring passes the same object as before. */
export function tokenRoutes({ tokens }: { readonly tokens: ApiTokenService }) {
  const router = createRouter();
  router.use('/tokens', sessionOnly());
  router.use('/tokens/*', sessionOnly());
  return router
    .openapi(
      createRoute({
        method: 'get',
        path: '/tokens',
        tags: ['tokens'],
        summary: 'List API tokens (never their secrets)',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(z.object({ tokens: z.array(tokenSchema) }), 'Tokens'),
          ...commonErrors,
        },
      }),
      (c) => c.json({ tokens: tokens.list().map(toPublic) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/tokens',
        tags: ['tokens'],
        summary: 'Create an API token; the secret is in this response only',
        request: { body: jsonBody(createTokenSchema) },
        responses: {
          201: jsonContent(createdTokenSchema, 'Created'),
          ...commonErrors,
          409: errorResponse('Name taken'),
        },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const result = await tokens.create(c.req.valid('json'), user, c.get('requestContext'));
        if (!result.ok) return failAuth(result.error);
        return c.json({ token: result.value.token, record: toPublic(result.value.record) }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/tokens/{id}',
        tags: ['tokens'],
        summary: 'Revoke an API token',
        request: { params: z.object({ id: z.uuid() }) },
        responses: {
          200: jsonContent(okSchema, 'Revoked'),
          ...commonErrors,
          404: errorResponse('No such token'),
        },
      }),
      async (c) => {
        const { user } = sessionUser(c);
        const result = await tokens.revoke(c.req.valid('param').id, user, c.get('requestContext'));
        if (!result.ok) return failAuth(result.error);
        return c.json({ ok: true as const }, 200);
      },
    );
}
