/**
 * @module Which certificate alerts hold, planned from the cert slice, the port-80 listener and the chosen
 * challenge: getting a certificate keeps failing, the current one expires soon or has expired, the CA cannot
 * reach port 80 for HTTP-01. Pure; the capability raises what this returns and clears the other rules.
 */
import type { AlertInput } from '../alerts/rules.js';
import { certRules, type CertRuleId } from './alert-rules.js';
import type { FailureKind } from './renewal.js';

/** The certificate rules (all conditions): the capability clears each one this plan does not return. */
export const certConditionRules = Object.keys(certRules) as readonly CertRuleId[];

/** Consecutive failures before `cert.renewal-failed` (a `config` failure raises it at once: retrying will not help). */
export const failuresBeforeAlert = 3;

/**
 * `cert.expiring` holds when less than this fraction of the lifetime remains: renewal starts at a third, so half
 * of the renewal period has been lost to failures — 15 days of a 90-day certificate, 7.5 of a 45-day one, one
 * day of a 6-day one (a fixed number of days would fire at once for short certificates, or too late for long).
 */
export const expiringFraction = 1 / 6;

/** The parts of the cert slice (COMMON.md shape, ISO dates) the conditions read. */
export interface CertConditionSlice {
  readonly certificate: { readonly names: readonly string[] } | null;
  readonly current: {
    readonly names: readonly string[];
    readonly notBefore: string;
    readonly notAfter: string;
  } | null;
  readonly renewal: {
    readonly ari: { readonly start: string; readonly end: string } | null;
    readonly failures: number;
    readonly lastError: {
      readonly at: string;
      readonly kind: FailureKind;
      readonly message: string;
      readonly challenge: 'http-01' | 'dns-01' | null;
    } | null;
  };
}

export interface CertConditionState {
  /** `acme.enabled`. */
  readonly enabled: boolean;
  readonly cert: CertConditionSlice;
  readonly now: Date;
  /** The challenge the next order uses (CertView `challenge.chosen`); null when none can be chosen. */
  readonly challenge: 'http-01' | 'dns-01' | null;
  /** Gatehouse's port-80 listener (`acme.http01.listen`): listening, or why it could not start. */
  readonly http01Listener:
    { readonly ok: true } | { readonly ok: false; readonly listen: string; readonly message: string };
  /** Whether port 80 of the box was found reachable from the internet; null when not known. */
  readonly port80Reachable: boolean | null;
}

/** "62 days", "20 hours", "less than an hour": what is left, in the unit a person reads for this certificate. */
export function describeLeft(ms: number): string {
  const days = Math.floor(ms / 86_400_000);
  if (days >= 2) return `${String(days)} days`;
  const hours = Math.floor(ms / 3_600_000);
  if (hours >= 1) return `${String(hours)} hour${hours === 1 ? '' : 's'}`;
  return 'less than an hour';
}

/**
 * More specific remedies than the rule's, for the failures that tell what to do (a challenge failure by its
 * challenge type); a `rejected` or `transient` failure leaves the rule's.
 */
export const failureRemedies = {
  config:
    "Check what the error names on the Certificates page: the directory URL, the email and the CA's terms " +
    '(agree to them again if they changed), the External Account Binding key ID and HMAC key (ZeroSSL, ' +
    'Google), the names (a CAA record may forbid this CA). Gatehouse tries once a day until the settings change.',
  'http-01':
    'The CA could not fetch the HTTP-01 token from port 80. Forward TCP 80 on the router to this box (or ' +
    'turn on UPnP / NAT-PMP), or switch the certificate to DNS-01 with a DNS provider account that can ' +
    'write TXT records.',
  'dns-01':
    'The CA did not see the DNS-01 TXT record. Check that the DNS provider account can write TXT records ' +
    "for the name and that all of the zone's authoritative servers serve it.",
  'rate-limited':
    'The CA limits how many certificates and failed validations it allows; Gatehouse waits as long as the ' +
    'CA asks. Do not press "Renew now" repeatedly: each try counts against the limit.',
  unreachable:
    'Gatehouse could not reach the CA: check the internet connection and DNS of this box, the directory URL, ' +
    'and for a private CA the extra CA bundle on the Certificates page.',
} as const;

function remedyFor(error: NonNullable<CertConditionSlice['renewal']['lastError']>): string | undefined {
  // A challenge failure without its type reads "null", which no remedy has.
  const key = error.kind === 'challenge' ? String(error.challenge) : error.kind;
  return Object.hasOwn(failureRemedies, key)
    ? failureRemedies[key as keyof typeof failureRemedies]
    : undefined;
}

/** The conditions that hold now. Pure. */
export function planCertConditions(s: CertConditionState): AlertInput[] {
  const { certificate, current, renewal } = s.cert;
  if (!s.enabled || certificate === null) return [];
  const out: AlertInput[] = [];
  const now = s.now.getTime();
  // Failures and challenges concern the wanted names; expiry the certificate that serves.
  const label = certificate.names.join(', ');
  const details = { names: label };
  const error = renewal.lastError;

  if (
    error !== null &&
    renewal.failures > 0 &&
    (error.kind === 'config' || renewal.failures >= failuresBeforeAlert)
  ) {
    const what = current === null ? 'Issuing the certificate' : 'Renewing the certificate';
    const remedy = remedyFor(error);
    out.push({
      rule: 'cert.renewal-failed',
      key: '',
      message:
        `${what} for ${label} failed ${error.kind === 'config' ? 'with a configuration error' : `${String(renewal.failures)} times in a row`}: ` +
        error.message,
      ...(remedy === undefined ? {} : { remedy }),
      details: { ...details, failures: renewal.failures, kind: error.kind, challenge: error.challenge },
    });
  }

  if (current !== null) {
    const notAfter = Date.parse(current.notAfter);
    const lifetime = notAfter - Date.parse(current.notBefore);
    const left = notAfter - now;
    const served = current.names.join(', ');
    // The CA's window still ahead with nothing failed: the renewal is on the CA's schedule, not late.
    const onAriSchedule = renewal.ari !== null && Date.parse(renewal.ari.end) > now && renewal.failures === 0;
    if (left <= 0)
      out.push({
        rule: 'cert.expired',
        key: '',
        message: `The certificate for ${served} expired at ${current.notAfter}; browsers refuse it.`,
        details: { names: served, notAfter: current.notAfter },
      });
    else if (left < lifetime * expiringFraction && !onAriSchedule)
      out.push({
        rule: 'cert.expiring',
        key: '',
        message:
          `The certificate for ${served} expires in ${describeLeft(left)} (${current.notAfter}) and has not been renewed` +
          (error !== null && renewal.failures > 0 ? `; the last attempt failed: ${error.message}` : '.'),
        details: { names: served, notAfter: current.notAfter },
      });
  }

  if (s.challenge === 'http-01') {
    if (!s.http01Listener.ok)
      out.push({
        rule: 'cert.http01-unreachable',
        key: '',
        message: `Gatehouse could not listen on ${s.http01Listener.listen} for the HTTP-01 challenge: ${s.http01Listener.message}`,
        remedy:
          'Another program (a web server?) holds port 80, or Gatehouse lacks the right to bind it. Stop that ' +
          'program or change acme.http01.listen (the systemd unit grants CAP_NET_BIND_SERVICE), or switch the ' +
          'certificate to DNS-01 on the Certificates page.',
        details,
      });
    else if (s.port80Reachable === false)
      out.push({
        rule: 'cert.http01-unreachable',
        key: '',
        message: `Port 80 of this box is not reachable from the internet, so the CA cannot validate ${label} over HTTP-01.`,
        details,
      });
  }
  return out;
}
