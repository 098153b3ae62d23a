/** @module The delivery log: each attempt to send an alert or a test to a channel, and its error. */
import { DataTable, LoggedAtCell, OutcomeBadge } from '../../components/table.js';
import type { Delivery } from './api.js';

export function DeliveryTable(props: { readonly deliveries: readonly Delivery[] }) {
  return (
    <DataTable
      columns={['Time', 'Channel', 'Alert', 'Result']}
      rows={props.deliveries}
      cards
      empty="Nothing sent yet."
      row={(d, i) => (
        <tr key={`${d.at}-${d.channelId}-${i}`} class={d.ok ? undefined : 'row--failure'}>
          <LoggedAtCell at={d.at} />
          <td data-label="Channel">{d.channelName ?? <span class="muted">deleted channel</span>}</td>
          <td data-label="Alert">
            {d.alertId === null ? <span class="muted">test</span> : (d.alertTitle ?? d.alertId)}
          </td>
          <td data-label="Result">
            <span>
              <OutcomeBadge ok={d.ok}>{d.ok ? 'delivered' : 'failed'}</OutcomeBadge>
              {d.error === null ? null : <span class="hint delivery-error">{d.error}</span>}
            </span>
          </td>
        </tr>
      )}
    />
  );
}
