/** @module The audit log of security events, newest first, paged by time. */
import { createRoute, z } from '@hono/zod-openapi';
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
      const log = store.read().audit;
      // The log is append-only in time order, so a position is an exact cursor even when times are equal.
      let end = log.length;
      if (cursor !== undefined) {
        end = log.findIndex((e) => e.id === cursor);
        if (end < 0)
          throw new ApiProblem(
            400,
            'audit.cursor-unknown',
            'that cursor is no longer in the log; start again',
          );
      }
      const beforeMs = before === undefined ? Infinity : new Date(before).getTime();
      const matching = log
        .slice(0, end)
        .filter((e) => new Date(e.at).getTime() < beforeMs && (type === undefined || e.type === type));
      const events = matching.slice(-limit).reverse();
      const hasMore = matching.length > limit;
      const last = events.at(-1);
      return c.json({ events, hasMore, nextCursor: hasMore && last ? last.id : null }, 200);
    },
  );
}
