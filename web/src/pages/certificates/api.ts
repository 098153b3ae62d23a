/**
 * @module The certificate capability's typed calls (its own routes, over the app's session: CSRF token,
 * session-lost report) and the shapes they carry, taken from the server's routes: GET /cert (the CertView), the CA's
 * directory, the account and certificate settings, "issue now" and "renew now".
 */
import type { CertRoutes } from '../../../../src/cert/routes.js';
import { expectOk, type ApiClient, type GatehouseClient, type OkBody } from '../../api.js';

type Cert = ApiClient<CertRoutes>['cert'];
type Ok<F extends (...args: never[]) => unknown> = OkBody<Awaited<ReturnType<F>>>;

/** GET /cert: what is served, the renewal, the last error, the settings (never a secret), the history. */
export type CertView = Ok<Cert['$get']>;
export type Account = NonNullable<CertView['account']>;
export type CertificateSettings = NonNullable<CertView['certificate']>;
export type Renewal = CertView['renewal'];
export type LastError = NonNullable<Renewal['lastError']>;
export type HistoryItem = CertView['history'][number];
export type ChallengeChoice = CertificateSettings['challenge'];
export type ChallengeType = NonNullable<CertView['challenge']['chosen']>;
export type KeyType = CertificateSettings['keyType'];
/** GET /cert/directory?url=: what the CA says about itself, shown before agreeing to its terms. */
export type CaDirectory = Ok<Cert['directory']['$get']>;

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

/** The certificate calls over `client`'s session, typed by the server's routes. */
export function connectCert(client: GatehouseClient) {
  const { cert } = client.connect<CertRoutes>();
  return {
    view: () => expectOk(cert.$get()),
    directory: (url: string) => expectOk(cert.directory.$get({ query: { url } })),
    putAccount: (body: AccountBody) => expectOk(cert.account.$put({ json: body })),
    putCertificate: (body: CertificateBody) => expectOk(cert.certificate.$put({ json: body })),
    deleteCertificate: () => expectOk(cert.certificate.$delete()),
    /** Starts an order and answers at once (202); the page polls GET /cert for the outcome. */
    start: async (which: 'issue' | 'renew') => {
      await expectOk((which === 'issue' ? cert.issue : cert.renew).$post({ json: { wait: false } }));
    },
  };
}

export type CertApi = ReturnType<typeof connectCert>;
