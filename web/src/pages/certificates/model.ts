/**
 * @module The Certificates page's words and bodies, pure: what the box serves, how long it has left and when it
 * renews, a failure's cause and remedy in plain words, "issue now" / "renew now" and when to stop polling, the
 * history, and the CA account and certificate forms turned into request bodies (or the field to fix first).
 */
import type {
  Account,
  AccountBody,
  CaDirectory,
  CertificateBody,
  CertView,
  ChallengeChoice,
  ChallengeType,
  HistoryItem,
  KeyType,
  Renewal,
} from './api.js';

/** A body to send, or what the person must fix first, named as the API names the field (`eab.kid`). */
export type Checked<T> =
  | { readonly ok: true; readonly body: T }
  | { readonly ok: false; readonly field: string; readonly message: string };

export type Tone = 'ok' | 'warning' | 'error' | 'unknown';

/** Formats a date for people ("14 Feb"); the page passes the browser's, tests a fixed one. */
export type FormatDate = (iso: string) => string;

const minuteMs = 60_000;
const hourMs = 3_600_000;
const dayMs = 86_400_000;

/**
 * Dates as precise as their distance needs: "14 Feb" this year, "14 Feb 2027" another, and with the time when
 * within two days ("28 Nov, 14:05": a 6-day certificate or a retry in minutes). `locale` and `timeZone` default to
 * the browser's (tests fix them).
 */
export function whenFormatter(now: Date, locale?: string, timeZone?: string): FormatDate {
  const base = { day: 'numeric', month: 'short', timeZone } as const;
  const thisYear = new Intl.DateTimeFormat(locale, base);
  const otherYear = new Intl.DateTimeFormat(locale, { ...base, year: 'numeric' });
  const soon = new Intl.DateTimeFormat(locale, {
    ...base,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const year = new Intl.DateTimeFormat('en', { year: 'numeric', timeZone });
  return (iso) => {
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    if (Math.abs(d.getTime() - now.getTime()) < 2 * dayMs) return soon.format(d);
    return (year.format(d) === year.format(now) ? thisYear : otherYear).format(d);
  };
}

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/**
 * A span for people, rounded down so a deadline is never overstated: "less than a minute", "45 minutes",
 * "47 hours" (under two days hours say more than "1 day"), "62 days".
 */
export function durationWords(ms: number): string {
  if (!Number.isFinite(ms) || ms < minuteMs) return 'less than a minute';
  if (ms < 2 * hourMs) return plural(Math.floor(ms / minuteMs), 'minute');
  if (ms < 2 * dayMs) return plural(Math.floor(ms / hourMs), 'hour');
  return plural(Math.floor(ms / dayMs), 'day');
}

export interface Expiry {
  readonly tone: Tone;
  /** "expires in 62 days (14 Mar)" or "expired 2 days ago (14 Mar)". */
  readonly text: string;
  /** The part of the lifetime left, 0 to 1 (0 once expired). */
  readonly lifetimeLeft: number;
}

/**
 * How long a certificate has left. Renewal starts at about a third of the lifetime left, so less than that means
 * it is late (warning); less than a sixth, or expired, needs the person now (error). Fractions, not days: right
 * for 90-, 45- and 6-day certificates alike.
 */
export function expiryOf(
  cert: { readonly notBefore: string; readonly notAfter: string },
  now: Date,
  formatDate: FormatDate,
): Expiry {
  const end = Date.parse(cert.notAfter);
  const lifetime = end - Date.parse(cert.notBefore);
  const left = end - now.getTime();
  const when = formatDate(cert.notAfter);
  if (left <= 0)
    return { tone: 'error', text: `expired ${durationWords(-left)} ago (${when})`, lifetimeLeft: 0 };
  const fraction = lifetime > 0 ? Math.min(1, left / lifetime) : 0;
  const tone: Tone = fraction > 1 / 3 ? 'ok' : fraction > 1 / 6 ? 'warning' : 'error';
  return { tone, text: `expires in ${durationWords(left)} (${when})`, lifetimeLeft: fraction };
}

/** "58 % of its lifetime left" (whole percent, rounded down). */
export function lifetimeWords(fraction: number): string {
  // The epsilon keeps 0.58 at 58 % (0.58 × 100 is 57.999… in binary floating point).
  return `${Math.floor(Math.max(0, Math.min(1, fraction)) * 100 + 1e-9)} % of its lifetime left`;
}

/**
 * When the next renewal is planned and on what basis: "renews around 14 Feb (the CA's suggested window)" with ARI,
 * "(one third of the lifetime left)" without; "renewal is due now" once that time has come. Undefined when nothing
 * is planned (not set up, running, stopped).
 */
export function renewsWords(
  renewal: Pick<Renewal, 'state' | 'nextAt' | 'ari'>,
  now: Date,
  formatDate: FormatDate,
): string | undefined {
  if (renewal.state === 'due') return 'renewal is due now';
  if (renewal.state !== 'waiting' || renewal.nextAt === null) return undefined;
  if (Date.parse(renewal.nextAt) <= now.getTime()) return 'renewal is due now';
  const basis = renewal.ari === null ? 'one third of the lifetime left' : 'the CA’s suggested window';
  return `renews around ${formatDate(renewal.nextAt)} (${basis})`;
}

/** The countdown line: "expires in 62 days (14 Apr) — renews around 14 Mar (the CA's suggested window)". */
export function countdownOf(view: Pick<CertView, 'current' | 'renewal'>, now: Date, formatDate: FormatDate) {
  if (view.current === null) return undefined;
  const expiry = expiryOf(view.current, now, formatDate);
  const renews = renewsWords(view.renewal, now, formatDate);
  return { ...expiry, text: renews === undefined ? expiry.text : `${expiry.text} — ${renews}` };
}

export interface Headline {
  readonly tone: Tone;
  readonly headline: string;
  /** What it means and what to do, in a sentence or two. */
  readonly detail: string;
}

/** The page's answer to "does my box have a real certificate?": what is served, how well, what to do. */
export function servingOf(view: CertView, now: Date, formatDate: FormatDate): Headline {
  if (!view.enabled)
    return {
      tone: 'unknown',
      headline: 'Certificates from a CA are turned off',
      detail:
        'The configuration turns ACME off (acme.enabled is false): the web UI keeps its self-signed certificate.',
    };
  const state = view.renewal.state;
  if (view.serving.kind === 'acme') {
    const names = view.serving.names.join(', ');
    const expiry = view.current === null ? undefined : expiryOf(view.current, now, formatDate);
    // The worse of the renewal and the time left.
    const tone: Tone =
      state === 'stopped' || expiry?.tone === 'error'
        ? 'error'
        : state === 'failing' || expiry?.tone === 'warning'
          ? 'warning'
          : 'ok';
    const detail =
      state === 'stopped'
        ? 'Renewal has stopped: fix the cause below, or the certificate will expire.'
        : state === 'failing'
          ? 'The last renewal failed; Gatehouse tries again by itself. The certificate keeps serving meanwhile.'
          : expiry !== undefined && expiry.tone !== 'ok'
            ? 'It should have been renewed by now: see the renewal below.'
            : 'Browsers trust it; Gatehouse renews it by itself.';
    return { tone, headline: `Serving an ACME certificate for ${names}`, detail };
  }
  const setUp = view.account !== null && view.certificate !== null;
  const detail = !setUp
    ? 'Browsers warn about it. Choose a certificate authority and the names below, then press “Issue now”.'
    : state === 'running'
      ? 'Gatehouse is asking the CA for a certificate now.'
      : state === 'failing' || state === 'stopped'
        ? 'Browsers warn about it: the last attempt to get a certificate failed (see below).'
        : 'Browsers warn about it until the CA issues a certificate: press “Issue now”.';
  if (view.serving.kind === 'bootstrap')
    return { tone: 'warning', headline: 'Serving the self-signed bootstrap certificate', detail };
  return {
    tone: 'warning',
    headline: 'No certificate is served: the web UI runs on plain HTTP',
    detail: setUp ? detail : 'Choose a certificate authority and the names below, then press “Issue now”.',
  };
}

export interface RenewalSummary {
  readonly tone: Tone;
  /** The badge: "scheduled", "due", "running", "failing", "stopped", "not set up". */
  readonly label: string;
  readonly text: string;
}

/** The renewal's state in a badge and a sentence. */
export function renewalOf(
  renewal: Pick<Renewal, 'state' | 'nextAt' | 'failures' | 'lastSuccessAt'>,
  formatDate: FormatDate,
  /** What is still to be set up ({@link setupGapOf}): a renewal "due" or "scheduled" waits for it, not for time. */
  setupGap?: string,
): RenewalSummary {
  const next = renewal.nextAt === null ? undefined : formatDate(renewal.nextAt);
  if (setupGap !== undefined && (renewal.state === 'due' || renewal.state === 'waiting'))
    return { tone: 'unknown', label: 'waiting for you', text: setupGap };
  switch (renewal.state) {
    case 'none':
      return {
        tone: 'unknown',
        label: 'not set up',
        text: 'Nothing to renew yet: no certificate from a CA.',
      };
    case 'waiting':
      return {
        tone: 'ok',
        label: 'scheduled',
        text: next === undefined ? 'Waiting for the next renewal.' : `Next renewal ${next}.`,
      };
    case 'due':
      return { tone: 'ok', label: 'due', text: 'Due: Gatehouse starts it within a minute.' };
    case 'running':
      return { tone: 'unknown', label: 'running', text: 'Talking to the CA now…' };
    case 'failing': {
      const attempts = plural(renewal.failures, 'failed attempt');
      return {
        tone: 'error',
        label: 'failing',
        text: `${attempts} in a row${next === undefined ? '.' : `; next try ${next}.`}`,
      };
    }
    case 'stopped':
      return {
        tone: 'error',
        label: 'stopped',
        text: 'Stopped: Gatehouse does not try again until the settings change.',
      };
  }
}

const httpReach =
  'Check that the name points at this box’s public address (DDNS page), that TCP port 80 is forwarded to this box and that nothing else answers on it — or choose DNS-01.';
const dnsReach =
  'Check that the name’s zone is kept through a DNS provider account that can write TXT records (DDNS page), and that the zone’s authoritative servers are that provider’s — or choose HTTP-01.';

/**
 * What to do about the last failure, in plain words, by its kind and the challenge it was about. Says when waiting
 * is the remedy (Gatehouse retries by itself), and when pressing "Renew now" would not help.
 */
export function remedyOf(
  // Any string: a kind a newer server adds gets the general remedy.
  error: { readonly kind: string; readonly challenge: ChallengeType | null },
  nextAt: string | null,
  formatDate: FormatDate,
): string {
  const retry =
    nextAt === null ? 'Gatehouse tries again by itself.' : `Gatehouse tries again ${formatDate(nextAt)}.`;
  // The CA's failure kinds (src/cert/ports.ts AcmeFailureKind) and the solvers' (`config`, `transient`).
  switch (error.kind) {
    case 'config':
      if (error.challenge === 'http-01')
        return `HTTP-01 cannot work as set up: Gatehouse's port-80 listener is not running or port 80 is not reachable. ${httpReach}`;
      if (error.challenge === 'dns-01')
        return `DNS-01 cannot work as set up: no DNS provider account of these names can write TXT records. ${dnsReach}`;
      return 'Check the certificate authority below: its directory URL, the External Account Binding (ZeroSSL and Google need one) and the names. Saving the settings tries again.';
    case 'unreachable':
      return `Gatehouse could not reach the CA. Check this box's internet connection and DNS, and the directory URL; for a private CA, add its root certificate as the extra CA bundle. ${retry}`;
    case 'rate-limited':
      return `The CA limits how many certificates these names may get. ${retry} Pressing “Renew now” does not help; avoid changing the names back and forth.`;
    case 'challenge':
      if (error.challenge === 'http-01')
        return `The CA could not fetch the challenge from this box over HTTP on port 80. ${httpReach}`;
      if (error.challenge === 'dns-01')
        return `The CA did not find the _acme-challenge TXT record. ${dnsReach}`;
      return `The CA could not validate the names. ${retry}`;
    case 'rejected':
      return 'The CA refused the request (its words are above): often a name it will not issue for, such as a private or reserved name, or a CAA record that allows another CA only. Change the names or the CA, then try again.';
    case 'transient':
      return `A passing problem at the CA or on the way to it. ${retry} Nothing to do unless it keeps failing.`;
    default:
      return retry;
  }
}

/** The last failure for the page: when, what the CA said, what to do. Undefined when the last attempt succeeded. */
export function lastErrorOf(
  renewal: Pick<Renewal, 'lastError' | 'lastSuccessAt' | 'nextAt' | 'state'>,
  formatDate: FormatDate,
): { readonly title: string; readonly message: string; readonly remedy: string } | undefined {
  const e = renewal.lastError;
  if (e === null) return undefined;
  // A success after the failure makes it history (the server may keep the last error for the record).
  if (Date.parse(renewal.lastSuccessAt ?? '') > Date.parse(e.at)) return undefined;
  const via = e.challenge === null ? '' : ` (${challengeLabel(e.challenge)})`;
  return {
    title: `Last attempt failed ${formatDate(e.at)}${via}`,
    message: e.message,
    remedy: remedyOf(e, renewal.state === 'stopped' ? null : renewal.nextAt, formatDate),
  };
}

export function challengeLabel(c: ChallengeType): string {
  return c === 'http-01' ? 'HTTP-01' : 'DNS-01';
}

/** What the chosen challenge does, in words. */
export function challengeWords(chosen: ChallengeType | null): string {
  if (chosen === 'http-01') return 'HTTP-01: the CA fetches a token from this box on port 80.';
  if (chosen === 'dns-01')
    return 'DNS-01: Gatehouse puts a TXT record into the name’s DNS zone for the CA to see.';
  return 'None yet.';
}

// ---- issue now / renew now ----------------------------------------------------------------------------------------

export interface StartAction {
  readonly which: 'issue' | 'renew';
  readonly label: 'Issue now' | 'Renew now';
  /** Why it cannot start now, or undefined when it can. */
  readonly blocked: string | undefined;
}

/** What the person must still set up before anything can be ordered, or undefined when nothing is missing. */
export function setupGapOf(view: Pick<CertView, 'enabled' | 'account' | 'certificate'>): string | undefined {
  if (!view.enabled) return 'Certificates from a CA are turned off in the configuration.';
  if (view.account === null) return 'Choose a certificate authority first.';
  // As the server: a CA without terms needs no agreement.
  if (view.account.termsOfService !== null && view.account.termsAgreedAt === null)
    return 'Agree to the CA’s terms first.';
  if (view.certificate === null || view.certificate.names.length === 0) return 'Choose the names first.';
  return undefined;
}

/** "Issue now" until a certificate from the CA exists, then "Renew now"; blocked while something is missing. */
export function startActionOf(view: CertView): StartAction {
  const which = view.current === null ? 'issue' : 'renew';
  const label = which === 'issue' ? 'Issue now' : 'Renew now';
  const blocked = setupGapOf(view) ?? (view.renewal.state === 'running' ? 'Already running.' : undefined);
  return { which, label, blocked };
}

/** What the page knew when the button was pressed: a new serial or a new error afterwards is the outcome. */
export interface Baseline {
  readonly serial: string | null;
  readonly errorAt: string | null;
}

export function baselineOf(view: Pick<CertView, 'current' | 'renewal'>): Baseline {
  return { serial: view.current?.serial ?? null, errorAt: view.renewal.lastError?.at ?? null };
}

export type StartOutcome = 'issued' | 'failed' | 'pending';

/**
 * What came of a press, judged against the server's own records (never the browser's clock, which may be off):
 * a serial other than before means a certificate was issued, a newer error that it failed.
 */
export function outcomeSince(view: Pick<CertView, 'current' | 'renewal'>, before: Baseline): StartOutcome {
  const serial = view.current?.serial ?? null;
  if (serial !== null && serial !== before.serial) return 'issued';
  const errorAt = view.renewal.lastError?.at ?? null;
  if (errorAt !== null && errorAt !== before.errorAt) return 'failed';
  return 'pending';
}

/** Polls after a press before giving up on seeing it start (the answer to the POST may come before the state flips). */
export const startGracePolls = 3;

/**
 * Whether to ask again in a moment: while the renewal runs; after a press, also until its outcome shows, for a
 * few polls at most (a run that ended before the first poll and changed nothing must not poll forever).
 */
export function keepPolling(
  view: Pick<CertView, 'current' | 'renewal'>,
  press: { readonly before: Baseline; readonly polls: number } | undefined,
): boolean {
  if (view.renewal.state === 'running') return true;
  if (press === undefined) return false;
  return outcomeSince(view, press.before) === 'pending' && press.polls < startGracePolls;
}

/** A failed POST's meaning for the person, by its code (the API's 409s). */
export function startProblem(code: string, message: string): string {
  switch (code) {
    case 'cert.busy':
      return 'A renewal is already running: its result shows here when it ends.';
    case 'cert.no-account':
      return 'Choose a certificate authority first (below).';
    case 'cert.terms-not-agreed':
      return 'Agree to the CA’s terms first (below).';
    case 'cert.no-names':
      return 'Choose the names for the certificate first (below).';
    case 'cert.off':
      return 'Certificates from a CA are turned off in the configuration (acme.enabled).';
    default:
      return message;
  }
}

// ---- history ------------------------------------------------------------------------------------------------------

export interface HistoryRow extends HistoryItem {
  /** The certificate served now. */
  readonly current: boolean;
}

/** Newest first by issue date, whatever order the server sent; the current one marked. */
export function historyRows(history: readonly HistoryItem[], currentSerial: string | null): HistoryRow[] {
  return [...history]
    .sort((a, b) => Date.parse(b.issuedAt) - Date.parse(a.issuedAt))
    .map((h) => ({ ...h, current: h.serial === currentSerial }));
}

/** A serial or fingerprint in pairs, "0a:1b:…", easier to compare by eye; lowercase as stored. */
export function hexPairs(hex: string): string {
  const clean = hex.replace(/[^0-9a-f]/gi, '').toLowerCase();
  return (clean.match(/.{1,2}/g) ?? []).join(':');
}

// ---- the CA account form ------------------------------------------------------------------------------------------

export const letsEncrypt = 'https://acme-v02.api.letsencrypt.org/directory';
export const letsEncryptStaging = 'https://acme-staging-v02.api.letsencrypt.org/directory';

export type CaChoice = 'letsencrypt' | 'letsencrypt-staging' | 'custom';

export const caChoices: readonly { readonly value: CaChoice; readonly label: string }[] = [
  { value: 'letsencrypt', label: 'Let’s Encrypt' },
  { value: 'letsencrypt-staging', label: 'Let’s Encrypt staging (test certificates, not trusted)' },
  { value: 'custom', label: 'Another CA (its directory URL)' },
];

export function caChoiceOf(directoryUrl: string): CaChoice {
  if (directoryUrl === letsEncrypt) return 'letsencrypt';
  if (directoryUrl === letsEncryptStaging) return 'letsencrypt-staging';
  return 'custom';
}

export interface AccountDraft {
  readonly ca: CaChoice;
  readonly customUrl: string;
  readonly email: string;
  /** Ticked by the person each time: never prefilled. */
  readonly agreed: boolean;
  readonly eabKid: string;
  /** Write-only: always starts empty. */
  readonly eabHmacKey: string;
  /** Write-only as well (the API says only whether one is set): empty keeps the stored one. */
  readonly caBundlePem: string;
  readonly removeCaBundle: boolean;
}

/** The form's start: the stored settings, never a secret; Let's Encrypt for a new account. */
export function accountDraftOf(account: Account | null): AccountDraft {
  const empty: AccountDraft = {
    ca: 'letsencrypt',
    customUrl: '',
    email: '',
    agreed: false,
    eabKid: '',
    eabHmacKey: '',
    caBundlePem: '',
    removeCaBundle: false,
  };
  if (account === null) return empty;
  const ca = caChoiceOf(account.directoryUrl);
  return {
    ...empty,
    ca,
    customUrl: ca === 'custom' ? account.directoryUrl : '',
    email: account.email ?? '',
    eabKid: account.eabKid ?? '',
  };
}

/** The directory URL the draft names, or what is wrong with it (field `directoryUrl`). */
export function directoryUrlOf(d: Pick<AccountDraft, 'ca' | 'customUrl'>): Checked<string> {
  if (d.ca === 'letsencrypt') return { ok: true, body: letsEncrypt };
  if (d.ca === 'letsencrypt-staging') return { ok: true, body: letsEncryptStaging };
  const url = d.customUrl.trim();
  if (url === '')
    return {
      ok: false,
      field: 'directoryUrl',
      message: 'Enter the CA’s ACME directory URL, e.g. https://acme.zerossl.com/v2/DV90.',
    };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, field: 'directoryUrl', message: 'This is not a URL: it starts with https://.' };
  }
  // RFC 8555 §6.1: ACME is spoken over HTTPS only.
  if (parsed.protocol !== 'https:')
    return { ok: false, field: 'directoryUrl', message: 'ACME directories are on https:// only.' };
  return { ok: true, body: url };
}

const emailPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const pemCertificate = '-----BEGIN CERTIFICATE-----';

/**
 * The body of PUT /cert/account, or the field to fix first. The CA's directory must have been looked up for this
 * URL (its terms shown) and "I agree" ticked. The EAB HMAC key and the CA bundle are write-only: left empty they
 * keep what is stored for the same CA; a new key ID, or another CA, needs the HMAC key typed again.
 */
export function accountBodyOf(
  d: AccountDraft,
  account: Account | null,
  directory: CaDirectory | undefined,
): Checked<AccountBody> {
  const url = directoryUrlOf(d);
  if (!url.ok) return url;
  const directoryUrl = url.body;
  if (directory?.url !== directoryUrl)
    return {
      ok: false,
      field: 'directoryUrl',
      message: 'Look the CA up first: its terms are shown before you agree to them.',
    };
  const email = d.email.trim();
  if (email !== '' && !emailPattern.test(email))
    return {
      ok: false,
      field: 'email',
      message: 'Enter an email address like you@example.com, or leave it empty.',
    };
  const eab = eabOf(d, account, directoryUrl, directory.externalAccountRequired);
  if (!eab.ok) return eab;
  const pem = d.caBundlePem.trim();
  if (!d.removeCaBundle && pem !== '' && !pem.includes(pemCertificate))
    return {
      ok: false,
      field: 'caBundlePem',
      message: `Paste one or more PEM certificates (${pemCertificate} …).`,
    };
  if (!d.agreed)
    return {
      ok: false,
      field: 'agreeTerms',
      message: 'Tick “I agree to the CA’s terms”: the CA opens no account without it.',
    };
  return {
    ok: true,
    body: {
      directoryUrl,
      email: email === '' ? null : email,
      agreeTerms: true,
      ...(eab.body === undefined ? {} : { eab: eab.body }),
      ...(d.removeCaBundle ? { caBundlePem: null } : pem === '' ? {} : { caBundlePem: `${pem}\n` }),
    },
  };
}

/** The `eab` member: undefined keeps the stored binding, null removes it. */
function eabOf(
  d: Pick<AccountDraft, 'eabKid' | 'eabHmacKey'>,
  account: Account | null,
  directoryUrl: string,
  required: boolean,
): Checked<AccountBody['eab']> {
  const kid = d.eabKid.trim();
  const hmacKey = d.eabHmacKey.trim();
  const sameCa = account !== null && account.directoryUrl === directoryUrl;
  if (kid === '' && hmacKey === '') {
    if (required)
      return {
        ok: false,
        field: 'eab.kid',
        message:
          'This CA requires External Account Binding: enter the key ID and the HMAC key from your account at the CA.',
      };
    const stored = account !== null && (account.eabKid !== null || account.eabHmacKeySet);
    return { ok: true, body: stored ? null : undefined };
  }
  if (kid === '')
    return { ok: false, field: 'eab.kid', message: 'Enter the key ID that goes with the HMAC key.' };
  if (hmacKey === '') {
    if (sameCa && account.eabHmacKeySet && account.eabKid === kid) return { ok: true, body: undefined };
    return { ok: false, field: 'eab.hmacKey', message: 'Enter the HMAC key that goes with this key ID.' };
  }
  return { ok: true, body: { kid, hmacKey } };
}

/** The HMAC key field's hint: never its value, only whether one is stored. */
export function hmacKeyHint(account: Account | null): string {
  return account?.eabHmacKeySet
    ? 'Set. Leave empty to keep it; type a new one to replace it.'
    : 'From your account at the CA (ZeroSSL, Google Trust Services). Not needed for Let’s Encrypt.';
}

/** What the CA's directory says, as lines for the form (the terms link is drawn apart). */
export function directoryWords(dir: CaDirectory): string[] {
  return [
    dir.externalAccountRequired
      ? 'This CA requires External Account Binding: a key ID and HMAC key from your account there.'
      : 'No External Account Binding needed.',
    dir.renewalInfo === null
      ? 'It suggests no renewal windows: Gatehouse renews when one third of the lifetime is left.'
      : 'It suggests when to renew (ACME Renewal Information): Gatehouse follows it.',
  ];
}

// ---- the certificate form -----------------------------------------------------------------------------------------

export interface CertificateDraft {
  /** As typed: names separated by commas, spaces or new lines. */
  readonly names: string;
  readonly challenge: ChallengeChoice;
  readonly keyType: KeyType;
}

export const challengeChoices: readonly { readonly value: ChallengeChoice; readonly label: string }[] = [
  { value: 'auto', label: 'Automatic (from reachability)' },
  { value: 'http-01', label: 'HTTP-01 (port 80)' },
  { value: 'dns-01', label: 'DNS-01 (TXT record)' },
];

export const keyTypeChoices: readonly { readonly value: KeyType; readonly label: string }[] = [
  { value: 'ecdsa-p256', label: 'ECDSA P-256 (recommended)' },
  { value: 'rsa-2048', label: 'RSA 2048 (for very old clients)' },
];

/** The stored choice, or the DDNS hostnames as a start. */
export function certificateDraftOf(view: Pick<CertView, 'certificate' | 'suggestedNames'>): CertificateDraft {
  return {
    names: (view.certificate?.names ?? view.suggestedNames).join(', '),
    challenge: view.certificate?.challenge ?? 'auto',
    keyType: view.certificate?.keyType ?? 'ecdsa-p256',
  };
}

/** The names typed, lowercase, without a trailing dot, each once, in order. */
export function nameList(text: string): string[] {
  const names = text
    .split(/[\s,;]/)
    .map((n) => n.toLowerCase().replace(/\.$/, ''))
    .filter((n) => n !== '');
  return [...new Set(names)];
}

export const isWildcard = (name: string) => name.startsWith('*.');

/** Let's Encrypt's limit of names in one certificate. */
export const maxNames = 100;

/** The body of PUT /cert/certificate, or the field to fix first. */
export function certificateBodyOf(d: CertificateDraft): Checked<CertificateBody> {
  const names = nameList(d.names);
  if (names.length === 0)
    return { ok: false, field: 'names', message: 'Enter at least one hostname, e.g. home.example.com.' };
  // Only what the form can say better than the server; the server checks each name fully (internationalised
  // names become their ASCII form there, src/ddns/hostname.ts), and its word shows beside the field.
  const misplaced = names.find((n) => (isWildcard(n) ? n.slice(2) : n).includes('*'));
  if (misplaced !== undefined)
    return {
      ok: false,
      field: 'names',
      message: `“${misplaced}”: a wildcard may only be the whole first label, like *.example.com.`,
    };
  const short = names.find((n) => !(isWildcard(n) ? n.slice(2) : n).includes('.'));
  if (short !== undefined)
    return {
      ok: false,
      field: 'names',
      message: `“${short}” is not a full hostname: it needs its domain, like home.example.com.`,
    };
  if (names.length > maxNames)
    return { ok: false, field: 'names', message: `At most ${maxNames} names in one certificate.` };
  if (d.challenge === 'http-01' && names.some(isWildcard))
    return {
      ok: false,
      field: 'challenge',
      message: 'Wildcard names can only be validated with DNS-01: choose DNS-01 or Automatic.',
    };
  return { ok: true, body: { names, challenge: d.challenge, keyType: d.keyType } };
}

/** The hint under the names: what a wildcard needs, once one is typed. */
export function namesHint(text: string): string {
  const base = 'Separated by commas. The DDNS hostnames are suggested.';
  return nameList(text).some(isWildcard)
    ? `${base} A wildcard (*.example.com) needs DNS-01: a DNS provider account that can write TXT records (DDNS page).`
    : `${base} Wildcards (*.example.com) are allowed with DNS-01.`;
}

/**
 * The server's field problems keyed by the form's fields: `names.2` belongs to `names`; a message that repeats
 * the path in front ("names.2: …", also under the key `names`) loses it, since the field's label says which.
 */
export function formProblems(fields: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const field = path.replace(/\.\d+$/, '');
    // "names.2: …" under `names` as under `names.2`: the server may name the item.
    const prefix = new RegExp(`^${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\.\\d+)?:\\s*`, 'i');
    const plain = message.replace(prefix, '');
    out[field] ??= plain === '' ? message : plain.charAt(0).toUpperCase() + plain.slice(1);
  }
  return out;
}
