/**
 * @module A scripted ACME CA and challenge solvers for tests: the CA keeps the AcmeCa contract (never throws, failures
 * as values) unless told to misbehave, issues real X.509 chains for the CSR's key (node-forge, RSA), validates a
 * challenge only when a linked solver serves its value, and records every call (including `replaces`).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import forge from 'node-forge';
import { fail, ok, type Outcome } from '../../src/core/outcome.js';
import type {
  AcmeAuthorization,
  AcmeCa,
  AcmeChallenge,
  AcmeFailure,
  AcmeOrder,
  AcmeResult,
  CaDirectory,
  ChallengeFailure,
  ChallengeSolver,
  ChallengeTask,
  ChallengeType,
  RenewalInfo,
} from '../../src/cert/ports.js';

export type AcmeMethod =
  | 'directory'
  | 'ensureAccount'
  | 'newOrder'
  | 'authorizations'
  | 'challengeValue'
  | 'answer'
  | 'waitValid'
  | 'finalize'
  | 'renewalInfo';

/** One recorded call; `name` is the authorization's name (`*.x` for a wildcard) where the call concerns one. */
export interface AcmeCall {
  readonly method: AcmeMethod;
  readonly name?: string;
  readonly type?: string;
  readonly names?: readonly string[];
  readonly replaces?: string;
  readonly certId?: string;
  readonly email?: string | null;
  readonly termsAgreed?: boolean;
}

/** How the CA treats one name's authorization in the next order. */
export interface AuthzScript {
  /** `valid`: reused from an earlier order (no challenge needed). */
  readonly status?: 'pending' | 'valid' | 'invalid' | 'deactivated' | 'expired';
  /** Challenge types offered; default http-01, dns-01 and tls-alpn-01 (dns-01 only for a wildcard). */
  readonly types?: readonly string[];
}

interface ScriptedFailure {
  readonly failure: AcmeFailure | 'throw';
  readonly name: string | undefined;
  times: number;
}

/** A step held until the test releases it: to see what runs at once, or to abort mid-step. */
export interface Gate {
  /** Resolves when a call has reached the gate. */
  readonly reached: Promise<void>;
  release(): void;
}

function makeGate(): Gate & { wait(): Promise<void>; arrive(): void } {
  let arrive!: () => void;
  let release!: () => void;
  const reached = new Promise<void>((r) => (arrive = r));
  const released = new Promise<void>((r) => (release = r));
  return { reached, release, wait: () => released, arrive };
}

export const displayName = (a: { readonly name: string; readonly wildcard: boolean }): string =>
  a.wildcard ? `*.${a.name}` : a.name;

/** The fake account key's JWK thumbprint: 43 base64url characters, like a real SHA-256 one. */
export const FAKE_THUMBPRINT = createHash('sha256').update('fake account key').digest('base64url');

/**
 * The value the fake CA expects served, shaped like the real ones (RFC 8555 §8.1, §8.4): HTTP-01 the key
 * authorization `<token>.<thumbprint>`, DNS-01 its SHA-256 digest, base64url. Deterministic, so tests can look for it.
 */
export const fakeChallengeValue = (type: string, token: string): string =>
  type === 'dns-01'
    ? createHash('sha256').update(`${token}.${FAKE_THUMBPRINT}`).digest('base64url')
    : `${token}.${FAKE_THUMBPRINT}`;

/** A base64url token (RFC 8555 §8.3: the HTTP-01 registry refuses anything else): dots of the name become `_`. */
export const fakeToken = (name: string, type: string, wildcard = false): string =>
  `tok-${wildcard ? 'wild-' : ''}${name.replaceAll('.', '_')}-${type}`;

export class FakeAcmeCa implements AcmeCa {
  readonly calls: AcmeCall[] = [];
  /** Shared with solvers to see the order of CA calls and presents/clean-ups: `waitValid a`, `cleanUp a`, … */
  timeline: string[] | undefined;
  directoryAnswer: CaDirectory = {
    url: 'https://ca.example.test/dir',
    termsOfService: 'https://ca.example.test/terms',
    website: null,
    externalAccountRequired: false,
    renewalInfo: 'https://ca.example.test/renewal-info',
  };
  /** Authorization scripts by name (`*.x` for a wildcard); names not listed are pending with every type offered. */
  readonly authz = new Map<string, AuthzScript>();
  /** The order's status as newOrder returns it. */
  orderStatus = 'pending';
  /** ARI answers by certId; missing: undefined (no window). */
  readonly ari = new Map<string, AcmeResult<RenewalInfo | undefined>>();
  /**
   * Decides whether an answered challenge validates; by default the linked solvers must serve the expected value
   * (see {@link FakeAcmeCa.link}). Return a string to fail validation with that detail.
   */
  validator: (authz: AcmeAuthorization, challenge: AcmeChallenge, value: string) => true | string = (
    authz,
    challenge,
    value,
  ) => {
    const solver = this.solvers.find((s) => s.type === challenge.type);
    if (!solver) return `no solver for ${challenge.type}`;
    return solver.serves(authz.name, value)
      ? true
      : `${challenge.type}: ${displayName(authz)} does not serve the expected value`;
  };
  /** The chain finalize returns; by default a real chain for the CSR's key and the order's names. */
  chain: ((names: readonly string[], csrPem: string) => string) | undefined;
  /** The issuing CA's common name. */
  issuerName = 'Fake Intermediate CA 1a2b3c';

  private readonly scripted = new Map<AcmeMethod, ScriptedFailure[]>();
  private readonly gates = new Map<string, ReturnType<typeof makeGate>>();
  private readonly answered = new Set<string>();
  private readonly solvers: FakeChallengeSolver[] = [];
  private readonly accounts = new Map<string, string>();
  private orderCount = 0;

  /** Validation looks at these solvers (by type). */
  link(...solvers: FakeChallengeSolver[]): this {
    this.solvers.push(...solvers);
    return this;
  }

  /**
   * The next `times` calls of `method` (for the authorization `name`, when given) fail with `failure`, or throw
   * (breaking the contract, to check the caller copes).
   */
  fail(
    method: AcmeMethod,
    failure: AcmeFailure | 'throw',
    options: { name?: string; times?: number } = {},
  ): this {
    const list = this.scripted.get(method) ?? [];
    list.push({ failure, name: options.name, times: options.times ?? 1 });
    this.scripted.set(method, list);
    return this;
  }

  /** Holds the next call of `method` (for `name`, when given) until released. */
  hold(method: AcmeMethod, name?: string): Gate {
    const gate = makeGate();
    this.gates.set(`${method} ${name ?? ''}`, gate);
    return gate;
  }

  /** The calls of one method, in order. */
  callsOf(method: AcmeMethod): AcmeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  directory(): Promise<AcmeResult<CaDirectory>> {
    return this.step({ method: 'directory' }, () => ok(this.directoryAnswer));
  }

  ensureAccount(input: {
    readonly email: string | null;
    readonly termsAgreed: boolean;
  }): Promise<AcmeResult<string>> {
    return this.step({ method: 'ensureAccount', email: input.email, termsAgreed: input.termsAgreed }, () => {
      if (this.directoryAnswer.termsOfService !== null && !input.termsAgreed)
        return fail({ kind: 'config', message: 'the CA requires agreeing to its terms of service' });
      const key = input.email ?? '';
      const existing = this.accounts.get(key);
      if (existing) return ok(existing);
      const url = `https://ca.example.test/acct/${this.accounts.size + 1}`;
      this.accounts.set(key, url);
      return ok(url);
    });
  }

  newOrder(input: {
    readonly names: readonly string[];
    readonly replaces?: string;
  }): Promise<AcmeResult<AcmeOrder>> {
    // Recorded as sent: a `replaces` key that is there but undefined shows too.
    const call: AcmeCall =
      'replaces' in input
        ? { method: 'newOrder', names: [...input.names], replaces: input.replaces }
        : { method: 'newOrder', names: [...input.names] };
    return this.step(call, () => {
      this.orderCount += 1;
      const n = this.orderCount;
      return ok({
        url: `https://ca.example.test/order/${n}`,
        status: this.orderStatus,
        authorizations: input.names.map((name) => `https://ca.example.test/authz/${n}/${name}`),
        finalize: `https://ca.example.test/order/${n}/finalize`,
        raw: { names: [...input.names], n },
      });
    });
  }

  authorizations(order: AcmeOrder): Promise<AcmeResult<readonly AcmeAuthorization[]>> {
    return this.step({ method: 'authorizations' }, () =>
      ok(
        order.authorizations.map((url): AcmeAuthorization => {
          const full = url.slice(url.lastIndexOf('/') + 1);
          const wildcard = full.startsWith('*.');
          const name = wildcard ? full.slice(2) : full;
          const script = this.authz.get(full) ?? {};
          const types = script.types ?? (wildcard ? ['dns-01'] : ['http-01', 'dns-01', 'tls-alpn-01']);
          const status = script.status ?? 'pending';
          return {
            url,
            name,
            wildcard,
            status,
            challenges: types.map((type) => ({
              type,
              url: `${url}/${type}`,
              token: fakeToken(name, type, wildcard),
              status: status === 'valid' ? 'valid' : 'pending',
            })),
          };
        }),
      ),
    );
  }

  challengeValue(authorization: AcmeAuthorization, challenge: AcmeChallenge): Promise<AcmeResult<string>> {
    const name = displayName(authorization);
    return this.step({ method: 'challengeValue', name, type: challenge.type }, () =>
      ok(fakeChallengeValue(challenge.type, challenge.token)),
    );
  }

  answer(challenge: AcmeChallenge): Promise<AcmeResult<void>> {
    const name = this.nameOfChallenge(challenge);
    return this.step({ method: 'answer', name, type: challenge.type }, () => {
      this.answered.add(challenge.url);
      return ok(undefined);
    });
  }

  waitValid(authorization: AcmeAuthorization): Promise<AcmeResult<void>> {
    const name = displayName(authorization);
    return this.step({ method: 'waitValid', name }, () => {
      const challenge = authorization.challenges.find((c) => this.answered.has(c.url));
      if (!challenge)
        return fail({ kind: 'transient', message: `${name}: no challenge answered; still pending` });
      const verdict = this.validator(
        authorization,
        challenge,
        fakeChallengeValue(challenge.type, challenge.token),
      );
      return verdict === true
        ? ok(undefined)
        : fail({ kind: 'challenge', message: verdict, acmeType: 'urn:ietf:params:acme:error:unauthorized' });
    });
  }

  finalize(order: AcmeOrder, csrPem: string): Promise<AcmeResult<string>> {
    const { names, n } = order.raw as { names: readonly string[]; n: number };
    // A new serial per order (the first is 03f1a2b3c4d5e6f708), as a renewal gets from a real CA.
    const serial = `03f1a2b3c4d5e6f7${(7 + n).toString(16).padStart(2, '0')}`;
    return this.step({ method: 'finalize', names: [...names] }, () =>
      ok(
        this.chain
          ? this.chain(names, csrPem)
          : issueTestChain({ names, csrPem, issuerName: this.issuerName, serial }),
      ),
    );
  }

  renewalInfo(certId: string): Promise<AcmeResult<RenewalInfo | undefined>> {
    return this.step({ method: 'renewalInfo', certId }, () => this.ari.get(certId) ?? ok(undefined));
  }

  private nameOfChallenge(challenge: AcmeChallenge): string {
    // `.../authz/<n>/<name>/<type>`
    const parts = challenge.url.split('/');
    return parts[parts.length - 2] ?? '';
  }

  private async step<T>(call: AcmeCall, run: () => AcmeResult<T>): Promise<AcmeResult<T>> {
    this.calls.push(call);
    this.timeline?.push(call.name === undefined ? call.method : `${call.method} ${call.name}`);
    const gate = this.gates.get(`${call.method} ${call.name ?? ''}`) ?? this.gates.get(`${call.method} `);
    if (gate) {
      this.gates.delete(`${call.method} ${call.name ?? ''}`);
      this.gates.delete(`${call.method} `);
      gate.arrive();
      await gate.wait();
    }
    const list = this.scripted.get(call.method) ?? [];
    const hit = list.find((s) => s.times > 0 && (s.name === undefined || s.name === call.name));
    if (hit) {
      hit.times -= 1;
      if (hit.failure === 'throw') throw new Error(`fake CA: ${call.method} broke its contract`);
      return fail(hit.failure);
    }
    return run();
  }
}

/** One present or cleanUp, as the solver saw it. */
export interface SolverEvent {
  readonly op: 'present' | 'cleanUp';
  readonly name: string;
  readonly token: string;
  readonly value: string;
}

/**
 * A challenge solver that serves values in memory. Records every present and cleanUp; can fail `present` for a
 * name, make cleanUp throw, and hold `present` until released (honouring the abort signal).
 */
export class FakeChallengeSolver implements ChallengeSolver {
  readonly events: SolverEvent[] = [];
  /** See {@link FakeAcmeCa.timeline}. */
  timeline: string[] | undefined;
  /** present yields to the event loop before answering, so several can be in flight at once. */
  yields = false;
  /** The most presents that were in flight at once. */
  maxInFlight = 0;
  private inFlight = 0;
  private readonly live = new Map<string, string>();
  private readonly failures = new Map<string, ChallengeFailure | 'throw'>();
  private readonly gates = new Map<string, ReturnType<typeof makeGate>>();
  private cleanUpBreaks: 'throw' | 'reject' | null = null;
  /** Whether a present that got a failure still left its value in place (as a half-done DNS update would). */
  leavesValueOnFailure = true;

  constructor(readonly type: ChallengeType) {}

  /** `present` for `name` (or every name: `*`) fails with `failure`, or throws. */
  failPresent(name: string, failure: ChallengeFailure | 'throw'): this {
    this.failures.set(name, failure);
    return this;
  }

  /** cleanUp breaks its contract: throws synchronously or rejects. */
  breakCleanUp(how: 'throw' | 'reject'): this {
    this.cleanUpBreaks = how;
    return this;
  }

  /** Holds the next present for `name` (or any name: `*`) until released or aborted. */
  hold(name = '*'): Gate {
    const gate = makeGate();
    this.gates.set(name, gate);
    return gate;
  }

  /** Whether `value` is served for `name` now. */
  serves(name: string, value: string): boolean {
    return [...this.live.entries()].some(([key, v]) => key.startsWith(`${name} `) && v === value);
  }

  /** Values still served (should be none after an issuance, whatever happened). */
  leftovers(): string[] {
    return [...this.live.keys()];
  }

  count(op: SolverEvent['op']): number {
    return this.events.filter((e) => e.op === op).length;
  }

  async present(task: ChallengeTask, signal?: AbortSignal): Promise<Outcome<void, ChallengeFailure>> {
    this.events.push({ op: 'present', ...task });
    this.timeline?.push(`present ${task.name}`);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.yields) await new Promise<void>((resolve) => setImmediate(resolve));
      const gate = this.gates.get(task.name) ?? this.gates.get('*');
      if (gate) {
        this.gates.delete(task.name);
        this.gates.delete('*');
        gate.arrive();
        const aborted = new Promise<'aborted'>((resolve) => {
          if (signal?.aborted) resolve('aborted');
          signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
        });
        if ((await Promise.race([gate.wait(), aborted])) === 'aborted')
          return fail({ kind: 'transient', message: 'stopped while waiting' });
      }
      const failure = this.failures.get(task.name) ?? this.failures.get('*');
      if (failure === 'throw') throw new Error('fake solver: present broke its contract');
      if (failure && !this.leavesValueOnFailure) return fail(failure);
      this.live.set(`${task.name} ${task.token}`, task.value);
      return failure ? fail(failure) : ok(undefined);
    } finally {
      this.inFlight -= 1;
    }
  }

  cleanUp(task: ChallengeTask): Promise<void> {
    this.events.push({ op: 'cleanUp', ...task });
    this.timeline?.push(`cleanUp ${task.name}`);
    this.live.delete(`${task.name} ${task.token}`);
    if (this.cleanUpBreaks === 'throw') throw new Error('fake solver: cleanUp threw');
    if (this.cleanUpBreaks === 'reject') return Promise.reject(new Error('fake solver: cleanUp rejected'));
    return Promise.resolve();
  }
}

// ---- real certificates for tests -------------------------------------------------------------------------------

let caKeyCache: { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } | undefined;
const keyPool: string[] = [];
let poolNext = 0;

/** RSA keys from node:crypto (forge's own generator is slow); a pool keeps test runs quick. */
function rsaKeyPem(fresh = false, bits = 2048): string {
  // Three keys, handed out in turn: tests stay quick and never depend on chance.
  if (!fresh && keyPool.length >= 3) return keyPool[poolNext++ % keyPool.length] ?? '';
  const pem = generateKeyPairSync('rsa', {
    modulusLength: bits,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  }).privateKey;
  if (!fresh) keyPool.push(pem);
  return pem;
}

const intermediates = new Map<string, string>();
let strangerCache: forge.pki.rsa.PublicKey | undefined;

/** A key no request ever gets (the pool's keys serve requests): a chain for it is never for the request's key. */
function strangerKey(): forge.pki.rsa.PublicKey {
  strangerCache ??= forge.pki.publicKeyFromPem(
    createPublicKey(createPrivateKey(rsaKeyPem(true)))
      .export({ type: 'spki', format: 'pem' })
      .toString(),
  );
  return strangerCache;
}

function caKey(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  if (!caKeyCache) {
    // 1024 bits: forge signs in JavaScript, and a test CA's strength does not matter (nothing verifies it).
    const privateKey = forge.pki.privateKeyFromPem(rsaKeyPem(true, 1024));
    caKeyCache = { privateKey, publicKey: forge.pki.setRsaPublicKey(privateKey.n, privateKey.e) };
  }
  return caKeyCache;
}

/** A key and CSR as `makeKeyAndCsr` gives them (RSA, so node-forge can read the CSR in the fake CA). */
export function makeTestKeyAndCsr(names: readonly string[]): { keyPem: string; csrPem: string } {
  const keyPem = rsaKeyPem();
  const privateKey = forge.pki.privateKeyFromPem(keyPem);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = forge.pki.setRsaPublicKey(privateKey.n, privateKey.e);
  csr.setSubject([{ name: 'commonName', value: names[0] ?? 'example.test' }]);
  csr.setAttributes([
    {
      name: 'extensionRequest',
      extensions: [{ name: 'subjectAltName', altNames: names.map((value) => ({ type: 2, value })) }],
    },
  ]);
  csr.sign(privateKey, forge.md.sha256.create());
  return { keyPem, csrPem: forge.pki.certificationRequestToPem(csr) };
}

/**
 * A chain (leaf first, then the intermediate) signed by a test CA: for the CSR's key when given (RSA), else for a
 * new key. `serial` in hex; names as SANs.
 */
export function issueTestChain(input: {
  names: readonly string[];
  csrPem?: string;
  /** The issuer's common name; null: an issuer with no CN (O and C only). */
  issuerName?: string | null;
  /** IP address SANs besides the names. */
  ips?: readonly string[];
  serial?: string;
  notBefore?: Date;
  notAfter?: Date;
  commonName?: string | null;
}): string {
  const { privateKey, publicKey } = caKey();
  const issuer =
    input.issuerName === null
      ? [
          { name: 'countryName', value: 'US' },
          { name: 'organizationName', value: 'Fake Org' },
        ]
      : [{ name: 'commonName', value: input.issuerName ?? 'Fake Intermediate CA 1a2b3c' }];
  const notBefore = input.notBefore ?? new Date('2026-01-01T00:00:00Z');
  const notAfter = input.notAfter ?? new Date('2026-04-01T00:00:00Z');

  const cacheKey = JSON.stringify(issuer);
  let intermediatePem = intermediates.get(cacheKey);
  if (intermediatePem === undefined) {
    const intermediate = forge.pki.createCertificate();
    intermediate.publicKey = publicKey;
    intermediate.serialNumber = '0abc';
    intermediate.validity.notBefore = new Date('2025-01-01T00:00:00Z');
    intermediate.validity.notAfter = new Date('2030-01-01T00:00:00Z');
    intermediate.setSubject(issuer);
    intermediate.setIssuer(issuer);
    intermediate.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'subjectKeyIdentifier' }]);
    intermediate.sign(privateKey, forge.md.sha256.create());
    intermediatePem = forge.pki.certificateToPem(intermediate);
    intermediates.set(cacheKey, intermediatePem);
  }

  const leafKey = input.csrPem
    ? forge.pki.certificationRequestFromPem(input.csrPem).publicKey
    : strangerKey();
  const leaf = forge.pki.createCertificate();
  leaf.publicKey = leafKey as forge.pki.rsa.PublicKey;
  leaf.serialNumber = input.serial ?? '03f1a2b3c4d5e6f708';
  leaf.validity.notBefore = notBefore;
  leaf.validity.notAfter = notAfter;
  const cn = input.commonName === undefined ? input.names[0] : input.commonName;
  leaf.setSubject(cn === null || cn === undefined ? [] : [{ name: 'commonName', value: cn }]);
  leaf.setIssuer(issuer);
  const altNames = [
    ...input.names.map((value) => ({ type: 2, value })),
    ...(input.ips ?? []).map((ip) => ({ type: 7, ip })),
  ];
  // No names at all: no subjectAltName extension (as an old-style certificate would have).
  // The authority key identifier: with the serial, what an ARI CertID (RFC 9773 §4.1) is made of.
  const issuerKeyId = forge.pki.getPublicKeyFingerprint(publicKey, { type: 'RSAPublicKey' }).getBytes();
  leaf.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuerKeyId },
    ...(altNames.length > 0 ? [{ name: 'subjectAltName', altNames }] : []),
  ]);
  leaf.sign(privateKey, forge.md.sha256.create());
  return `${forge.pki.certificateToPem(leaf)}${intermediatePem}`;
}
