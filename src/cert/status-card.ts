/**
 * @module The dashboard's certificate card: which certificate the HTTPS listener serves, how long it has left
 * and when it renews ("valid for home.example.com, expires in 62 days, renews around … (ARI)"); else what is
 * wrong and what to do. Its problem state and words are the certificate conditions (conditions.ts) the
 * capability raises as alerts, so the card and the Alerts page never disagree.
 */
import type { AlertInput } from '../alerts/rules.js';
import type { CardState, StatusCard, StatusCardProvider, StatusFact } from '../status/cards.js';
import { certRules } from './alert-rules.js';
import { describeLeft } from './conditions.js';
import { formatWhen, renewalState, type RenewalPlan } from './renewal.js';

/** The parts of the cert slice (COMMON.md shape, ISO dates) the card reads. */
export interface CertCardSlice {
  readonly certificate: { readonly names: readonly string[] } | null;
  readonly current: {
    readonly names: readonly string[];
    readonly issuer: string;
    readonly notBefore: string;
    readonly notAfter: string;
    readonly challenge: 'http-01' | 'dns-01';
  } | null;
  readonly renewal: {
    readonly failures: number;
    readonly lastError: { readonly at: string; readonly kind: string; readonly message: string } | null;
  };
}

export interface CertCardInput {
  /** `acme.enabled`. */
  readonly enabled: boolean;
  readonly cert: CertCardSlice;
  /** What the HTTPS listener serves now (CertView `serving`). */
  readonly serving: { readonly kind: 'acme' | 'bootstrap' | 'none' };
  /** The renewal plan now (renewal.ts) and the attempt running, if any. */
  readonly plan: RenewalPlan;
  readonly running: 'issue' | 'renew' | null;
  /** The conditions the capability raises now (planCertConditions): the card's problem, if any. */
  readonly conditions: readonly AlertInput[];
  readonly now: Date;
}

const base = { id: 'certificate', title: 'Certificate' } as const;

const servingFact = (kind: CertCardInput['serving']['kind']): StatusFact => ({
  label: 'Served',
  value:
    kind === 'acme'
      ? 'the CA-issued certificate'
      : kind === 'bootstrap'
        ? 'the self-signed certificate'
        : 'no certificate (HTTPS off)',
});

/** "…: the CA said no." then the remedy: one paragraph. */
const sentence = (text: string) => (text.endsWith('.') ? text : `${text}.`);

/** The card from the state. Pure. */
export function certCardOf(input: CertCardInput): StatusCard {
  const { certificate, current, renewal } = input.cert;
  if (!input.enabled)
    return {
      ...base,
      state: 'unknown',
      summary: 'Certificates are turned off (acme.enabled): the UI uses its self-signed certificate.',
      facts: [],
    };
  if (certificate === null)
    return {
      ...base,
      state: 'unknown',
      summary:
        'No certificate yet — the UI uses a self-signed one, so browsers warn. Set one up on the Certificates page.',
      facts: [servingFact(input.serving.kind)],
    };

  const view = renewalState({
    plan: input.plan,
    now: input.now,
    running: input.running,
    failures: renewal.failures,
  });
  const facts: StatusFact[] = [{ label: 'Names', value: certificate.names.join(', ') }];
  if (current !== null)
    facts.push(
      { label: 'Expires', value: formatWhen(new Date(current.notAfter)), at: current.notAfter },
      { label: 'Issuer', value: current.issuer },
      { label: 'Challenge', value: current.challenge },
    );
  facts.push(servingFact(input.serving.kind));
  if (view.nextAt !== null && view.state !== 'due')
    facts.push({ label: 'Next attempt', value: formatWhen(new Date(view.nextAt)), at: view.nextAt });
  if (renewal.lastError !== null && renewal.failures > 0)
    facts.push({
      label: 'Last error',
      value: `${renewal.lastError.kind}: ${renewal.lastError.message}`,
      at: renewal.lastError.at,
    });

  const critical = (c: AlertInput) => ruleOf(c)?.severity === 'critical';
  const problem = input.conditions.find(critical) ?? input.conditions[0];
  if (problem)
    return {
      ...base,
      state: critical(problem) ? 'error' : 'warning',
      summary: `${sentence(problem.message)} ${problem.remedy ?? ruleOf(problem)?.remedy ?? ''}`.trim(),
      facts,
    };

  const label = certificate.names.join(', ');
  if (current === null) {
    const { state, summary } = firstCertificate(label, view.state, renewal.lastError?.message ?? null);
    return { ...base, state, summary, facts };
  }
  if (input.serving.kind !== 'acme')
    return {
      ...base,
      state: 'warning',
      summary:
        'A certificate was issued but the HTTPS listener still serves the self-signed one; restart Gatehouse if ' +
        'this lasts.',
      facts,
    };
  const left = Date.parse(current.notAfter) - input.now.getTime();
  return {
    ...base,
    state: 'ok',
    summary: `Valid for ${current.names.join(', ')}, expires in ${describeLeft(left)}; ${renewalWords(input.plan, input.running !== null)}.`,
    facts,
  };
}

/** The rule's definition; undefined for one no capability registered (then a warning without a remedy). */
function ruleOf(alert: AlertInput): (typeof certRules)[keyof typeof certRules] | undefined {
  return Object.hasOwn(certRules, alert.rule) ? certRules[alert.rule as keyof typeof certRules] : undefined;
}

function firstCertificate(
  label: string,
  state: ReturnType<typeof renewalState>['state'],
  lastError: string | null,
): { state: CardState; summary: string } {
  switch (state) {
    case 'running':
      return { state: 'unknown', summary: `Getting the first certificate for ${label}…` };
    case 'failing':
    case 'stopped':
      return {
        state: 'warning',
        summary: `Getting the first certificate for ${label} failed: ${lastError ?? 'unknown error'}. Gatehouse tries again; the UI uses a self-signed one meanwhile.`,
      };
    case 'none':
    case 'waiting':
    case 'due':
      return {
        state: 'unknown',
        summary: `No certificate for ${label} yet — the UI uses a self-signed one meanwhile; Gatehouse gets one shortly.`,
      };
  }
}

/** "renews around 2027-01-27 14:05 UTC (the CA's window, ARI)", "renewing now". */
function renewalWords(plan: RenewalPlan, running: boolean): string {
  if (running) return 'renewing now';
  switch (plan.action) {
    case 'issue':
    case 'renew':
      return 'renewing now';
    case 'stopped':
      return 'renewal stopped';
    case 'wait': {
      const when = formatWhen(plan.until);
      if (plan.basis === 'ari') return `renews around ${when} (the CA's window, ARI)`;
      if (plan.basis === 'backoff') return `the last renewal attempt failed, next try ${when}`;
      return `renews around ${when}`;
    }
  }
}

/** The card provider; `read` gathers the inputs (the store, the listener, the plan) when the dashboard asks. */
export function certCard(read: () => CertCardInput): StatusCardProvider {
  return { id: base.id, card: () => certCardOf(read()) };
}
