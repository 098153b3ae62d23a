/**
 * @module The certificate manager: the one place the account, the wanted names and the issued certificates change.
 * It runs one order at a time through the injected issuer (issue.ts over the AcmeCa port and the challenge
 * solvers), keeps the certificate files (0600 under `<dataDir>/certs/`) and their keys (secrets port), records every
 * change in the audit log, and keeps the pair the HTTPS listener serves. When to renew is the planner's
 * (renewal.ts); the capability's loop asks it.
 */
import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { appendAudit } from '../audit/record.js';
import type { AcmeSettings } from '../config/schema.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../core/events.js';
import type { Logger } from '../core/log.js';
import type { PrivateFiles } from '../core/node-fs.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { Secrets } from '../core/secrets.js';
import type { Store } from '../store/store.js';
import type { KeyAndCert } from './bootstrap.js';
import { checkCertificateNames } from './names.js';
import { renewalState, type RenewalPlan } from './renewal.js';
import type { AcmeCa, AcmeCaFactory, AcmeFailure, ChallengeType, RenewalInfo } from './ports.js';
import {
  emptyRenewal,
  historyLimit,
  type AcmeAccount,
  type CertState,
  type IssuedCertificate,
  type WantedCertificate,
} from './slice.js';
import {
  accountInputSchema,
  certificateInputSchema,
  type AccountInput,
  type CertView,
  type CertificateInput,
} from './view.js';

declare module '../core/events.js' {
  interface GatehouseEvents {
    /** A certificate was issued (first or renewed) and is now served. */
    'cert.renewed': {
      readonly serial: string;
      readonly names: readonly string[];
      readonly notAfter: string;
      readonly previousSerial: string | null;
    };
  }
}

export const certAuditTypes = {
  'cert.account-set': "The ACME CA and account were set (the CA's terms agreed)",
  'cert.certificate-set': 'The names, challenge or key type of the certificate were changed',
  'cert.certificate-removed': 'The certificate is no longer managed; the self-signed one is served',
  'cert.issued': 'A certificate was issued or renewed and is served',
  'cert.issue-failed': 'Ordering a certificate failed; the previous one keeps serving',
} as const;

export type CertFailureCode =
  | 'cert.invalid'
  | 'cert.off'
  | 'cert.no-account'
  | 'cert.terms-not-agreed'
  | 'cert.eab-required'
  | 'cert.no-names'
  | 'cert.busy'
  | 'cert.ca-refused'
  | 'cert.ca-unreachable'
  | 'cert.server-not-running';

export interface CertFailure {
  readonly code: CertFailureCode;
  readonly message: string;
  readonly field?: string;
  readonly retryAfterSeconds?: number;
}

export interface CertActor {
  readonly actor: string;
  readonly clientAddress: string;
}

/** The system's own actor, for renewals the loop starts. */
export const systemActor: CertActor = { actor: 'system', clientAddress: 'local' };

export const accountKeyName = 'cert/account-key';
const alreadyReplaced = 'urn:ietf:params:acme:error:alreadyReplaced';
const accountDoesNotExist = 'urn:ietf:params:acme:error:accountDoesNotExist';
export const eabKeyName = 'cert/eab-hmac-key';
export const keyNameOf = (serial: string): string => `cert/key-${serial}`;

/** Why an order failed, as the issuer reports it. */
export interface IssueError {
  readonly kind: AcmeFailure['kind'];
  readonly message: string;
  /** The CA's problem type, when it sent one. */
  readonly acmeType?: string;
  readonly retryAfterMs?: number;
  readonly challenge?: ChallengeType;
}

export interface IssueRequest {
  readonly names: readonly string[];
  readonly keyType: WantedCertificate['keyType'];
  readonly challenge: ChallengeType;
  readonly replaces?: string;
}

export type IssueFn = (
  ca: AcmeCa,
  request: IssueRequest,
  signal?: AbortSignal,
) => Promise<Outcome<{ readonly chainPem: string; readonly keyPem: string }, IssueError>>;

export interface ChainInfo {
  readonly serial: string;
  readonly fingerprintSha256: string;
  readonly names: readonly string[];
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

export interface ChallengeChoice {
  readonly chosen: ChallengeType | null;
  readonly why: string;
  readonly warnings: readonly string[];
}

/** When the plan looks again: a wait's end, a stopped plan's daily retry; undefined when due now or never. */
export function planTime(plan: RenewalPlan): Date | undefined {
  if (plan.action === 'wait') return plan.until;
  if (plan.action === 'stopped') return plan.retryAt ?? undefined;
  return undefined;
}

/** The certificate the HTTPS listener serves for the names it covers. */
export interface ServedCertificate extends KeyAndCert {
  readonly serial: string;
  readonly names: readonly string[];
  readonly notAfter: string;
  readonly fingerprintSha256: string;
}

export interface CertManagerDeps {
  readonly store: Store;
  readonly secrets: Secrets;
  readonly files: PrivateFiles;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly dataDir: string;
  readonly settings: AcmeSettings;
  readonly caFactory: AcmeCaFactory;
  /** The PEM of `acme.caBundleFile`, read at start (null without one). */
  readonly configCaBundle: string | null;
  readonly issue: IssueFn;
  readonly describeChain: (chainPem: string) => Outcome<ChainInfo, string>;
  /** RFC 9773 §4.1 CertID of a certificate (PEM), null when it has no Authority Key Identifier. */
  readonly ariCertId: (certPem: string) => string | null;
  readonly chooseChallenge: (wanted: WantedCertificate) => Promise<ChallengeChoice>;
  readonly planRenewal: (state: CertState, now: Date) => RenewalPlan;
  /** The ARI instant to renew at within a window (random, RFC 9773 §4.2) and when to ask again. */
  readonly ariSchedule: (
    info: RenewalInfo,
    now: Date,
  ) => { readonly chosenAt: Date; readonly nextCheckAt: Date };
  /** The hostnames DDNS keeps pointed here. */
  readonly suggestedNames: () => readonly string[];
  /** The self-signed certificate served when no ACME one covers the name asked for. */
  readonly bootstrap: () =>
    { readonly fingerprintSha256: string; readonly names: readonly string[] } | undefined;
  /** A command line with no server: settings are stored, but orders need the server (port 80, the listener). */
  readonly offline?: boolean;
}

type RunResult =
  | { readonly started: true }
  | { readonly ok: true; readonly current: CertView['current'] }
  | { readonly ok: false; readonly error: { readonly kind: IssueError['kind']; readonly message: string } };

export class CertManager {
  private running: Promise<Outcome<IssuedCertificate, IssueError>> | undefined;
  private runningKind: 'issue' | 'renew' | null = null;
  private served: ServedCertificate | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly deps: CertManagerDeps) {}

  // ---- what is served ---------------------------------------------------------------------------------------------

  /** Loads the current certificate and its key (at start); a missing or unreadable one is logged, not fatal. */
  async load(): Promise<void> {
    const current = this.cert().current;
    if (!current) return;
    const pair = await this.readPair(current.serial);
    if (!pair) {
      this.deps.logger.warn(
        { serial: current.serial },
        'the current certificate or its key could not be read; serving the self-signed one until it is renewed',
      );
      return;
    }
    this.served = { ...pair, ...servedFacts(current) };
  }

  /** The ACME certificate when it covers `servername` (wildcards one label deep) and is not expired. */
  servingFor(servername: string | undefined): ServedCertificate | undefined {
    const s = this.served;
    if (!s || servername === undefined) return undefined;
    if (Date.parse(s.notAfter) <= this.deps.clock.now().getTime()) return undefined;
    return coversName(s.names, servername) ? s : undefined;
  }

  /** The certificate served now (for the status), whatever the name. */
  get current(): ServedCertificate | undefined {
    return this.served;
  }

  /** Called after every change the loop should look at (a new setting, a finished run). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when no order runs (the one running now has ended, whatever its outcome). */
  async idle(): Promise<void> {
    await this.running;
  }

  /** The order running now ('issue' or 'renew'), or null. */
  get runningNow(): 'issue' | 'renew' | null {
    return this.runningKind;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  // ---- the view ---------------------------------------------------------------------------------------------------

  async view(): Promise<CertView> {
    const cert = this.cert();
    const now = this.deps.clock.now();
    const decision = this.deps.planRenewal(cert, now);
    const eabSet = await this.deps.secrets.has(eabKeyName);
    const bootstrap = this.deps.bootstrap();
    const served = this.served;
    return {
      enabled: this.deps.settings.enabled,
      account: cert.account && {
        directoryUrl: cert.account.directoryUrl,
        email: cert.account.email,
        termsOfService: cert.account.termsOfService,
        termsAgreedAt: cert.account.termsAgreedAt,
        eabKid: cert.account.eabKid,
        eabHmacKeySet: eabSet.ok && eabSet.value,
        accountUrl: cert.account.accountUrl,
        caBundleSet: cert.account.caBundlePem !== null,
      },
      certificate: cert.certificate && {
        names: [...cert.certificate.names],
        challenge: cert.certificate.challenge,
        keyType: cert.certificate.keyType,
      },
      suggestedNames: [...this.deps.suggestedNames()],
      current: cert.current && currentView(cert.current),
      serving: served
        ? {
            kind: 'acme',
            names: [...served.names],
            notAfter: served.notAfter,
            fingerprintSha256: served.fingerprintSha256,
          }
        : bootstrap
          ? {
              kind: 'bootstrap',
              names: [...bootstrap.names],
              notAfter: null,
              fingerprintSha256: bootstrap.fingerprintSha256,
            }
          : { kind: 'none', names: [], notAfter: null, fingerprintSha256: null },
      renewal: {
        ...(cert.certificate === null || !this.deps.settings.enabled
          ? { state: 'none' as const, nextAt: null, reason: 'no certificate is set up' }
          : cert.account === null
            ? {
                // Due, but nothing is ordered until the owner chooses a CA (the page says "waiting for you").
                ...renewalState({ plan: decision, now, running: this.runningKind, failures: 0 }),
                nextAt: null,
                reason:
                  'waiting for a CA: choose one and agree to its terms, then the certificate is ordered',
              }
            : renewalState({
                plan: decision,
                now,
                running: this.runningKind,
                failures: cert.renewal.failures,
              })),
        ari: cert.renewal.ari && {
          start: cert.renewal.ari.start,
          end: cert.renewal.ari.end,
          explanationUrl: cert.renewal.ari.explanationUrl,
        },
        failures: cert.renewal.failures,
        lastError: cert.renewal.lastError && {
          at: cert.renewal.lastError.at,
          kind: cert.renewal.lastError.kind,
          message: cert.renewal.lastError.message,
          challenge: cert.renewal.lastError.challenge,
        },
        lastSuccessAt: cert.renewal.lastSuccessAt,
      },
      challenge: cert.certificate
        ? (({ chosen, why, warnings }) => ({ chosen, why, warnings: [...warnings] }))(
            await this.deps.chooseChallenge(cert.certificate),
          )
        : { chosen: null, why: 'no certificate is set up yet', warnings: [] },
      history: cert.history.map((h) => ({
        serial: h.serial,
        names: [...h.names],
        notBefore: h.notBefore,
        notAfter: h.notAfter,
        issuedAt: h.issuedAt,
      })),
    };
  }

  // ---- settings ---------------------------------------------------------------------------------------------------

  /** What the CA's directory says (its terms, EAB, ARI), to show before agreeing. */
  async directory(url: string): Promise<
    Outcome<
      {
        url: string;
        termsOfService: string | null;
        website: string | null;
        externalAccountRequired: boolean;
        renewalInfo: string | null;
      },
      CertFailure
    >
  > {
    const parsed = accountInputSchema.shape.directoryUrl.safeParse(url);
    if (!parsed.success)
      return fail({
        code: 'cert.invalid',
        message: `url: ${parsed.error.issues[0]?.message ?? 'invalid'}`,
        field: 'url',
      });
    // Trusted: the system's CAs, acme.caBundleFile, and the bundle given with the current account (a private CA).
    const caBundlePem = this.cert().account?.caBundlePem ?? null;
    const ca = await this.caFor({ directoryUrl: url, accountUrl: null, eabKid: null, caBundlePem });
    const dir = await ca.directory();
    if (!dir.ok) return fail(caFailure(dir.error, 'the directory'));
    return ok({ ...dir.value });
  }

  /**
   * Sets the CA and the account: reads the directory, requires the terms agreed (and EAB when the CA needs it),
   * then finds or creates the account at the CA. Nothing is stored unless the CA accepted the account.
   */
  async setAccount(input: AccountInput, by: CertActor): Promise<Outcome<CertView, CertFailure>> {
    const parsed = accountInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? '';
      return fail({ code: 'cert.invalid', message: `${field}: ${issue?.message ?? 'invalid'}`, field });
    }
    const body = parsed.data;
    const before = this.cert().account;
    const caBundlePem = body.caBundlePem === undefined ? (before?.caBundlePem ?? null) : body.caBundlePem;
    const eab = body.eab === undefined ? undefined : body.eab;
    const eabKid = eab === undefined ? (before?.eabKid ?? null) : (eab?.kid ?? null);
    const ca = await this.caFor(
      {
        directoryUrl: body.directoryUrl,
        // Always looked up again (onlyReturnExisting with the same key): a CA that lost the account makes a new one.
        accountUrl: null,
        eabKid,
        caBundlePem,
      },
      eab === undefined ? undefined : (eab?.hmacKey ?? null),
    );
    const dir = await ca.directory();
    if (!dir.ok) return fail(caFailure(dir.error, 'the directory'));
    if (dir.value.termsOfService !== null && !body.agreeTerms)
      return fail({
        code: 'cert.terms-not-agreed',
        message: `agree to the CA's terms of service first (${dir.value.termsOfService})`,
        field: 'agreeTerms',
      });
    if (dir.value.externalAccountRequired && eabKid === null)
      return fail({
        code: 'cert.eab-required',
        message:
          'this CA requires External Account Binding: give the key id and HMAC key from your CA account',
        field: 'eab',
      });
    const email = body.email === undefined ? (before?.email ?? null) : body.email;
    const account = await ca.ensureAccount({ email, termsAgreed: body.agreeTerms });
    if (!account.ok) return fail(caFailure(account.error, 'the account'));
    if (eab !== undefined) {
      if (eab === null) await this.deps.secrets.delete(eabKeyName);
      else {
        const saved = await this.deps.secrets.set(eabKeyName, eab.hmacKey);
        if (!saved.ok)
          return fail({ code: 'cert.invalid', message: saved.error.message, field: 'eab.hmacKey' });
      }
    }
    const now = this.deps.clock.now();
    const at = now.toISOString();
    await this.deps.store.update((draft, tx) => {
      const next: AcmeAccount = {
        directoryUrl: body.directoryUrl,
        email,
        termsOfService: dir.value.termsOfService,
        termsAgreedAt: body.agreeTerms ? at : null,
        eabKid,
        accountUrl: account.value,
        caBundlePem,
        createdAt: before?.createdAt ?? at,
        updatedAt: at,
      };
      draft.cert.account = next;
      // A new CA or account is a new start: earlier failures (a refused account, terms) no longer hold.
      draft.cert.renewal = { ...draft.cert.renewal, failures: 0, lastError: null, nextAttemptAt: null };
      appendAudit(tx, now, {
        type: 'cert.account-set',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: { directory: body.directoryUrl, email: email !== null, eab: eabKid !== null },
      });
    });
    this.changed();
    return ok(await this.view());
  }

  async setCertificate(input: CertificateInput, by: CertActor): Promise<Outcome<CertView, CertFailure>> {
    if (!this.deps.settings.enabled) return fail(offFailure());
    const parsed = certificateInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join('.') ?? '';
      return fail({ code: 'cert.invalid', message: `${field}: ${issue?.message ?? 'invalid'}`, field });
    }
    const names = checkCertificateNames(parsed.data.names);
    if (!names.ok) return fail({ code: 'cert.invalid', message: names.error, field: 'names' });
    if (parsed.data.challenge === 'http-01' && names.value.some((n) => n.startsWith('*.')))
      return fail({
        code: 'cert.invalid',
        message: 'a wildcard name can only be validated with DNS-01 (RFC 8555 §8.3): choose dns-01 or auto',
        field: 'challenge',
      });
    const now = this.deps.clock.now();
    const at = now.toISOString();
    await this.deps.store.update((draft, tx) => {
      const before = draft.cert.certificate;
      draft.cert.certificate = {
        names: names.value,
        challenge: parsed.data.challenge,
        keyType: parsed.data.keyType,
        createdAt: before?.createdAt ?? at,
        updatedAt: at,
      };
      draft.cert.renewal = { ...draft.cert.renewal, failures: 0, lastError: null, nextAttemptAt: null };
      appendAudit(tx, now, {
        type: 'cert.certificate-set',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
        details: {
          names: names.value.join(' '),
          challenge: parsed.data.challenge,
          keyType: parsed.data.keyType,
        },
      });
    });
    this.changed();
    return ok(await this.view());
  }

  async removeCertificate(by: CertActor): Promise<CertView> {
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      draft.cert.certificate = null;
      draft.cert.renewal = emptyRenewal();
      appendAudit(tx, now, {
        type: 'cert.certificate-removed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'success',
      });
    });
    // The issued certificate stays on disk (and in the history) but is no longer served.
    this.served = undefined;
    this.changed();
    return this.view();
  }

  // ---- ordering -----------------------------------------------------------------------------------------------------

  /** Why an order cannot start now, or undefined. */
  private precondition(): CertFailure | undefined {
    const cert = this.cert();
    if (!this.deps.settings.enabled) return offFailure();
    if (this.deps.offline === true)
      return {
        code: 'cert.server-not-running',
        message:
          'Gatehouse is not running: start it (the order needs its port-80 listener and serves the result)',
      };
    if (!cert.account)
      return {
        code: 'cert.no-account',
        message: 'choose a CA and agree to its terms first (PUT /cert/account)',
      };
    if (cert.account.termsOfService !== null && cert.account.termsAgreedAt === null)
      return { code: 'cert.terms-not-agreed', message: "agree to the CA's terms of service first" };
    if (!cert.certificate)
      return {
        code: 'cert.no-names',
        message: 'set the names the certificate is for first (PUT /cert/certificate)',
      };
    if (this.running)
      return { code: 'cert.busy', message: 'a certificate is being ordered right now; wait for it' };
    return undefined;
  }

  /** "Issue now" / "renew now": starts an order at once; with `wait` the result comes back. */
  async run(
    kind: 'issue' | 'renew',
    options: { readonly wait: boolean; readonly by: CertActor },
  ): Promise<Outcome<RunResult, CertFailure>> {
    // Waiting for a result while an order runs (the loop's, or another caller's) waits for that order: it is the
    // one that would have been started.
    const running = this.running;
    const problem = this.precondition();
    if (problem && !(problem.code === 'cert.busy' && options.wait && running)) return fail(problem);
    const attempt =
      running ??
      this.attempt(kind, kind === 'issue' ? 'issued on request' : 'renewed on request', options.by);
    if (!options.wait) return ok({ started: true });
    const r = await attempt;
    return ok(
      r.ok
        ? { ok: true, current: currentView(r.value) }
        : { ok: false, error: { kind: r.error.kind, message: r.error.message } },
    );
  }

  /** The loop's entry: orders when the planner says so and nothing else runs. */
  async runDue(now: Date): Promise<RenewalPlan> {
    const decision = this.deps.planRenewal(this.cert(), now);
    if ((decision.action === 'issue' || decision.action === 'renew') && this.precondition() === undefined)
      await this.attempt(decision.action, decision.reason, systemActor);
    return decision;
  }

  /**
   * One order, start to end; never two at once. A failure is recorded on the certificate (the previous one keeps
   * serving); a success is written to disk first, then the store, then served, then announced.
   */
  private attempt(
    kind: 'issue' | 'renew',
    reason: string,
    by: CertActor,
  ): Promise<Outcome<IssuedCertificate, IssueError>> {
    const run = this.order(reason, by).finally(() => {
      this.running = undefined;
      this.runningKind = null;
      this.changed();
    });
    this.running = run;
    this.runningKind = kind;
    this.changed();
    return run;
  }

  private async order(reason: string, by: CertActor): Promise<Outcome<IssuedCertificate, IssueError>> {
    const { store, clock, logger } = this.deps;
    const cert = this.cert();
    const account = cert.account;
    const wanted = cert.certificate;
    if (!account || !wanted) return fail({ kind: 'config', message: 'no account or no names' });
    await store.update((draft) => {
      draft.cert.renewal.lastAttemptAt = clock.now().toISOString();
    });
    const choice = await this.deps.chooseChallenge(wanted);
    let ca: AcmeCa;
    let result: Outcome<IssuedCertificate, IssueError>;
    if (choice.chosen === null) {
      result = fail({ kind: 'config', message: choice.why });
    } else {
      ca = await this.caFor(account);
      result = await this.orderWith(ca, account, wanted, choice.chosen);
    }
    if (!result.ok) {
      await this.recordFailure(result.error, choice.chosen, by);
      logger.warn({ kind: result.error.kind, reason }, `certificate order failed: ${result.error.message}`);
      return result;
    }
    logger.info(
      { serial: result.value.serial, names: result.value.names, notAfter: result.value.notAfter, reason },
      'certificate issued',
    );
    return result;
  }

  private async orderWith(
    given: AcmeCa,
    account: AcmeAccount,
    wanted: WantedCertificate,
    challenge: ChallengeType,
  ): Promise<Outcome<IssuedCertificate, IssueError>> {
    let ca = given;
    const dir = await ca.directory();
    if (!dir.ok) return fail(issueErrorOf(dir.error));
    const ensureAccount = async (): Promise<IssueError | undefined> => {
      const created = await ca.ensureAccount({
        email: account.email,
        termsAgreed: account.termsAgreedAt !== null,
      });
      if (!created.ok) return issueErrorOf(created.error);
      await this.deps.store.update((draft) => {
        if (draft.cert.account) draft.cert.account.accountUrl = created.value;
      });
      return undefined;
    };
    if (account.accountUrl === null) {
      const problem = await ensureAccount();
      if (problem) return fail(problem);
    }
    const previous = this.cert().current;
    const replaces =
      dir.value.renewalInfo !== null && previous?.ariCertId ? { replaces: previous.ariCertId } : {};
    const request = { names: wanted.names, keyType: wanted.keyType, challenge };
    let issued = await this.deps.issue(ca, { ...request, ...replaces });
    // The CA no longer knows the stored account (a reset CA, an account deactivated elsewhere): find or make it
    // again with the same key, then order once more.
    if (!issued.ok && issued.error.acmeType === accountDoesNotExist && account.accountUrl !== null) {
      this.deps.logger.warn(
        {},
        'the CA no longer knows the ACME account; looking it up again with the same key',
      );
      ca = await this.caFor({ ...account, accountUrl: null });
      const problem = await ensureAccount();
      if (problem) return fail(problem);
      issued = await this.deps.issue(ca, { ...request, ...replaces });
    }
    // RFC 9773 §5: a certificate already replaced by another order (one that did not finish here) cannot be
    // named again; the new order goes without `replaces`.
    if (!issued.ok && 'replaces' in replaces && issued.error.acmeType === alreadyReplaced)
      issued = await this.deps.issue(ca, request);
    if (!issued.ok) return fail({ ...issued.error, challenge: issued.error.challenge ?? challenge });
    const info = this.deps.describeChain(issued.value.chainPem);
    if (!info.ok)
      return fail({
        kind: 'transient',
        message: `the CA sent a certificate Gatehouse cannot use: ${info.error}`,
        challenge,
      });
    const now = this.deps.clock.now();
    const serial = info.value.serial;
    const record: IssuedCertificate = {
      serial,
      fingerprintSha256: info.value.fingerprintSha256,
      names: [...info.value.names],
      issuer: info.value.issuer,
      notBefore: info.value.notBefore.toISOString(),
      notAfter: info.value.notAfter.toISOString(),
      issuedAt: now.toISOString(),
      challenge,
      ariCertId: this.deps.ariCertId(issued.value.chainPem),
      replaced: previous?.serial ?? null,
    };
    // Disk first: a crash after this leaves a file nobody points at, never a store pointing at nothing.
    const savedKey = await this.deps.secrets.set(keyNameOf(serial), issued.value.keyPem);
    if (!savedKey.ok) return fail({ kind: 'transient', message: savedKey.error.message, challenge });
    this.deps.files.write(this.certFile(serial), issued.value.chainPem);
    const ari =
      dir.value.renewalInfo !== null && record.ariCertId !== null
        ? await ca.renewalInfo(record.ariCertId)
        : undefined;
    const dropped: string[] = [];
    await this.deps.store.update((draft, tx) => {
      const c = draft.cert;
      if (c.current) c.history.unshift(c.current);
      dropped.push(...c.history.splice(historyLimit).map((h) => h.serial));
      c.current = record;
      c.renewal = {
        ...emptyRenewal(),
        lastAttemptAt: c.renewal.lastAttemptAt,
        lastSuccessAt: now.toISOString(),
        ari: ari?.ok && ari.value ? this.ariRecord(ari.value, now) : null,
      };
      appendAudit(tx, now, {
        type: 'cert.issued',
        actor: 'system',
        clientAddress: 'local',
        outcome: 'success',
        details: {
          serial,
          names: record.names.join(' '),
          notAfter: record.notAfter,
          challenge,
          replaced: record.replaced,
        },
      });
    });
    for (const old of dropped) await this.forget(old);
    this.served = { key: issued.value.keyPem, cert: issued.value.chainPem, ...servedFacts(record) };
    this.deps.bus.publish('cert.renewed', {
      serial,
      names: record.names,
      notAfter: record.notAfter,
      previousSerial: record.replaced,
    });
    return ok(record);
  }

  /** Asks the CA's ARI for the current certificate's window (the loop, when the last answer is due again). */
  async refreshRenewalInfo(): Promise<void> {
    const cert = this.cert();
    const current = cert.current;
    if (!cert.account || !current?.ariCertId) return;
    const ca = await this.caFor(cert.account);
    const dir = await ca.directory();
    if (!dir.ok || dir.value.renewalInfo === null) return;
    const info = await ca.renewalInfo(current.ariCertId);
    const now = this.deps.clock.now();
    if (!info.ok || info.value === undefined) {
      if (!info.ok)
        this.deps.logger.warn({ kind: info.error.kind }, `ARI request failed: ${info.error.message}`);
      // Ask again later, not in a loop: keep the old window and move the next check.
      await this.deps.store.update((draft) => {
        const a = draft.cert.renewal.ari;
        if (a) a.nextCheckAt = new Date(now.getTime() + 60 * 60_000).toISOString();
      });
      return;
    }
    const record = this.ariRecord(info.value, now);
    await this.deps.store.update((draft) => {
      if (draft.cert.current?.serial === current.serial) draft.cert.renewal.ari = record;
    });
  }

  private ariRecord(info: RenewalInfo, now: Date): NonNullable<CertState['renewal']['ari']> {
    const { chosenAt, nextCheckAt } = this.deps.ariSchedule(info, now);
    return {
      start: info.start.toISOString(),
      end: info.end.toISOString(),
      explanationUrl: info.explanationUrl,
      fetchedAt: now.toISOString(),
      nextCheckAt: nextCheckAt.toISOString(),
      chosenAt: chosenAt.toISOString(),
    };
  }

  private async recordFailure(
    error: IssueError,
    challenge: ChallengeType | null,
    by: CertActor,
  ): Promise<void> {
    const now = this.deps.clock.now();
    await this.deps.store.update((draft, tx) => {
      const r = draft.cert.renewal;
      r.failures += 1;
      r.lastError = {
        at: now.toISOString(),
        kind: error.kind,
        message: error.message.slice(0, 2000),
        challenge: error.challenge ?? challenge,
        retryAfterMs: error.retryAfterMs ?? null,
      };
      appendAudit(tx, now, {
        type: 'cert.issue-failed',
        actor: by.actor,
        clientAddress: by.clientAddress,
        outcome: 'failure',
        details: { kind: error.kind, message: error.message.slice(0, 300) },
      });
    });
    const decision = this.deps.planRenewal(this.cert(), now);
    await this.deps.store.update((draft) => {
      draft.cert.renewal.nextAttemptAt = planTime(decision)?.toISOString() ?? null;
    });
  }

  // ---- helpers ------------------------------------------------------------------------------------------------------

  private cert(): CertState {
    return this.deps.store.read().cert;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  private certFile(serial: string): string {
    return path.join(this.deps.dataDir, 'certs', `${serial}.pem`);
  }

  private async readPair(serial: string): Promise<KeyAndCert | undefined> {
    const cert = this.deps.files.read(this.certFile(serial));
    const key = await this.deps.secrets.get(keyNameOf(serial));
    if (cert === undefined || !key.ok || key.value === undefined) return undefined;
    return { key: key.value, cert };
  }

  private async forget(serial: string): Promise<void> {
    this.deps.files.remove(this.certFile(serial));
    await this.deps.secrets.delete(keyNameOf(serial));
  }

  /** The account key (made on first use, ECDSA P-256, kept in the secrets port). */
  private async accountKey(): Promise<string> {
    const stored = await this.deps.secrets.get(accountKeyName);
    if (stored.ok && stored.value !== undefined) return stored.value;
    const { privateKey } = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const saved = await this.deps.secrets.set(accountKeyName, privateKey);
    if (!saved.ok) throw new Error(`could not store the ACME account key: ${saved.error.message}`);
    this.deps.logger.info({}, 'made the ACME account key');
    return privateKey;
  }

  private async caFor(
    account: Pick<AcmeAccount, 'directoryUrl' | 'accountUrl' | 'eabKid' | 'caBundlePem'>,
    /** A new HMAC key not stored yet (setAccount); null: none; undefined: the stored one. */
    hmacKey?: string | null,
  ): Promise<AcmeCa> {
    const key = hmacKey === undefined ? await this.deps.secrets.get(eabKeyName) : ok(hmacKey ?? undefined);
    const hmac = key.ok ? key.value : undefined;
    const bundles = [this.deps.configCaBundle, account.caBundlePem].filter((b): b is string => b !== null);
    return this.deps.caFactory({
      directoryUrl: account.directoryUrl,
      accountKeyPem: await this.accountKey(),
      accountUrl: account.accountUrl,
      externalAccountBinding:
        account.eabKid !== null && hmac !== undefined ? { kid: account.eabKid, hmacKey: hmac } : null,
      caBundlePem: bundles.length === 0 ? null : bundles.join('\n'),
    });
  }
}

function offFailure(): CertFailure {
  return { code: 'cert.off', message: 'certificates are turned off (acme.enabled in the config file)' };
}

function caFailure(e: AcmeFailure, what: string): CertFailure {
  const retry = e.retryAfterMs === undefined ? {} : { retryAfterSeconds: Math.ceil(e.retryAfterMs / 1000) };
  return e.kind === 'unreachable' || e.kind === 'transient'
    ? { code: 'cert.ca-unreachable', message: `could not get ${what} from the CA: ${e.message}`, ...retry }
    : { code: 'cert.ca-refused', message: `the CA refused ${what}: ${e.message}`, ...retry };
}

function issueErrorOf(e: AcmeFailure): IssueError {
  return e.retryAfterMs === undefined
    ? { kind: e.kind, message: e.message }
    : { kind: e.kind, message: e.message, retryAfterMs: e.retryAfterMs };
}

function currentView(c: IssuedCertificate): NonNullable<CertView['current']> {
  return {
    serial: c.serial,
    names: [...c.names],
    issuer: c.issuer,
    notBefore: c.notBefore,
    notAfter: c.notAfter,
    issuedAt: c.issuedAt,
    challenge: c.challenge,
  };
}

function servedFacts(c: IssuedCertificate): Omit<ServedCertificate, 'key' | 'cert'> {
  return { serial: c.serial, names: c.names, notAfter: c.notAfter, fingerprintSha256: c.fingerprintSha256 };
}

/** Whether a certificate for `names` covers `host` (RFC 6125 §6.4.3: a wildcard stands for exactly one label). */
export function coversName(names: readonly string[], host: string): boolean {
  const h = host.toLowerCase().replace(/\.$/, '');
  return names.some((n) => {
    const name = n.toLowerCase();
    if (!name.startsWith('*.')) return name === h;
    const dot = h.indexOf('.');
    return dot > 0 && h.slice(dot + 1) === name.slice(2);
  });
}
