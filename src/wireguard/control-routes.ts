/**
 * @module The WireGuard capability's control-socket routes (mounted under `/v1/wireguard/`), for `gatehouse peer …`,
 * `service …`, `grant`, `revoke` and `wg apply`. The caller is the local administrator. Peers and services are
 * named in paths by id only (the CLI finds the id in the list first): a name may hold any printable character.
 * Answers are JSON, the client config and the QR images included, so one client reads them all.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { readJsonBody, type ControlEnv, type ControlRoutes } from '../control/api.js';
import { failWithCode } from '../http/errors.js';
import type { WireguardAdmin, WireguardActor } from './admin.js';
import type { DumpState } from './model.js';
import { renderQr } from './qr.js';
import type { Reconciler } from './reconciler.js';
import { wireguardStatus } from './routes.js';

/** The same statuses as the HTTP API's (one table). */
export const failureStatus = wireguardStatus;

const local: WireguardActor = { actor: 'local', clientAddress: 'local' };

/** What the interface last showed of a peer (from `wg show dump`); null when the interface was not read. */
export interface PeerLiveStatus {
  readonly latestHandshakeAt: string | null;
  readonly endpoint: string | null;
  readonly rxBytes: number;
  readonly txBytes: number;
}

/** A peer's live status from the last dump: null with no dump, zeros for a peer the interface does not carry. */
export function liveStatus(dump: DumpState | null, publicKey: string): PeerLiveStatus | null {
  if (dump === null) return null;
  const d = dump.peers.find((p) => p.publicKey === publicKey);
  if (!d) return { latestHandshakeAt: null, endpoint: null, rxBytes: 0, txBytes: 0 };
  return {
    latestHandshakeAt: d.latestHandshake === null ? null : new Date(d.latestHandshake * 1000).toISOString(),
    endpoint: d.endpoint,
    rxBytes: d.rxBytes,
    txBytes: d.txBytes,
  };
}

const anyObject = z.record(z.string(), z.unknown());
const qrBody = z.object({ format: z.enum(['svg', 'png']) }).strict();
const changeBody = z
  .object({
    subject: z.string().min(1).max(100),
    services: z.array(z.string().min(1).max(64)).min(1).max(1000),
    grant: z.boolean(),
  })
  .strict();
const applyBody = z.object({ dryRun: z.boolean().default(false) }).strict();
/** `fetch: false` reads the config without marking it fetched (the CLI checks a terminal QR code fits first). */
const configBody = z.object({ fetch: z.boolean().default(true) }).strict();
const linkBody = z.object({ minutes: z.number().int().default(60) }).strict();

/**
 * `GET /peers` → `{ peers: [PeerView & { status }] }`; `POST /peers` → 201 PeerView; `GET|PATCH|DELETE /peers/:id`;
 * `POST /peers/:id/config` `{ fetch? }` → `{ fileName, text }` and `POST /peers/:id/qr` `{ format }` → `{ format, data }` (SVG
 * text or base64 PNG) — both mark the config as fetched; `POST /peers/:id/link` `{ minutes? }` → `{ path, expiresAt }`
 * (the one-time onboarding page's path; the CLI knows the box's address, not the server); `GET|POST /services`, `PATCH|DELETE /services/:id`;
 * `GET|PUT /grants`, `POST /grants/change` `{ subject: name|id|@group, services, grant }` → `{ changed }`;
 * `GET /plan` (a dry run) and `POST /apply` `{ dryRun? }` → the reconcile report.
 */
export function controlRoutes(deps: { admin: WireguardAdmin; reconciler: Reconciler }): ControlRoutes {
  const { admin, reconciler } = deps;
  return new Hono<ControlEnv>()
    .get('/peers', async (c) => {
      const dump = reconciler.status.dump;
      const peers = await admin.peers();
      return c.json({ peers: peers.map((p) => ({ ...p, status: liveStatus(dump, p.publicKey) })) });
    })
    .post('/peers', async (c) => {
      const r = await admin.addPeer(await readJsonBody(c, anyObject), local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value, 201);
    })
    .get('/peers/:id', async (c) => {
      const r = await admin.peer(c.req.param('id'));
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value);
    })
    .patch('/peers/:id', async (c) => {
      const r = await admin.updatePeer(c.req.param('id'), await readJsonBody(c, anyObject), local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value);
    })
    .delete('/peers/:id', async (c) => {
      const r = await admin.removePeer(c.req.param('id'), local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value);
    })
    .post('/peers/:id/config', async (c) => {
      const { fetch } = await readJsonBody(c, configBody);
      const r = await admin.clientConfig(c.req.param('id'), { fetch, ...(fetch ? { by: local } : {}) });
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json({ fileName: r.value.fileName, text: r.value.text });
    })
    .post('/peers/:id/qr', async (c) => {
      const { format } = await readJsonBody(c, qrBody);
      const config = await admin.clientConfig(c.req.param('id'), { fetch: false });
      if (!config.ok) return failWithCode(failureStatus, config.error);
      const image = await renderQr(config.value.text, format);
      if (!image.ok) return failWithCode(failureStatus, image.error);
      // Only a QR code that can be scanned counts as fetched.
      const fetched = await admin.clientConfig(c.req.param('id'), { fetch: true, by: local });
      if (!fetched.ok) return failWithCode(failureStatus, fetched.error);
      const data =
        typeof image.value === 'string' ? image.value : Buffer.from(image.value).toString('base64');
      return c.json({ format, data });
    })
    .post('/peers/:id/link', async (c) => {
      const { minutes } = await readJsonBody(c, linkBody);
      const r = await admin.createLink(c.req.param('id'), minutes, local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json({ path: `/onboard/${r.value.token}`, expiresAt: r.value.expiresAt });
    })
    .get('/services', (c) => c.json({ services: admin.services() }))
    .post('/services', async (c) => {
      const r = await admin.addService(await readJsonBody(c, anyObject), local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value, 201);
    })
    .patch('/services/:id', async (c) => {
      const r = await admin.updateService(c.req.param('id'), await readJsonBody(c, anyObject), local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value);
    })
    .delete('/services/:id', async (c) => {
      const r = await admin.removeService(c.req.param('id'), local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value);
    })
    .get('/grants', (c) => c.json({ grants: admin.grants() }))
    .put('/grants', async (c) => {
      const r = await admin.setGrants(await readJsonBody(c, anyObject), local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value);
    })
    .post('/grants/change', async (c) => {
      const body = await readJsonBody(c, changeBody);
      const r = await admin.changeGrants(body.subject, body.services, body.grant, local);
      if (!r.ok) return failWithCode(failureStatus, r.error);
      return c.json(r.value);
    })
    .get('/plan', async (c) =>
      c.json(await reconciler.request('plan asked from the command line', { dryRun: true })),
    )
    .post('/apply', async (c) => {
      const { dryRun } = await readJsonBody(c, applyBody);
      const report = await reconciler.request('asked from the command line', { dryRun });
      if (!dryRun) await admin.auditApply(local, report);
      return c.json(report);
    });
}
