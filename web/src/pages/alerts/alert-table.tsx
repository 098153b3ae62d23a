/** @module The table of active or recently cleared alerts, with Acknowledge for the active ones. */
import { expectOk } from '../../api.js';
import { DataTable, RowButton } from '../../components/table.js';
import { ErrorNotice, RelativeTime } from '../../components/ui.js';
import { detailsInWords, formatDateTime, formatRelative } from '../../format.js';
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
      <DataTable
        columns={['Severity', 'Alert', 'Since', props.onAcknowledged ? 'Seen' : 'Cleared']}
        actions
        cards
        rows={props.alerts}
        row={(a) => (
          <tr key={a.id} data-testid={`alert-${a.rule}`}>
            <td data-label="Severity">
              <span>
                <span class={`badge badge--${severityBadge[a.severity]}`}>{a.severity}</span>
              </span>
            </td>
            <td>
              <strong>{a.title}</strong>
              <p>{a.message}</p>
              {a.remedy === null ? null : <p class="hint">What to do: {a.remedy}</p>}
              {Object.keys(a.details).length === 0 ? null : (
                <p class="hint">
                  {detailsInWords(a.details)
                    .map(([label, value]) => `${label}: ${value}`)
                    .join(' · ')}
                </p>
              )}
            </td>
            <td class="nowrap" data-label="Since">
              <RelativeTime at={a.raisedAt} now={now} />
            </td>
            <td class="nowrap" data-label={props.onAcknowledged ? 'Seen' : 'Cleared'}>
              <span>
                {props.onAcknowledged ? (
                  <>
                    {a.occurrences === 1 ? 'once' : `${a.occurrences} times`}, last{' '}
                    {formatRelative(a.lastSeenAt, now)}
                  </>
                ) : a.clearedAt === null ? null : (
                  formatDateTime(a.clearedAt)
                )}
              </span>
            </td>
            <td class="actions">
              {props.onAcknowledged && a.acknowledgedAt === null ? (
                <RowButton
                  label={`Acknowledge ${a.title}`}
                  busy={action.busy}
                  onClick={() => {
                    acknowledge(a);
                  }}
                >
                  Acknowledge
                </RowButton>
              ) : a.acknowledgedAt === null ? null : (
                <span class="muted">acknowledged</span>
              )}
            </td>
          </tr>
        )}
      />
    </>
  );
}
