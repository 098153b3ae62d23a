/**
 * @module The channel form's draft and what it becomes, pure: the body that creates a channel, the patch that
 * changes one (only what changed; a write-only URL or secret only when typed), or the message that says what is
 * missing. The checks are those the form's own constraints cannot make (blank after trimming, a port in range, at
 * least one recipient); what makes a valid URL, token or address stays the server's to say.
 */
import type { ChannelItem, ChannelPatchJson, Kind, NewChannelJson, Security, Severity } from './api.js';

/** For a write-only secret while editing: keep the stored one, replace it, or (where allowed) have none. */
export type SecretMode = 'keep' | 'set' | 'none';

/** The form's fields as typed. URLs and secrets are write-only, so an edit starts with them empty. */
export interface Draft {
  readonly name: string;
  readonly kind: Kind;
  readonly enabled: 'yes' | 'no';
  readonly minSeverity: Severity;
  readonly url: string;
  readonly secret: string;
  readonly secretMode: SecretMode;
  readonly host: string;
  readonly port: string;
  readonly security: Security;
  readonly username: string;
  readonly from: string;
  readonly to: string;
}

/** A body to send, or what the person must fix first. */
export type Checked<T> =
  | { readonly ok: true; readonly body: T }
  | {
      readonly ok: false;
      readonly message: string;
      /** The field to fix, named as the API names it (`name`, `target.url`), so the form shows it there. */
      readonly field: string;
    };

interface SecretField {
  readonly label: string;
  /** A channel of this kind may have none. */
  readonly optional: boolean;
  /** A token of visible characters, so surrounding spaces are a slip of the paste (a password keeps them). */
  readonly trimmed: boolean;
}

/** What the secret of each kind is called and how it is taken; Discord and Slack have none besides the URL. */
export const secretField = {
  webhook: { label: 'Signing secret', optional: false, trimmed: false },
  ntfy: { label: 'Access token', optional: true, trimmed: true },
  gotify: { label: 'Application token', optional: false, trimmed: true },
  discord: undefined,
  slack: undefined,
  email: { label: 'SMTP password', optional: true, trimmed: false },
} as const satisfies Record<Kind, SecretField | undefined>;

/** What the URL of each kind is called (the field's label, and the message when it is missing). */
export const urlLabel: Record<Exclude<Kind, 'email'>, string> = {
  ntfy: 'Topic URL',
  gotify: 'Server URL',
  discord: 'Webhook URL',
  slack: 'Webhook URL',
  webhook: 'URL',
};

/** The draft for a new channel (null) or for editing `channel`. */
export function draftOf(channel: ChannelItem | null): Draft {
  const t = channel?.target;
  return {
    name: channel?.name ?? '',
    kind: t?.kind ?? 'ntfy',
    enabled: channel === null || channel.enabled ? 'yes' : 'no',
    minSeverity: channel?.minSeverity ?? 'warning',
    // URLs and secrets are write-only: editing starts empty, and empty means "keep".
    url: '',
    secret: '',
    secretMode: channel === null ? 'set' : 'keep',
    host: t?.kind === 'email' ? t.host : '',
    port: t?.kind === 'email' ? String(t.port) : '587',
    security: t?.kind === 'email' ? t.security : 'starttls',
    username: t?.kind === 'email' ? (t.username ?? '') : '',
    from: t?.kind === 'email' ? t.from : '',
    to: t?.kind === 'email' ? t.to.join(', ') : '',
  };
}

export interface SecretChoice {
  /** What the secret field offers, in order. */
  readonly modes: readonly { readonly value: SecretMode; readonly label: string }[];
  /** The mode in effect: the draft's when offered, else the first. */
  readonly mode: SecretMode;
  /** A secret is stored and still applies: same channel, same kind. */
  readonly stored: boolean;
}

/** The kind changed while editing: nothing stored for the old kind carries over. */
export function kindChanged(channel: ChannelItem | null, draft: Draft): boolean {
  return channel !== null && channel.target.kind !== draft.kind;
}

/** How the secret field may be filled in: keep a stored secret, set one, or (for an optional one) none. */
export function secretChoiceOf(channel: ChannelItem | null, draft: Draft): SecretChoice {
  const t = channel?.target;
  const stored =
    t !== undefined &&
    !kindChanged(channel, draft) &&
    (('hasSecret' in t && t.hasSecret) ||
      ('hasToken' in t && t.hasToken) ||
      ('hasPassword' in t && t.hasPassword));
  const modes: { value: SecretMode; label: string }[] = [
    ...(stored ? [{ value: 'keep' as const, label: 'Keep the stored one' }] : []),
    { value: 'set', label: stored ? 'Replace it' : 'Set one' },
    ...(secretOptional(draft.kind) ? [{ value: 'none' as const, label: 'None' }] : []),
  ];
  // The first mode offered: keep what is stored, else set one.
  const mode = modes.some((m) => m.value === draft.secretMode) ? draft.secretMode : stored ? 'keep' : 'set';
  return { modes, mode, stored };
}

const trimmedOrUndefined = (s: string): string | undefined => (s.trim() === '' ? undefined : s.trim());

function secretOptional(kind: Kind): boolean {
  const field: SecretField | undefined = secretField[kind];
  return field?.optional ?? false;
}

/** The secret as typed (tokens trimmed), or undefined when nothing was typed. */
function typedSecret(draft: Draft): string | undefined {
  const field: SecretField | undefined = secretField[draft.kind];
  if (draft.secret.trim() === '') return undefined;
  return field?.trimmed ? draft.secret.trim() : draft.secret;
}

/** A label inside a sentence: "Topic URL" → "topic URL", while "URL" and "SMTP password" stay as they are. */
export function inSentence(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

const enter = (label: string, field: string): { ok: false; message: string; field: string } => ({
  ok: false,
  field,
  message: `Enter the ${inSentence(label)}.`,
});

type EmailFields = Omit<Extract<NewChannelJson['target'], { kind: 'email' }>, 'password'>;

function emailFieldsOf(d: Draft): Checked<EmailFields> {
  const port = Number(d.port);
  // Split on each separator; the empty pieces between two of them (or at either end) are dropped.
  const to = d.to.split(/[\s,;]/).filter((s) => s !== '');
  if (d.host.trim() === '') return { ok: false, message: 'Enter the SMTP server.', field: 'target.host' };
  // A blank port is Number('') = 0, out of range.
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, message: 'Port: a number from 1 to 65535.', field: 'target.port' };
  }
  if (d.from.trim() === '') return { ok: false, message: 'Enter the From address.', field: 'target.from' };
  if (to.length === 0) return { ok: false, message: 'To: enter at least one address.', field: 'target.to' };
  return {
    ok: true,
    body: {
      kind: 'email',
      host: d.host.trim(),
      port,
      security: d.security,
      username: trimmedOrUndefined(d.username) ?? null,
      from: d.from.trim(),
      to,
    },
  };
}

function checkName(d: Draft): string | undefined {
  return d.name.trim() === '' ? 'Enter a name for the channel.' : undefined;
}

/** The body that creates a channel from `draft`. */
export function newChannelOf(draft: Draft): Checked<NewChannelJson> {
  const nameProblem = checkName(draft);
  if (nameProblem !== undefined) return { ok: false, message: nameProblem, field: 'name' };
  const target = newTargetOf(draft);
  if (!target.ok) return target;
  return {
    ok: true,
    body: {
      name: draft.name.trim(),
      enabled: draft.enabled === 'yes',
      minSeverity: draft.minSeverity,
      target: target.body,
    },
  };
}

function newTargetOf(draft: Draft): Checked<NewChannelJson['target']> {
  const secret = secretChoiceOf(null, draft).mode === 'set' ? typedSecret(draft) : undefined;
  if (draft.kind === 'email') {
    const email = emailFieldsOf(draft);
    return email.ok ? { ok: true, body: { ...email.body, password: secret ?? null } } : email;
  }
  const url = draft.url.trim();
  if (url === '') return enter(urlLabel[draft.kind], 'target.url');
  switch (draft.kind) {
    case 'webhook':
      if (secret === undefined) return enter(secretField.webhook.label, 'target.secret');
      return { ok: true, body: { kind: 'webhook', url, secret } };
    case 'ntfy':
      return { ok: true, body: { kind: 'ntfy', url, token: secret ?? null } };
    case 'gotify':
      if (secret === undefined) return enter(secretField.gotify.label, 'target.token');
      return { ok: true, body: { kind: 'gotify', url, token: secret } };
    case 'discord':
    case 'slack':
      return { ok: true, body: { kind: draft.kind, url } };
  }
}

type TargetPatch = NonNullable<ChannelPatchJson['target']>;

/**
 * The patch that turns `channel` into `draft`: only the fields that changed. A URL or secret left empty is left
 * out, so the server keeps the stored one (or, when the kind changed, says it must be entered); "None" sends null.
 */
export function channelPatchOf(channel: ChannelItem, draft: Draft): Checked<ChannelPatchJson> {
  const nameProblem = checkName(draft);
  if (nameProblem !== undefined) return { ok: false, message: nameProblem, field: 'name' };
  const target = targetPatchOf(channel, draft);
  if (!target.ok) return target;
  const name = draft.name.trim();
  const enabled = draft.enabled === 'yes';
  return {
    ok: true,
    body: {
      ...(name === channel.name ? {} : { name }),
      ...(enabled === channel.enabled ? {} : { enabled }),
      ...(draft.minSeverity === channel.minSeverity ? {} : { minSeverity: draft.minSeverity }),
      ...(target.body === undefined ? {} : { target: target.body }),
    },
  };
}

/** The target part of a patch; undefined when the target stays as it is. */
function targetPatchOf(channel: ChannelItem, draft: Draft): Checked<TargetPatch | undefined> {
  const changedKind = kindChanged(channel, draft);
  const choice = secretChoiceOf(channel, draft);
  // Sent only when typed; null only to remove a secret that is there.
  const secret =
    choice.mode === 'set' ? typedSecret(draft) : choice.mode === 'none' && choice.stored ? null : undefined;
  /** A required secret with nothing stored to keep must be typed. */
  const missingSecret = secret === undefined && !choice.stored;
  if (draft.kind === 'email') {
    const email = emailFieldsOf(draft);
    if (!email.ok) return email;
    if (secret === undefined && sameEmail(channel.target, email.body)) return { ok: true, body: undefined };
    // A password left undefined is left out of the JSON, so the stored one stays.
    return { ok: true, body: { ...email.body, password: secret } };
  }
  const url = trimmedOrUndefined(draft.url);
  // A new kind has no URL to keep; from here on, no URL means the same kind, unchanged URL.
  if (changedKind && url === undefined) return enter(urlLabel[draft.kind], 'target.url');
  switch (draft.kind) {
    case 'webhook':
      if (missingSecret) return enter(secretField.webhook.label, 'target.secret');
      if (url === undefined && secret === undefined) return { ok: true, body: undefined };
      return { ok: true, body: { kind: 'webhook', url, secret: secret ?? undefined } };
    case 'ntfy':
      if (url === undefined && secret === undefined) return { ok: true, body: undefined };
      return { ok: true, body: { kind: 'ntfy', url, token: secret } };
    case 'gotify':
      if (missingSecret) return enter(secretField.gotify.label, 'target.token');
      if (url === undefined && secret === undefined) return { ok: true, body: undefined };
      return { ok: true, body: { kind: 'gotify', url, token: secret ?? undefined } };
    case 'discord':
    case 'slack':
      if (url === undefined) return { ok: true, body: undefined };
      return { ok: true, body: { kind: draft.kind, url } };
  }
}

/** `stored` is an email target that already holds `next`'s fields. */
function sameEmail(stored: ChannelItem['target'], next: EmailFields): boolean {
  return (
    stored.kind === 'email' &&
    stored.to.length === next.to.length &&
    stored.to.every((address, i) => address === next.to[i]) &&
    stored.host === next.host &&
    stored.port === next.port &&
    stored.security === next.security &&
    stored.username === next.username &&
    stored.from === next.from
  );
}

/** A random secret for signed webhooks: 32 URL-safe characters from 24 random bytes (192 bits). */
export function generateSecret(
  randomBytes: (length: number) => Uint8Array = (length) => crypto.getRandomValues(new Uint8Array(length)),
): string {
  let binary = '';
  for (const b of randomBytes(24)) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_');
}
