import { describe, expect, it } from 'vitest';
import { alertsAuditTypes } from '../../alerts/capability.js';
import { coreAuditTypes } from '../../audit/core-types.js';
import { verifyPassword } from '../../auth/passwords.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryStore } from '../../../test/fakes/store.js';
import type { State } from '../../store/schema.js';
import { ddnsInboundAuditTypes } from './audit-types.js';
import { DdnsClients, maxClients } from './clients.js';

const local = { actor: 'local', clientAddress: 'local' };

function setup() {
  const registry = coreAuditTypes();
  registry.registerAuditTypes('alerts', alertsAuditTypes);
  registry.registerAuditTypes('ddns', ddnsInboundAuditTypes);
  const store = new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
  const clock = new FakeClock('2026-03-01T12:00:00.000Z');
  return { store, clock, clients: new DdnsClients({ store, clock }) };
}

describe('DdnsClients', () => {
  it('adds a client: a 32-character base64url password returned once, only its scrypt hash stored', async () => {
    const { store, clients } = setup();
    const r = await clients.add(
      { name: 'fritzbox', hostnames: ['Home.Example.Test.', 'nas.example.test', 'home.example.test'] },
      local,
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.password).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(r.value.client).toEqual({
      id: expect.any(String) as string,
      name: 'fritzbox',
      hostnames: ['home.example.test', 'nas.example.test'],
      trusted: false,
      createdAt: '2026-03-01T12:00:00.000Z',
      lastUsedAt: null,
    });
    expect(r.value.client).not.toHaveProperty('passwordHash');
    const stored = store.read().ddns.clients[0];
    expect(stored?.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(store.read())).not.toContain(r.value.password);
    expect(await verifyPassword(r.value.password, stored?.passwordHash ?? '')).toBe(true);
    expect(store.appended.get('audit')).toEqual([
      expect.objectContaining({
        type: 'ddns.client-added',
        actor: 'local',
        details: { name: 'fritzbox', hostnames: 'home.example.test,nas.example.test', trusted: false },
      }),
    ]);
    expect(JSON.stringify(store.appended.get('audit'))).not.toContain(r.value.password);
  });

  it('generates a different password for each client', async () => {
    const { clients } = setup();
    const a = await clients.add({ name: 'a', hostnames: ['a.example.test'] }, local);
    const b = await clients.add({ name: 'b', hostnames: ['b.example.test'], trusted: true }, local);
    expect(a.ok && b.ok && a.value.password !== b.value.password).toBe(true);
    expect(b.ok && b.value.client.trusted).toBe(true);
  });

  it('stores an internationalised hostname as its A-labels, so it matches what a router sends', async () => {
    const { clients } = setup();
    const r = await clients.add(
      { name: 'fritzbox', hostnames: ['Café.Example.Test.', 'xn--caf-dma.example.test'] },
      local,
    );
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.client.hostnames).toEqual(['xn--caf-dma.example.test']);
  });

  it.each([
    [{ name: 'Fritz', hostnames: ['home.example.test'] }, /name may hold only/],
    [{ name: 'fritz:box', hostnames: ['home.example.test'] }, /name may hold only/],
    [{ name: '.', hostnames: ['home.example.test'] }, /name must begin with a letter or a digit/],
    [{ name: '..', hostnames: ['home.example.test'] }, /name must begin with a letter or a digit/],
    [{ name: '-router', hostnames: ['home.example.test'] }, /name must begin with a letter or a digit/],
    [{ name: '', hostnames: ['home.example.test'] }, /name is empty/],
    [{ name: 'x'.repeat(65), hostnames: ['home.example.test'] }, /longer than 64/],
    [{ name: 'fritzbox', hostnames: [] }, /at least one hostname/],
    [{ name: 'fritzbox', hostnames: ['home'] }, /hostnames\.0: "home" is not a fully qualified domain name/],
    [{ name: 'fritzbox', hostnames: ['ok.example.test', 'bad_name.test'] }, /hostnames\.1/],
    [
      { name: 'fritzbox', hostnames: ['bad_name.example.test'] },
      /^hostnames\.0: "bad_name\.example\.test": "_" is not a hostname character$/,
    ],
    [
      { name: 'fritzbox', hostnames: ['xn--zz.example.test'] },
      /^hostnames\.0: "xn--zz\.example\.test" is not a valid internationalised domain name$/,
    ],
    [
      { name: 'fritzbox', hostnames: Array.from({ length: 21 }, (_, i) => `h${i}.example.test`) },
      /at most 20/,
    ],
    [{ name: 'fritzbox', hostnames: ['home.example.test'], passwordHash: 'x' }, /passwordHash/],
    [{ name: 'fritzbox', hostnames: ['home.example.test'], trusted: 'yes' }, /trusted/],
    ['fritzbox', /expected object/i],
  ])('refuses %j', async (input, message) => {
    const { store, clients } = setup();
    const r = await clients.add(input, local);
    expect(r.ok).toBe(false);
    expect(r.ok ? undefined : r.error).toMatchObject({ code: 'ddns.client-invalid' });
    expect(r.ok ? '' : r.error.message).toMatch(message);
    expect(store.read().ddns.clients).toEqual([]);
  });

  it('refuses a name already taken, keeping the first password working', async () => {
    const { store, clients } = setup();
    const first = await clients.add({ name: 'fritzbox', hostnames: ['home.example.test'] }, local);
    const again = await clients.add({ name: 'fritzbox', hostnames: ['nas.example.test'] }, local);
    expect(again).toMatchObject({ ok: false, error: { code: 'ddns.client-exists' } });
    expect(store.read().ddns.clients).toHaveLength(1);
    expect(
      first.ok &&
        (await verifyPassword(first.value.password, store.read().ddns.clients[0]?.passwordHash ?? '')),
    ).toBe(true);
  });

  it('refuses the client past the limit', async () => {
    const { store, clients } = setup();
    await store.update((d) => {
      for (let i = 0; i < maxClients; i++) {
        d.ddns.clients.push({
          id: `c${i}`,
          name: `c${i}`,
          passwordHash: 'scrypt$1$1$1$x$y',
          hostnames: ['home.example.test'],
          trusted: false,
          createdAt: '2026-01-01T00:00:00.000Z',
          lastUsedAt: null,
        });
      }
    });
    const r = await clients.add({ name: 'one-more', hostnames: ['home.example.test'] }, local);
    expect(r).toMatchObject({ ok: false, error: { code: 'ddns.client-limit' } });
  });

  it('lists without the hash, and removes by name with an audit record', async () => {
    const { store, clients } = setup();
    await clients.add({ name: 'fritzbox', hostnames: ['home.example.test'] }, local);
    await clients.add({ name: 'openwrt', hostnames: ['nas.example.test'] }, local);
    expect(clients.list().map((c) => c.name)).toEqual(['fritzbox', 'openwrt']);
    expect(JSON.stringify(clients.list())).not.toContain('scrypt');
    const removed = await clients.remove('fritzbox', { actor: 'admin', clientAddress: '10.10.0.5' });
    expect(removed).toMatchObject({ ok: true, value: { name: 'fritzbox' } });
    expect(clients.list().map((c) => c.name)).toEqual(['openwrt']);
    expect(store.appended.get('audit')?.at(-1)).toMatchObject({
      type: 'ddns.client-removed',
      actor: 'admin',
      clientAddress: '10.10.0.5',
      details: { name: 'fritzbox' },
    });
    expect(await clients.remove('fritzbox', local)).toMatchObject({
      ok: false,
      error: { code: 'ddns.client-not-found' },
    });
  });
});
