import { describe, expect, it } from 'vitest';
import { FakePortOpener } from '../../test/fakes/port-opener.js';
import { createHttp01Registry, type Http01ListenerStatus } from './http01.js';
import { createHttp01Solver, type Http01SolverOptions } from './http01-solver.js';
import type { ChallengeTask } from './ports.js';

const thumbprint = '9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI';
const task = (token: string, name = 'home.example'): ChallengeTask => ({
  name,
  token,
  value: `${token}.${thumbprint}`,
});
const a = task('a'.repeat(43));
const b = task('b'.repeat(43), 'www.home.example');
const c = task('c'.repeat(43));

const listening: Http01ListenerStatus = { state: 'listening', host: '0.0.0.0', port: 8080 };

function setup(options: Partial<Http01SolverOptions> & { status?: Http01ListenerStatus } = {}) {
  const registry = createHttp01Registry();
  const opener = new FakePortOpener();
  let status = options.status ?? listening;
  const solver = createHttp01Solver({
    registry,
    listener: { status: () => status },
    portOpener: opener,
    mapRouterPort: true,
    ...options,
  });
  return { solver, registry, opener, setStatus: (s: Http01ListenerStatus) => (status = s) };
}

/** Lets pending promise callbacks run until `condition` holds (no timers: only the code's own steps). */
async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !condition(); i++) await new Promise((go) => setImmediate(go));
  expect(condition()).toBe(true);
}

describe('the HTTP-01 solver', () => {
  it('is the http-01 solver', () => {
    expect(setup().solver.type).toBe('http-01');
  });

  it('serves the token from present until cleanUp', async () => {
    const { solver, registry } = setup({ portOpener: undefined });
    expect(await solver.present(a)).toEqual({ ok: true, value: undefined });
    expect(registry.lookup(a.token)).toBe(a.value);
    await solver.cleanUp(a);
    expect(registry.lookup(a.token)).toBeUndefined();
  });

  it('fails as config when the listener is not started, and registers and maps nothing', async () => {
    const { solver, registry, opener } = setup({ status: { state: 'stopped' } });
    expect(await solver.present(a)).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message:
          'the HTTP-01 listener is not running: it is not started (acme.enabled, or no certificate configured)',
      },
    });
    expect(registry.size()).toBe(0);
    expect(opener.opens).toEqual([]);
    // The clean-up that follows every present changes nothing.
    await solver.cleanUp(a);
    expect(opener.closes).toEqual([]);
    expect(solver.mapping()).toEqual({ state: 'idle' });
  });

  it('fails as config with the reason and remedy when the listener could not start', async () => {
    const { solver } = setup({
      status: {
        state: 'failed',
        failure: { code: 'http01.port-in-use', message: 'port 80 is taken', remedy: 'stop the web server' },
      },
    });
    expect(await solver.present(a)).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message: 'the HTTP-01 listener is not running: port 80 is taken; stop the web server',
      },
    });
  });

  it('fails as config when the token or value cannot be served, and maps nothing', async () => {
    const { solver, opener, registry } = setup();
    const r = await solver.present({ name: 'home.example', token: 'a/b', value: `a/b.${thumbprint}` });
    expect(r).toEqual({
      ok: false,
      error: {
        kind: 'config',
        message:
          'cannot serve the HTTP-01 challenge for home.example: the challenge token is not base64url (RFC 8555 §8.3)',
      },
    });
    expect(opener.opens).toEqual([]);
    await solver.cleanUp({ name: 'home.example', token: 'a/b', value: '' });
    expect(registry.size()).toBe(0);
  });

  it('does nothing for a cancelled challenge', async () => {
    const { solver, opener, registry } = setup();
    const r = await solver.present(a, AbortSignal.abort());
    expect(r).toEqual({ ok: false, error: { kind: 'transient', message: 'the challenge was cancelled' } });
    expect(registry.size()).toBe(0);
    expect(opener.opens).toEqual([]);
  });

  it('maps nothing when the setting is off or there is no opener', async () => {
    for (const options of [{ mapRouterPort: false }, { portOpener: undefined }]) {
      const { solver, opener } = setup(options);
      expect(solver.mapping()).toEqual({ state: 'off' });
      expect((await solver.present(a)).ok).toBe(true);
      expect(opener.opens).toEqual([]);
      expect(solver.mapping()).toEqual({ state: 'off' });
      await solver.cleanUp(a);
    }
  });

  it('maps TCP 80 to the listener for the challenge, and removes the mapping at cleanUp', async () => {
    const { solver, opener } = setup();
    expect(solver.mapping()).toEqual({ state: 'idle' });
    expect((await solver.present(a)).ok).toBe(true);
    expect(opener.opens).toEqual([
      { internalPort: 8080, externalPort: 80, lifetimeSeconds: 300, description: 'Gatehouse ACME HTTP-01' },
    ]);
    expect(opener.active.size).toBe(1);
    expect(solver.mapping()).toEqual({ state: 'mapped', externalPort: 80 });
    await solver.cleanUp(a);
    expect(opener.closes).toEqual([80]);
    expect(opener.active.size).toBe(0);
    expect(solver.mapping()).toEqual({ state: 'idle' });
  });

  it('asks for the mapping lifetime it is given', async () => {
    const { solver, opener } = setup({ mappingLifetimeSeconds: 120 });
    await solver.present(a);
    expect(opener.opens[0]?.lifetimeSeconds).toBe(120);
  });

  it('succeeds without a mapping when the router offers none, and says why', async () => {
    const { solver, opener, registry } = setup();
    opener.answers({ state: 'unavailable', reason: 'no UPnP IGD, NAT-PMP or PCP router answered' });
    expect(await solver.present(a)).toEqual({ ok: true, value: undefined });
    expect(registry.lookup(a.token)).toBe(a.value);
    expect(solver.mapping()).toEqual({
      state: 'unavailable',
      reason: 'no UPnP IGD, NAT-PMP or PCP router answered',
    });
    await solver.cleanUp(a);
    expect(opener.closes).toEqual([]);
    expect(registry.size()).toBe(0);
  });

  it('treats an opener that throws as no mapping, not as a failed challenge', async () => {
    const { solver, opener } = setup();
    opener.answers({ state: 'throws', message: 'socket closed' });
    expect((await solver.present(a)).ok).toBe(true);
    expect(solver.mapping()).toEqual({ state: 'unavailable', reason: 'socket closed' });
    await solver.cleanUp(a);
  });

  it('gives back at once a mapping from another external port: the CA connects to 80 only', async () => {
    const { solver, opener } = setup();
    opener.answers({ state: 'mapped', externalPort: 8081 });
    expect((await solver.present(a)).ok).toBe(true);
    expect(opener.closes).toEqual([8081]);
    expect(opener.active.size).toBe(0);
    expect(solver.mapping()).toEqual({
      state: 'unavailable',
      reason: 'the router offered port 8081 instead of 80',
    });
    await solver.cleanUp(a);
    expect(opener.closes).toEqual([8081]);
  });

  it('shares one mapping among challenges at once, removed after the last cleanUp', async () => {
    const { solver, opener, registry } = setup();
    await solver.present(a);
    await solver.present(b);
    expect(opener.opens).toHaveLength(1);
    await solver.cleanUp(a);
    expect(opener.closes).toEqual([]);
    expect(registry.lookup(a.token)).toBeUndefined();
    expect(registry.lookup(b.token)).toBe(b.value);
    await solver.cleanUp(b);
    expect(opener.closes).toEqual([80]);
    // The next order maps again.
    await solver.present(c);
    expect(opener.opens).toHaveLength(2);
    expect(opener.active.size).toBe(1);
    await solver.cleanUp(c);
    expect(opener.active.size).toBe(0);
  });

  it('makes every challenge wait for the mapping being opened, and opens it once', async () => {
    const { solver, opener } = setup();
    opener.openGate.close();
    const resolved: string[] = [];
    const first = solver.present(a).then(() => resolved.push('a'));
    const second = solver.present(b).then(() => resolved.push('b'));
    await until(() => opener.openGate.queued === 1);
    expect(solver.mapping()).toEqual({ state: 'opening' });
    expect(resolved).toEqual([]);
    opener.openGate.open();
    await Promise.all([first, second]);
    expect(resolved.sort()).toEqual(['a', 'b']);
    expect(opener.opens).toHaveLength(1);
    expect(solver.mapping()).toEqual({ state: 'mapped', externalPort: 80 });
  });

  it('opens a new mapping only after the old one is removed, so the removal cannot take the new one', async () => {
    const { solver, opener } = setup();
    await solver.present(a);
    opener.closeGate.close();
    const cleaning = solver.cleanUp(a);
    await until(() => opener.closeGate.queued === 1);
    let presented = false;
    const presenting = solver.present(b).then(() => (presented = true));
    // Let the new present run as far as it can: it must not ask the router while the old mapping goes.
    await until(() => opener.closeGate.queued === 1);
    for (let i = 0; i < 10; i++) await new Promise((go) => setImmediate(go));
    expect(opener.opens).toHaveLength(1);
    expect(presented).toBe(false);
    opener.closeGate.open();
    await cleaning;
    await presenting;
    expect(opener.opens).toHaveLength(2);
    expect(opener.active.size).toBe(1);
    await solver.cleanUp(b);
    expect(opener.active.size).toBe(0);
  });

  it('forgets a mapping given up while it was being made (a clean-up that did not wait for present)', async () => {
    const { solver, opener, registry } = setup();
    opener.openGate.close();
    const first = solver.present(a);
    await until(() => opener.openGate.queued === 1);
    const cleaning = solver.cleanUp(a);
    expect(registry.size()).toBe(0);
    const second = solver.present(b);
    // The first open goes through; the second waits at the gate until the first mapping is removed.
    opener.openGate.open();
    opener.openGate.close();
    await cleaning;
    await first;
    expect(opener.closes).toEqual([80]);
    await until(() => opener.openGate.queued === 1);
    expect(solver.mapping()).toEqual({ state: 'opening' });
    opener.openGate.open();
    await second;
    expect(solver.mapping()).toEqual({ state: 'mapped', externalPort: 80 });
    expect(opener.active.size).toBe(1);
    await solver.cleanUp(b);
    expect(opener.active.size).toBe(0);
  });

  it('counts each present: a second cleanUp of one task, or one never presented, does not remove a shared mapping', async () => {
    const { solver, opener, registry } = setup();
    await solver.present(a);
    await solver.present(b);
    await solver.cleanUp(a);
    await solver.cleanUp(a);
    await solver.cleanUp(c);
    expect(opener.closes).toEqual([]);
    expect(registry.lookup(b.token)).toBe(b.value);
    await solver.cleanUp(b);
    expect(opener.closes).toEqual([80]);
  });

  it('removes only what its own present added', async () => {
    const { solver, registry } = setup();
    // A registration made elsewhere (or a present that failed: it registered nothing).
    registry.register(c.token, c.value);
    await solver.cleanUp(c);
    expect(registry.lookup(c.token)).toBe(c.value);
  });

  it('keeps a token presented twice until it is cleaned up twice', async () => {
    const { solver, opener, registry } = setup();
    await solver.present(a);
    await solver.present(a);
    await solver.cleanUp(a);
    expect(registry.lookup(a.token)).toBe(a.value);
    expect(opener.closes).toEqual([]);
    await solver.cleanUp(a);
    expect(registry.lookup(a.token)).toBeUndefined();
    expect(opener.closes).toEqual([80]);
  });

  it('survives a close that throws', async () => {
    const { solver, opener } = setup();
    opener.failCloses();
    await solver.present(a);
    await expect(solver.cleanUp(a)).resolves.toBeUndefined();
    expect(opener.closes).toEqual([80]);
    // And maps again next time.
    await solver.present(b);
    expect(opener.opens).toHaveLength(2);
  });

  it('checks the listener at each present', async () => {
    const { solver, setStatus } = setup();
    expect((await solver.present(a)).ok).toBe(true);
    setStatus({ state: 'stopped' });
    expect(await solver.present(b)).toMatchObject({ ok: false, error: { kind: 'config' } });
    await solver.cleanUp(b);
    await solver.cleanUp(a);
  });
});
