/** @module The audit log of security events, newest first, paged by time (read from the audit log, lazily). */
import { createRoute, z } from '@hono/zod-openapi';
import { pageAudit } from '../../audit/read.js';
import type { Store } from '../../store/store.js';
import { ApiProblem } from '../errors.js';
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
    cursor: z.uuid().optional().openapi({
      description: 'Page on from here: the nextCursor of the previous page (older events follow)',
    }),
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
        200: jsonContent(
          z.object({
            events: z.array(auditEventSchema),
            hasMore: z.boolean(),
            nextCursor: z.string().nullable(),
          }),
          'Events',
        ),
        ...commonErrors,
      },
    }),
    (c) => {
      const { limit, before, type, cursor } = c.req.valid('query');
      const page = pageAudit(store.log('audit'), {
        limit,
        ...(before === undefined ? {} : { before: new Date(before) }),
        ...(type === undefined ? {} : { type }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      if (page.kind === 'cursor-unknown') {
        throw new ApiProblem(400, 'audit.cursor-unknown', 'that cursor is no longer in the log; start again');
      }
      return c.json({ events: page.events, hasMore: page.hasMore, nextCursor: page.nextCursor }, 200);
    },
  );
}
