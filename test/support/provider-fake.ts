/**
 * @module The scaffolding every HTTP provider adapter's test sets up around its fake API: the server on 127.0.0.1 for
 * the test file, the model reset and the request log cleared before each test, and the ProviderDeps the adapter is
 * made with (the real fetch, so requests really go over loopback HTTP).
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ProviderDeps } from '../../src/ddns/provider.js';
import { startFakeApi, type FakeApi, type FakeApiAnswer, type FakeApiRequest } from '../fakes/fake-api.js';
import type { FakeClock } from '../fakes/clock.js';
import { FakeUdp } from '../fakes/udp.js';

/** A provider's documented API as an in-memory model. */
export interface FakeApiModel {
  handle(request: FakeApiRequest): FakeApiAnswer | Promise<FakeApiAnswer>;
  /** Back to the model's first state; called before each test. */
  reset(): void;
}

/**
 * Serves `model` on loopback for the calling test file (started in `beforeAll`, closed in `afterAll`); before each
 * test the model is reset and the request log emptied. The returned API is usable from `beforeAll` on.
 */
export function serveFakeApi(model: FakeApiModel): FakeApi {
  let running: FakeApi | undefined;
  const current = (): FakeApi => {
    if (running === undefined)
      throw new Error('the fake API starts in beforeAll: use it inside hooks and tests');
    return running;
  };
  beforeAll(async () => {
    running = await startFakeApi((r) => model.handle(r));
  });
  afterAll(() => current().close());
  beforeEach(() => {
    model.reset();
    current().requests.length = 0;
  });
  return {
    get baseUrl() {
      return current().baseUrl;
    },
    get requests() {
      return current().requests;
    },
    close: () => current().close(),
  };
}

/** What an adapter under test is made with: the real fetch, the test's clock, a UDP fake that nothing answers. */
export function providerTestDeps(clock: FakeClock): ProviderDeps {
  return { fetch, clock, udp: new FakeUdp(clock), userAgent: 'Gatehouse/test' };
}
