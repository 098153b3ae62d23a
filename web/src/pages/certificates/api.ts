/**
 * @module The certificate capability's calls (its own routes, over the app's session) and the shapes they carry:
 * GET /cert (the CertView), the CA's directory, the account and certificate settings, "issue now" and "renew now".
 */
import type { GatehouseClient } from '../../api.js';

type Iso = string;
export type ChallengeType = 'http-01' | 'dns-01';
export type ChallengeChoice = 'auto' | ChallengeType;
export type KeyType = 'ecdsa-p256' | 'rsa-2048';
export type RenewalState = 'none' | 'waiting' | 'due' | 'running' | 'failing' | 'stopped';

/** GET /cert (COMMON.md's contract; replaced by the type of the server's routes once they land). */
export interface CertView {
  readonly enabled: boolean;
  readonly account: {
    readonly directoryUrl: string;
    readonly email: string | null;
    readonly termsOfService: string | null;
    readonly termsAgreedAt: Iso | null;
    readonly eabKid: string | null;
    readonly eabHmacKeySet: boolean;
    readonly accountUrl: string | null;
    readonly caBundleSet: boolean;
  } | null;
  readonly certificate: {
    readonly names: readonly string[];
    readonly challenge: ChallengeChoice;
    readonly keyType: KeyType;
  } | null;
  readonly suggestedNames: readonly string[];
  readonly current: {
    readonly serial: string;
    readonly names: readonly string[];
    readonly issuer: string;
    readonly notBefore: Iso;
    readonly notAfter: Iso;
    readonly issuedAt: Iso;
    readonly challenge: ChallengeType;
  } | null;
  readonly serving: {
    readonly kind: 'acme' | 'bootstrap' | 'none';
    readonly names: readonly string[];
    readonly notAfter: Iso | null;
    readonly fingerprintSha256: string | null;
  };
  readonly renewal: {
    readonly state: RenewalState;
    readonly nextAt: Iso | null;
    readonly reason: string;
    readonly ari: { readonly start: Iso; readonly end: Iso; readonly explanationUrl: string | null } | null;
    readonly failures: number;
    readonly lastError: {
      readonly at: Iso;
      readonly kind: string;
      readonly message: string;
      readonly challenge: ChallengeType | null;
    } | null;
    readonly lastSuccessAt: Iso | null;
  };
  readonly challenge: {
    readonly chosen: ChallengeType | null;
    readonly why: string;
    readonly warnings: readonly string[];
  };
  readonly history: readonly {
    readonly serial: string;
    readonly names: readonly string[];
    readonly notBefore: Iso;
    readonly notAfter: Iso;
    readonly issuedAt: Iso;
  }[];
}

export type Account = NonNullable<CertView['account']>;
export type CertificateSettings = NonNullable<CertView['certificate']>;
export type Renewal = CertView['renewal'];
export type LastError = NonNullable<Renewal['lastError']>;
export type HistoryItem = CertView['history'][number];

/** GET /cert/directory?url=: what the CA says about itself, shown before agreeing to its terms. */
export interface CaDirectory {
  readonly url: string;
  readonly termsOfService: string | null;
  readonly website: string | null;
  readonly externalAccountRequired: boolean;
  readonly renewalInfo: string | null;
}

/** PUT /cert/account. Omitted `eab` / `caBundlePem` keep what is stored; null removes it. */
export type AccountBody = {
  readonly directoryUrl: string;
  readonly email: string | null;
  readonly agreeTerms: true;
  readonly eab?: { readonly kid: string; readonly hmacKey: string } | null;
  readonly caBundlePem?: string | null;
};

/** PUT /cert/certificate. */
export type CertificateBody = {
  readonly names: string[];
  readonly challenge: ChallengeChoice;
  readonly keyType: KeyType;
};

export type CertApi = ReturnType<typeof connectCert>;

export declare function connectCert(client: GatehouseClient): {
  view(): Promise<CertView>;
  directory(url: string): Promise<CaDirectory>;
  putAccount(body: AccountBody): Promise<CertView>;
  putCertificate(body: CertificateBody): Promise<CertView>;
  deleteCertificate(): Promise<CertView>;
  start(which: 'issue' | 'renew'): Promise<void>;
};
