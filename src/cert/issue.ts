/**
 * @module The issuance executor: one certificate from order to chain through the AcmeCa and ChallengeSolver ports,
 * with every presented challenge cleaned up whatever happens; and `describeChain`, the facts of an issued chain.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type {
  AcmeAuthorization,
  AcmeCa,
  AcmeChallenge,
  AcmeFailure,
  AcmeFailureKind,
  AcmeResult,
  ChallengeFailure,
  ChallengeSolver,
  ChallengeTask,
  ChallengeType,
} from './ports.js';

export type KeyType = 'ecdsa-p256' | 'rsa-2048';

export interface IssueRequest {
  /** DNS names; `*.example.org` for a wildcard (which always needs dns-01). */
  readonly names: readonly string[];
  readonly keyType: KeyType;
  /** The challenge type chosen for the order (challenge-plan.ts). */
  readonly challenge: ChallengeType;
  /** RFC 9773 §5: the ARI CertID of the certificate this one replaces. */
  readonly replaces?: string;
}

/** What an issuance reports along the way (never a key, never a challenge value). */
export type IssueEvent =
  | { readonly type: 'order-created'; readonly names: readonly string[]; readonly replaces: string | null }
  | { readonly type: 'authorization-reused'; readonly name: string }
  | { readonly type: 'challenge-presented'; readonly name: string; readonly challenge: ChallengeType }
  | { readonly type: 'authorization-valid'; readonly name: string; readonly challenge: ChallengeType }
  | {
      readonly type: 'clean-up-failed';
      readonly name: string;
      readonly challenge: ChallengeType;
      readonly message: string;
    }
  | { readonly type: 'certificate-issued'; readonly serial: string };

export interface IssueDeps {
  readonly ca: AcmeCa;
  readonly solvers: ReadonlyMap<ChallengeType, ChallengeSolver>;
  /** A new private key (PEM) and a CSR for the names; may be slow (RSA on a Pi), so it runs beside the validations. */
  readonly makeKeyAndCsr: (
    names: readonly string[],
    keyType: KeyType,
  ) => Promise<{ readonly keyPem: string; readonly csrPem: string }>;
  readonly log?: (event: IssueEvent) => void;
  /** How many authorizations are worked on at once (default 4): a 100-name order must not open 100 DNS updates. */
  readonly parallel?: number;
}

export type IssueStage = 'order' | 'authorization' | 'challenge' | 'finalize' | 'key';

export interface IssueFailure {
  readonly stage: IssueStage;
  readonly kind: AcmeFailureKind | ChallengeFailure['kind'];
  /** For people: the name, the challenge type and what the CA or the solver said. Never a key. */
  readonly message: string;
  readonly retryAfterMs?: number;
  readonly acmeType?: string;
  /** The challenge type in use when the failure concerns a challenge. */
  readonly challenge?: ChallengeType;
  /** Stopped through the abort signal (kind `transient`): not a fault of the CA or the setup. */
  readonly aborted?: true;
}

export interface CertificateFacts {
  /** Lowercase hex, no separators. */
  readonly serial: string;
  /** `AB:CD:…`, as `openssl x509 -fingerprint -sha256` and browsers show it. */
  readonly fingerprintSha256: string;
  /** The leaf's DNS subjectAltNames, in the certificate's order. */
  readonly names: readonly string[];
  /** The issuer's common name (its whole distinguished name when it has none). */
  readonly issuer: string;
  /** ISO 8601. */
  readonly notBefore: string;
  readonly notAfter: string;
}

export interface IssuedChain {
  /** Leaf first, as the CA sent it. */
  readonly chainPem: string;
  /** The certificate's private key: a secret for the secrets port, never for a log. */
  readonly keyPem: string;
  readonly challenge: ChallengeType;
  readonly certificate: CertificateFacts;
}

export interface ChainFailure {
  /** `garbled`: empty, not PEM, not X.509, or out of order; `names`: the leaf misses a requested name; `key`: not ours. */
  readonly kind: 'garbled' | 'names' | 'key';
  readonly message: string;
}

const DEFAULT_PARALLEL = 4;

const displayName = (a: AcmeAuthorization): string => (a.wildcard ? `*.${a.name}` : a.name);

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** The issuer's CN from Node's `C=US\nO=…\nCN=…` form. */
function commonNameOf(dn: string): string {
  const cn = dn.split('\n').find((line) => line.startsWith('CN='));
  return cn === undefined ? dn.split('\n').join(', ') : cn.slice(3);
}

/** DNS names from Node's `DNS:a, DNS:b, IP Address:…` (a value with special characters comes JSON-quoted). */
function dnsNamesOf(san: string | undefined): string[] {
  if (!san) return [];
  return (
    san
      .split(', ')
      .filter((entry) => entry.startsWith('DNS:'))
      .map((entry) => entry.slice(4))
      // Stryker disable next-line MethodExpression: a quoted value starts and ends with the quote
      .map((value) => (value.startsWith('"') ? String(JSON.parse(value)) : value))
  );
}

/**
 * The facts of an issued chain (leaf first), checked: every block parses, each certificate is issued by the next,
 * the leaf names every one of `names` (exactly, as ACME issues them) and, given `keyPem`, belongs to that key.
 * Pure apart from parsing.
 */
export function describeChain(
  chainPem: string,
  check: { readonly names?: readonly string[]; readonly keyPem?: string } = {},
): Outcome<CertificateFacts, ChainFailure> {
  const blocks = chainPem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0)
    return fail({
      kind: 'garbled',
      message: 'the CA sent no certificate (no PEM CERTIFICATE block in its answer)',
    });
  const parsed: X509Certificate[] = [];
  for (const [i, block] of blocks.entries()) {
    try {
      parsed.push(new X509Certificate(block));
    } catch (e) {
      return fail({
        kind: 'garbled',
        message: `certificate ${i + 1} of ${blocks.length} in the CA's chain does not parse (${(e as Error).message})`,
      });
    }
  }
  const broken = parsed.findIndex(
    (cert, i) => i > 0 && !(parsed[i - 1] as X509Certificate).checkIssued(cert),
  );
  if (broken !== -1) {
    const [child, parent] = [parsed[broken - 1] as X509Certificate, parsed[broken] as X509Certificate];
    return fail({
      kind: 'garbled',
      message: `the CA's chain is out of order: certificate ${broken} (${commonNameOf(child.subject)}) is not issued by certificate ${broken + 1} (${commonNameOf(parent.subject)})`,
    });
  }
  const [leaf] = parsed as [X509Certificate, ...X509Certificate[]];
  const names = dnsNamesOf(leaf.subjectAltName);
  const have = new Set(names.map((n) => n.toLowerCase()));
  const missing = (check.names ?? []).filter((n) => !have.has(n.toLowerCase()));
  if (missing.length > 0)
    return fail({
      kind: 'names',
      message: `the issued certificate does not name ${missing.join(', ')} (it names ${names.join(', ') || 'no DNS name'})`,
    });
  if (check.keyPem !== undefined && !leaf.checkPrivateKey(createPrivateKey(check.keyPem)))
    return fail({ kind: 'key', message: 'the issued certificate is not for the key of the request' });
  return ok({
    // As `openssl x509 -serial` shows it (whole bytes), lowercased: the store's and the files' name for it.
    serial: leaf.serialNumber.toLowerCase(),
    fingerprintSha256: leaf.fingerprint256,
    names,
    issuer: commonNameOf(leaf.issuer),
    notBefore: new Date(leaf.validFrom).toISOString(),
    notAfter: new Date(leaf.validTo).toISOString(),
  });
}

/** One challenge the executor works on: the authorization, the CA's challenge and, once known, the task. */
interface Work {
  readonly authz: AcmeAuthorization;
  readonly challenge: AcmeChallenge;
  readonly type: ChallengeType;
  readonly solver: ChallengeSolver;
  task?: ChallengeTask;
  presented: boolean;
}

const ABORTED = Symbol('aborted');

/** Resolves to the promise's value, or ABORTED as soon as the signal fires (the call itself is left to finish). */
function unlessAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | typeof ABORTED> {
  // Stryker disable next-line ConditionalExpression: callers check first; without it an aborted signal would hang here
  if (signal.aborted) return Promise.resolve(ABORTED);
  let onAbort = (): void => undefined;
  const aborted = new Promise<typeof ABORTED>((resolve) => {
    onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort);
  });
  // The listener goes with the step: one signal serves every step of an issuance (not observable from outside).
  // Stryker disable next-line ArrowFunction,StringLiteral
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/** A port call that breaks its never-throw contract becomes a `transient` failure, not a crash. */
async function settle<T>(call: () => Promise<AcmeResult<T>>): Promise<AcmeResult<T>> {
  try {
    return await call();
  } catch (e) {
    return fail({ kind: 'transient', message: `unexpected error: ${(e as Error).message}` });
  }
}

/**
 * Issues one certificate: newOrder (with `replaces`) → authorizations → for each pending one the challenge of the
 * chosen type (wildcards: dns-01) → present → answer → wait until valid → finalize with a new key's CSR → the chain,
 * checked. Authorizations the CA already holds valid are skipped. Every `present` gets exactly one `cleanUp`, once its
 * authorization settled (challenges sharing a TXT name run one after the other), on success and on every failure; a
 * clean-up that breaks never hides the real outcome. The signal stops the work between steps and in flight, then cleans up.
 */
export async function issueCertificate(
  deps: IssueDeps,
  request: IssueRequest,
  signal?: AbortSignal,
): Promise<Outcome<IssuedChain, IssueFailure>> {
  const log = deps.log ?? (() => undefined);
  const names = request.names;
  if (names.length === 0)
    return fail({ stage: 'order', kind: 'config', message: 'no names to issue a certificate for' });
  const wildcards = names.filter((n) => n.startsWith('*.'));
  if (wildcards.length > 0 && request.challenge !== 'dns-01')
    return fail({
      stage: 'challenge',
      kind: 'config',
      challenge: request.challenge,
      message: `wildcard names (${wildcards.join(', ')}) can only be validated with dns-01, not ${request.challenge}`,
    });
  const solver = deps.solvers.get(request.challenge);
  if (!solver)
    return fail({
      stage: 'challenge',
      kind: 'config',
      challenge: request.challenge,
      message: `no ${request.challenge} solver is set up`,
    });

  // The first failure wins; it also stops the others in flight.
  const stop = new AbortController();
  const stopSignal = signal ? AbortSignal.any([signal, stop.signal]) : stop.signal;
  let first: IssueFailure | undefined;
  // A function, not the property: the signal changes across awaits, which narrowing does not see.
  const stopped = (): boolean => stopSignal.aborted;
  const record = (f: IssueFailure): IssueFailure => {
    first ??= f;
    stop.abort();
    return first;
  };
  const abortedAt = (stage: IssueStage, what: string): IssueFailure =>
    record({
      stage,
      kind: 'transient',
      aborted: true,
      message: `issuing the certificate for ${names.join(', ')} was cancelled ${what}`,
    });
  const fromCa = (
    stage: IssueStage,
    error: AcmeFailure,
    what: string,
    challenge?: ChallengeType,
  ): IssueFailure =>
    record({
      stage,
      kind: error.kind,
      message: `${what}: ${error.message}`,
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...(error.acmeType === undefined ? {} : { acmeType: error.acmeType }),
      ...(challenge === undefined ? {} : { challenge }),
    });

  // The key runs beside the CA's work; its promise never rejects, so leaving it unawaited on a failure is safe.
  const keyAndCsr: Promise<Outcome<{ keyPem: string; csrPem: string }, string>> = Promise.resolve()
    .then(() => deps.makeKeyAndCsr(names, request.keyType))
    .then(
      (v) => ok({ keyPem: v.keyPem, csrPem: v.csrPem }),
      (e: unknown) => fail((e as Error).message),
    );

  if (signal?.aborted) return fail(abortedAt('order', 'before the order was placed'));
  const orderInput = request.replaces === undefined ? { names } : { names, replaces: request.replaces };
  const order = await unlessAborted(
    settle(() => deps.ca.newOrder(orderInput)),
    stopSignal,
  );
  if (order === ABORTED) return fail(abortedAt('order', 'while the order was placed'));
  if (!order.ok) return fail(fromCa('order', order.error, `the CA refused an order for ${names.join(', ')}`));
  log({ type: 'order-created', names, replaces: request.replaces ?? null });
  if (order.value.status === 'invalid')
    return fail(
      record({
        stage: 'order',
        kind: 'rejected',
        message: `the CA's new order for ${names.join(', ')} is invalid`,
      }),
    );

  const authzs = await unlessAborted(
    settle(() => deps.ca.authorizations(order.value)),
    stopSignal,
  );
  if (authzs === ABORTED) return fail(abortedAt('authorization', 'while reading the authorizations'));
  if (!authzs.ok)
    return fail(
      fromCa(
        'authorization',
        authzs.error,
        `the CA's authorizations for ${names.join(', ')} could not be read`,
      ),
    );

  // Plan every authorization before presenting anything: a refusal found late would leave work to undo.
  const work: Work[] = [];
  for (const authz of authzs.value) {
    const name = displayName(authz);
    if (authz.status === 'valid') {
      log({ type: 'authorization-reused', name });
      continue;
    }
    if (authz.status !== 'pending')
      return fail(
        record({
          stage: 'authorization',
          kind: 'rejected',
          message: `the CA's authorization for ${name} is ${authz.status}, not pending: a new order is needed`,
        }),
      );
    // Wildcards need dns-01 (RFC 8555 §7.1.3); the request was checked to be dns-01 then.
    const type = request.challenge;
    const challenge = authz.challenges.find((c) => c.type === type);
    if (!challenge) {
      const offered = authz.challenges.map((c) => c.type);
      return fail(
        record({
          stage: 'challenge',
          kind: 'config',
          challenge: type,
          message: `the CA does not offer ${type} for ${name}; it offers ${offered.length > 0 ? offered.join(', ') : 'no challenge at all'}`,
        }),
      );
    }
    work.push({ authz, challenge, type, solver, presented: false });
  }

  const validate = async (w: Work): Promise<void> => {
    const name = displayName(w.authz);
    const about = `${w.type} for ${name}`;
    const value = await unlessAborted(
      settle(() => deps.ca.challengeValue(w.authz, w.challenge)),
      stopSignal,
    );
    if (value === ABORTED) return;
    if (!value.ok) {
      fromCa('challenge', value.error, `${about}: the challenge's value could not be computed`, w.type);
      return;
    }
    const task: ChallengeTask = { name: w.authz.name, token: w.challenge.token, value: value.value };
    w.task = task;
    w.presented = true;
    let presented: Outcome<void, ChallengeFailure>;
    try {
      presented = await w.solver.present(task, stopSignal);
    } catch (e) {
      presented = fail({ kind: 'transient', message: `unexpected error: ${(e as Error).message}` });
    }
    if (stopped()) return;
    if (!presented.ok) {
      record({
        stage: 'challenge',
        kind: presented.error.kind,
        challenge: w.type,
        message: `${about}: could not be put in place: ${presented.error.message}`,
      });
      return;
    }
    log({ type: 'challenge-presented', name, challenge: w.type });
    const answered = await unlessAborted(
      settle(() => deps.ca.answer(w.challenge)),
      stopSignal,
    );
    if (answered === ABORTED) return;
    if (!answered.ok) {
      fromCa('challenge', answered.error, `${about}: the CA was not told the challenge is ready`, w.type);
      return;
    }
    const valid = await unlessAborted(
      settle(() => deps.ca.waitValid(w.authz)),
      stopSignal,
    );
    if (valid === ABORTED) return;
    if (!valid.ok) {
      fromCa('challenge', valid.error, `${about}: the CA did not validate it`, w.type);
      return;
    }
    log({ type: 'authorization-valid', name, challenge: w.type });
  };

  // Clean-up: once per present, whatever happened; a broken clean-up is logged, never returned.
  const cleanUp = async (w: Work): Promise<void> => {
    if (!w.presented) return;
    try {
      await w.solver.cleanUp(w.task as ChallengeTask);
    } catch (e) {
      log({
        type: 'clean-up-failed',
        name: displayName(w.authz),
        challenge: w.type,
        message: (e as Error).message,
      });
    }
  };

  // Challenges on one TXT name (a wildcard and its base name) go one after the other, each cleaned up once its
  // authorization settled: a provider that holds one TXT value per name (DuckDNS) can serve both in turn, and no
  // clean-up removes a value another validation still needs. HTTP-01 tokens never collide.
  const groups = new Map<string, Work[]>();
  work.forEach((w, i) => {
    const key = w.type === 'dns-01' ? w.authz.name : String(i);
    groups.set(key, [...(groups.get(key) ?? []), w]);
  });
  // A small worker pool: at most `parallel` groups in flight.
  const queue = [...groups.values()];
  const worker = async (): Promise<void> => {
    for (let group = queue.shift(); group !== undefined && !stopped(); group = queue.shift())
      for (const w of group) {
        if (stopped()) break;
        await validate(w);
        await cleanUp(w);
      }
  };
  const parallel = Math.max(1, deps.parallel ?? DEFAULT_PARALLEL);
  await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));

  // Stryker disable next-line ConditionalExpression: the key step would end the same way (its wait sees the stop)
  if (stopped()) return fail(first ?? abortedAt('challenge', 'while the challenges were validated'));

  const key = await unlessAborted(keyAndCsr, stopSignal);
  if (key === ABORTED) return fail(abortedAt('key', 'while the key was made'));
  if (!key.ok)
    return fail(
      record({
        stage: 'key',
        kind: 'transient',
        message: `the certificate key could not be made: ${key.error}`,
      }),
    );

  const chain = await unlessAborted(
    settle(() => deps.ca.finalize(order.value, key.value.csrPem)),
    stopSignal,
  );
  if (chain === ABORTED) return fail(abortedAt('finalize', 'while the certificate was finalized'));
  if (!chain.ok)
    return fail(
      fromCa('finalize', chain.error, `the CA did not issue the certificate for ${names.join(', ')}`),
    );
  const facts = describeChain(chain.value, { names, keyPem: key.value.keyPem });
  if (!facts.ok)
    return fail(
      record({
        stage: 'finalize',
        kind: facts.error.kind === 'garbled' ? 'transient' : 'rejected',
        message: facts.error.message,
      }),
    );
  log({ type: 'certificate-issued', serial: facts.value.serial });
  return ok({
    chainPem: chain.value,
    keyPem: key.value.keyPem,
    challenge: request.challenge,
    certificate: facts.value,
  });
}
