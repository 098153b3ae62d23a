/** @module The alert rules DDNS raises: the one place their severity, title and remedy are written. */
import type { RuleDefinition } from '../alerts/catalogue.js';

const named = (d: Record<string, unknown>, key: string): string => {
  const value = d[key];
  return typeof value === 'string' ? value : 'a record';
};

export const ddnsRules = {
  'ddns.update-failing': {
    title: (d) => `DDNS update of ${named(d, 'hostname')} failing`,
    severity: 'warning',
    remedy:
      'The hostname still points at the old address, so peers cannot reach this box by name. Gatehouse keeps ' +
      "trying; check the provider's status page and the record's last error on the DDNS page.",
    kind: 'condition',
    notifyOnClear: true,
  },
  'ddns.account-stopped': {
    title: (d) => `DNS provider ${named(d, 'account')} refused Gatehouse`,
    severity: 'critical',
    remedy:
      'The provider refused the credentials or blocked the client, so no record of this account is updated. ' +
      'Enter a new token or password for the account on the DDNS page; updates resume as soon as it changes.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'ddns.record-stopped': {
    title: (d) => `DNS provider refused the record ${named(d, 'hostname')}`,
    severity: 'critical',
    remedy:
      "The provider refused this record's configuration (the hostname, its zone or the account's settings), so it " +
      'is not updated and Gatehouse does not try again by itself. Correct the record or its account on the DDNS ' +
      'page; it is tried again as soon as either changes.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'ddns.record-drifted': {
    title: (d) => `${named(d, 'hostname')} was changed outside Gatehouse`,
    severity: 'warning',
    remedy:
      'Someone (or another DDNS client) changed the record at the provider. Gatehouse sets it back (the message says whether that worked); if two ' +
      'programs update the same name, turn one of them off.',
    kind: 'event',
    notifyOnClear: false,
  },
} as const satisfies Record<string, RuleDefinition>;
