/** @module Liveness: anonymous, cheap, reveals nothing but that the process answers. */
import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, jsonContent, noInput } from '../openapi.js';

const healthSchema = z.object({ status: z.literal('ok') }).openapi('Health');

export function healthRoutes() {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/health',
      tags: ['system'],
      summary: 'Liveness check (anonymous)',
      middleware: [noInput()] as const,
      responses: { 200: jsonContent(healthSchema, 'The server answers') },
    }),
    (c) => c.json({ status: 'ok' as const }, 200),
  );
}
