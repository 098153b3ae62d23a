import { describe, expect, it } from 'vitest';
import { coreAuditTypes } from '../audit/core-types.js';
import { exposureSettingsSchema, wireguardSettingsSchema } from '../config/schema.js';
import { createControlApi } from '../control/api.js';
import { createEventBus } from '../core/events.js';
import { nodePrivateFiles } from '../core/node-fs.js';
import type { Ports } from '../core/ports.js';
import type { State } from '../store/schema.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { FakeFirewall, FakeForwarding, FakeWgDevice } from '../../test/fakes/wireguard.js';
import { wireguardAuditTypes } from './admin.js';
import { createWireguard } from './capability.js';

/** The control API with only the WireGuard capability mounted, offline (nothing applied in the background). */
function api() {
  const registry = coreAuditTypes();
  registry.registerAuditTypes('wireguard', wireguardAuditTypes);
  const store = new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const logger = new MemoryLogger();
  const ports: Ports = {
    clock,
    logger,
    files: nodePrivateFiles,
    runner: new FakeRunner(),
    fetch: globalThis.fetch,
    bus: createEventBus(logger),
    secrets: new FakeSecrets(clock),
  };
  const firewall = new FakeFirewall();
  const wg = createWireguard(
    ports,
    {
      wireguard: wireguardSettingsSchema.parse({ interface: 'wgroutes0', endpointHost: 'home.example.test' }),
      exposure: exposureSettingsSchema.parse({ lanRanges: ['10.10.0.0/24'] }),
    },
    {
      store,
      alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
      device: new FakeWgDevice(),
      firewall,
      forwarding: new FakeForwarding(),
      interfaces: () => ({}),
      reachability: { publicRanges: [] },
      offline: true,
    },
  );
  const app = createControlApi({
    status: () => Promise.reject(new Error('unused')),
    capabilities: [wg],
    logger,
  });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(`/v1/wireguard${path}`, {
      method,
      ...(body === undefined
        ? {}
        : {
            body: typeof body === 'string' ? body : JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  return { call, store, firewall };
}

const error = (code: string) => ({ error: expect.objectContaining({ code }) as unknown });

describe('the WireGuard control routes', () => {
  it('peers: 201 on add, by id, patch, delete; unknown ids 404; the list carries status null with no interface', async () => {
    const t = api();
    const added = await t.call('POST', '/peers', { name: 'phone' });
    expect(added.status).toBe(201);
    const id = added.body.id as string;
    expect(await t.call('GET', `/peers/${id}`)).toMatchObject({ status: 200, body: { id, name: 'phone' } });
    expect(await t.call('GET', '/peers')).toMatchObject({
      status: 200,
      body: { peers: [{ id, status: null }] },
    });
    expect(await t.call('PATCH', `/peers/${id}`, { tunnel: 'full' })).toMatchObject({
      status: 200,
      body: { tunnel: 'full' },
    });
    expect(await t.call('DELETE', `/peers/${id}`)).toEqual({ status: 200, body: { id } });
    for (const [method, path] of [
      ['GET', `/peers/${id}`],
      ['PATCH', `/peers/${id}`],
      ['DELETE', `/peers/${id}`],
      ['POST', `/peers/${id}/config`],
    ] as const)
      expect(await t.call(method, path, method === 'PATCH' || method === 'POST' ? {} : undefined)).toEqual({
        status: 404,
        body: error('wireguard.peer-not-found'),
      });
    expect(await t.call('POST', `/peers/${id}/qr`, { format: 'svg' })).toEqual({
      status: 404,
      body: error('wireguard.peer-not-found'),
    });
  });

  it('failures map to their statuses: 400 invalid and malformed, 409 duplicate', async () => {
    const t = api();
    await t.call('POST', '/peers', { name: 'phone' });
    expect(await t.call('POST', '/peers', { name: 'PHONE' })).toEqual({
      status: 409,
      body: error('wireguard.duplicate'),
    });
    expect(await t.call('POST', '/peers', { name: 'x', bogus: 1 })).toEqual({
      status: 400,
      body: error('wireguard.invalid'),
    });
    expect(await t.call('POST', '/peers', '{not json')).toEqual({
      status: 400,
      body: error('body.malformed'),
    });
    expect(await t.call('POST', '/peers', [1])).toEqual({ status: 400, body: error('validation') });
    expect(await t.call('POST', '/apply', { dryRun: 'yes' })).toEqual({
      status: 400,
      body: error('validation'),
    });
    expect(await t.call('POST', '/peers/x/qr', { format: 'gif' })).toEqual({
      status: 400,
      body: error('validation'),
    });
    expect(await t.call('POST', '/grants/change', { subject: 'phone', services: [], grant: true })).toEqual({
      status: 400,
      body: error('validation'),
    });
  });

  it('config and QR answer JSON and mark the config fetched; the QR image is SVG text or base64 PNG', async () => {
    const t = api();
    const id = (await t.call('POST', '/peers', { name: 'phone' })).body.id as string;
    const read = await t.call('POST', `/peers/${id}/config`, { fetch: false });
    expect(read.body.text).toMatch(/^\[Interface\]\n/);
    expect(t.store.read().wireguard.peers[0]?.configSeen).toBeNull();
    expect(await t.call('POST', `/peers/${id}/config`)).toEqual({
      status: 400,
      body: error('body.malformed'),
    });
    const svg = await t.call('POST', `/peers/${id}/qr`, { format: 'svg' });
    expect(svg).toMatchObject({
      status: 200,
      body: { format: 'svg', data: expect.stringMatching(/^<svg /) as unknown },
    });
    expect(t.store.read().wireguard.peers[0]?.configSeen).not.toBeNull();
    const png = await t.call('POST', `/peers/${id}/qr`, { format: 'png' });
    expect(
      Buffer.from(png.body.data as string, 'base64')
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    const config = await t.call('POST', `/peers/${id}/config`, {});
    expect(config).toMatchObject({
      status: 200,
      body: { fileName: 'phone.conf', text: expect.stringMatching(/^\[Interface\]\n/) as unknown },
    });
  });

  it('services: add, patch, delete, 404 for unknown ids; grants: the whole matrix with PUT, changes with POST', async () => {
    const t = api();
    const s = await t.call('POST', '/services', {
      name: 'nas',
      host: '10.10.0.5',
      protocol: 'tcp',
      port: 445,
    });
    expect(s.status).toBe(201);
    const sid = s.body.id as string;
    expect(await t.call('PATCH', `/services/${sid}`, { port: '8000-8010' })).toMatchObject({
      status: 200,
      body: { portFrom: 8000, portTo: 8010 },
    });
    const pid = (await t.call('POST', '/peers', { name: 'phone' })).body.id as string;
    expect(
      await t.call('POST', '/grants/change', { subject: 'phone', services: ['nas'], grant: true }),
    ).toEqual({
      status: 200,
      body: { changed: 1 },
    });
    expect(await t.call('GET', '/grants')).toEqual({
      status: 200,
      body: { grants: [{ subject: { kind: 'peer', peerId: pid }, serviceId: sid }] },
    });
    expect(
      await t.call('PUT', '/grants', {
        grants: [{ subject: { kind: 'group', group: 'family' }, serviceId: sid }],
      }),
    ).toEqual({
      status: 200,
      body: { changed: 2 },
    });
    expect(
      await t.call('POST', '/grants/change', { subject: 'nobody', services: ['nas'], grant: false }),
    ).toEqual({
      status: 404,
      body: error('wireguard.peer-not-found'),
    });
    expect(await t.call('DELETE', `/services/${sid}`)).toEqual({ status: 200, body: { id: sid } });
    expect(await t.call('GET', '/grants')).toEqual({ status: 200, body: { grants: [] } });
    expect(await t.call('PATCH', `/services/${sid}`, {})).toEqual({
      status: 404,
      body: error('wireguard.service-not-found'),
    });
    expect(await t.call('DELETE', `/services/${sid}`)).toEqual({
      status: 404,
      body: error('wireguard.service-not-found'),
    });
  });

  it('a one-time link: the onboarding path and expiry; minutes out of bounds 400, unknown peer 404', async () => {
    const t = api();
    const id = (await t.call('POST', '/peers', { name: 'phone' })).body.id as string;
    expect(await t.call('POST', `/peers/${id}/link`, {})).toMatchObject({
      status: 200,
      body: {
        path: expect.stringMatching(/^\/onboard\/[A-Za-z0-9_-]{43}$/) as unknown,
        expiresAt: '2026-03-01T13:00:00.000Z',
      },
    });
    expect(await t.call('POST', `/peers/${id}/link`, { minutes: 4 })).toEqual({
      status: 400,
      body: error('wireguard.invalid'),
    });
    expect(await t.call('POST', `/peers/${id}/link`, { minutes: 'x' })).toEqual({
      status: 400,
      body: error('validation'),
    });
    expect(await t.call('POST', '/peers/nope/link', {})).toEqual({
      status: 404,
      body: error('wireguard.peer-not-found'),
    });
  });

  it('plan and a dry apply change nothing; apply applies', async () => {
    const t = api();
    await t.call('POST', '/peers', { name: 'phone' });
    const plan = await t.call('GET', '/plan');
    expect(plan).toMatchObject({ status: 200, body: { ok: true, message: 'changes to apply' } });
    expect(await t.call('POST', '/apply', { dryRun: true })).toEqual(plan);
    expect(t.firewall.applied).toEqual([]);
    const applied = await t.call('POST', '/apply', {});
    expect(applied).toMatchObject({
      status: 200,
      body: { ok: true, message: expect.stringMatching(/^applied: /) as unknown },
    });
    expect(t.firewall.applied).toHaveLength(1);
  });
});
