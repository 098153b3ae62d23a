/** @module GET /status: instance name, version and the dashboard's status cards. */
import { createRoute, z } from '@hono/zod-openapi';
import { collectCards, type StatusCardProvider } from '../../status/cards.js';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import { commonErrors, createRouter, jsonContent, noInput } from '../openapi.js';

const cardSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    state: z.enum(['ok', 'warning', 'error', 'unknown']),
    summary: z.string(),
    facts: z.array(
      z.object({
        label: z.string(),
        value: z.string(),
        at: z.string().optional().openapi({ description: 'ISO time the fact refers to' }),
      }),
    ),
  })
  .openapi('StatusCard');

const statusSchema = z
  .object({ instanceName: z.string(), version: z.string(), now: z.string(), cards: z.array(cardSchema) })
  .openapi('Status');

export function statusRoutes(input: {
  store: Store;
  clock: Clock;
  version: string;
  providers: readonly StatusCardProvider[];
}) {
  return createRouter().openapi(
    createRoute({
      method: 'get',
      path: '/status',
      tags: ['system'],
      summary: 'Dashboard status cards',
      middleware: [noInput()] as const,
      responses: { 200: jsonContent(statusSchema, 'Status'), ...commonErrors },
    }),
    async (c) => {
      const cards = await collectCards(input.providers);
      return c.json(
        {
          instanceName: input.store.read().settings.instanceName,
          version: input.version,
          now: input.clock.now().toISOString(),
          cards: cards.map((card) => ({ ...card, facts: [...card.facts] })),
        },
        200,
      );
    },
  );
}
