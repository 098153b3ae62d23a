/** @module The alerts page's words for the API's values: kinds, severities, encryption, on/off, and what goes in each URL field. */
import type { Kind, Security, Severity } from './api.js';

export const kindOptions: readonly { value: Kind; label: string }[] = [
  { value: 'ntfy', label: 'ntfy' },
  { value: 'gotify', label: 'Gotify' },
  { value: 'discord', label: 'Discord webhook' },
  { value: 'slack', label: 'Slack (or compatible) webhook' },
  { value: 'webhook', label: 'Webhook (JSON, signed)' },
  { value: 'email', label: 'Email (SMTP)' },
];

export const severityOptions: readonly { value: Severity; label: string }[] = [
  { value: 'info', label: 'Everything (info and up)' },
  { value: 'warning', label: 'Warnings and critical' },
  { value: 'critical', label: 'Critical only' },
];

export const securityOptions: readonly { value: Security; label: string }[] = [
  { value: 'starttls', label: 'STARTTLS, required (usually port 587)' },
  { value: 'tls', label: 'TLS from the start (usually port 465)' },
  { value: 'none', label: 'None: plain text on a trusted network (port 25)' },
];

/** What goes into the URL field of each kind, for a new channel or a new kind. */
export const urlHint: Record<Exclude<Kind, 'email'>, string> = {
  ntfy: 'e.g. https://ntfy.sh/a-topic-nobody-guesses',
  gotify: 'e.g. https://gotify.example.net',
  discord: 'Channel settings → Integrations → Webhooks → Copy Webhook URL',
  slack: 'An incoming webhook: https://hooks.slack.com/services/…',
  webhook: 'Receives a signed JSON POST (header X-Gatehouse-Signature).',
};

export const enabledOptions: readonly { value: 'yes' | 'no'; label: string }[] = [
  { value: 'yes', label: 'On' },
  { value: 'no', label: 'Off (the test button still works)' },
];

export const severityBadge: Record<Severity, string> = {
  critical: 'error',
  warning: 'warning',
  info: 'unknown',
};
