/**
 * @module The ports of the certificate capability: the ACME CA (acme-client adapter, with ARI), the challenge
 * solvers (HTTP-01 on Gatehouse's own port-80 listener, DNS-01 through the record's DNS provider), the router's
 * temporary TCP mapping for HTTP-01, and the certificate files. The manager (manager.ts) drives them; pure planners
 * (renewal.ts, challenge-plan.ts) decide; adapters only carry out.
 */
import type { Outcome } from '../core/outcome.js';

// ---- the CA -------------------------------------------------------------------------------------------------------

/** What the CA's directory says (RFC 8555 §7.1.1, RFC 9773 §3). */
export interface CaDirectory {
  readonly url: string;
  /** The terms of service the user must agree to, when the CA has any. */
  readonly termsOfService: string | null;
  readonly website: string | null;
  /** External Account Binding required (ZeroSSL, Google Trust Services). */
  readonly externalAccountRequired: boolean;
  /** The ARI endpoint (RFC 9773), null when the CA offers none. */
  readonly renewalInfo: string | null;
}

/**
 * Why a CA call failed, in the terms the manager acts on:
 * - `config`: wrong directory URL (not an ACME directory), EAB refused or missing, terms not agreed, a name the CA
 *   refuses (`rejectedIdentifier`, `caa`): stop until the configuration changes;
 * - `unreachable`: DNS, connect, TLS (untrusted CA certificate) or timeout: retry with backoff;
 * - `rate-limited`: `urn:ietf:params:acme:error:rateLimited`; `retryAfterMs` from Retry-After when sent;
 * - `challenge`: a challenge was validated and failed (the CA's `error.detail` in `message`);
 * - `rejected`: any other ACME problem document (`type` in `acmeType`);
 * - `transient`: a 5xx, a garbled answer.
 */
export type AcmeFailureKind =
  'config' | 'unreachable' | 'rate-limited' | 'challenge' | 'rejected' | 'transient';

export interface AcmeFailure {
  readonly kind: AcmeFailureKind;
  /** For people: names the request and what the CA said. Never a key. */
  readonly message: string;
  /** The ACME problem type, e.g. `urn:ietf:params:acme:error:rateLimited`. */
  readonly acmeType?: string;
  readonly retryAfterMs?: number;
}

export type AcmeResult<T> = Outcome<T, AcmeFailure>;

/** RFC 9773 §4.2: the window the CA suggests for renewing one certificate. */
export interface RenewalInfo {
  readonly start: Date;
  readonly end: Date;
  readonly explanationUrl: string | null;
  /** From the response's Retry-After: when to ask again (RFC 9773 §4.3); null when absent. */
  readonly retryAfterMs: number | null;
}

export interface AcmeChallenge {
  readonly type: string;
  readonly url: string;
  readonly token: string;
  readonly status: string;
}

export interface AcmeAuthorization {
  readonly url: string;
  /** The DNS name, without `*.` for a wildcard (then `wildcard` is true). */
  readonly name: string;
  readonly wildcard: boolean;
  readonly status: string;
  readonly challenges: readonly AcmeChallenge[];
}

/** An order as the CA returned it; opaque to the manager apart from what is named here. */
export interface AcmeOrder {
  readonly url: string;
  readonly status: string;
  readonly authorizations: readonly string[];
  readonly finalize: string;
  /** The adapter's own handle (acme-client's order object). */
  readonly raw: unknown;
}

/**
 * One ACME account at one CA. Contract for the adapter (acme-client.ts):
 * - every call is bounded in time and never throws: failures are {@link AcmeFailure} values;
 * - the account key is given at construction (PEM, ECDSA P-256) and never logged or put in a message;
 * - `newOrder` with `replaces` sends that field (RFC 9773 §5) only when the directory offers `renewalInfo`;
 * - polling (`waitValid`) honours Retry-After and stops after a bounded time with `transient`.
 */
export interface AcmeCa {
  directory(): Promise<AcmeResult<CaDirectory>>;
  /** Finds or creates the account (onlyReturnExisting first); returns its URL. EAB is used when configured. */
  ensureAccount(input: {
    readonly email: string | null;
    readonly termsAgreed: boolean;
  }): Promise<AcmeResult<string>>;
  newOrder(input: {
    readonly names: readonly string[];
    readonly replaces?: string;
  }): Promise<AcmeResult<AcmeOrder>>;
  authorizations(order: AcmeOrder): Promise<AcmeResult<readonly AcmeAuthorization[]>>;
  /** The value to serve: HTTP-01 the key authorization; DNS-01 its SHA-256 digest, base64url (the TXT value). */
  challengeValue(authorization: AcmeAuthorization, challenge: AcmeChallenge): Promise<AcmeResult<string>>;
  /** Tells the CA the challenge is ready. */
  answer(challenge: AcmeChallenge): Promise<AcmeResult<void>>;
  /** Waits until the authorization is valid (or fails with `challenge` and the CA's detail). */
  waitValid(authorization: AcmeAuthorization): Promise<AcmeResult<void>>;
  /** Finalizes with the CSR (PEM) and downloads the chain (PEM, leaf first). */
  finalize(order: AcmeOrder, csrPem: string): Promise<AcmeResult<string>>;
  /** ARI: undefined when the directory has no `renewalInfo`. `certId` from {@link ariCertId} (ari.ts). */
  renewalInfo(certId: string): Promise<AcmeResult<RenewalInfo | undefined>>;
}

/** Builds an {@link AcmeCa} for one directory and account key (the composition root gives the real one). */
export type AcmeCaFactory = (input: {
  readonly directoryUrl: string;
  readonly accountKeyPem: string;
  /** Known account URL (skips the lookup). */
  readonly accountUrl: string | null;
  readonly externalAccountBinding: { readonly kid: string; readonly hmacKey: string } | null;
  /** Extra CA certificates (PEM) to trust for the directory's TLS, besides the system's. */
  readonly caBundlePem: string | null;
}) => AcmeCa;

// ---- challenges ---------------------------------------------------------------------------------------------------

export type ChallengeType = 'http-01' | 'dns-01';

export interface ChallengeTask {
  /** The DNS name being validated (without `*.`). */
  readonly name: string;
  /** HTTP-01: the token in the URL path. */
  readonly token: string;
  /** HTTP-01: the key authorization to serve; DNS-01: the TXT value. */
  readonly value: string;
}

export interface ChallengeFailure {
  /** `config`: cannot work as configured (no provider can write TXT, port 80 not listening): do not retry soon. */
  readonly kind: 'config' | 'transient';
  readonly message: string;
}

/**
 * Makes challenges answerable. Contract:
 * - `present` resolves once the CA can validate: HTTP-01 when the listener serves the token (and the router mapping
 *   is made, when one is used); DNS-01 when every authoritative server of the zone serves the TXT value (bounded
 *   wait, then `transient` naming the servers that do not);
 * - `cleanUp` removes what `present` added (TXT records, tokens, a temporary mapping); it never throws, and is
 *   called once per `present`, whether the order succeeded or not.
 */
export interface ChallengeSolver {
  readonly type: ChallengeType;
  present(task: ChallengeTask, signal?: AbortSignal): Promise<Outcome<void, ChallengeFailure>>;
  cleanUp(task: ChallengeTask): Promise<void>;
}

// ---- the router's temporary mapping (HTTP-01) ----------------------------------------------------------------------

/**
 * Maps a TCP port on the router to this box for a short time (UPnP IGD, NAT-PMP or PCP; reachability's router
 * clients). `open` resolves `mapped` or `unavailable` (with the reason: no router protocol, refused); the returned
 * `close` removes the mapping and never throws.
 */
export interface TemporaryPortOpener {
  open(input: {
    readonly internalPort: number;
    readonly externalPort: number;
    readonly lifetimeSeconds: number;
    readonly description: string;
  }): Promise<
    | { readonly state: 'mapped'; readonly externalPort: number; close(): Promise<void> }
    | { readonly state: 'unavailable'; readonly reason: string }
  >;
}
