/** @module The dashboard card of reachability: verdict, public addresses, last change. */
import type { StatusCardProvider } from '../status/cards.js';
import type { Store } from '../store/store.js';
import type { ReachabilityService } from './service.js';

export function reachabilityCard(
  service: ReachabilityService,
  store: Store,
  /** False when reachability is turned off: no probe will come, and the card says so instead of waiting. */
  enabled = true,
): StatusCardProvider {
  return {
    id: 'reachability',
    card: () => {
      const report = service.latest();
      const lastChange = store.log('reach.history').newest(1)[0];
      if (!enabled) {
        return {
          id: 'reachability',
          title: 'Reachability',
          state: 'unknown',
          summary:
            'Reachability checks are turned off (reachability.enabled / GATEHOUSE_REACHABILITY), so nobody checks whether the box can be reached.',
          facts: [],
        };
      }
      if (!report) {
        return {
          id: 'reachability',
          title: 'Reachability',
          state: 'unknown',
          summary: 'The first probe is running.',
          facts: [],
        };
      }
      const v = report.verdict;
      const state =
        v.inbound === 'yes' || v.inbound === 'via-port-mapping'
          ? 'ok'
          : v.inbound === 'no'
            ? 'error'
            : 'warning';
      return {
        id: 'reachability',
        title: 'Reachability',
        state,
        summary: v.remedies[0] ? `${v.headline} ${v.remedies[0]}` : v.headline,
        facts: [
          { label: 'IPv4', value: `${v.ipv4.publicAddress ?? 'unknown'} (${v.ipv4.kind})` },
          {
            label: 'IPv6',
            value: v.ipv6.publicAddress
              ? `${v.ipv6.publicAddress}${v.ipv6.globalReachable ? ' (reachable)' : ''}`
              : 'none',
          },
          { label: 'Port mapping', value: v.ipv4.portMapping },
          lastChange
            ? { label: 'Last change', value: `→ ${lastChange.address ?? 'none'}`, at: lastChange.at }
            : { label: 'Last change', value: 'none yet' },
          { label: 'Checked', value: report.at, at: report.at },
        ],
      };
    },
  };
}
