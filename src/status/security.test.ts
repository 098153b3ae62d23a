import { describe, expect, it } from 'vitest';
import { createEventBus } from '../core/events.js';
import type { Ports } from '../core/ports.js';
import { initialState } from '../store/schema.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { aUser } from '../../test/fakes/user.js';
import { accountsWithoutTwoFactor, createAdminSecurity, securityRules } from './security.js';

function setup(everyMs?: number) {
  const clock = new FakeClock('2026-05-01T00:00:00Z');
  const logger = new MemoryLogger();
  const store = new MemoryStore(initialState(clock.now(), 'x'));
  const ports = {
    clock,
    logger,
    runner: new FakeRunner(),
    fetch: globalThis.fetch,
    files: {} as Ports['files'],
    bus: createEventBus(logger),
    secrets: new FakeSecrets(clock),
  } satisfies Ports;
  const calls: string[] = [];
  const security = createAdminSecurity(ports, {
    store,
    ...(everyMs === undefined ? {} : { everyMs }),
    alerts: {
      raise: (a) => {
        calls.push(`raise ${a.rule} ${a.message} ${String(a.details['accounts'])}`);
        return Promise.resolve();
      },
      clear: (rule, key) => {
        calls.push(`clear ${rule} ${JSON.stringify(key)}`);
        return Promise.resolve();
      },
    },
  });
  return { clock, store, logger, security, calls };
}

describe('accountsWithoutTwoFactor', () => {
  it('names the accounts that log in with a password alone; none before setup', () => {
    expect(accountsWithoutTwoFactor({ users: [] })).toEqual([]);
    expect(
      accountsWithoutTwoFactor({
        users: [aUser({ username: 'a', totpSecret: null }), aUser({ username: 'b', totpSecret: 'S' })],
      }),
    ).toEqual(['a']);
  });
});

describe('the admin-security capability', () => {
  it('raises the alert when an account has no second factor, only when the answer changes, and clears it', async () => {
    const t = setup();
    await t.store.update((d) => {
      d.users.push(aUser({ username: 'admin', totpSecret: null }));
    });
    await t.security.reconcile();
    await t.security.reconcile();
    expect(t.calls).toEqual([
      'raise security.two-factor-off The account admin logs in with a password alone. admin',
    ]);
    await t.store.update((d) => {
      d.users.push(aUser({ username: 'second', totpSecret: null }));
    });
    await t.security.reconcile();
    expect(t.calls.at(-1)).toBe(
      'raise security.two-factor-off The accounts admin, second log in with a password alone. admin, second',
    );
    await t.store.update((d) => {
      for (const u of d.users) u.totpSecret = 'SECRET';
    });
    await t.security.reconcile();
    await t.security.reconcile();
    expect(t.calls.slice(2)).toEqual(['clear security.two-factor-off ""']);
  });

  it('before setup there is nothing to guard: the first look clears, nothing is raised', async () => {
    const t = setup();
    await t.security.reconcile();
    expect(t.calls).toEqual(['clear security.two-factor-off ""']);
  });

  it('looks again every everyMs while it runs, and not after stop', async () => {
    const t = setup(1000);
    void t.security.start?.();
    await t.clock.sleeping();
    expect(t.calls).toEqual(['clear security.two-factor-off ""']);
    await t.store.update((d) => {
      d.users.push(aUser({ username: 'admin', totpSecret: null }));
    });
    t.clock.advance(999);
    await t.clock.settle();
    expect(t.calls).toHaveLength(1);
    t.clock.advance(1);
    await t.clock.sleeping();
    expect(t.calls).toHaveLength(2);
    await t.security.stop?.();
    await t.store.update((d) => {
      d.users[0]!.totpSecret = 'S';
    });
    t.clock.advance(5000);
    await t.clock.settle();
    expect(t.calls).toHaveLength(2);
    expect(t.logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('a failing sink is logged and the loop goes on', async () => {
    const t = setup(1000);
    let fail = true;
    const security = createAdminSecurity(
      {
        clock: t.clock,
        logger: t.logger,
        runner: new FakeRunner(),
        fetch: globalThis.fetch,
        files: {} as Ports['files'],
        bus: createEventBus(t.logger),
        secrets: new FakeSecrets(t.clock),
      },
      {
        store: t.store,
        everyMs: 1000,
        alerts: {
          raise: () => Promise.resolve(),
          clear: () => (fail ? Promise.reject(new Error('disk full')) : Promise.resolve()),
        },
      },
    );
    void security.start?.();
    await t.clock.sleeping();
    expect(t.logger.lines.map((l) => [l.level, l.msg, l.fields['err']])).toEqual([
      ['error', 'security: could not update the two-factor alert', 'disk full'],
    ]);
    fail = false;
    t.clock.advance(1000);
    await t.clock.sleeping();
    expect(t.logger.lines).toHaveLength(1);
    await security.stop?.();
  });

  it('its rule is a warning condition whose end is not news', () => {
    expect(securityRules['security.two-factor-off']).toMatchObject({
      severity: 'warning',
      kind: 'condition',
      notifyOnClear: false,
    });
  });
});
