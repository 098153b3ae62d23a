/** @module Instance settings that an admin changes from the UI; every change is audited. */
import { createRoute, z } from '@hono/zod-openapi';
import type { SettingsService } from '../../settings/service.js';
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

export function settingsRoutes(settings: SettingsService) {
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
      (c) => c.json(settings.current(), 200),
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
        const updated = await settings.update(patch, {
          actor: actorName(identity),
          clientAddress: ctx.clientAddress,
        });
        return c.json(updated, 200);
      },
    );
}
