/** @module The audit log of security events, newest first, paged by time. */
import { createRoute, z } from '@hono/zod-openapi';
import type { Store } from '../../store/store.js';
import { commonErrors, createRouter, jsonContent } from '../openapi.js';

const auditEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    type: z.string(),
    actor: z.string(),
    clientAddress: z.string(),
    outcome: z.enum(['success', 'failure']),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .openapi('AuditEvent');

const auditQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: 'Only events strictly older than this' }),
    type: z
      .string()
      .max(64)
      .optional()
      .openapi({ description: 'Only events of this type, e.g. login.failure' }),
  })
  .strict();

export function auditRoutes(store: Store) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/audit',
      tags: ['audit'],
      summary: 'Security events, newest first',
      request: { query: auditQuerySchema },
      responses: {
        200: jsonContent(z.object({ events: z.array(auditEventSchema), hasMore: z.boolean() }), 'Events'),
        ...commonErrors,
      },
    }),
    (c) => {
      const { limit, before, type } = c.req.valid('query');
      const beforeMs = before === undefined ? Infinity : new Date(before).getTime();
      const matching = store
        .read()
        .audit.filter((e) => new Date(e.at).getTime() < beforeMs && (type === undefined || e.type === type));
      const events = matching.slice(-limit).reverse();
      return c.json({ events, hasMore: matching.length > limit }, 200);
    },
  );
}
