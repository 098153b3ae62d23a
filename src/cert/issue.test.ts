import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FakeAcmeCa,
  FakeChallengeSolver,
  fakeChallengeValue,
  issueTestChain,
  makeTestKeyAndCsr,
} from '../../test/fakes/acme.js';
import {
  describeChain,
  issueCertificate,
  type IssueDeps,
  type IssueEvent,
  type IssueRequest,
} from './issue.js';
import type { ChallengeType } from './ports.js';

function setup(options: { parallel?: number; keyFails?: 'reject' | 'throw' } = {}) {
  const ca = new FakeAcmeCa();
  const http = new FakeChallengeSolver('http-01');
  const dns = new FakeChallengeSolver('dns-01');
  const timeline: string[] = [];
  ca.timeline = timeline;
  http.timeline = timeline;
  dns.timeline = timeline;
  ca.link(http, dns);
  const events: IssueEvent[] = [];
  const keyCalls: { names: readonly string[]; keyType: string }[] = [];
  const deps: IssueDeps = {
    ca,
    solvers: new Map<ChallengeType, FakeChallengeSolver>([
      ['http-01', http],
      ['dns-01', dns],
    ]),
    makeKeyAndCsr: (names, keyType) => {
      keyCalls.push({ names, keyType });
      timeline.push('key');
      if (options.keyFails === 'throw') throw new Error('no entropy');
      if (options.keyFails === 'reject') return Promise.reject(new Error('unsupported key type'));
      return Promise.resolve(makeTestKeyAndCsr(names));
    },
    log: (e) => events.push(e),
    ...(options.parallel === undefined ? {} : { parallel: options.parallel }),
  };
  return { ca, http, dns, deps, events, keyCalls, timeline };
}

const request = (over: Partial<IssueRequest> = {}): IssueRequest => ({
  names: ['a.example.test', 'b.example.test'],
  keyType: 'ecdsa-p256',
  challenge: 'http-01',
  ...over,
});

/** Every present got exactly one cleanUp, of the same task, and nothing is left served. */
function expectCleanedUp(solver: FakeChallengeSolver): void {
  const key = (e: { name: string; token: string; value: string }) => `${e.name} ${e.token} ${e.value}`;
  const presents = solver.events
    .filter((e) => e.op === 'present')
    .map(key)
    .sort();
  const cleanUps = solver.events
    .filter((e) => e.op === 'cleanUp')
    .map(key)
    .sort();
  expect(cleanUps).toStrictEqual(presents);
  expect(solver.leftovers()).toStrictEqual([]);
}

describe('issueCertificate: success', () => {
  it('orders, validates every name over http-01, cleans up, then finalizes with the CSR and checks the chain', async () => {
    const { ca, http, dns, deps, events, keyCalls, timeline } = setup();
    const out = await issueCertificate(deps, request());
    expect(out.ok).toBe(true);
    if (!out.ok) return;
    expect(out.value.challenge).toBe('http-01');
    expect(out.value.keyPem).toContain('PRIVATE KEY');
    expect(out.value.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(out.value.certificate).toMatchObject({
      serial: '03f1a2b3c4d5e6f708',
      names: ['a.example.test', 'b.example.test'],
      issuer: 'Fake Intermediate CA 1a2b3c',
      notBefore: '2026-01-01T00:00:00.000Z',
      notAfter: '2026-04-01T00:00:00.000Z',
    });
    expect(keyCalls).toStrictEqual([{ names: ['a.example.test', 'b.example.test'], keyType: 'ecdsa-p256' }]);
    expect(ca.callsOf('newOrder')).toStrictEqual([
      { method: 'newOrder', names: ['a.example.test', 'b.example.test'] },
    ]);
    expect(http.events.filter((e) => e.op === 'present')).toStrictEqual([
      {
        op: 'present',
        name: 'a.example.test',
        token: 'tok-a_example_test-http-01',
        value: fakeChallengeValue('http-01', 'tok-a_example_test-http-01'),
      },
      {
        op: 'present',
        name: 'b.example.test',
        token: 'tok-b_example_test-http-01',
        value: fakeChallengeValue('http-01', 'tok-b_example_test-http-01'),
      },
    ]);
    expectCleanedUp(http);
    expect(dns.events).toStrictEqual([]);
    // Answered only the chosen type's challenge.
    expect(ca.callsOf('answer').map((c) => c.type)).toStrictEqual(['http-01', 'http-01']);
    // Each clean-up once its authorization settled; all before finalize.
    const last = (s: string) => timeline.lastIndexOf(s);
    expect(last('cleanUp a.example.test')).toBeGreaterThan(last('waitValid a.example.test'));
    expect(last('cleanUp b.example.test')).toBeGreaterThan(last('waitValid b.example.test'));
    expect(last('cleanUp a.example.test')).toBeLessThan(last('finalize'));
    expect(last('cleanUp b.example.test')).toBeLessThan(last('finalize'));
    expect(timeline.indexOf('present a.example.test')).toBeLessThan(
      timeline.indexOf('answer a.example.test'),
    );
    expect(timeline.indexOf('answer a.example.test')).toBeLessThan(
      timeline.indexOf('waitValid a.example.test'),
    );
    expect(events).toStrictEqual([
      { type: 'order-created', names: ['a.example.test', 'b.example.test'], replaces: null },
      { type: 'challenge-presented', name: 'a.example.test', challenge: 'http-01' },
      { type: 'challenge-presented', name: 'b.example.test', challenge: 'http-01' },
      { type: 'authorization-valid', name: 'a.example.test', challenge: 'http-01' },
      { type: 'authorization-valid', name: 'b.example.test', challenge: 'http-01' },
      { type: 'certificate-issued', serial: '03f1a2b3c4d5e6f708' },
    ]);
  });

  it('sends `replaces` with the new order when renewing (RFC 9773 §5)', async () => {
    const { ca, deps, events } = setup();
    const out = await issueCertificate(deps, request({ replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE' }));
    expect(out.ok).toBe(true);
    expect(ca.callsOf('newOrder')).toStrictEqual([
      {
        method: 'newOrder',
        names: ['a.example.test', 'b.example.test'],
        replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
      },
    ]);
    expect(events[0]).toStrictEqual({
      type: 'order-created',
      names: ['a.example.test', 'b.example.test'],
      replaces: 'aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE',
    });
  });

  it('validates a wildcard and its base name over dns-01, two values on one name', async () => {
    const { http, dns, deps, keyCalls } = setup();
    const out = await issueCertificate(
      deps,
      request({ names: ['*.example.test', 'example.test'], challenge: 'dns-01', keyType: 'rsa-2048' }),
    );
    expect(out.ok && out.value.challenge).toBe('dns-01');
    expect(out.ok && out.value.certificate.names).toStrictEqual(['*.example.test', 'example.test']);
    const presents = dns.events.filter((e) => e.op === 'present');
    expect(presents.map((e) => e.name)).toStrictEqual(['example.test', 'example.test']);
    expect(new Set(presents.map((e) => e.value)).size).toBe(2);
    expect(presents.map((e) => e.value)).toContain(
      fakeChallengeValue('dns-01', 'tok-wild-example_test-dns-01'),
    );
    expectCleanedUp(dns);
    expect(http.events).toStrictEqual([]);
    expect(keyCalls[0]?.keyType).toBe('rsa-2048');
  });

  it('one TXT name at a time: the second value is presented only after the first is validated and removed', async () => {
    const { dns, deps, timeline } = setup();
    dns.yields = true;
    const out = await issueCertificate(
      deps,
      request({ names: ['*.example.test', 'example.test', 'other.test'], challenge: 'dns-01' }),
    );
    expect(out.ok).toBe(true);
    const shared = timeline.filter((t) =>
      /^(present|answer|waitValid|cleanUp) (\*\.)?example\.test$/.test(t),
    );
    expect(shared).toStrictEqual([
      'present example.test',
      'answer *.example.test',
      'waitValid *.example.test',
      'cleanUp example.test',
      'present example.test',
      'answer example.test',
      'waitValid example.test',
      'cleanUp example.test',
    ]);
    // other.test has a TXT name of its own: it runs beside them.
    expect(dns.maxInFlight).toBe(2);
    expectCleanedUp(dns);
  });

  it('a failure on the first value of a TXT name: the second is never presented', async () => {
    const { ca, dns, deps } = setup();
    ca.fail('waitValid', { kind: 'challenge', message: 'NXDOMAIN' }, { name: '*.example.test' });
    const out = await issueCertificate(
      deps,
      request({ names: ['*.example.test', 'example.test'], challenge: 'dns-01' }),
    );
    expect(!out.ok && out.error.message).toBe(
      'dns-01 for *.example.test: the CA did not validate it: NXDOMAIN',
    );
    expect(dns.count('present')).toBe(1);
    expectCleanedUp(dns);
  });

  it('skips authorizations the CA already holds valid (authz reuse)', async () => {
    const { ca, http, deps, events } = setup();
    ca.authz.set('a.example.test', { status: 'valid' });
    const out = await issueCertificate(deps, request());
    expect(out.ok).toBe(true);
    expect(http.events.filter((e) => e.op === 'present').map((e) => e.name)).toStrictEqual([
      'b.example.test',
    ]);
    expect(ca.callsOf('challengeValue').map((c) => c.name)).toStrictEqual(['b.example.test']);
    expect(ca.callsOf('waitValid').map((c) => c.name)).toStrictEqual(['b.example.test']);
    expect(events).toContainEqual({ type: 'authorization-reused', name: 'a.example.test' });
    expectCleanedUp(http);
  });

  it('finalizes at once when every authorization is reused: no solver is touched', async () => {
    const { ca, http, deps } = setup();
    ca.authz.set('a.example.test', { status: 'valid' });
    ca.authz.set('b.example.test', { status: 'valid' });
    const out = await issueCertificate(deps, request());
    expect(out.ok).toBe(true);
    expect(http.events).toStrictEqual([]);
    expect(ca.callsOf('finalize')).toHaveLength(1);
  });

  it('a clean-up that throws or rejects is logged and does not spoil a success', async () => {
    for (const how of ['throw', 'reject'] as const) {
      const { http, deps, events } = setup();
      http.breakCleanUp(how);
      const out = await issueCertificate(deps, request());
      expect(out.ok).toBe(true);
      expect(http.count('cleanUp')).toBe(2);
      expect(events.filter((e) => e.type === 'clean-up-failed')).toStrictEqual([
        {
          type: 'clean-up-failed',
          name: 'a.example.test',
          challenge: 'http-01',
          message: how === 'throw' ? 'fake solver: cleanUp threw' : 'fake solver: cleanUp rejected',
        },
        {
          type: 'clean-up-failed',
          name: 'b.example.test',
          challenge: 'http-01',
          message: how === 'throw' ? 'fake solver: cleanUp threw' : 'fake solver: cleanUp rejected',
        },
      ]);
    }
  });

  it('works without a log', async () => {
    const { deps } = setup();
    const { log: _log, ...quiet } = deps;
    expect((await issueCertificate(quiet, request())).ok).toBe(true);
  });
});

describe('issueCertificate: bounded parallelism', () => {
  const names = ['a.test', 'b.test', 'c.test', 'd.test', 'e.test', 'f.test'];
  it.each([
    { parallel: undefined, most: 4 },
    { parallel: 2, most: 2 },
    { parallel: 1, most: 1 },
    { parallel: 0, most: 1 },
  ])('parallel $parallel → at most $most challenges in flight', async ({ parallel, most }) => {
    const { http, deps } = setup(parallel === undefined ? {} : { parallel });
    http.yields = true;
    const out = await issueCertificate(deps, request({ names }));
    expect(out.ok).toBe(true);
    expect(http.maxInFlight).toBe(most);
    expect(http.count('present')).toBe(6);
    expectCleanedUp(http);
  });

  it('after a failure no further challenge is started', async () => {
    const { http, deps } = setup({ parallel: 1 });
    http.failPresent('a.test', { kind: 'transient', message: 'listener busy' });
    const out = await issueCertificate(deps, request({ names: ['a.test', 'b.test', 'c.test'] }));
    expect(out.ok).toBe(false);
    expect(http.events.filter((e) => e.op === 'present').map((e) => e.name)).toStrictEqual(['a.test']);
    expectCleanedUp(http);
  });
});

describe('issueCertificate: refused before anything is presented', () => {
  it('no names', async () => {
    const { ca, deps } = setup();
    expect(await issueCertificate(deps, request({ names: [] }))).toStrictEqual({
      ok: false,
      error: { stage: 'order', kind: 'config', message: 'no names to issue a certificate for' },
    });
    expect(ca.calls).toStrictEqual([]);
  });

  it('a wildcard with http-01', async () => {
    const { ca, deps } = setup();
    expect(
      await issueCertificate(
        deps,
        request({ names: ['*.example.test', 'x.example.test', '*.b.example.test'], challenge: 'http-01' }),
      ),
    ).toStrictEqual({
      ok: false,
      error: {
        stage: 'challenge',
        kind: 'config',
        challenge: 'http-01',
        message:
          'wildcard names (*.example.test, *.b.example.test) can only be validated with dns-01, not http-01',
      },
    });
    expect(ca.calls).toStrictEqual([]);
  });

  it('no solver for the chosen type', async () => {
    const { ca, deps } = setup();
    const out = await issueCertificate({ ...deps, solvers: new Map() }, request({ challenge: 'dns-01' }));
    expect(out).toStrictEqual({
      ok: false,
      error: {
        stage: 'challenge',
        kind: 'config',
        challenge: 'dns-01',
        message: 'no dns-01 solver is set up',
      },
    });
    expect(ca.calls).toStrictEqual([]);
  });

  it('the CA does not offer the chosen type for one name: says which it offers, presents nothing', async () => {
    const { ca, http, deps } = setup();
    ca.authz.set('b.example.test', { types: ['dns-01', 'tls-alpn-01'] });
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'challenge',
        kind: 'config',
        challenge: 'http-01',
        message: 'the CA does not offer http-01 for b.example.test; it offers dns-01, tls-alpn-01',
      },
    });
    expect(http.events).toStrictEqual([]);
    expect(ca.callsOf('finalize')).toStrictEqual([]);
  });

  it('an authorization without any challenge', async () => {
    const { ca, deps } = setup();
    ca.authz.set('*.example.test', { types: [] });
    const out = await issueCertificate(deps, request({ names: ['*.example.test'], challenge: 'dns-01' }));
    expect(!out.ok && out.error.message).toBe(
      'the CA does not offer dns-01 for *.example.test; it offers no challenge at all',
    );
  });

  it.each(['invalid', 'deactivated', 'expired'] as const)('an authorization that is %s', async (status) => {
    const { ca, http, deps } = setup();
    ca.authz.set('b.example.test', { status });
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'authorization',
        kind: 'rejected',
        message: `the CA's authorization for b.example.test is ${status}, not pending: a new order is needed`,
      },
    });
    expect(http.events).toStrictEqual([]);
  });
});

describe('issueCertificate: CA failures keep their kind and say what the CA said', () => {
  it('newOrder rate-limited: kind, Retry-After and the ACME type carried over', async () => {
    const { ca, http, deps } = setup();
    ca.fail('newOrder', {
      kind: 'rate-limited',
      message: 'too many certificates (5) already issued for this exact set of identifiers',
      acmeType: 'urn:ietf:params:acme:error:rateLimited',
      retryAfterMs: 3_600_000,
    });
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'order',
        kind: 'rate-limited',
        retryAfterMs: 3_600_000,
        acmeType: 'urn:ietf:params:acme:error:rateLimited',
        message:
          'the CA refused an order for a.example.test, b.example.test: too many certificates (5) already issued for this exact set of identifiers',
      },
    });
    expect(http.events).toStrictEqual([]);
  });

  it('newOrder breaking its contract (throws) is a transient failure', async () => {
    const { ca, deps } = setup();
    ca.fail('newOrder', 'throw');
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'order',
        kind: 'transient',
        message:
          'the CA refused an order for a.example.test, b.example.test: unexpected error: fake CA: newOrder broke its contract',
      },
    });
  });

  it('an order that comes back invalid', async () => {
    const { ca, deps } = setup();
    ca.orderStatus = 'invalid';
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'order',
        kind: 'rejected',
        message: "the CA's new order for a.example.test, b.example.test is invalid",
      },
    });
    expect(ca.callsOf('authorizations')).toStrictEqual([]);
  });

  it('authorizations unreadable', async () => {
    const { ca, deps } = setup();
    ca.fail('authorizations', { kind: 'unreachable', message: 'connect ECONNREFUSED 203.0.113.65:14000' });
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'authorization',
        kind: 'unreachable',
        message:
          "the CA's authorizations for a.example.test, b.example.test could not be read: connect ECONNREFUSED 203.0.113.65:14000",
      },
    });
  });

  it.each([
    {
      method: 'challengeValue' as const,
      text: "http-01 for b.example.test: the challenge's value could not be computed: bad key",
      presentsB: false,
    },
    {
      method: 'answer' as const,
      text: 'http-01 for b.example.test: the CA was not told the challenge is ready: bad key',
      presentsB: true,
    },
    {
      method: 'waitValid' as const,
      text: 'http-01 for b.example.test: the CA did not validate it: bad key',
      presentsB: true,
    },
  ])(
    '$method fails for one name: the failure names it; everything presented is cleaned up',
    async ({ method, text, presentsB }) => {
      const { ca, http, deps } = setup();
      ca.fail(
        method,
        { kind: 'transient', message: 'bad key', retryAfterMs: 5000 },
        { name: 'b.example.test' },
      );
      expect(await issueCertificate(deps, request())).toStrictEqual({
        ok: false,
        error: {
          stage: 'challenge',
          kind: 'transient',
          challenge: 'http-01',
          retryAfterMs: 5000,
          message: text,
        },
      });
      expect(http.events.some((e) => e.op === 'present' && e.name === 'b.example.test')).toBe(presentsB);
      expectCleanedUp(http);
      expect(ca.callsOf('finalize')).toStrictEqual([]);
    },
  );

  it("validation fails at the CA: kind challenge with the CA's detail", async () => {
    const { ca, http, deps } = setup();
    ca.validator = (authz) =>
      authz.name === 'a.example.test'
        ? '203.0.113.2: Fetching http://a.example.test/.well-known/acme-challenge/x: Connection refused'
        : true;
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'challenge',
        kind: 'challenge',
        challenge: 'http-01',
        acmeType: 'urn:ietf:params:acme:error:unauthorized',
        message:
          'http-01 for a.example.test: the CA did not validate it: 203.0.113.2: Fetching http://a.example.test/.well-known/acme-challenge/x: Connection refused',
      },
    });
    expectCleanedUp(http);
  });

  it('the real error survives a clean-up that throws', async () => {
    const { ca, http, deps, events } = setup();
    http.breakCleanUp('throw');
    ca.fail('waitValid', { kind: 'challenge', message: 'wrong value served' }, { name: 'a.example.test' });
    const out = await issueCertificate(deps, request());
    expect(!out.ok && out.error.message).toBe(
      'http-01 for a.example.test: the CA did not validate it: wrong value served',
    );
    expect(http.count('cleanUp')).toBe(2);
    expect(events.filter((e) => e.type === 'clean-up-failed')).toHaveLength(2);
  });

  it('finalize refused', async () => {
    const { ca, http, deps } = setup();
    ca.fail('finalize', {
      kind: 'rejected',
      message: 'CSR names do not match',
      acmeType: 'urn:ietf:params:acme:error:badCSR',
    });
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: {
        stage: 'finalize',
        kind: 'rejected',
        acmeType: 'urn:ietf:params:acme:error:badCSR',
        message:
          'the CA did not issue the certificate for a.example.test, b.example.test: CSR names do not match',
      },
    });
    expectCleanedUp(http);
  });

  it.each([
    {
      chain: () => '',
      kind: 'transient',
      text: 'the CA sent no certificate (no PEM CERTIFICATE block in its answer)',
    },
    {
      chain: () => issueTestChain({ names: ['a.example.test'] }),
      kind: 'rejected',
      text: 'the issued certificate does not name b.example.test (it names a.example.test)',
    },
    {
      chain: (names: readonly string[]) => issueTestChain({ names }),
      kind: 'rejected',
      text: 'the issued certificate is not for the key of the request',
    },
  ])('a chain that cannot be used: $text', async ({ chain, kind, text }) => {
    const { ca, deps } = setup();
    ca.chain = chain;
    expect(await issueCertificate(deps, request())).toStrictEqual({
      ok: false,
      error: { stage: 'finalize', kind, message: text },
    });
  });
});

describe('issueCertificate: challenge solver failures', () => {
  it.each([
    {
      failure: { kind: 'transient' as const, message: 'TXT not yet on ns2.example.test' },
      kind: 'transient',
      said: 'TXT not yet on ns2.example.test',
    },
    {
      failure: { kind: 'config' as const, message: 'the port-80 listener is not running' },
      kind: 'config',
      said: 'the port-80 listener is not running',
    },
    {
      failure: 'throw' as const,
      kind: 'transient',
      said: 'unexpected error: fake solver: present broke its contract',
    },
  ])(
    "present fails ($kind): stage challenge, the solver's words, and the failed present is cleaned up too",
    async ({ failure, kind, said }) => {
      const { ca, http, deps } = setup();
      http.failPresent('b.example.test', failure);
      expect(await issueCertificate(deps, request())).toStrictEqual({
        ok: false,
        error: {
          stage: 'challenge',
          kind,
          challenge: 'http-01',
          message: `http-01 for b.example.test: could not be put in place: ${said}`,
        },
      });
      expect(
        http.events
          .filter((e) => e.op === 'cleanUp')
          .map((e) => e.name)
          .sort(),
      ).toStrictEqual(['a.example.test', 'b.example.test']);
      expectCleanedUp(http);
      expect(ca.callsOf('answer').map((c) => c.name)).not.toContain('b.example.test');
    },
  );

  it('one failure stops a present still in flight; the first failure is the one reported', async () => {
    const { ca, http, deps } = setup();
    const held = http.hold('b.example.test');
    ca.fail('waitValid', { kind: 'challenge', message: 'connection refused' }, { name: 'a.example.test' });
    const out = await issueCertificate(deps, request());
    await held.reached;
    expect(!out.ok && out.error.message).toBe(
      'http-01 for a.example.test: the CA did not validate it: connection refused',
    );
    expect(ca.callsOf('answer').map((c) => c.name)).toStrictEqual(['a.example.test']);
    expectCleanedUp(http);
  });
});

describe('issueCertificate: key', () => {
  it.each([
    { keyFails: 'reject' as const, said: 'unsupported key type' },
    { keyFails: 'throw' as const, said: 'no entropy' },
  ])(
    'makeKeyAndCsr fails ($keyFails): stage key, after clean-up, no finalize',
    async ({ keyFails, said }) => {
      const { ca, http, deps } = setup({ keyFails });
      expect(await issueCertificate(deps, request())).toStrictEqual({
        ok: false,
        error: { stage: 'key', kind: 'transient', message: `the certificate key could not be made: ${said}` },
      });
      expectCleanedUp(http);
      expect(ca.callsOf('finalize')).toStrictEqual([]);
    },
  );

  it('the key is made beside the order, before the validations finish', async () => {
    const { deps, timeline } = setup();
    await issueCertificate(deps, request());
    expect(timeline.indexOf('key')).toBeLessThan(timeline.indexOf('waitValid a.example.test'));
  });

  it('a failed order leaves no unhandled rejection from the key', async () => {
    const { ca, deps } = setup({ keyFails: 'reject' });
    ca.fail('newOrder', { kind: 'unreachable', message: 'timeout' });
    const out = await issueCertificate(deps, request());
    expect(!out.ok && out.error.stage).toBe('order');
  });
});

describe('issueCertificate: cancelled through the signal', () => {
  const cancelled = (stage: string, what: string) => ({
    ok: false,
    error: {
      stage,
      kind: 'transient',
      aborted: true,
      message: `issuing the certificate for a.example.test, b.example.test was cancelled ${what}`,
    },
  });

  it('already aborted: nothing is asked of the CA', async () => {
    const { ca, deps } = setup();
    const out = await issueCertificate(deps, request(), AbortSignal.abort());
    expect(out).toStrictEqual(cancelled('order', 'before the order was placed'));
    expect(ca.calls).toStrictEqual([]);
  });

  it('while the order is placed', async () => {
    const { ca, deps } = setup();
    const gate = ca.hold('newOrder');
    const stop = new AbortController();
    const running = issueCertificate(deps, request(), stop.signal);
    await gate.reached;
    stop.abort();
    expect(await running).toStrictEqual(cancelled('order', 'while the order was placed'));
    gate.release();
    expect(ca.callsOf('authorizations')).toStrictEqual([]);
  });

  it('while the authorizations are read', async () => {
    const { ca, deps } = setup();
    const gate = ca.hold('authorizations');
    const stop = new AbortController();
    const running = issueCertificate(deps, request(), stop.signal);
    await gate.reached;
    stop.abort();
    expect(await running).toStrictEqual(cancelled('authorization', 'while reading the authorizations'));
    gate.release();
  });

  it.each([
    { where: 'present', hold: (s: ReturnType<typeof setup>) => s.http.hold('b.example.test') },
    {
      where: 'challengeValue',
      hold: (s: ReturnType<typeof setup>) => s.ca.hold('challengeValue', 'b.example.test'),
    },
    { where: 'answer', hold: (s: ReturnType<typeof setup>) => s.ca.hold('answer', 'b.example.test') },
    { where: 'waitValid', hold: (s: ReturnType<typeof setup>) => s.ca.hold('waitValid', 'b.example.test') },
  ])('during $where: cancelled, and every present is cleaned up', async ({ hold }) => {
    const s = setup();
    const gate = hold(s);
    const stop = new AbortController();
    const running = issueCertificate(s.deps, request(), stop.signal);
    await gate.reached;
    stop.abort();
    expect(await running).toStrictEqual(cancelled('challenge', 'while the challenges were validated'));
    gate.release();
    expectCleanedUp(s.http);
    expect(s.http.count('present')).toBeGreaterThan(0);
    expect(s.ca.callsOf('finalize')).toStrictEqual([]);
  });

  it('while finalizing', async () => {
    const { ca, http, deps } = setup();
    const gate = ca.hold('finalize');
    const stop = new AbortController();
    const running = issueCertificate(deps, request(), stop.signal);
    await gate.reached;
    stop.abort();
    expect(await running).toStrictEqual(cancelled('finalize', 'while the certificate was finalized'));
    gate.release();
    expectCleanedUp(http);
  });

  it('while the key is made', async () => {
    const s = setup();
    let releaseKey = (): void => undefined;
    let keyAsked = (): void => undefined;
    const asked = new Promise<void>((r) => (keyAsked = r));
    const stop = new AbortController();
    const deps: IssueDeps = {
      ...s.deps,
      makeKeyAndCsr: (names) => {
        keyAsked();
        return new Promise((resolve) => (releaseKey = () => resolve(makeTestKeyAndCsr(names))));
      },
    };
    s.ca.authz.set('a.example.test', { status: 'valid' });
    s.ca.authz.set('b.example.test', { status: 'valid' });
    const gate = s.ca.hold('authorizations');
    const running = issueCertificate(deps, request(), stop.signal);
    await asked;
    gate.release();
    // The key is still being made once the (reused) authorizations are through: cancel then.
    await new Promise<void>((r) => setImmediate(r));
    stop.abort();
    expect(await running).toStrictEqual(cancelled('key', 'while the key was made'));
    releaseKey();
    expect(s.ca.callsOf('finalize')).toStrictEqual([]);
  });
});

describe('describeChain', () => {
  const names = ['a.example.test', 'b.example.test'];

  it('reads serial, fingerprint, names, issuer and validity from the leaf', () => {
    const chain = issueTestChain({
      names,
      serial: '0abcdef1',
      ips: ['203.0.113.7'],
      notBefore: new Date('2026-02-03T04:05:06Z'),
      notAfter: new Date('2026-03-20T04:05:06Z'),
    });
    const out = describeChain(chain, { names });
    const leaf = new X509Certificate(chain);
    expect(out).toStrictEqual({
      ok: true,
      value: {
        serial: '0abcdef1',
        fingerprintSha256: leaf.fingerprint256,
        names,
        issuer: 'Fake Intermediate CA 1a2b3c',
        notBefore: '2026-02-03T04:05:06.000Z',
        notAfter: '2026-03-20T04:05:06.000Z',
      },
    });
    expect(out.ok && out.value.fingerprintSha256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
  });

  it('an issuer without a common name is shown by its whole name', () => {
    const out = describeChain(issueTestChain({ names, issuerName: null }));
    expect(out.ok && out.value.issuer).toBe('C=US, O=Fake Org');
  });

  it('a lone leaf (no intermediate) is fine; names match without regard to case', () => {
    const [leaf] =
      issueTestChain({ names }).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    const out = describeChain(leaf ?? '', { names: ['A.Example.Test'] });
    expect(out.ok).toBe(true);
  });

  it('a name with a comma comes quoted from Node and is read back whole', () => {
    const out = describeChain(issueTestChain({ names: ['x,y.example.test', 'b.example.test'] }));
    expect(out.ok && out.value.names).toStrictEqual(['x,y.example.test', 'b.example.test']);
  });

  it("the key check accepts the request's own key", () => {
    const { keyPem, csrPem } = makeTestKeyAndCsr(names);
    expect(describeChain(issueTestChain({ names, csrPem }), { names, keyPem }).ok).toBe(true);
  });

  it.each([
    {
      chain: '',
      kind: 'garbled',
      text: 'the CA sent no certificate (no PEM CERTIFICATE block in its answer)',
    },
    {
      chain: 'not a certificate',
      kind: 'garbled',
      text: 'the CA sent no certificate (no PEM CERTIFICATE block in its answer)',
    },
  ])('$text', ({ chain, kind, text }) => {
    expect(describeChain(chain)).toStrictEqual({ ok: false, error: { kind, message: text } });
  });

  it('a block that is not X.509', () => {
    const good = issueTestChain({ names });
    const bad = `${good}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`;
    const out = describeChain(bad);
    expect(!out.ok && out.error.kind).toBe('garbled');
    expect(!out.ok && out.error.message).toMatch(
      /^certificate 3 of 3 in the CA's chain does not parse \(.+\)$/,
    );
  });

  it('a chain out of order', () => {
    const blocks =
      issueTestChain({ names }).match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
    const out = describeChain(`${blocks[1]}\n${blocks[0]}\n`);
    expect(out).toStrictEqual({
      ok: false,
      error: {
        kind: 'garbled',
        message:
          "the CA's chain is out of order: certificate 1 (Fake Intermediate CA 1a2b3c) is not issued by certificate 2 (a.example.test)",
      },
    });
  });

  it('a leaf that misses names says which and what it names', () => {
    expect(describeChain(issueTestChain({ names: ['b.example.test'] }), { names })).toStrictEqual({
      ok: false,
      error: {
        kind: 'names',
        message: 'the issued certificate does not name a.example.test (it names b.example.test)',
      },
    });
  });

  it('a leaf without a subjectAltName', () => {
    const out = describeChain(issueTestChain({ names: [] }), { names });
    expect(!out.ok && out.error.message).toBe(
      'the issued certificate does not name a.example.test, b.example.test (it names no DNS name)',
    );
  });

  it("names the leaf's names when one is missing", () => {
    const out = describeChain(issueTestChain({ names: ['b.example.test', 'c.example.test'] }), { names });
    expect(!out.ok && out.error.message).toBe(
      'the issued certificate does not name a.example.test (it names b.example.test, c.example.test)',
    );
  });

  it('a leaf with no DNS name at all', () => {
    const out = describeChain(issueTestChain({ names: [], ips: ['203.0.113.7'], commonName: null }), {
      names,
    });
    expect(!out.ok && out.error.message).toBe(
      'the issued certificate does not name a.example.test, b.example.test (it names no DNS name)',
    );
  });

  it('a leaf for another key', () => {
    const { keyPem } = makeTestKeyAndCsr(names);
    expect(describeChain(issueTestChain({ names }), { names, keyPem })).toStrictEqual({
      ok: false,
      error: { kind: 'key', message: 'the issued certificate is not for the key of the request' },
    });
  });
});
