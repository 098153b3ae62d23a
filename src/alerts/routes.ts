/**
 * @module Alerts over HTTP: the list (any caller may read; write tokens and sessions acknowledge), and the
 * notification channels, which only an interactive login manages. Secrets and secret-bearing URLs are
 * write-only: they go in, and only `has…` flags and a host hint come back.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { pickNotified, type AlertsActor, type AlertService } from './service.js';
import type { Alert, Channel, ChannelTarget } from '../store/schema.js';
import { requestActor, type AppContext } from '../http/context.js';
import { ApiProblem, failWithCode, type StatusTable } from '../http/errors.js';
import type { AlertsFailure, AlertsFailureCode } from './channels.js';
import { sessionOnly } from '../http/middleware/guard.js';
import {
  commonErrors,
  createRouter,
  errorResponse,
  jsonBody,
  jsonContent,
  noInput,
  okSchema,
} from '../http/openapi.js';

const severitySchema = z.enum(['info', 'warning', 'critical']);

/**
 * No control characters at all (CR and LF included): such text may end up in a mail or HTTP header. Empty text
 * passes here, so that the length check alone says "enter …".
 */
const noControl = /^[^\p{Cc}]*$/u;

// Messages are in plain words: the UI shows them next to the field the path names.
const nameSchema = z
  .string()
  .trim()
  .min(1, 'enter a name')
  .max(64, 'at most 64 characters')
  .regex(noControl, 'no control characters or line breaks')
  .openapi({ example: 'Phone (ntfy)' });

function isHttpUrl(value: string): boolean {
  if (!/^[^\s\p{Cc}]+$/u.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') && url.username === '' && url.password === ''
  );
}

/** A URL `isHttpUrl` accepts, on a port fetch may use (fetch refuses the others with a bare "bad port"). */
function onAllowedPort(value: string): boolean {
  if (!isHttpUrl(value)) return true; // the first check says what is wrong
  const port = new URL(value).port;
  return port === '' || !fetchBlockedPorts.has(Number(port));
}

const httpUrlSchema = z
  .string()
  .min(1, 'enter the URL')
  .max(2048, 'at most 2048 characters')
  .refine(isHttpUrl, 'must be an http:// or https:// URL, without spaces or a user name and password in it')
  .refine(
    onAllowedPort,
    'that port is reserved for another protocol, so web requests to it are refused; use another port',
  )
  .openapi({ format: 'uri', example: 'https://ntfy.sh/my-secret-topic' });

const tokenSchema = z
  .string()
  .min(1, 'enter the token')
  .max(512, 'at most 512 characters')
  .regex(/^[\x21-\x7e]*$/, 'letters, digits and symbols only, without spaces');

const webhookSecretSchema = z
  .string()
  .min(16, 'at least 16 characters')
  .max(256, 'at most 256 characters')
  .regex(noControl, 'no control characters');

const emailAddressSchema = z
  .string()
  .max(254, 'at most 254 characters')
  .regex(/^[^\s@<>()[\],;:"\\]+@[^\s@<>()[\],;:"\\]+$/, 'an address like alerts@example.com')
  .openapi({ example: 'alerts@example.com' });

const smtpFields = {
  kind: z.literal('email'),
  host: z
    .string()
    .min(1, 'enter the server')
    .max(253, 'at most 253 characters')
    .regex(/^[A-Za-z0-9.:-]+$/, 'a host name or IP address, like smtp.example.com')
    .openapi({ example: 'smtp.example.com' }),
  port: z
    .number('a number from 1 to 65535')
    .int('a number from 1 to 65535')
    .min(1, 'a number from 1 to 65535')
    .max(65535, 'a number from 1 to 65535')
    .openapi({ example: 587 }),
  security: z.enum(['tls', 'starttls', 'none']).openapi({
    description:
      'tls: TLS from the start (port 465); starttls: upgrade and require it (587); none: plain (25)',
  }),
  username: z
    .string()
    .min(1, 'leave it empty for none')
    .max(256, 'at most 256 characters')
    .regex(noControl, 'no control characters')
    .nullable(),
  from: emailAddressSchema,
  to: z.array(emailAddressSchema).min(1, 'enter at least one address').max(10, 'at most 10 addresses'),
};
const smtpPasswordSchema = z
  .string()
  .min(1, 'leave it empty for none')
  .max(256, 'at most 256 characters')
  .regex(noControl, 'no control characters');

const targetInputSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), url: httpUrlSchema, secret: webhookSecretSchema }).strict(),
    z.object({ kind: z.literal('ntfy'), url: httpUrlSchema, token: tokenSchema.nullable() }).strict(),
    z.object({ kind: z.literal('gotify'), url: httpUrlSchema, token: tokenSchema }).strict(),
    z.object({ kind: z.literal('discord'), url: httpUrlSchema }).strict(),
    z.object({ kind: z.literal('slack'), url: httpUrlSchema }).strict(),
    z.object({ ...smtpFields, password: smtpPasswordSchema.nullable() }).strict(),
  ])
  .openapi('AlertTargetInput');

/** As above, with every URL and secret optional: left out, the stored one is kept. */
const targetPatchSchema = z
  .discriminatedUnion('kind', [
    z
      .object({
        kind: z.literal('webhook'),
        url: httpUrlSchema.optional(),
        secret: webhookSecretSchema.optional(),
      })
      .strict(),
    z
      .object({
        kind: z.literal('ntfy'),
        url: httpUrlSchema.optional(),
        token: tokenSchema.nullable().optional(),
      })
      .strict(),
    z
      .object({ kind: z.literal('gotify'), url: httpUrlSchema.optional(), token: tokenSchema.optional() })
      .strict(),
    z.object({ kind: z.literal('discord'), url: httpUrlSchema.optional() }).strict(),
    z.object({ kind: z.literal('slack'), url: httpUrlSchema.optional() }).strict(),
    z.object({ ...smtpFields, password: smtpPasswordSchema.nullable().optional() }).strict(),
  ])
  .openapi('AlertTargetPatch');

const newChannelSchema = z
  .object({
    name: nameSchema,
    enabled: z.boolean().default(true),
    minSeverity: severitySchema.default('warning').openapi({
      description: 'Alerts below this severity are not sent here (they still show in the UI)',
    }),
    target: targetInputSchema,
  })
  .strict()
  .openapi('NewAlertChannel');

const channelPatchSchema = z
  .object({
    name: nameSchema.optional(),
    enabled: z.boolean().optional(),
    minSeverity: severitySchema.optional(),
    target: targetPatchSchema.optional(),
  })
  .strict()
  .openapi('AlertChannelPatch');

const publicTargetSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('webhook'), urlHint: z.string(), hasSecret: z.boolean() }),
    z.object({ kind: z.literal('ntfy'), urlHint: z.string(), hasToken: z.boolean() }),
    z.object({ kind: z.literal('gotify'), urlHint: z.string(), hasToken: z.boolean() }),
    z.object({ kind: z.literal('discord'), urlHint: z.string() }),
    z.object({ kind: z.literal('slack'), urlHint: z.string() }),
    z.object({
      kind: z.literal('email'),
      host: z.string(),
      port: z.number(),
      security: z.enum(['tls', 'starttls', 'none']),
      username: z.string().nullable(),
      hasPassword: z.boolean(),
      from: z.string(),
      to: z.array(z.string()),
    }),
  ])
  .openapi('AlertTarget', {
    description:
      'A target without its secrets: URLs show as a hint (where a Discord, Slack or ntfy URL is the secret)',
  });

const lastDeliverySchema = z
  .object({
    at: z.string(),
    event: z.enum(['raised', 'cleared', 'test']),
    ok: z.boolean(),
    error: z.string().nullable(),
  })
  .openapi('AlertChannelLastDelivery', {
    description: 'The last attempt to send to the channel (an alert or a test); null when none was made yet',
  });

const channelSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    enabled: z.boolean(),
    minSeverity: severitySchema,
    createdAt: z.string(),
    target: publicTargetSchema,
    lastDelivery: lastDeliverySchema.nullable(),
  })
  .openapi('AlertChannel');

const unsavedTestSchema = z
  .object({
    name: nameSchema.optional().openapi({ description: 'For the audit log; the channel is not saved' }),
    target: targetInputSchema,
  })
  .strict()
  .openapi('AlertUnsavedChannelTest');

const alertSchema = z
  .object({
    id: z.string(),
    rule: z.string().openapi({ example: 'reach.cgnat' }),
    key: z.string(),
    severity: severitySchema,
    title: z.string(),
    message: z.string(),
    remedy: z.string().nullable(),
    raisedAt: z.string(),
    lastSeenAt: z.string(),
    occurrences: z.number().int(),
    clearedAt: z.string().nullable(),
    acknowledgedAt: z.string().nullable(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .openapi('Alert');

const deliverySchema = z
  .object({
    at: z.string(),
    alertId: z.string().nullable().openapi({ description: 'null for a test notification' }),
    alertTitle: z.string().nullable(),
    channelId: z.string(),
    channelName: z.string().nullable().openapi({ description: 'null once the channel is deleted' }),
    ok: z.boolean(),
    error: z.string().nullable(),
  })
  .openapi('AlertDelivery');

const testResultSchema = z
  .object({ ok: z.boolean(), error: z.string().nullable(), at: z.string() })
  .openapi('AlertTestResult');

const idParams = z.object({ id: z.uuid() });

/** What a person needs to recognise a URL without the part that may be a credential. */
export function urlHint(target: ChannelTarget): string {
  if (!('url' in target)) return '';
  const url = new URL(target.url);
  // Discord and Slack webhook paths are the credential; an ntfy topic is "essentially a password" (ntfy docs).
  if (target.kind === 'discord' || target.kind === 'slack' || target.kind === 'ntfy')
    return `${url.origin}/…`;
  return `${url.origin}${url.pathname}${url.search === '' ? '' : '?…'}`;
}

function toPublicTarget(target: ChannelTarget): z.infer<typeof publicTargetSchema> {
  switch (target.kind) {
    case 'webhook':
      return { kind: 'webhook', urlHint: urlHint(target), hasSecret: target.secret !== '' };
    case 'ntfy':
      return { kind: 'ntfy', urlHint: urlHint(target), hasToken: target.token !== null };
    case 'gotify':
      return { kind: 'gotify', urlHint: urlHint(target), hasToken: target.token !== '' };
    case 'discord':
    case 'slack':
      return { kind: target.kind, urlHint: urlHint(target) };
    case 'email':
      return {
        kind: 'email',
        host: target.host,
        port: target.port,
        security: target.security,
        username: target.username,
        hasPassword: target.password !== null,
        from: target.from,
        to: [...target.to],
      };
  }
}

const toPublicChannel = (c: Channel): z.infer<typeof channelSchema> => ({
  id: c.id,
  name: c.name,
  enabled: c.enabled,
  minSeverity: c.minSeverity,
  createdAt: c.createdAt,
  target: toPublicTarget(c.target),
  lastDelivery: c.lastDelivery ?? null,
});

const toPublicAlert = (a: Alert): z.infer<typeof alertSchema> => ({
  ...pickNotified(a),
  acknowledgedAt: a.acknowledgedAt,
});

const actorOf = (c: AppContext): AlertsActor => requestActor(c);

/** How HTTP says each alerts failure. */
const alertsStatus: StatusTable<AlertsFailureCode> = {
  'alerts.not-found': 404,
  'alerts.channel-not-found': 404,
  'alerts.channel-name-taken': 409,
  'alerts.too-many-channels': 409,
  'alerts.secret-required': 400,
};

/**
 * Ends a handler with an alerts failure. One about a field carries it as `details`, in the shape validation
 * issues have (`[{ path, message }]`), so a form shows every field problem the same way, next to its field.
 */
function failAlerts(f: AlertsFailure): never {
  if (f.field === undefined) return failWithCode(alertsStatus, f);
  throw new ApiProblem(alertsStatus[f.code], f.code, `${f.field}: ${f.message}`, {}, [
    { path: f.field.split('.'), message: f.message },
  ]);
}

export function alertRoutes(alerts: AlertService) {
  const router = createRouter();
  // Channels hold credentials for other systems: like API tokens, only an interactive login manages them.
  router.use('/alerts/channels', sessionOnly());
  router.use('/alerts/channels/*', sessionOnly());
  return router
    .openapi(
      createRoute({
        method: 'get',
        path: '/alerts',
        tags: ['alerts'],
        summary: 'Active alerts (newest first) and the most recently cleared ones',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(
            z.object({ active: z.array(alertSchema), recent: z.array(alertSchema) }),
            'Alerts',
          ),
          ...commonErrors,
        },
      }),
      (c) => {
        const { active, recent } = alerts.list();
        return c.json({ active: active.map(toPublicAlert), recent: recent.map(toPublicAlert) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/alerts/{id}/acknowledge',
        tags: ['alerts'],
        summary: 'Acknowledge an alert: it leaves the banner and is not sent to channels still waiting',
        middleware: [noInput()] as const,
        request: { params: idParams },
        responses: {
          200: jsonContent(z.object({ alert: alertSchema }), 'Acknowledged'),
          ...commonErrors,
          404: errorResponse('No such alert'),
        },
      }),
      async (c) => {
        const result = await alerts.acknowledge(c.req.valid('param').id, actorOf(c));
        if (!result.ok) return failAlerts(result.error);
        return c.json({ alert: toPublicAlert(result.value) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/alerts/deliveries',
        tags: ['alerts'],
        summary: 'Delivery attempts to channels, newest first, with the error of each failed one',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(z.object({ deliveries: z.array(deliverySchema) }), 'Deliveries'),
          ...commonErrors,
        },
      }),
      (c) => c.json({ deliveries: alerts.listDeliveries() }, 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/alerts/channels',
        tags: ['alerts'],
        summary: 'Notification channels, without their secrets (session only)',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(z.object({ channels: z.array(channelSchema) }), 'Channels'),
          ...commonErrors,
        },
      }),
      (c) => c.json({ channels: alerts.listChannels().map(toPublicChannel) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/alerts/channels',
        tags: ['alerts'],
        summary: 'Add a notification channel (session only)',
        request: { body: jsonBody(newChannelSchema) },
        responses: {
          201: jsonContent(z.object({ channel: channelSchema }), 'Created'),
          ...commonErrors,
          409: errorResponse('Name taken, or too many channels'),
        },
      }),
      async (c) => {
        const result = await alerts.createChannel(c.req.valid('json'), actorOf(c));
        if (!result.ok) return failAlerts(result.error);
        return c.json({ channel: toPublicChannel(result.value) }, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/alerts/channels/{id}',
        tags: ['alerts'],
        summary: 'Change a channel; URLs and secrets left out are kept (session only)',
        request: { params: idParams, body: jsonBody(channelPatchSchema) },
        responses: {
          200: jsonContent(z.object({ channel: channelSchema }), 'Changed'),
          ...commonErrors,
          404: errorResponse('No such channel'),
          409: errorResponse('Name taken'),
        },
      }),
      async (c) => {
        const result = await alerts.updateChannel(c.req.valid('param').id, c.req.valid('json'), actorOf(c));
        if (!result.ok) return failAlerts(result.error);
        return c.json({ channel: toPublicChannel(result.value) }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/alerts/channels/{id}',
        tags: ['alerts'],
        summary: 'Delete a channel (session only)',
        middleware: [noInput()] as const,
        request: { params: idParams },
        responses: {
          200: jsonContent(okSchema, 'Deleted'),
          ...commonErrors,
          404: errorResponse('No such channel'),
        },
      }),
      async (c) => {
        const result = await alerts.deleteChannel(c.req.valid('param').id, actorOf(c));
        if (!result.ok) return failAlerts(result.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/alerts/channels/test',
        tags: ['alerts'],
        summary:
          'Send a test notification to a channel that is not saved yet; nothing is stored (session only)',
        request: { body: jsonBody(unsavedTestSchema) },
        responses: {
          200: jsonContent(testResultSchema, 'The delivery outcome (ok false: the error says why)'),
          ...commonErrors,
        },
      }),
      async (c) => {
        const { name, target } = c.req.valid('json');
        const d = await alerts.testUnsavedChannel({ name: name ?? '', target }, actorOf(c));
        return c.json({ ok: d.ok, error: d.error, at: d.at }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/alerts/channels/{id}/test',
        tags: ['alerts'],
        summary:
          'Send a test notification now; answers whether the receiver accepted it. Without a body the saved ' +
          'channel is tested and the outcome kept as its last delivery; with a body (the fields of an edit, as ' +
          'PATCH takes them) the channel as edited is tested and nothing is saved (session only)',
        request: {
          params: idParams,
          body: { required: false, content: { 'application/json': { schema: channelPatchSchema } } },
        },
        responses: {
          200: jsonContent(testResultSchema, 'The delivery outcome (ok false: the error says why)'),
          ...commonErrors,
          404: errorResponse('No such channel'),
        },
      }),
      async (c) => {
        const changes = c.req.valid('json');
        const result = await alerts.testChannel(
          c.req.valid('param').id,
          actorOf(c),
          Object.keys(changes).length === 0 ? undefined : changes,
        );
        if (!result.ok) return failAlerts(result.error);
        const d = result.value;
        return c.json({ ok: d.ok, error: d.error, at: d.at }, 200);
      },
    );
}

/**
 * Ports fetch refuses to connect to (the Fetch standard's "bad port" list: they belong to other protocols such
 * as SMTP or IRC, where a crafted HTTP request could do harm). A URL on one of them can never be delivered to.
 */
const fetchBlockedPorts: ReadonlySet<number> = new Set([
  1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101, 102, 103, 104,
  109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427, 465, 512, 513, 514, 515,
  526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990, 993, 995, 1719, 1720, 1723, 2049,
  3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667, 6668, 6669, 6679, 6697, 10080,
]);

export type AlertRoutes = ReturnType<typeof alertRoutes>;
