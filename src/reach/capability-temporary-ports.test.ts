/** @module The reachability capability's temporary router ports (HTTP-01) as the composition root gets them. */
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/clock.js';
import { FakeFetch } from '../../test/fakes/fetch.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { FakeUdp } from '../../test/fakes/udp.js';
import { reachabilitySettingsSchema } from '../config/schema.js';
import { createEventBus } from '../core/events.js';
import { nodePrivateFiles } from '../core/node-fs.js';
import type { Ports } from '../core/ports.js';
import { initialState } from '../store/schema.js';
import { createReachability } from './capability.js';

describe('the reachability capability’s temporary ports', () => {
  it('with reachability off, opening a port is unavailable with the setting named, and nothing is sent', async () => {
    const clock = new FakeClock('2026-05-01T00:00:00Z');
    const logger = new MemoryLogger();
    const runner = new FakeRunner({ clock });
    const ports: Ports = {
      clock,
      logger,
      runner,
      fetch: new FakeFetch().fetch,
      files: nodePrivateFiles,
      bus: createEventBus(logger),
      secrets: new FakeSecrets(clock),
    };
    const udp = new FakeUdp(clock);
    const capability = createReachability(
      ports,
      { ...reachabilitySettingsSchema.parse({}), enabled: false },
      {
        store: new MemoryStore(initialState(clock.now(), 'x')),
        alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
        adapters: {
          udp,
          stun: { query: () => Promise.reject(new Error('no STUN in this test')) },
          launcher: {
            launch: () => {
              throw new Error('no process in this test');
            },
          },
          genaListener: {
            listen: () => Promise.reject(new Error('no GENA in this test')),
            close: () => Promise.resolve(),
          },
        },
      },
    );
    expect(
      await capability.temporaryPorts.open({
        internalPort: 80,
        externalPort: 80,
        lifetimeSeconds: 120,
        description: 'Gatehouse HTTP-01',
      }),
    ).toEqual({
      state: 'unavailable',
      reason: 'router port mapping is off (reachability.enabled / GATEHOUSE_REACHABILITY)',
    });
    expect(udp.opened).toEqual([]);
    expect(runner.calls).toEqual([]);
  });
});
