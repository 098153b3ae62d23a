/** @module The alert rules WireGuard raises: the one place their severity, title and remedy are written. */
import type { RuleDefinition } from '../alerts/catalogue.js';

export const wireguardRules = {
  'wireguard.not-running': {
    title: 'The WireGuard interface is not running',
    severity: 'critical',
    remedy:
      'Peers cannot connect. The alert says why (the kernel module or wireguard-go missing, no CAP_NET_ADMIN, no ' +
      '/dev/net/tun); install what it names or run Gatehouse with the systemd unit, which grants CAP_NET_ADMIN.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'wireguard.apply-failed': {
    title: 'WireGuard changes could not be applied',
    severity: 'warning',
    remedy:
      'The interface and firewall keep their previous working state, so the latest peer or grant changes are not ' +
      'in force yet. The message says what failed; fix it and press Apply on the Services page.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'wireguard.handshakes-stopped': {
    title: 'Peers no longer reach this box from outside',
    severity: 'warning',
    remedy:
      'Peers that used to connect from the internet have not completed a handshake for hours while the box is up. ' +
      'Check the Reachability page (a new public address, CGNAT, the router no longer forwarding the WireGuard ' +
      "port) and that the peers' configs carry the current endpoint.",
    kind: 'condition',
    notifyOnClear: true,
  },
} as const satisfies Readonly<Record<string, RuleDefinition>>;
