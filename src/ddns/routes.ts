/**
 * @module DDNS over HTTP: records with their state, provider accounts (credentials write-only: only whether each
 * is set comes back), the provider forms, "test credentials", "update now", the plan and the history, and the
 * clients of the inbound dyndns2 endpoint (`/credentials`: the generated password only in the add's answer).
 * Provider accounts hold credentials for other systems: like API tokens and alert channels, only an interactive
 * login manages them; records may be changed with a write token. A client's credentials are credentials too:
 * adding or removing one needs an interactive login; a token may list them (never a hash).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requestActor } from '../http/context.js';
import { ApiProblem, failWithCode, failWithField, type StatusTable } from '../http/errors.js';
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
import type { Store } from '../store/store.js';
import type { DdnsAdmin, DdnsFailure, DdnsFailureCode } from './admin.js';
import type { DdnsEngine, RecordRun } from './engine.js';
import type { DdnsClients } from './inbound/clients.js';
import { clientFailureStatus } from './inbound/control-routes.js';

export const ddnsStatus: StatusTable<DdnsFailureCode> = {
  'ddns.invalid': 400,
  'ddns.unknown-provider': 400,
  'ddns.account-not-found': 404,
  'ddns.record-not-found': 404,
  'ddns.account-in-use': 409,
  'ddns.duplicate': 409,
  'ddns.provider-refused': 422,
};

/** Ends a handler with a DDNS failure; one about a field carries it as `details`, as validation issues do. */
export function failDdns(f: DdnsFailure): never {
  return failWithField(ddnsStatus, f);
}

const actor = requestActor;

const anyObject = z.record(z.string(), z.unknown());
/** Settings and values are JSON by construction (they came in as JSON and were validated); typed as such here. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the one place the cast is named
const asJson = <T>(value: unknown) => value as T;
const idParam = z.object({ id: z.string().min(1).max(64) });

const attemptSchema = z
  .object({
    at: z.string(),
    ok: z.boolean(),
    kind: z.string().nullable(),
    code: z.string().nullable(),
    message: z.string(),
  })
  .nullable();

const recordSchema = z
  .object({
    id: z.string(),
    hostname: z.string(),
    zone: z.string(),
    type: z.enum(['A', 'AAAA']),
    accountId: z.string(),
    value: anyObject.openapi({ example: { kind: 'public' } }),
    ttl: z.number().int(),
    enabled: z.boolean(),
    createdAt: z.string(),
    updatedAt: z.string(),
    state: z
      .object({
        desired: z.string().nullable(),
        applied: z.string().nullable(),
        appliedAt: z.string().nullable(),
        verifiedAt: z.string().nullable(),
        propagationMs: z.number().nullable(),
        pending: z
          .object({ value: z.string(), since: z.string(), attempts: z.number(), nextAttemptAt: z.string() })
          .nullable(),
        stopped: z.object({ at: z.string(), message: z.string() }).nullable(),
        drift: z.object({ at: z.string(), served: z.string() }).nullable(),
        lastAttempt: attemptSchema,
      })
      .nullable(),
  })
  .openapi('DdnsRecord');

const accountSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.string(),
    provider: z.string(),
    settings: anyObject,
    credentials: z.array(z.object({ field: z.string(), set: z.boolean(), updatedAt: z.string().nullable() })),
    createdAt: z.string(),
    updatedAt: z.string(),
    stopped: z.object({ at: z.string(), code: z.string().nullable(), message: z.string() }).nullable(),
    notBefore: z.string().nullable(),
  })
  .openapi('DdnsAccount');

const providerSchema = z
  .object({
    kind: z.string(),
    label: z.string(),
    docsUrl: z.string(),
    fields: z.array(
      z.object({
        name: z.string(),
        label: z.string(),
        help: z.string().optional(),
        secret: z.boolean(),
        optional: z.boolean().optional(),
      }),
    ),
    can: z.object({ read: z.boolean(), txt: z.boolean() }),
  })
  .openapi('DdnsProvider');

const runSchema = z
  .object({
    recordId: z.string(),
    hostname: z.string(),
    type: z.enum(['A', 'AAAA']),
    action: anyObject.openapi({
      example: { kind: 'update', value: '203.0.113.7', previous: '203.0.113.5', drift: false },
    }),
    served: z.array(z.string()).nullable(),
    result: z.enum(['updated', 'unchanged', 'failed']).nullable(),
    message: z.string().nullable(),
    propagationMs: z.number().nullable(),
  })
  .openapi('DdnsRun');

export function runJson(r: RecordRun) {
  return {
    recordId: r.recordId,
    hostname: r.hostname,
    type: r.type,
    action: { ...r.action, ...('until' in r.action ? { until: r.action.until.toISOString() } : {}) },
    served: r.served === undefined ? null : [...r.served],
    result: r.result ?? null,
    message: r.message ?? null,
    propagationMs: r.propagationMs ?? null,
  };
}

const historySchema = z.array(
  z.object({
    at: z.string(),
    recordId: z.string(),
    hostname: z.string(),
    type: z.enum(['A', 'AAAA']),
    value: z.string(),
    previous: z.string().nullable(),
    ok: z.boolean(),
    message: z.string(),
    propagationMs: z.number().nullable(),
  }),
);

const overviewSchema = z
  .object({
    records: z.array(recordSchema),
    accounts: z.array(accountSchema),
    providers: z.array(providerSchema),
    current: z.object({ ipv4: z.string().nullable(), ipv6: z.string().nullable() }),
  })
  .openapi('Ddns');

const clientSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    hostnames: z.array(z.string()),
    trusted: z.boolean(),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('DdnsClient');

/** The shape only; src/ddns/inbound/clients.ts checks the values (name, FQDNs) and answers 400 with the reason. */
const clientInputSchema = z
  .object({
    name: z.string().max(64),
    hostnames: z.array(z.string().max(254)).max(20),
    trusted: z.boolean().optional(),
  })
  .strict()
  .openapi('DdnsClientInput', {
    example: { name: 'fritzbox', hostnames: ['home.example.com'], trusted: false },
  });

const clientNameParam = z.object({ name: z.string().min(1).max(64) });

export function ddnsRoutes(
  admin: DdnsAdmin,
  engine: DdnsEngine | undefined,
  store: Store,
  clients: DdnsClients,
) {
  const router = createRouter();
  router.use('/ddns/accounts', sessionOnly());
  router.use('/ddns/accounts/*', sessionOnly());
  const overview = async () => ({
    records: admin.records(),
    accounts: await admin.accounts(),
    providers: admin.providers(),
    current: store.read().reachability.current,
  });
  return router
    .openapi(
      createRoute({
        method: 'get',
        path: '/ddns',
        tags: ['ddns'],
        summary: 'Records with their state, provider accounts (no credentials), the providers one can add',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(overviewSchema, 'DDNS'), ...commonErrors },
      }),
      async (c) => c.json(asJson<z.infer<typeof overviewSchema>>(await overview()), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/ddns/history',
        tags: ['ddns'],
        summary: 'Changes made at the providers, newest first (at most 200)',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(historySchema, 'History'), ...commonErrors },
      }),
      (c) => c.json(store.log('ddns.history').newest(200), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/ddns/plan',
        tags: ['ddns'],
        summary: 'What an update would do now (asks the authoritative servers; changes nothing)',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(z.array(runSchema), 'Plan'),
          ...commonErrors,
          409: errorResponse('DDNS is turned off'),
        },
      }),
      async (c) => {
        if (!engine) throw new ApiProblem(409, 'ddns.off', 'the DDNS engine is turned off (ddns.enabled)');
        return c.json((await engine.plan()).map(runJson), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/ddns/update',
        tags: ['ddns'],
        summary: 'Update now: plan and apply every record, wait for the authoritative servers',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(z.array(runSchema), 'What was done'),
          ...commonErrors,
          409: errorResponse('DDNS is turned off'),
        },
      }),
      async (c) => {
        if (!engine) throw new ApiProblem(409, 'ddns.off', 'the DDNS engine is turned off (ddns.enabled)');
        await admin.auditUpdateRequest(actor(c));
        return c.json((await engine.reconcile('asked')).map(runJson), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/ddns/records',
        tags: ['ddns'],
        summary: 'Add a record (hostname, type, account; value public by default, TTL 60 s)',
        request: {
          body: jsonBody(
            anyObject.openapi({ example: { hostname: 'home.example.com', type: 'A', accountId: '…' } }),
          ),
        },
        responses: {
          201: jsonContent(recordSchema, 'The record'),
          ...commonErrors,
          404: errorResponse('No such account'),
          409: errorResponse('Managed already'),
        },
      }),
      async (c) => {
        const r = await admin.addRecord(c.req.valid('json'), actor(c));
        if (!r.ok) return failDdns(r.error);
        void engine?.reconcile('record added');
        return c.json(r.value, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/ddns/records/{id}',
        tags: ['ddns'],
        summary: 'Change a record (value, TTL, on/off, account); a stopped record is tried again',
        request: { params: idParam, body: jsonBody(anyObject) },
        responses: {
          200: jsonContent(recordSchema, 'The record'),
          ...commonErrors,
          404: errorResponse('No such record'),
        },
      }),
      async (c) => {
        const r = await admin.updateRecord(c.req.valid('param').id, c.req.valid('json'), actor(c));
        if (!r.ok) return failDdns(r.error);
        void engine?.reconcile('record changed');
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/ddns/records/{id}',
        tags: ['ddns'],
        summary: 'Stop managing a record (the record at the provider is left as it is)',
        request: { params: idParam },
        responses: {
          200: jsonContent(okSchema, 'Removed'),
          ...commonErrors,
          404: errorResponse('No such record'),
        },
      }),
      async (c) => {
        const r = await admin.removeRecord(c.req.valid('param').id, actor(c));
        if (!r.ok) return failDdns(r.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/ddns/accounts',
        tags: ['ddns'],
        summary: 'Add a provider account: kind, name, settings and credentials (write-only)',
        request: {
          body: jsonBody(
            anyObject.openapi({
              example: { kind: 'cloudflare', name: 'Cloudflare', secrets: { token: '…' } },
            }),
          ),
        },
        responses: {
          201: jsonContent(accountSchema, 'The account'),
          ...commonErrors,
          409: errorResponse('Name taken'),
        },
      }),
      async (c) => {
        const r = await admin.addAccount(c.req.valid('json'), actor(c));
        if (!r.ok) return failDdns(r.error);
        return c.json(asJson<z.infer<typeof accountSchema>>(r.value), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/ddns/accounts/test',
        tags: ['ddns'],
        summary: 'Test credentials before saving them (nothing is stored or changed at the provider)',
        request: { body: jsonBody(anyObject) },
        responses: {
          200: jsonContent(z.object({ detail: z.string() }), 'Accepted'),
          ...commonErrors,
          422: errorResponse('The provider refused'),
        },
      }),
      async (c) => {
        const body = c.req.valid('json');
        const { zone, ...input } = body;
        const r = await admin.testAccount({ input }, typeof zone === 'string' ? zone : undefined, actor(c));
        if (!r.ok) return failDdns(r.error);
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/ddns/accounts/{id}/test',
        tags: ['ddns'],
        summary: "Test a saved account's credentials (and a zone, when given)",
        request: {
          params: idParam,
          body: jsonBody(z.object({ zone: z.string().max(253).optional() }).strict()),
        },
        responses: {
          200: jsonContent(z.object({ detail: z.string() }), 'Accepted'),
          ...commonErrors,
          404: errorResponse('No such account'),
          422: errorResponse('The provider refused'),
        },
      }),
      async (c) => {
        const r = await admin.testAccount(
          { id: c.req.valid('param').id },
          c.req.valid('json').zone,
          actor(c),
        );
        if (!r.ok) return failDdns(r.error);
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/ddns/accounts/{id}',
        tags: ['ddns'],
        summary: 'Change an account (name, settings, some or all credentials); a stopped account resumes',
        request: { params: idParam, body: jsonBody(anyObject) },
        responses: {
          200: jsonContent(accountSchema, 'The account'),
          ...commonErrors,
          404: errorResponse('No such account'),
        },
      }),
      async (c) => {
        const r = await admin.updateAccount(c.req.valid('param').id, c.req.valid('json'), actor(c));
        if (!r.ok) return failDdns(r.error);
        void engine?.reconcile('account changed');
        return c.json(asJson<z.infer<typeof accountSchema>>(r.value), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/ddns/accounts/{id}',
        tags: ['ddns'],
        summary: 'Remove an account and its stored credentials (refused while records use it)',
        request: { params: idParam },
        responses: {
          200: jsonContent(okSchema, 'Removed'),
          ...commonErrors,
          404: errorResponse('No such account'),
          409: errorResponse('Records use it'),
        },
      }),
      async (c) => {
        const r = await admin.removeAccount(c.req.valid('param').id, actor(c));
        if (!r.ok) return failDdns(r.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/ddns/credentials',
        tags: ['ddns'],
        summary:
          'The clients that push their WAN address to /nic/update (dyndns2): hostnames, trusted, last used',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(
            z.object({ clients: z.array(clientSchema) }),
            'Clients (never a password or hash)',
          ),
          ...commonErrors,
        },
      }),
      (c) => c.json({ clients: clients.list() }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/ddns/credentials',
        tags: ['ddns'],
        summary:
          'Add a dyndns2 client (its Basic-auth name, the hostnames it may push for, trusted or one vote); the generated password is in this answer only. Interactive login only',
        middleware: [sessionOnly()] as const,
        request: { body: jsonBody(clientInputSchema) },
        responses: {
          201: jsonContent(
            z.object({ client: clientSchema, password: z.string() }),
            'The client and its password',
          ),
          ...commonErrors,
          409: errorResponse('Name taken, or too many clients'),
        },
      }),
      async (c) => {
        const r = await clients.add(c.req.valid('json'), actor(c));
        if (!r.ok) return failWithCode(clientFailureStatus, r.error);
        return c.json(r.value, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/ddns/credentials/{name}',
        tags: ['ddns'],
        summary: 'Remove a dyndns2 client: its password stops working at once. Interactive login only',
        middleware: [sessionOnly()] as const,
        request: { params: clientNameParam },
        responses: {
          200: jsonContent(z.object({ client: clientSchema }), 'Removed'),
          ...commonErrors,
          404: errorResponse('No such client'),
        },
      }),
      async (c) => {
        const r = await clients.remove(c.req.valid('param').name, actor(c));
        if (!r.ok) return failWithCode(clientFailureStatus, r.error);
        return c.json({ client: r.value }, 200);
      },
    );
}

export type DdnsRoutes = ReturnType<typeof ddnsRoutes>;
