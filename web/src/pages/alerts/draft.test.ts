import { describe, expect, it } from 'vitest';
import type { ChannelItem } from './api.js';
import {
  channelPatchOf,
  draftOf,
  generateSecret,
  inSentence,
  kindChanged,
  newChannelOf,
  secretChoiceOf,
  type Checked,
  type Draft,
} from './draft.js';

/** What goes over the wire: JSON drops the fields left undefined. */
function wire<T>(checked: Checked<T>): unknown {
  return checked.ok ? JSON.parse(JSON.stringify(checked.body)) : { problem: checked.message };
}

/** A stored channel as the API lists it: enabled unless said otherwise. */
function channelOf(
  name: string,
  minSeverity: ChannelItem['minSeverity'],
  target: ChannelItem['target'],
  enabled = true,
): ChannelItem {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    createdAt: '2025-01-01T00:00:00.000Z',
    name,
    enabled,
    minSeverity,
    target,
    lastDelivery: null,
  };
}

const ntfyTarget = (hasToken: boolean) => ({ kind: 'ntfy' as const, urlHint: 'https://ntfy.sh/…', hasToken });
const ntfy = channelOf('Phone', 'warning', ntfyTarget(true));
const ntfyWithoutToken: ChannelItem = { ...ntfy, target: ntfyTarget(false) };
const webhookTarget = (hasSecret: boolean) => ({
  kind: 'webhook' as const,
  urlHint: 'https://hooks.example.net/in',
  hasSecret,
});
const webhook = channelOf('Receiver', 'info', webhookTarget(true), false);
const webhookWithoutSecret: ChannelItem = { ...webhook, target: webhookTarget(false) };
const gotify = channelOf('Server', 'warning', {
  kind: 'gotify',
  urlHint: 'https://gotify.example.net/…',
  hasToken: true,
});
const discord = channelOf('Team', 'warning', {
  kind: 'discord',
  urlHint: 'https://discord.com/api/webhooks/…',
});
const slack = channelOf('Ops', 'warning', { kind: 'slack', urlHint: 'https://hooks.slack.com/services/…' });
const email = channelOf('Mail', 'critical', {
  kind: 'email',
  host: 'smtp.example.net',
  port: 587,
  security: 'starttls',
  username: 'box',
  hasPassword: true,
  from: 'box@example.net',
  to: ['me@example.net', 'you@example.net'],
});

const newDraft = (changes: Partial<Draft>): Draft => ({ ...draftOf(null), name: 'Phone', ...changes });
const editOf = (channel: ChannelItem, changes: Partial<Draft>): Draft => ({
  ...draftOf(channel),
  ...changes,
});
const emailDraft: Partial<Draft> = {
  kind: 'email',
  host: ' smtp.example.net ',
  port: '465',
  security: 'tls',
  from: 'box@example.net',
  to: 'me@example.net, you@example.net;them@example.net  us@example.net',
};

describe('draftOf', () => {
  it('starts a new channel as ntfy, on, warnings and up, secret to be set', () => {
    expect(draftOf(null)).toEqual({
      name: '',
      kind: 'ntfy',
      enabled: 'yes',
      minSeverity: 'warning',
      url: '',
      secret: '',
      secretMode: 'set',
      host: '',
      port: '587',
      security: 'starttls',
      username: '',
      from: '',
      to: '',
    });
  });

  it('fills an edit from the channel, with the write-only URL and secret empty and kept', () => {
    expect(draftOf(webhook)).toMatchObject({
      name: 'Receiver',
      kind: 'webhook',
      enabled: 'no',
      minSeverity: 'info',
      url: '',
      secret: '',
      secretMode: 'keep',
    });
    expect(draftOf(email)).toMatchObject({
      kind: 'email',
      host: 'smtp.example.net',
      port: '587',
      security: 'starttls',
      username: 'box',
      from: 'box@example.net',
      to: 'me@example.net, you@example.net',
    });
  });

  it('takes the port, encryption and a missing user name from an email channel, not the defaults', () => {
    const plain = channelOf('Relay', 'warning', {
      kind: 'email',
      host: 'relay.example.net',
      port: 25,
      security: 'none',
      username: null,
      hasPassword: false,
      from: 'box@example.net',
      to: ['me@example.net'],
    });
    expect(draftOf(plain)).toMatchObject({ port: '25', security: 'none', username: '' });
  });

  it('starts an edit of another kind with the email defaults', () => {
    expect(draftOf(ntfy)).toMatchObject({
      host: '',
      port: '587',
      security: 'starttls',
      username: '',
      to: '',
    });
  });
});

describe('kindChanged', () => {
  it.each<[string, ChannelItem | null, Partial<Draft>, boolean]>([
    ['a new channel has no kind to change', null, { kind: 'email' }, false],
    ['same kind', ntfy, {}, false],
    ['another kind', ntfy, { kind: 'gotify' }, true],
  ])('%s', (_, channel, changes, expected) => {
    const draft = channel === null ? newDraft(changes) : editOf(channel, changes);
    expect(kindChanged(channel, draft)).toBe(expected);
  });
});

describe('secretChoiceOf', () => {
  it.each<[string, ChannelItem | null, Partial<Draft>, string[], string, boolean]>([
    ['new ntfy: an optional token', null, {}, ['set', 'none'], 'set', false],
    ['new webhook: the secret is required', null, { kind: 'webhook' }, ['set'], 'set', false],
    ['ntfy with a token: kept unless changed', ntfy, {}, ['keep', 'set', 'none'], 'keep', true],
    ['ntfy without a token: nothing to keep', ntfyWithoutToken, {}, ['set', 'none'], 'set', false],
    ['ntfy with a token, None chosen', ntfy, { secretMode: 'none' }, ['keep', 'set', 'none'], 'none', true],
    ['kind changed: the stored secret does not carry over', ntfy, { kind: 'gotify' }, ['set'], 'set', false],
    [
      'email with a password, replacing it',
      email,
      { secretMode: 'set' },
      ['keep', 'set', 'none'],
      'set',
      true,
    ],
    [
      'None is not offered for a required secret',
      webhook,
      { secretMode: 'none' },
      ['keep', 'set'],
      'keep',
      true,
    ],
    ['webhook without a stored secret: one must be set', webhookWithoutSecret, {}, ['set'], 'set', false],
    ['gotify with a token: kept, never none', gotify, { secretMode: 'none' }, ['keep', 'set'], 'keep', true],
    ['discord: no secret at all, so no None either', discord, {}, ['set'], 'set', false],
    ['new slack: no secret at all', null, { kind: 'slack' }, ['set'], 'set', false],
  ])('%s', (_, channel, changes, modes, mode, stored) => {
    const draft = channel === null ? newDraft(changes) : editOf(channel, changes);
    const choice = secretChoiceOf(channel, draft);
    expect(choice.modes.map((m) => m.value)).toEqual(modes);
    expect(choice.mode).toBe(mode);
    expect(choice.stored).toBe(stored);
  });

  it('says "replace" only when there is something stored', () => {
    expect(secretChoiceOf(ntfy, draftOf(ntfy)).modes.map((m) => m.label)).toEqual([
      'Keep the stored one',
      'Replace it',
      'None',
    ]);
    expect(secretChoiceOf(null, draftOf(null)).modes.map((m) => m.label)).toEqual(['Set one', 'None']);
  });
});

describe('newChannelOf', () => {
  it.each<[string, Partial<Draft>, unknown]>([
    [
      'ntfy with a token: name, URL and token trimmed',
      { name: '  Phone ', url: ' https://ntfy.sh/topic ', secret: ' tk_abc ' },
      {
        name: 'Phone',
        enabled: true,
        minSeverity: 'warning',
        target: { kind: 'ntfy', url: 'https://ntfy.sh/topic', token: 'tk_abc' },
      },
    ],
    [
      'ntfy without a token: null',
      { url: 'https://ntfy.sh/topic', enabled: 'no', minSeverity: 'critical' },
      {
        name: 'Phone',
        enabled: false,
        minSeverity: 'critical',
        target: { kind: 'ntfy', url: 'https://ntfy.sh/topic', token: null },
      },
    ],
    [
      'ntfy with None chosen after typing a token: the token is not sent',
      { url: 'https://ntfy.sh/topic', secret: 'tk_abc', secretMode: 'none' },
      { target: { kind: 'ntfy', url: 'https://ntfy.sh/topic', token: null } },
    ],
    [
      'webhook: the secret is sent exactly as typed',
      { kind: 'webhook', url: 'https://hooks.example.net/in', secret: ' sixteen chars ok ' },
      { target: { kind: 'webhook', url: 'https://hooks.example.net/in', secret: ' sixteen chars ok ' } },
    ],
    ['webhook without a secret', { kind: 'webhook', url: 'https://x.example' }, 'Enter the signing secret.'],
    ['webhook without a URL', { kind: 'webhook', url: '  ', secret: 'x'.repeat(16) }, 'Enter the URL.'],
    [
      'gotify: the token is trimmed',
      { kind: 'gotify', url: 'https://gotify.example.net', secret: ' AbC.123 ' },
      { target: { kind: 'gotify', url: 'https://gotify.example.net', token: 'AbC.123' } },
    ],
    [
      'gotify with a blank token',
      { kind: 'gotify', url: 'https://g.example', secret: '   ' },
      'Enter the application token.',
    ],
    [
      'discord: the URL only',
      { kind: 'discord', url: 'https://discord.com/api/webhooks/1/abc', secret: 'ignored' },
      { target: { kind: 'discord', url: 'https://discord.com/api/webhooks/1/abc' } },
    ],
    ['ntfy without a URL', { url: '' }, 'Enter the topic URL.'],
    ['slack without a URL', { kind: 'slack' }, 'Enter the webhook URL.'],
    ['discord without a URL', { kind: 'discord', url: ' ' }, 'Enter the webhook URL.'],
    ['gotify without a URL', { kind: 'gotify', secret: 'AbC.123' }, 'Enter the server URL.'],
    [
      'slack: the URL only',
      { kind: 'slack', url: ' https://hooks.slack.com/services/T/B/x ' },
      { target: { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/x' } },
    ],
    ['a blank name', { name: '   ', url: 'https://ntfy.sh/topic' }, 'Enter a name for the channel.'],
    [
      'email: recipients split on commas, semicolons and spaces; no user name is null; password as typed',
      { ...emailDraft, username: '  ', secret: ' pass word ' },
      {
        target: {
          kind: 'email',
          host: 'smtp.example.net',
          port: 465,
          security: 'tls',
          username: null,
          from: 'box@example.net',
          to: ['me@example.net', 'you@example.net', 'them@example.net', 'us@example.net'],
          password: ' pass word ',
        },
      },
    ],
    [
      'email without a password: null',
      { ...emailDraft, username: ' box ' },
      { target: { username: 'box', password: null } },
    ],
    ['email with port 0', { ...emailDraft, port: '0' }, 'Port: a number from 1 to 65535.'],
    ['email with port 65536', { ...emailDraft, port: '65536' }, 'Port: a number from 1 to 65535.'],
    ['email with a blank port', { ...emailDraft, port: ' ' }, 'Port: a number from 1 to 65535.'],
    ['email with a fractional port', { ...emailDraft, port: '25.5' }, 'Port: a number from 1 to 65535.'],
    ['email with no recipient', { ...emailDraft, to: ' , ; ' }, 'To: enter at least one address.'],
    ['email with a blank server', { ...emailDraft, host: ' ' }, 'Enter the SMTP server.'],
    ['email with a blank sender', { ...emailDraft, from: ' ' }, 'Enter the From address.'],
    ['email with an empty port', { ...emailDraft, port: '' }, 'Port: a number from 1 to 65535.'],
    [
      'email with a port that is not a number',
      { ...emailDraft, port: '5x' },
      'Port: a number from 1 to 65535.',
    ],
  ])('%s', (_, changes, expected) => {
    const body = wire(newChannelOf(newDraft(changes)));
    if (typeof expected === 'string') expect(body).toEqual({ problem: expected });
    else expect(body).toMatchObject(expected as object);
  });

  it.each<[string, string, string[]]>([
    ['runs of separators', 'a@example.net ,; b@example.net', ['a@example.net', 'b@example.net']],
    ['tabs and line breaks', '\ta@example.net\n\nb@example.net\r\n', ['a@example.net', 'b@example.net']],
    ['separators at both ends', ';, a@example.net ,;', ['a@example.net']],
  ])('splits the recipients on %s', (_, to, expected) => {
    expect(wire(newChannelOf(newDraft({ ...emailDraft, to })))).toMatchObject({ target: { to: expected } });
  });

  it('trims the sender and the port', () => {
    expect(
      wire(newChannelOf(newDraft({ ...emailDraft, from: ' box@example.net ', port: ' 25 ' }))),
    ).toMatchObject({ target: { from: 'box@example.net', port: 25 } });
  });

  it('accepts the port range ends', () => {
    expect(wire(newChannelOf(newDraft({ ...emailDraft, port: '1' })))).toMatchObject({ target: { port: 1 } });
    expect(wire(newChannelOf(newDraft({ ...emailDraft, port: '65535' })))).toMatchObject({
      target: { port: 65535 },
    });
  });
});

describe('channelPatchOf', () => {
  it.each<[string, ChannelItem, Partial<Draft>, unknown]>([
    ['nothing changed: an empty patch', ntfy, {}, {}],
    ['nothing changed but spaces around the name', ntfy, { name: ' Phone ' }, {}],
    ['the name', ntfy, { name: ' Pager ' }, { name: 'Pager' }],
    [
      'on/off and severity',
      webhook,
      { enabled: 'yes', minSeverity: 'critical' },
      { enabled: true, minSeverity: 'critical' },
    ],
    [
      'a new URL keeps the stored token',
      ntfy,
      { url: ' https://ntfy.example.net/t ' },
      { target: { kind: 'ntfy', url: 'https://ntfy.example.net/t' } },
    ],
    ['Replace chosen but left empty: kept', ntfy, { secretMode: 'set', secret: '  ' }, {}],
    [
      'a replaced token',
      ntfy,
      { secretMode: 'set', secret: ' tk_new ' },
      { target: { kind: 'ntfy', token: 'tk_new' } },
    ],
    ['None removes a stored token', ntfy, { secretMode: 'none' }, { target: { kind: 'ntfy', token: null } }],
    ['no token stored, field left empty: nothing to send', ntfyWithoutToken, {}, {}],
    ['no token stored, None: nothing to remove', ntfyWithoutToken, { secretMode: 'none' }, {}],
    [
      'no token stored, one typed',
      ntfyWithoutToken,
      { secret: 'tk_1' },
      { target: { kind: 'ntfy', token: 'tk_1' } },
    ],
    [
      'webhook: a new URL, the secret kept',
      webhook,
      { url: 'https://hooks.example.net/v2' },
      { target: { kind: 'webhook', url: 'https://hooks.example.net/v2' } },
    ],
    [
      'kind changed: the whole target',
      ntfy,
      { kind: 'webhook', url: 'https://hooks.example.net/in', secret: 's'.repeat(16) },
      { target: { kind: 'webhook', url: 'https://hooks.example.net/in', secret: 's'.repeat(16) } },
    ],
    ['kind changed without a URL', ntfy, { kind: 'webhook', secret: 's'.repeat(16) }, 'Enter the URL.'],
    [
      'kind changed without a required secret',
      ntfy,
      { kind: 'gotify', url: 'https://g.example' },
      'Enter the application token.',
    ],
    [
      'kind changed to ntfy without a token: the server sets none',
      webhook,
      { kind: 'ntfy', url: 'https://ntfy.sh/t' },
      { target: { kind: 'ntfy', url: 'https://ntfy.sh/t' } },
    ],
    [
      'kind changed to discord',
      webhook,
      { kind: 'discord', url: 'https://discord.com/api/webhooks/1/a' },
      { target: { kind: 'discord', url: 'https://discord.com/api/webhooks/1/a' } },
    ],
    ['a blank name', webhook, { name: ' ', url: 'https://x.example' }, 'Enter a name for the channel.'],
    ['email: nothing changed', email, {}, {}],
    ['email: recipients written differently, same list', email, { to: 'me@example.net;you@example.net' }, {}],
    [
      'email: another recipient sends all the mail settings, the password kept',
      email,
      { to: 'me@example.net' },
      {
        target: {
          kind: 'email',
          host: 'smtp.example.net',
          port: 587,
          security: 'starttls',
          username: 'box',
          from: 'box@example.net',
          to: ['me@example.net'],
        },
      },
    ],
    [
      'email: one recipient swapped for another',
      email,
      { to: 'me@example.net, them@example.net' },
      { target: { to: ['me@example.net', 'them@example.net'] } },
    ],
    ['email: the port', email, { port: '2525' }, { target: { kind: 'email', port: 2525 } }],
    ['email: the user name removed', email, { username: '' }, { target: { username: null } }],
    ['email: None removes the password', email, { secretMode: 'none' }, { target: { password: null } }],
    [
      'email: a new password',
      email,
      { secretMode: 'set', secret: 'new pass' },
      { target: { host: 'smtp.example.net', password: 'new pass' } },
    ],
    ['email: a bad port', email, { port: '99999' }, 'Port: a number from 1 to 65535.'],
    [
      'email from ntfy: the whole target, no password typed',
      ntfy,
      { ...emailDraft },
      { target: { kind: 'email', host: 'smtp.example.net', port: 465 } },
    ],
    [
      'email: the server',
      email,
      { host: 'mail.example.net' },
      { target: { kind: 'email', host: 'mail.example.net' } },
    ],
    ['email: the encryption', email, { security: 'tls' }, { target: { kind: 'email', security: 'tls' } }],
    [
      'email: the sender',
      email,
      { from: 'alerts@example.net' },
      { target: { kind: 'email', from: 'alerts@example.net' } },
    ],
    [
      'email: a recipient added at the end',
      email,
      { to: 'me@example.net, you@example.net, them@example.net' },
      { target: { to: ['me@example.net', 'you@example.net', 'them@example.net'] } },
    ],
    ['webhook: nothing changed', webhook, {}, {}],
    [
      'webhook without a stored secret: one must be typed',
      webhookWithoutSecret,
      { url: 'https://hooks.example.net/v2' },
      'Enter the signing secret.',
    ],
    [
      'kind changed to webhook without a secret',
      ntfy,
      { kind: 'webhook', url: 'https://hooks.example.net/in' },
      'Enter the signing secret.',
    ],
    ['gotify: nothing changed', gotify, {}, {}],
    ['gotify: None is not offered, so the token is kept', gotify, { secretMode: 'none' }, {}],
    [
      'kind changed to gotify without a URL',
      ntfy,
      { kind: 'gotify', secret: 'AbC.123' },
      'Enter the server URL.',
    ],
    ['kind changed to slack without a URL', ntfy, { kind: 'slack' }, 'Enter the webhook URL.'],
    ['discord: nothing changed', discord, {}, {}],
    ['slack: nothing changed', slack, { url: '  ' }, {}],
  ])('%s', (_, channel, changes, expected) => {
    const result = channelPatchOf(channel, editOf(channel, changes));
    expect(result.ok).toBe(typeof expected !== 'string');
    const body = wire(result);
    if (typeof expected === 'string') expect(body).toEqual({ problem: expected });
    // An empty patch has no fields at all, not even undefined ones.
    else if (Object.keys(expected as object).length === 0)
      expect(result).toStrictEqual({ ok: true, body: {} });
    else expect(body).toMatchObject(expected as object);
  });

  it.each<[string, ChannelItem, Partial<Draft>, unknown]>([
    [
      'gotify: a new URL, the token kept',
      gotify,
      { url: ' https://gotify.example.net/v2 ' },
      { kind: 'gotify', url: 'https://gotify.example.net/v2' },
    ],
    [
      'gotify: a new token',
      gotify,
      { secretMode: 'set', secret: ' AbC.456 ' },
      { kind: 'gotify', token: 'AbC.456' },
    ],
    [
      'kind changed to gotify',
      ntfy,
      { kind: 'gotify', url: 'https://gotify.example.net', secret: 'AbC.123' },
      { kind: 'gotify', url: 'https://gotify.example.net', token: 'AbC.123' },
    ],
    [
      'slack: a new URL',
      slack,
      { url: 'https://hooks.slack.com/services/T/B/y' },
      { kind: 'slack', url: 'https://hooks.slack.com/services/T/B/y' },
    ],
    [
      'discord: a new URL',
      discord,
      { url: 'https://discord.com/api/webhooks/2/b' },
      { kind: 'discord', url: 'https://discord.com/api/webhooks/2/b' },
    ],
    [
      'webhook without a stored secret: one typed',
      webhookWithoutSecret,
      { secret: 'x'.repeat(16) },
      { kind: 'webhook', secret: 'x'.repeat(16) },
    ],
  ])('the target exactly: %s', (_, channel, changes, target) => {
    expect(wire(channelPatchOf(channel, editOf(channel, changes)))).toEqual({ target });
  });

  it('leaves out the secret and URL fields that were not typed', () => {
    expect(wire(channelPatchOf(ntfy, editOf(ntfy, { url: 'https://ntfy.sh/t' })))).toEqual({
      target: { kind: 'ntfy', url: 'https://ntfy.sh/t' },
    });
    expect(wire(channelPatchOf(email, editOf(email, { port: '25' })))).not.toHaveProperty('target.password');
    expect(
      wire(channelPatchOf(webhook, editOf(webhook, { secretMode: 'set', secret: 'x'.repeat(20) }))),
    ).toEqual({ target: { kind: 'webhook', secret: 'x'.repeat(20) } });
  });
});

describe('generateSecret', () => {
  it('turns 24 random bytes into 32 URL-safe characters', () => {
    const asked: number[] = [];
    const secret = generateSecret((n) => {
      asked.push(n);
      return new Uint8Array(n).fill(0xfb);
    });
    expect(asked).toEqual([24]);
    // 0xfb 0xfb 0xfb is "+/v7" in base64: both unsafe characters replaced.
    expect(secret).toBe('-_v7'.repeat(8));
  });

  it('draws from crypto by default', () => {
    const a = generateSecret();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateSecret()).not.toBe(a);
  });
});

describe('inSentence', () => {
  it.each([
    ['Topic URL', 'topic URL'],
    ['Signing secret', 'signing secret'],
    ['URL', 'URL'],
    ['SMTP password', 'SMTP password'],
    ['SMTP Server', 'SMTP Server'],
  ])('%s → %s', (label, expected) => {
    expect(inSentence(label)).toBe(expected);
  });
});

describe('the field each problem is about', () => {
  const email = (changes: Partial<Draft>) =>
    newDraft({
      kind: 'email',
      host: 'smtp.example.net',
      port: '587',
      from: 'a@example.net',
      to: 'b@example.net',
      ...changes,
    });
  // The drafts are built inside each test, not in the table: a table is evaluated while the file loads, so a draftOf
  // that throws would stop the file from loading, which the mutation runner counts as no test failing.
  it.each<[string, string, () => Draft]>([
    ['a blank name', 'name', () => newDraft({ name: '  ', url: 'https://ntfy.sh/t' })],
    ['a missing URL', 'target.url', () => newDraft({ kind: 'ntfy', url: ' ' })],
    [
      'a missing webhook secret',
      'target.secret',
      () => newDraft({ kind: 'webhook', url: 'https://h.example/x' }),
    ],
    ['a missing Gotify token', 'target.token', () => newDraft({ kind: 'gotify', url: 'https://g.example' })],
    ['a missing SMTP server', 'target.host', () => email({ host: '' })],
    ['a port out of range', 'target.port', () => email({ port: '70000' })],
    ['a missing From', 'target.from', () => email({ from: ' ' })],
    ['no recipient', 'target.to', () => email({ to: ' , ' })],
  ])('%s: %s', (_what, field, draftFor) => {
    const checked = newChannelOf(draftFor());
    expect(checked.ok ? undefined : checked.field).toBe(field);
  });

  it.each([
    ['a blank name', { name: '' }, 'name'],
    ['a new kind without its URL', { kind: 'slack' as const }, 'target.url'],
    ['a new kind without its secret', { kind: 'gotify' as const, url: 'https://g.example' }, 'target.token'],
    ['a webhook without a secret', { kind: 'webhook' as const, url: 'https://h.example/x' }, 'target.secret'],
  ])('an edit with %s: %s', (_what, changes, field) => {
    const checked = channelPatchOf(ntfyWithoutToken, { ...draftOf(ntfyWithoutToken), ...changes });
    expect(checked.ok ? undefined : checked.field).toBe(field);
  });
});
