/** @module The delivery log: each attempt to send an alert or a test to a channel, and its error. */
import { DataTable, LoggedAtCell, OutcomeBadge } from '../../components/table.js';
import type { Delivery } from './api.js';

export function DeliveryTable(props: { readonly deliveries: readonly Delivery[] }) {
  return (
    <DataTable
      columns={['Time', 'Channel', 'Alert', 'Result']}
      rows={props.deliveries}
      empty="Nothing sent yet."
      row={(d, i) => (
        <tr key={`${d.at}-${d.channelId}-${i}`} class={d.ok ? undefined : 'row--failure'}>
          <LoggedAtCell at={d.at} />
          <td>{d.channelName ?? <span class="muted">deleted channel</span>}</td>
          <td>{d.alertId === null ? <span class="muted">test</span> : (d.alertTitle ?? d.alertId)}</td>
          <td>
            <OutcomeBadge ok={d.ok}>{d.ok ? 'delivered' : 'failed'}</OutcomeBadge>
            {d.error === null ? null : <p class="hint">{d.error}</p>}
          </td>
        </tr>
      )}
    />
  );
}
