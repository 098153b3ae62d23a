/** @module The audit event types of the inbound dyndns2 endpoint and its clients. */

/** Registered by the DDNS capability (`Capability.auditTypes`, owner `ddns`). */
export const ddnsInboundAuditTypes = {
  'ddns.client-push': 'A router or client pushed its WAN address to the dyndns2 endpoint (/nic/update)',
  'ddns.client-refused':
    'A push to the dyndns2 endpoint was refused (credentials, hostname, address, method or lockout)',
  'ddns.client-lockout': 'Repeated wrong dyndns2 credentials locked pushes out for a while',
  'ddns.client-added':
    'A client of the dyndns2 endpoint was added (its own credentials, scoped to hostnames)',
  'ddns.client-removed': 'A client of the dyndns2 endpoint was removed (its password stopped working)',
} as const;
