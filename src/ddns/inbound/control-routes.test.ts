import { describe, expect, it } from 'vitest';
import { alertsAuditTypes } from '../../alerts/capability.js';
import { coreAuditTypes } from '../../audit/core-types.js';
import { verifyPassword } from '../../auth/passwords.js';
import { createControlApi } from '../../control/api.js';
import type { State } from '../../store/schema.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import { MemoryStore } from '../../../test/fakes/store.js';
import { ddnsInboundAuditTypes } from './audit-types.js';
import { DdnsClients } from './clients.js';
import { clientControlRoutes } from './control-routes.js';

function setup() {
  const registry = coreAuditTypes();
  registry.registerAuditTypes('alerts', alertsAuditTypes);
  registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
  const store = new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  const logger = new MemoryLogger();
  const clients = new DdnsClients({ store, clock });
  const app = createControlApi({
    status: () => Promise.reject(new Error('unused')),
    logger,
    capabilities: [{ id: 'ddns', controlRoutes: clientControlRoutes(clients) }],
  });
  const send = (method: string, path: string, body?: string) =>
    app.request(`/v1/ddns${path}`, {
      method,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }),
    });
  return { store, logger, send };
}

describe('control routes of the dyndns2 clients', () => {
  it('adds (201, the password once), lists without hashes, removes; audited as the local administrator', async () => {
    const t = setup();
    const added = await t.send(
      'POST',
      '/credentials',
      JSON.stringify({ name: 'fritzbox', hostnames: ['Home.Example.Test'], trusted: true }),
    );
    expect(added.status).toBe(201);
    const body = (await added.json()) as { client: Record<string, unknown>; password: string };
    expect(body.client).toMatchObject({ name: 'fritzbox', hostnames: ['home.example.test'], trusted: true });
    expect(body.client).not.toHaveProperty('passwordHash');
    expect(await verifyPassword(body.password, t.store.read().ddns.clients[0]?.passwordHash ?? '')).toBe(
      true,
    );

    const listed = await t.send('GET', '/credentials');
    const text = await listed.text();
    expect(JSON.parse(text)).toMatchObject({ clients: [{ name: 'fritzbox' }] });
    expect(text).not.toMatch(/scrypt|passwordHash/);
    expect(text).not.toContain(body.password);

    const removed = await t.send('DELETE', '/credentials/fritzbox');
    expect([removed.status, await removed.json()]).toEqual([
      200,
      { client: expect.objectContaining({ name: 'fritzbox' }) as unknown },
    ]);
    expect(t.store.read().ddns.clients).toEqual([]);
    expect(t.store.appended.get('audit')?.map((a) => (a as { type: string; actor: string }).actor)).toEqual([
      'local',
      'local',
    ]);
    // The control API logs method, path and status only.
    expect(JSON.stringify(t.logger.lines)).not.toContain(body.password);
  });

  it.each([
    ['POST', '/credentials', '{"name":"Bad Name","hostnames":["home.example.test"]}', 400, 'validation'],
    ['POST', '/credentials', '{"name":"x","hostnames":["home"]}', 400, 'validation'],
    ['POST', '/credentials', '{"name":"x"', 400, 'body.malformed'],
    ['DELETE', '/credentials/nobody', undefined, 404, 'ddns.client-not-found'],
  ])('%s %s %s → %i %s', async (method, path, body, status, code) => {
    const t = setup();
    const res = await t.send(method, path, body);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error: { code } });
  });

  it('refuses a second client of the same name with 409', async () => {
    const t = setup();
    const body = JSON.stringify({ name: 'fritzbox', hostnames: ['home.example.test'] });
    expect((await t.send('POST', '/credentials', body)).status).toBe(201);
    const again = await t.send('POST', '/credentials', body);
    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({ error: { code: 'ddns.client-exists' } });
  });
});
