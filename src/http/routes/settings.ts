/** @module Instance settings that an admin changes from the UI; every change is audited. */
import { createRoute, z } from '@hono/zod-openapi';
import { appendAudit } from '../../auth/audit.js';
import type { Clock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import { actorName } from '../context.js';
import { commonErrors, createRouter, jsonBody, jsonContent, noInput } from '../openapi.js';

const settingsSchema = z
  .object({
    instanceName: z
      .string()
      .trim()
      .min(1)
      .max(64)
      .regex(/^[^\p{Cc}]+$/u, 'instanceName: no control characters')
      .openapi({ example: 'Home gateway' }),
  })
  .openapi('Settings');

const settingsPatchSchema = settingsSchema.partial().strict().openapi('SettingsPatch');

export function settingsRoutes(store: Store, clock: Clock) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/settings',
        tags: ['settings'],
        summary: 'Current settings',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(settingsSchema, 'Settings'), ...commonErrors },
      }),
      (c) => c.json(store.read().settings, 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/settings',
        tags: ['settings'],
        summary: 'Change settings',
        request: { body: jsonBody(settingsPatchSchema) },
        responses: { 200: jsonContent(settingsSchema, 'New settings'), ...commonErrors },
      }),
      async (c) => {
        const patch = c.req.valid('json');
        const identity = c.get('identity');
        const ctx = c.get('requestContext');
        const updated = await store.update((draft) => {
          const changed = Object.keys(patch).filter(
            (k) => patch[k as keyof typeof patch] !== draft.settings[k as keyof typeof draft.settings],
          );
          Object.assign(draft.settings, patch);
          if (changed.length > 0) {
            appendAudit(draft, clock.now(), {
              type: 'settings.changed',
              actor: actorName(identity),
              clientAddress: ctx.clientAddress,
              outcome: 'success',
              details: { changed: changed.join(',') },
            });
          }
          return draft.settings;
        });
        return c.json(updated, 200);
      },
    );
}
