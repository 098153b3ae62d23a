/**
 * @module WireGuard over HTTP: the interface's status, peers (with live status), their configs and QR codes, one-time
 * onboarding links, the service catalog, grants, the plan (what applying would change) and apply. A peer's config
 * carries its private key: fetching it, its QR code or a link needs an interactive login (as API tokens and DNS
 * credentials do); everything else also works with a token. The public onboarding page lives at /onboard/<token>.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { Hono } from 'hono';
import type { WireguardSettings } from '../config/schema.js';
import type { NftFirewall } from '../exposure/nft.js';
import { requestActor, type AppContext, type AppEnv } from '../http/context.js';
import { failWithField, type StatusTable } from '../http/errors.js';
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
import type { PeerView, WireguardAdmin, WireguardFailure, WireguardFailureCode } from './admin.js';
import { onboardingPage, onboardingStatusPage } from './onboarding-page.js';
import { peerStatus } from './peer-status.js';
import { interfaceAddress } from './pool.js';
import { renderQr } from './qr.js';
import type { Reconciler } from './reconciler.js';

export const wireguardStatus: StatusTable<WireguardFailureCode> = {
  'wireguard.invalid': 400,
  'wireguard.duplicate': 409,
  'wireguard.peer-not-found': 404,
  'wireguard.service-not-found': 404,
  'wireguard.pool-full': 409,
  'wireguard.no-endpoint': 409,
  'wireguard.key-forgotten': 410,
  'wireguard.qr-too-long': 422,
  'wireguard.link-not-found': 404,
  'wireguard.link-used': 410,
  'wireguard.link-expired': 410,
};

/** Ends a handler with a WireGuard failure; one about a field carries it as `details`, as validation issues do. */
export function failWireguard(f: WireguardFailure): never {
  return failWithField(wireguardStatus, f);
}

const actor = requestActor;

const anyObject = z.record(z.string(), z.unknown());
const idParam = z.object({ id: z.string().min(1).max(64) });

const peerStatusSchema = z
  .object({
    online: z.boolean(),
    latestHandshakeAt: z.string().nullable(),
    endpoint: z.string().nullable(),
    rxBytes: z.number(),
    txBytes: z.number(),
  })
  .nullable();

const peerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    groups: z.array(z.string()),
    publicKey: z.string(),
    keyMode: z.enum(['kept', 'forget-after-download', 'own']),
    privateKeyAvailable: z.boolean(),
    ipv4: z.string(),
    ipv6: z.string().nullable(),
    enabled: z.boolean(),
    disabledReason: z.enum(['manual', 'expired']).nullable(),
    expiresAt: z.string().nullable(),
    dns: z.array(z.string()).nullable(),
    persistentKeepalive: z.number().nullable(),
    tunnel: z.enum(['services', 'lan', 'full']),
    services: z.array(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
    configOutdated: z.boolean(),
    outdatedReasons: z.array(z.string()),
    status: peerStatusSchema,
  })
  .openapi('WireguardPeer');

const serviceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    host: z.string(),
    protocol: z.enum(['tcp', 'udp']),
    portFrom: z.number(),
    portTo: z.number(),
    webUrl: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('WireguardService');

const subjectSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('peer'), peerId: z.string() }),
  z.object({ kind: z.literal('group'), group: z.string() }),
]);
const grantsSchema = z
  .object({ grants: z.array(z.object({ subject: subjectSchema, serviceId: z.string() })) })
  .openapi('WireguardGrants');

const reportSchema = z
  .object({
    ok: z.boolean(),
    message: z.string(),
    device: z.object({ changes: z.array(z.string()) }),
    firewall: z.object({ script: z.string(), added: z.array(z.string()), removed: z.array(z.string()) }),
    warnings: z.array(z.string()),
  })
  .openapi('WireguardReport');

const overviewSchema = z
  .object({
    interface: z.object({
      name: z.string(),
      listenPort: z.number(),
      publicKey: z.string().nullable(),
      addresses: z.array(z.string()),
      implementation: z.enum(['kernel', 'userspace']).nullable(),
      running: z.boolean(),
      reason: z.string().nullable(),
      endpoint: z.object({ host: z.string(), port: z.number() }).nullable(),
      lastApply: z.object({ at: z.string(), ok: z.boolean(), message: z.string() }).nullable(),
      drift: z.object({ at: z.string(), changes: z.array(z.string()) }).nullable(),
    }),
    firewall: z.object({
      applied: z.boolean(),
      droppedPackets: z.number().nullable(),
      lanRanges: z.array(z.string()),
      warnings: z.array(z.string()),
    }),
    proof: z.object({
      lastPublicHandshake: z
        .object({ at: z.string(), peerId: z.string(), peerName: z.string(), endpoint: z.string() })
        .nullable(),
    }),
  })
  .openapi('Wireguard');

export interface WireguardRouteDeps {
  readonly admin: WireguardAdmin;
  readonly reconciler: Reconciler;
  readonly store: Store;
  readonly firewall: NftFirewall;
  readonly settings: WireguardSettings;
  readonly lanRanges: () => readonly string[];
  readonly endpoint: () => { readonly host: string; readonly port: number } | undefined;
  readonly serverPublicKey: () => Promise<string>;
  readonly nowMs: () => number;
}

export function wireguardRoutes(deps: WireguardRouteDeps) {
  const { admin, reconciler, store, settings } = deps;
  const withStatus = (views: readonly PeerView[]) => {
    const dump = reconciler.status.dump;
    const byKey = new Map((dump?.peers ?? []).map((d) => [d.publicKey, d]));
    const now = deps.nowMs();
    return views.map((v) => {
      const d = byKey.get(v.publicKey);
      return {
        ...v,
        groups: [...v.groups],
        dns: v.dns === null ? null : [...v.dns],
        services: [...v.services],
        outdatedReasons: [...v.outdatedReasons],
        status: d === undefined ? null : peerStatus(d, now, settings.onlineWithinSeconds),
      };
    });
  };
  const onePeer = async (id: string) => {
    const r = await admin.peer(id);
    if (!r.ok) return failWireguard(r.error);
    const [view] = withStatus([r.value]);
    return view as NonNullable<typeof view>;
  };

  const router = createRouter();
  // Secret material (a config carries the peer's private key): an interactive login only.
  router.use('/wireguard/peers/:id/config', sessionOnly());
  router.use('/wireguard/peers/:id/qr.svg', sessionOnly());
  router.use('/wireguard/peers/:id/qr.png', sessionOnly());
  router.use('/wireguard/peers/:id/link', sessionOnly());

  const configOf = async (c: AppContext, id: string) => {
    const r = await admin.clientConfig(id, { fetch: true, by: actor(c) });
    if (!r.ok) return failWireguard(r.error);
    return r.value;
  };
  const qr = async (c: AppContext, format: 'svg' | 'png') => {
    const config = await configOf(c, c.req.param('id') ?? '');
    const image = await renderQr(config.text, format);
    if (!image.ok) failWireguard({ code: 'wireguard.qr-too-long', message: image.error.message });
    const body = image.value;
    return c.body(typeof body === 'string' ? body : new Uint8Array(body), 200, {
      'Content-Type': format === 'svg' ? 'image/svg+xml' : 'image/png',
      'Cache-Control': 'no-store',
    });
  };

  const api = router
    .openapi(
      createRoute({
        method: 'get',
        path: '/wireguard',
        tags: ['wireguard'],
        summary:
          'The interface (running or why not), the firewall, and the proof that peers reach the box from outside',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(overviewSchema, 'WireGuard'), ...commonErrors },
      }),
      async (c) => {
        const status = reconciler.status;
        const w = store.read().wireguard;
        const counters = status.running ? await deps.firewall.counters() : undefined;
        const foreign = status.running
          ? await deps.firewall.foreignForwardDrops(settings.interface)
          : undefined;
        const newest = [...w.publicHandshakes].sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
        const endpoint = deps.endpoint();
        return c.json(
          {
            interface: {
              name: settings.interface,
              listenPort: settings.listenPort,
              publicKey: await deps.serverPublicKey(),
              addresses: [
                interfaceAddress(settings.pool.ipv4),
                ...(settings.pool.ipv6 === null ? [] : [interfaceAddress(settings.pool.ipv6)]),
              ],
              implementation: status.implementation,
              running: status.running,
              reason: status.reason,
              endpoint: endpoint === undefined ? null : { host: endpoint.host, port: endpoint.port },
              lastApply: status.lastApplied ?? w.lastApply,
              drift:
                status.drift === null ? null : { at: status.drift.at, changes: [...status.drift.changes] },
            },
            firewall: {
              applied: counters?.ok === true,
              droppedPackets: counters?.ok === true ? counters.value.drops.packets : null,
              lanRanges: [...deps.lanRanges()],
              warnings: [
                ...(foreign?.ok === true ? foreign.value : []),
                ...(status.lastReport?.warnings ?? []),
              ],
            },
            proof: {
              lastPublicHandshake:
                newest === undefined
                  ? null
                  : {
                      at: newest.at,
                      peerId: newest.peerId,
                      peerName: w.peers.find((p) => p.id === newest.peerId)?.name ?? '',
                      endpoint: newest.endpoint,
                    },
            },
          },
          200,
        );
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/wireguard/peers',
        tags: ['wireguard'],
        summary: 'Every peer with its grants, whether its config is outdated, and its live status',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(z.object({ peers: z.array(peerSchema) }), 'Peers'), ...commonErrors },
      }),
      async (c) => c.json({ peers: withStatus(await admin.peers()) }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/wireguard/peers',
        tags: ['wireguard'],
        summary: 'Add a peer (keys made by the box unless keyMode "own"; an address from the pool; grants)',
        request: {
          body: jsonBody(
            anyObject.openapi({ example: { name: 'phone', services: ['camera'], tunnel: 'services' } }),
          ),
        },
        responses: {
          201: jsonContent(peerSchema, 'The peer'),
          ...commonErrors,
          404: errorResponse('A named service does not exist'),
          409: errorResponse('Name or key taken, or the pool is full'),
        },
      }),
      async (c) => {
        const r = await admin.addPeer(c.req.valid('json'), actor(c));
        if (!r.ok) return failWireguard(r.error);
        return c.json(await onePeer(r.value.id), 201);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/wireguard/peers/{id}',
        tags: ['wireguard'],
        summary: 'One peer',
        request: { params: idParam },
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(peerSchema, 'The peer'),
          ...commonErrors,
          404: errorResponse('No such peer'),
        },
      }),
      async (c) => c.json(await onePeer(c.req.valid('param').id), 200),
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/wireguard/peers/{id}',
        tags: ['wireguard'],
        summary: 'Change a peer (name, groups, expiry, DNS, keepalive, tunnel mode, enabled)',
        request: { params: idParam, body: jsonBody(anyObject.openapi({ example: { enabled: false } })) },
        responses: {
          200: jsonContent(peerSchema, 'The peer'),
          ...commonErrors,
          404: errorResponse('No such peer'),
          409: errorResponse('Name taken'),
        },
      }),
      async (c) => {
        const r = await admin.updatePeer(c.req.valid('param').id, c.req.valid('json'), actor(c));
        if (!r.ok) return failWireguard(r.error);
        return c.json(await onePeer(r.value.id), 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/wireguard/peers/{id}',
        tags: ['wireguard'],
        summary: 'Remove a peer: its keys, address and grants are released',
        request: { params: idParam },
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(okSchema, 'Removed'),
          ...commonErrors,
          404: errorResponse('No such peer'),
        },
      }),
      async (c) => {
        const r = await admin.removePeer(c.req.valid('param').id, actor(c));
        if (!r.ok) return failWireguard(r.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/wireguard/peers/{id}/link',
        tags: ['wireguard'],
        summary:
          'A one-time onboarding link: opening it shows the QR code and the download once (interactive login)',
        request: {
          params: idParam,
          body: {
            required: false,
            content: {
              'application/json': { schema: z.object({ minutes: z.number().int().optional() }).strict() },
            },
          },
        },
        responses: {
          200: jsonContent(z.object({ url: z.string(), expiresAt: z.string() }), 'The link'),
          ...commonErrors,
          404: errorResponse('No such peer'),
          410: errorResponse('The private key was forgotten'),
        },
      }),
      async (c) => {
        const body = c.req.valid('json') as { minutes?: number } | undefined;
        const r = await admin.createLink(c.req.valid('param').id, body?.minutes ?? 60, actor(c));
        if (!r.ok) return failWireguard(r.error);
        const origin = new URL(c.req.url).origin;
        return c.json({ url: `${origin}/onboard/${r.value.token}`, expiresAt: r.value.expiresAt }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/wireguard/services',
        tags: ['wireguard'],
        summary: 'The catalog of LAN services peers may be granted',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(z.object({ services: z.array(serviceSchema) }), 'Services'),
          ...commonErrors,
        },
      }),
      (c) => c.json({ services: admin.services() }, 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/wireguard/services',
        tags: ['wireguard'],
        summary: 'Add a service (a host inside the LAN ranges or the box itself, tcp/udp, a port or range)',
        request: {
          body: jsonBody(
            anyObject.openapi({
              example: { name: 'camera', host: '192.168.1.20', protocol: 'tcp', port: 443 },
            }),
          ),
        },
        responses: {
          201: jsonContent(serviceSchema, 'The service'),
          ...commonErrors,
          409: errorResponse('Name taken'),
        },
      }),
      async (c) => {
        const r = await admin.addService(c.req.valid('json'), actor(c));
        if (!r.ok) return failWireguard(r.error);
        return c.json(r.value, 201);
      },
    )
    .openapi(
      createRoute({
        method: 'patch',
        path: '/wireguard/services/{id}',
        tags: ['wireguard'],
        summary: 'Change a service',
        request: { params: idParam, body: jsonBody(anyObject) },
        responses: {
          200: jsonContent(serviceSchema, 'The service'),
          ...commonErrors,
          404: errorResponse('No such service'),
          409: errorResponse('Name taken'),
        },
      }),
      async (c) => {
        const r = await admin.updateService(c.req.valid('param').id, c.req.valid('json'), actor(c));
        if (!r.ok) return failWireguard(r.error);
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/wireguard/services/{id}',
        tags: ['wireguard'],
        summary: 'Remove a service and its grants',
        request: { params: idParam },
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(okSchema, 'Removed'),
          ...commonErrors,
          404: errorResponse('No such service'),
        },
      }),
      async (c) => {
        const r = await admin.removeService(c.req.valid('param').id, actor(c));
        if (!r.ok) return failWireguard(r.error);
        return c.json({ ok: true as const }, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/wireguard/grants',
        tags: ['wireguard'],
        summary: 'Which peer or group may reach which service',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(grantsSchema, 'Grants'), ...commonErrors },
      }),
      (c) => c.json({ grants: admin.grants() }, 200),
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/wireguard/grants',
        tags: ['wireguard'],
        summary: 'Replace every grant at once (the matrix); unknown peers or services change nothing',
        request: { body: jsonBody(anyObject) },
        responses: {
          200: jsonContent(z.object({ changed: z.number() }), 'How many grants changed'),
          ...commonErrors,
          404: errorResponse('A peer or service does not exist'),
        },
      }),
      async (c) => {
        const r = await admin.setGrants(c.req.valid('json'), actor(c));
        if (!r.ok) return failWireguard(r.error);
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/wireguard/plan',
        tags: ['wireguard'],
        summary: 'What applying would change: the interface (peers) and the firewall ruleset, with its diff',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(reportSchema, 'The plan'), ...commonErrors },
      }),
      async (c) => c.json(reportJson(await reconciler.request('plan', { dryRun: true })), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/wireguard/apply',
        tags: ['wireguard'],
        summary:
          'Apply now (the interface and the firewall follow the store); a failure keeps the previous state',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(reportSchema, 'What was done'), ...commonErrors },
      }),
      async (c) => {
        const report = await reconciler.request('asked');
        await admin.auditApply(actor(c), report);
        return c.json(reportJson(report), 200);
      },
    );

  // The config and its QR codes are text and images: documented with their media types, served as they are.
  const secretRoute = <P extends string>(path: P, summary: string, media: string, description: string) =>
    createRoute({
      method: 'get',
      path,
      tags: ['wireguard'],
      summary,
      request: { params: idParam },
      middleware: [noInput()] as const,
      responses: {
        200: { description, content: { [media]: { schema: z.string() } } },
        ...commonErrors,
        404: errorResponse('No such peer'),
        409: errorResponse('The endpoint is not known yet (no DDNS hostname, no agreed public address)'),
        410: errorResponse('The private key was forgotten after the first download'),
        ...(media.startsWith('image/')
          ? { 422: errorResponse('Too long to scan: use the download or a link') }
          : {}),
      },
    });
  const served = api
    .openapi(
      secretRoute(
        '/wireguard/peers/{id}/config',
        "The peer's client config (with its private key; interactive login): a download, marks it as on the device",
        'text/plain',
        'The wg-quick config',
      ),
      async (c) => {
        const config = await configOf(c, c.req.valid('param').id);
        return c.body(config.text, 200, {
          'Content-Type': 'text/plain; charset=utf-8',
          'Content-Disposition': `attachment; filename="${config.fileName}"`,
          'Cache-Control': 'no-store',
        });
      },
    )
    .openapi(
      secretRoute(
        '/wireguard/peers/{id}/qr.svg',
        "The config's QR code as SVG (interactive login)",
        'image/svg+xml',
        'SVG',
      ),
      async (c) => (await qr(c, 'svg')) as never,
    )
    .openapi(
      secretRoute(
        '/wireguard/peers/{id}/qr.png',
        "The config's QR code as PNG (interactive login)",
        'image/png',
        'PNG',
      ),
      async (c) => (await qr(c, 'png')) as never,
    );
  return served;
}

export type WireguardRoutes = ReturnType<typeof wireguardRoutes>;

function reportJson(r: Awaited<ReturnType<Reconciler['request']>>) {
  return {
    ok: r.ok,
    message: r.message,
    device: { changes: [...r.device.changes] },
    firewall: { script: r.firewall.script, added: [...r.firewall.added], removed: [...r.firewall.removed] },
    warnings: [...r.warnings],
  };
}

/**
 * The public onboarding page: GET shows what the link is for and a button (a link preview in a chat app never
 * spends it); POST spends it and shows the QR code and the config to download, once.
 */
export function onboardingRoutes(admin: WireguardAdmin) {
  const app = new Hono<AppEnv>();
  const html = (c: AppContext, body: string, status: 200 | 404 | 410) =>
    c.html(body, status, { 'Cache-Control': 'no-store' });
  app.get('/onboard/:token', (c) => {
    const r = admin.peekLink(c.req.param('token'));
    if (!r.ok)
      return html(
        c,
        onboardingStatusPage(r.error.message),
        r.error.code === 'wireguard.link-not-found' ? 404 : 410,
      );
    return html(
      c,
      onboardingPage({ kind: 'ask', peerName: r.value.peerName, expiresAt: r.value.expiresAt }),
      200,
    );
  });
  app.post('/onboard/:token', async (c) => {
    const r = await admin.useLink(c.req.param('token'), c.get('requestContext').clientAddress);
    if (!r.ok)
      return html(
        c,
        onboardingStatusPage(r.error.message),
        r.error.code === 'wireguard.link-not-found' ? 404 : 410,
      );
    const qr = await renderQr(r.value.config.text, 'svg');
    return html(
      c,
      onboardingPage({
        kind: 'show',
        peerName: r.value.peerName,
        config: r.value.config.text,
        fileName: r.value.config.fileName,
        qrSvg: qr.ok ? String(qr.value) : null,
        qrProblem: qr.ok ? null : qr.error.message,
      }),
      200,
    );
  });
  return app;
}
