/** @module The table of active or recently cleared alerts, with Acknowledge for the active ones. */
import { expectOk } from '../../api.js';
import { ErrorNotice } from '../../components/ui.js';
import { formatDateTime, formatDetails, formatRelative } from '../../format.js';
import { useAction } from '../../hooks.js';
import type { AlertItem, AlertsApi } from './api.js';
import { severityBadge } from './labels.js';

export function AlertTable(props: {
  readonly api: AlertsApi;
  readonly alerts: readonly AlertItem[];
  /** Present for active alerts: offers the Acknowledge button. */
  readonly onAcknowledged?: () => void;
}) {
  const action = useAction();
  const now = new Date();
  const acknowledge = (a: AlertItem) => {
    void action
      .run(async () => {
        await expectOk(props.api.alerts[':id'].acknowledge.$post({ param: { id: a.id } }));
      })
      .then((ok) => {
        if (ok) props.onAcknowledged?.();
      });
  };
  return (
    <>
      <ErrorNotice message={action.error} />
      <div class="table-wrap">
        <table class="table">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Alert</th>
              <th scope="col">Since</th>
              <th scope="col">{props.onAcknowledged ? 'Seen' : 'Cleared'}</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.alerts.map((a) => (
              <tr key={a.id} data-testid={`alert-${a.rule}`}>
                <td>
                  <span class={`badge badge--${severityBadge[a.severity]}`}>{a.severity}</span>
                </td>
                <td>
                  <strong>{a.title}</strong>
                  <p>{a.message}</p>
                  {a.remedy === null ? null : <p class="hint">What to do: {a.remedy}</p>}
                  {Object.keys(a.details).length === 0 ? null : (
                    <p class="hint">
                      <code>{formatDetails(a.details)}</code>
                    </p>
                  )}
                </td>
                <td class="nowrap">
                  <time dateTime={a.raisedAt} title={formatDateTime(a.raisedAt)}>
                    {formatRelative(a.raisedAt, now)}
                  </time>
                </td>
                <td class="nowrap">
                  {props.onAcknowledged ? (
                    <>
                      {a.occurrences === 1 ? 'once' : `${a.occurrences} times`}, last{' '}
                      {formatRelative(a.lastSeenAt, now)}
                    </>
                  ) : a.clearedAt === null ? null : (
                    formatDateTime(a.clearedAt)
                  )}
                </td>
                <td class="actions">
                  {props.onAcknowledged && a.acknowledgedAt === null ? (
                    <button
                      type="button"
                      class="button button--secondary button--small"
                      disabled={action.busy}
                      aria-label={`Acknowledge ${a.title}`}
                      onClick={() => {
                        acknowledge(a);
                      }}
                    >
                      Acknowledge
                    </button>
                  ) : a.acknowledgedAt === null ? null : (
                    <span class="muted">acknowledged</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
