/**
 * @module The audit event types over HTTP: every registered type with its owner and one-line description, for the
 * audit page's filter and for reading events as words. Mounted as a small capability of its own, since the
 * registry is filled by the capability list (main.ts) and read at each request.
 */
import { createRoute, z } from '@hono/zod-openapi';
import type { Capability } from '../core/capability.js';
import { commonErrors, createRouter, jsonContent, noInput } from '../http/openapi.js';
import type { AuditTypeRegistry } from './registry.js';

const auditTypeSchema = z
  .object({
    type: z.string().openapi({ example: 'login.failure' }),
    owner: z.string().openapi({ example: 'auth', description: 'The capability that records it' }),
    description: z.string().openapi({ example: 'A sign-in failed (unknown user or wrong password)' }),
  })
  .openapi('AuditType');

export function auditTypeRoutes(registry: Pick<AuditTypeRegistry, 'list'>) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/audit/types',
      tags: ['audit'],
      summary: 'Every audit event type the running capabilities record, with a one-line description',
      middleware: [noInput()] as const,
      responses: {
        200: jsonContent(z.object({ types: z.array(auditTypeSchema) }), 'Types, in registration order'),
        ...commonErrors,
      },
    }),
    (c) =>
      c.json(
        { types: registry.list().map(({ type, owner, description }) => ({ type, owner, description })) },
        200,
      ),
  );
}

export type AuditTypeRoutes = ReturnType<typeof auditTypeRoutes>;

/** What the audit log adds to the box besides the core's /audit: the list of its types. */
export function createAuditTypesCapability(registry: AuditTypeRegistry): Capability {
  return { id: 'audit-types', routes: auditTypeRoutes(registry) };
}
