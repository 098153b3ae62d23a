/**
 * @module What the box serves and how it fares: the banner (real certificate or the self-signed one, and what to
 * do), the certificate's facts with the expiry countdown, the renewal with the last error and its remedy, the
 * challenge chosen and why, and the history of issued certificates.
 */
import { DataTable } from '../../components/table.js';
import { Notice, Panel } from '../../components/ui.js';
import type { CertView } from './api.js';
import {
  challengeLabel,
  challengeWords,
  countdownOf,
  hexPairs,
  historyRows,
  lastErrorOf,
  lifetimeWords,
  renewalOf,
  servingOf,
  setupGapOf,
  type FormatDate,
  type Tone,
} from './model.js';

const badgeClass: Record<Tone, string> = {
  ok: 'badge badge--ok',
  warning: 'badge badge--warning',
  error: 'badge badge--error',
  unknown: 'badge',
};

export function StatusBanner(props: {
  readonly view: CertView;
  readonly now: Date;
  readonly when: FormatDate;
}) {
  const h = servingOf(props.view, props.now, props.when);
  const countdown = countdownOf(props.view, props.now, props.when);
  return (
    <section
      class={`reach-banner reach-banner--${h.tone === 'unknown' ? 'warning' : h.tone}`}
      aria-labelledby="cert-banner-headline"
      data-testid="cert-banner"
    >
      <h2 class="reach-banner__headline" id="cert-banner-headline">
        {h.headline}
      </h2>
      {countdown === undefined ? null : (
        <p class="strong" data-testid="cert-countdown">
          {countdown.text[0]?.toUpperCase()}
          {countdown.text.slice(1)}.
        </p>
      )}
      <p>{h.detail}</p>
    </section>
  );
}

export function CertificateFacts(props: {
  readonly view: CertView;
  readonly now: Date;
  readonly when: FormatDate;
}) {
  const { current, serving } = props.view;
  const countdown = countdownOf(props.view, props.now, props.when);
  return (
    <Panel title="Certificate served" testId="cert-current">
      <table class="facts">
        <tbody>
          <tr>
            <th scope="row">Kind</th>
            <td>
              {serving.kind === 'acme'
                ? 'From a certificate authority (ACME)'
                : serving.kind === 'bootstrap'
                  ? 'Self-signed by this box (browsers warn)'
                  : 'None (plain HTTP)'}
            </td>
          </tr>
          {serving.names.length === 0 ? null : (
            <tr>
              <th scope="row">Names</th>
              <td>{serving.names.join(', ')}</td>
            </tr>
          )}
          {current === null || serving.kind !== 'acme' ? null : (
            <>
              <tr>
                <th scope="row">Issuer</th>
                <td data-testid="cert-issuer">{current.issuer}</td>
              </tr>
              <tr>
                <th scope="row">Valid</th>
                <td>
                  {props.when(current.notBefore)} to {props.when(current.notAfter)}
                </td>
              </tr>
              {countdown === undefined ? null : (
                <tr>
                  <th scope="row">Expires</th>
                  <td>
                    <span class={`toned toned--${countdown.tone === 'unknown' ? 'warning' : countdown.tone}`}>
                      {countdown.text}
                    </span>
                    <div class="hint">{lifetimeWords(countdown.lifetimeLeft)}</div>
                  </td>
                </tr>
              )}
              <tr>
                <th scope="row">Validated by</th>
                <td>{challengeLabel(current.challenge)}</td>
              </tr>
              <tr>
                <th scope="row">Serial</th>
                <td>
                  <code>{hexPairs(current.serial)}</code>
                </td>
              </tr>
            </>
          )}
          {serving.kind !== 'acme' && serving.notAfter !== null ? (
            <tr>
              <th scope="row">Valid until</th>
              <td>{props.when(serving.notAfter)}</td>
            </tr>
          ) : null}
          {serving.fingerprintSha256 === null ? null : (
            <tr>
              <th scope="row">Fingerprint</th>
              <td>
                <span class="muted">SHA-256 </span>
                <code>{hexPairs(serving.fingerprintSha256)}</code>
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </Panel>
  );
}

export function RenewalPanel(props: { readonly view: CertView; readonly when: FormatDate }) {
  const { renewal } = props.view;
  const summary = renewalOf(renewal, props.when, setupGapOf(props.view));
  const error = lastErrorOf(renewal, props.when);
  return (
    <Panel title="Renewal" testId="cert-renewal">
      <p>
        <span class={badgeClass[summary.tone]} data-testid="cert-renewal-state">
          {summary.label}
        </span>{' '}
        {summary.text}
      </p>
      {error === undefined ? null : (
        <Notice kind="error" testId="cert-last-error">
          <p class="strong">{error.title}</p>
          <p>
            <code>{error.message}</code>
          </p>
          <p>
            <span class="strong">What to do: </span>
            {error.remedy}
          </p>
        </Notice>
      )}
      {renewal.reason === '' ? null : <p class="hint">Why: {renewal.reason}</p>}
      {renewal.ari === null ? null : (
        <p class="hint">
          The CA suggests renewing between {props.when(renewal.ari.start)} and {props.when(renewal.ari.end)}
          {renewal.ari.explanationUrl === null ? (
            '.'
          ) : (
            <>
              {' '}
              (
              <a href={renewal.ari.explanationUrl} target="_blank" rel="noreferrer noopener">
                the CA’s explanation
              </a>
              ).
            </>
          )}
        </p>
      )}
      {renewal.lastSuccessAt === null ? null : (
        <p class="hint">Last success: {props.when(renewal.lastSuccessAt)}.</p>
      )}
    </Panel>
  );
}

export function ChallengePanel(props: { readonly challenge: CertView['challenge'] }) {
  const c = props.challenge;
  return (
    <Panel title="Challenge" testId="cert-challenge">
      <p class="strong">{challengeWords(c.chosen)}</p>
      {c.why === '' ? null : <p>{c.why}</p>}
      {c.warnings.length === 0 ? null : (
        <Notice kind="warning">
          <ul>
            {c.warnings.map((w) => (
              <li key={w}>{w}</li>
            ))}
          </ul>
        </Notice>
      )}
    </Panel>
  );
}

export function HistoryPanel(props: { readonly view: CertView; readonly when: FormatDate }) {
  const rows = historyRows(props.view.history, props.view.current?.serial ?? null);
  return (
    <Panel title="History" testId="cert-history">
      <DataTable
        columns={['Issued', 'Names', 'Valid until', 'Serial']}
        cards
        caption="Certificates issued, newest first"
        empty="No certificate issued yet."
        rows={rows}
        row={(h) => (
          <tr key={h.serial} data-testid={`cert-history-${h.serial}`}>
            <td class="nowrap" data-label="Issued">
              <time dateTime={h.issuedAt}>{props.when(h.issuedAt)}</time>
              {h.current ? (
                <>
                  {' '}
                  <span class="badge badge--ok">serving</span>
                </>
              ) : null}
            </td>
            <td data-label="Names">{h.names.join(', ')}</td>
            <td class="nowrap" data-label="Valid until">
              <time dateTime={h.notAfter}>{props.when(h.notAfter)}</time>
            </td>
            <td data-label="Serial">
              <code>{hexPairs(h.serial)}</code>
            </td>
          </tr>
        )}
      />
    </Panel>
  );
}
