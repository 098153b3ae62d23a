/** @module First-run setup: creating the admin account requires the one-time setup token. */
import { createRoute, z } from '@hono/zod-openapi';
import type { AuthService } from '../../auth/service.js';
import type { CookieSettings } from '../middleware/identify.js';
import { createRouter, errorResponse, jsonBody, jsonContent, noInput } from '../openapi.js';
import { failAuth } from './auth-failures.js';
import { newPasswordSchema, usernameSchema } from './schemas.js';
import { describeSession, sessionInfoSchema, setSessionCookie } from './session-info.js';

const setupStateSchema = z.object({ needsSetup: z.boolean() }).openapi('SetupState');

const setupRequestSchema = z
  .object({
    setupToken: z.string().min(1).max(200),
    username: usernameSchema,
    password: newPasswordSchema,
  })
  .strict()
  .openapi('SetupRequest');

export function setupRoutes(auth: AuthService, cookie: CookieSettings) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/setup',
        tags: ['auth'],
        summary: 'Whether first-run setup is still open (anonymous)',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(setupStateSchema, 'Setup state') },
      }),
      (c) => c.json({ needsSetup: auth.needsSetup() }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/setup',
        tags: ['auth'],
        summary: 'Create the admin account with the setup token (anonymous, once)',
        request: { body: jsonBody(setupRequestSchema) },
        responses: {
          201: jsonContent(sessionInfoSchema, 'Admin created and logged in'),
          400: errorResponse('Invalid input'),
          403: errorResponse('Wrong setup token'),
          409: errorResponse('Already set up'),
          429: errorResponse('Too many wrong tokens'),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const result = await auth.completeSetup(body, c.get('requestContext'));
        if (!result.ok) return failAuth(result.error);
        setSessionCookie(c, cookie, result.value);
        return c.json(describeSession(result.value.user, result.value.session), 201);
      },
    );
}
