/** @module The delivery log: each attempt to send an alert or a test to a channel, and its error. */
import { formatDateTime } from '../../format.js';
import type { Delivery } from './api.js';

export function DeliveryTable(props: { readonly deliveries: readonly Delivery[] }) {
  if (props.deliveries.length === 0) return <p class="muted">Nothing sent yet.</p>;
  return (
    <div class="table-wrap">
      <table class="table">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Channel</th>
            <th scope="col">Alert</th>
            <th scope="col">Result</th>
          </tr>
        </thead>
        <tbody>
          {props.deliveries.map((d, i) => (
            <tr key={`${d.at}-${d.channelId}-${i}`} class={d.ok ? undefined : 'row--failure'}>
              <td class="nowrap">
                <time dateTime={d.at}>{formatDateTime(d.at, { seconds: true })}</time>
              </td>
              <td>{d.channelName ?? <span class="muted">deleted channel</span>}</td>
              <td>{d.alertId === null ? <span class="muted">test</span> : (d.alertTitle ?? d.alertId)}</td>
              <td>
                <span class={`badge badge--${d.ok ? 'ok' : 'error'}`}>{d.ok ? 'delivered' : 'failed'}</span>
                {d.error === null ? null : <p class="hint">{d.error}</p>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
