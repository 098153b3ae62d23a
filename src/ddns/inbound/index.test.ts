import { describe, expect, it } from 'vitest';
import { createEventBus } from '../../core/events.js';
import { createHostAllowList } from '../../http/allowed-hosts.js';
import type { State } from '../../store/schema.js';
import { FakeClock } from '../../../test/fakes/clock.js';
import { MemoryLogger } from '../../../test/fakes/logger.js';
import { MemoryStore } from '../../../test/fakes/store.js';
import { createDdnsInbound } from './index.js';

const client = (name: string, hostnames: string[]) => ({
  id: name,
  name,
  passwordHash: 'scrypt$1$1$1$x$y',
  hostnames,
  trusted: false,
  createdAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: null,
});

describe('createDdnsInbound', () => {
  it("gives the Host allow-list the clients' hostnames, read at each check", async () => {
    const store = new MemoryStore<State>();
    const logger = new MemoryLogger();
    const inbound = createDdnsInbound({
      store,
      clock: new FakeClock(),
      bus: createEventBus(logger),
      logger,
      publicRanges: () => [],
    });
    const hosts = createHostAllowList({ listenHost: '0.0.0.0', configured: [] });
    hosts.provide(inbound.hostNames);
    expect(hosts.allows('home.example.test')).toBe(false);
    await store.update((d) => {
      d.ddns.clients.push(
        client('a', ['home.example.test', 'nas.example.test']),
        client('b', ['home.example.test']),
      );
    });
    expect(inbound.hostNames()).toEqual(['home.example.test', 'nas.example.test']);
    expect(hosts.allows('HOME.example.test:8080')).toBe(true);
    expect(hosts.allows('other.example.test')).toBe(false);
  });
});
