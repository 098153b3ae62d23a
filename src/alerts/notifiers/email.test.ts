/** @module The email notifier through nodemailer against a real SMTP server (smtp-server) on 127.0.0.1. */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { noTimeout, sampleNotification } from '../../../test/support/alert-fixtures.js';
import { emailNotifier, type SmtpTarget } from './email.js';
import { renderText } from './notifier.js';

interface Received {
  readonly from: string;
  readonly to: string[];
  readonly user: string | undefined;
  readonly raw: string;
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

async function startSmtp(options: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    disableReverseLookup: true,
    onAuth(auth, _session, callback) {
      if (auth.username === 'alerts' && auth.password === 'smtp-pass-123') callback(null, { user: 'alerts' });
      else callback(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          user: typeof session.user === 'string' ? session.user : undefined,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port, received };
}

function target(port: number, overrides: Partial<SmtpTarget> = {}): SmtpTarget {
  return {
    host: '127.0.0.1',
    port,
    security: 'none',
    username: 'alerts',
    password: 'smtp-pass-123',
    from: 'gatehouse@home.example',
    to: ['me@example.org', 'partner@example.org'],
    ...overrides,
  };
}

/** Headers (unfolded, lower-case names) and the decoded text body of a simple single-part message. */
function parse(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const headers = new Map<string, string>();
  for (const line of raw
    .slice(0, split)
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
  let body = raw.slice(split + 4);
  if (headers.get('content-transfer-encoding') === 'quoted-printable') {
    const bytes = body
      .replace(/=\r\n/g, '')
      .replace(/=([0-9A-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    body = Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return { headers, body: body.replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

describe('email notifier', () => {
  it('logs in and sends From / To / Subject and the text body', async () => {
    const smtp = await startSmtp();
    const n = sampleNotification();
    const result = await emailNotifier(target(smtp.port)).send(n, noTimeout);
    expect(result).toEqual({ ok: true, value: undefined });
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0]!;
    expect(mail.user).toBe('alerts');
    expect(mail.from).toBe('gatehouse@home.example');
    expect(mail.to).toEqual(['me@example.org', 'partner@example.org']);
    const { headers, body } = parse(mail.raw);
    expect(headers.get('from')).toBe('gatehouse@home.example');
    expect(headers.get('to')).toBe('me@example.org, partner@example.org');
    expect(headers.get('subject')).toBe('[Home gateway] Critical: Behind carrier-grade NAT (CGNAT)');
    expect(headers.get('auto-submitted')).toBe('auto-generated');
    expect(headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8/);
    expect(body).toBe(renderText(n));
  });

  it('keeps a line break in the subject from becoming a header', async () => {
    const smtp = await startSmtp();
    await emailNotifier(target(smtp.port)).send(
      sampleNotification({ instance: { id: 'i', name: 'home\r\nBcc: victim@example.net' } }),
      noTimeout,
    );
    const { headers } = parse(smtp.received[0]!.raw);
    expect(headers.has('bcc')).toBe(false);
    expect(smtp.received[0]!.to).not.toContain('victim@example.net');
    expect(headers.get('subject')).toBe(
      '[home Bcc: victim@example.net] Critical: Behind carrier-grade NAT (CGNAT)',
    );
  });

  it('reports a refused login without the password', async () => {
    const smtp = await startSmtp();
    const result = await emailNotifier(target(smtp.port, { password: 'not-the-password' })).send(
      sampleNotification(),
      noTimeout,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('alerts.smtp-auth');
    expect(result.error.message).toContain(`127.0.0.1:${smtp.port} refused the login`);
    expect(result.error.message).not.toContain('not-the-password');
    expect(smtp.received).toHaveLength(0);
  });

  it('reports a refused recipient', async () => {
    const smtp = await startSmtp({
      onRcptTo(address, _session, callback) {
        if (address.address === 'partner@example.org') callback(new Error('no such user'));
        else callback();
      },
    });
    const result = await emailNotifier(target(smtp.port)).send(sampleNotification(), noTimeout);
    expect(result.ok ? '' : result.error.message).toBe(
      `127.0.0.1:${smtp.port} refused the recipient partner@example.org`,
    );
  });

  it('with starttls never falls back to plain text when the server cannot upgrade', async () => {
    const smtp = await startSmtp();
    const result = await emailNotifier(target(smtp.port, { security: 'starttls' })).send(
      sampleNotification(),
      noTimeout,
    );
    expect(result.ok ? '' : result.error.message).toMatch(/STARTTLS/);
    expect(smtp.received).toHaveLength(0);
  });

  it('gives up when the signal aborts, e.g. a server that never greets', async () => {
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const { port } = silent.address() as AddressInfo;
    const controller = new AbortController();
    const connected = new Promise<void>((resolve) => silent.once('connection', () => resolve()));
    const pending = emailNotifier(target(port)).send(sampleNotification(), controller.signal);
    await connected;
    controller.abort();
    const result = await pending;
    expect(result.ok ? '' : result.error.code).toBe('alerts.timeout');
  });

  it('reports a refused connection', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await emailNotifier(target(port)).send(sampleNotification(), noTimeout);
    expect(result.ok ? '' : result.error.code).toBe('alerts.unreachable');
  });
});
