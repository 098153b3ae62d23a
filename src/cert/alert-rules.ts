/** @module The alert rules the certificate capability raises: the one place their severity, title and remedy are written. */
import type { Details, RuleDefinition } from '../alerts/catalogue.js';

const names = (d: Details): string => {
  const value = d['names'];
  return typeof value === 'string' && value !== '' ? value : 'the hostname';
};

export const certRules = {
  'cert.renewal-failed': {
    title: (d) => `Getting a certificate for ${names(d)} is failing`,
    severity: 'warning',
    remedy:
      'The current certificate (or the self-signed one) keeps serving meanwhile. The message has the last error; ' +
      'Gatehouse retries with a growing pause. Check the Certificates page, fix what the error names, then press ' +
      '"Renew now".',
    kind: 'condition',
    notifyOnClear: true,
  },
  'cert.expiring': {
    title: (d) => `The certificate for ${names(d)} expires soon`,
    severity: 'warning',
    remedy:
      'It should have been renewed by now. Open the Certificates page: the last error says what stops the renewal ' +
      '(port 80 not forwarded, the DNS provider, the CA account); fix it and press "Renew now" before browsers ' +
      'start refusing the site.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'cert.expired': {
    title: (d) => `The certificate for ${names(d)} has expired`,
    severity: 'critical',
    remedy:
      'Browsers and apps now refuse the connection. Open the Certificates page, fix what the last error names and ' +
      'press "Renew now"; meanwhile reach the admin UI on the local network and accept the warning once.',
    kind: 'condition',
    notifyOnClear: true,
  },
  'cert.http01-unreachable': {
    title: 'The CA cannot reach port 80 for the HTTP-01 challenge',
    severity: 'warning',
    remedy:
      'Forward TCP port 80 on the router to this box (or turn on UPnP / NAT-PMP so Gatehouse maps it during ' +
      'the challenge), or switch the certificate to DNS-01 on the Certificates page with a DNS provider account ' +
      'that can write TXT records (the only way behind CGNAT).',
    kind: 'condition',
    notifyOnClear: true,
  },
} as const satisfies Readonly<Record<string, RuleDefinition>>;

export type CertRuleId = keyof typeof certRules;
