/** @module Channel edits, pure: secrets are write-only, so an edit that leaves one out keeps the stored one. */
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { Channel, ChannelTarget, Severity } from '../store/schema.js';

/** What can go wrong when alerts are managed; the HTTP edge (alerts/routes.ts) decides each code's status. */
export type AlertsFailureCode =
  | 'alerts.not-found'
  | 'alerts.channel-not-found'
  | 'alerts.channel-name-taken'
  | 'alerts.too-many-channels'
  | 'alerts.secret-required';

export interface AlertsFailure {
  readonly code: AlertsFailureCode;
  readonly message: string;
  /** The request field the failure is about (`name`, `target.secret`), so a form can show it there. */
  readonly field?: string;
}

export const alertsFailure = (code: AlertsFailureCode, message: string, field?: string): AlertsFailure =>
  field === undefined ? { code, message } : { code, message, field };

/**
 * A target as an edit sends it. URLs (a Discord or Slack webhook URL is itself the secret) and secrets are
 * write-only: left out, the stored one is kept. ntfy's token and the SMTP password may be null ("none").
 */
export type TargetPatch =
  | { readonly kind: 'webhook'; readonly url?: string | undefined; readonly secret?: string | undefined }
  | { readonly kind: 'ntfy'; readonly url?: string | undefined; readonly token?: string | null | undefined }
  | { readonly kind: 'gotify'; readonly url?: string | undefined; readonly token?: string | undefined }
  | { readonly kind: 'discord'; readonly url?: string | undefined }
  | { readonly kind: 'slack'; readonly url?: string | undefined }
  | {
      readonly kind: 'email';
      readonly host: string;
      readonly port: number;
      readonly security: 'tls' | 'starttls' | 'none';
      readonly username: string | null;
      readonly password?: string | null | undefined;
      readonly from: string;
      readonly to: readonly string[];
    };

export interface NewChannel {
  readonly name: string;
  readonly enabled: boolean;
  readonly minSeverity: Severity;
  readonly target: ChannelTarget;
}

export interface ChannelPatch {
  readonly name?: string | undefined;
  readonly enabled?: boolean | undefined;
  readonly minSeverity?: Severity | undefined;
  readonly target?: TargetPatch | undefined;
}

/** At most this many channels; each alert fans out to all of them. */
export const maxChannels = 20;

/**
 * The target after an edit. A secret left out keeps the stored one, but only while it would go to the same
 * place: when the kind, the receiver's origin or the SMTP host changes, the secret must be entered again,
 * so an edit can never redirect a stored secret to another server.
 */
function mergeTarget(existing: ChannelTarget, patch: TargetPatch): Outcome<ChannelTarget, AlertsFailure> {
  const missing = (field: string) =>
    fail(
      alertsFailure(
        'alerts.secret-required',
        `enter the ${field === 'url' ? 'URL' : field} again: it is kept only while the channel keeps its kind and server`,
        `target.${field}`,
      ),
    );
  const sameKind = existing.kind === patch.kind;
  const url =
    ('url' in patch ? patch.url : undefined) ?? ('url' in existing && sameKind ? existing.url : undefined);
  /** A stored secret stays only while it still goes to the same kind of receiver at the same origin. */
  const keeps = sameKind && url !== undefined && 'url' in existing && sameOrigin(existing.url, url);
  switch (patch.kind) {
    case 'webhook': {
      if (url === undefined) return missing('url');
      const secret = patch.secret ?? (keeps && existing.kind === 'webhook' ? existing.secret : undefined);
      if (secret === undefined) return missing('secret');
      return ok({ kind: 'webhook', url, secret });
    }
    case 'ntfy': {
      if (url === undefined) return missing('url');
      if (patch.token !== undefined) return ok({ kind: 'ntfy', url, token: patch.token });
      if (existing.kind !== 'ntfy' || existing.token === null) return ok({ kind: 'ntfy', url, token: null });
      if (!keeps) return missing('token');
      return ok({ kind: 'ntfy', url, token: existing.token });
    }
    case 'gotify': {
      if (url === undefined) return missing('url');
      const token = patch.token ?? (keeps && existing.kind === 'gotify' ? existing.token : undefined);
      if (token === undefined) return missing('token');
      return ok({ kind: 'gotify', url, token });
    }
    case 'discord':
    case 'slack': {
      if (url === undefined) return missing('url');
      return ok({ kind: patch.kind, url });
    }
    case 'email': {
      const target = {
        kind: 'email' as const,
        host: patch.host,
        port: patch.port,
        security: patch.security,
        username: patch.username,
        from: patch.from,
        to: [...patch.to],
      };
      if (patch.password !== undefined) return ok({ ...target, password: patch.password });
      if (existing.kind !== 'email' || existing.password === null) return ok({ ...target, password: null });
      if (existing.host.toLowerCase() !== patch.host.toLowerCase()) return missing('password');
      return ok({ ...target, password: existing.password });
    }
  }
}

/** The channel after an edit; the names of the fields that changed go to the audit log. */
export function applyChannelPatch(
  channel: Channel,
  patch: ChannelPatch,
): Outcome<{ channel: Channel; changed: string[] }, AlertsFailure> {
  let target = channel.target;
  if (patch.target !== undefined) {
    const merged = mergeTarget(channel.target, patch.target);
    if (!merged.ok) return merged;
    target = merged.value;
  }
  const next: Channel = {
    ...channel,
    name: patch.name ?? channel.name,
    enabled: patch.enabled ?? channel.enabled,
    minSeverity: patch.minSeverity ?? channel.minSeverity,
    target,
  };
  const changed: string[] = (['name', 'enabled', 'minSeverity'] as const).filter(
    (k) => next[k] !== channel[k],
  );
  if (JSON.stringify(next.target) !== JSON.stringify(channel.target)) {
    changed.push('target');
    // The last delivery went to the old target: it says nothing about the new one.
    const { lastDelivery: _old, ...rest } = next;
    return ok({ channel: rest, changed });
  }
  return ok({ channel: next, changed });
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin === new URL(b).origin;
  } catch {
    return false;
  }
}
