/**
 * @module Email over SMTP through nodemailer: one connection per message (alerts are rare), implicit TLS,
 * STARTTLS that must succeed, or plain SMTP on a trusted network. Certificates are verified; a failure says
 * which step failed and never includes the password. nodemailer is loaded on the first send, not at start: most
 * boxes never configure email, and it costs a few MB of memory on a 1 GB machine.
 */
import type { SendMailOptions } from 'nodemailer';
import { describeError } from '../../core/errors.js';
import { fail, failure, ok, type Failure } from '../../core/outcome.js';
import type { Notifier } from './notifier.js';
import { oneLine, renderSubject, renderText, truncate } from './notifier.js';

export interface SmtpTarget {
  readonly host: string;
  readonly port: number;
  /** tls: TLS from the first byte (port 465); starttls: upgrade, and fail if the server cannot; none: plain. */
  readonly security: 'tls' | 'starttls' | 'none';
  readonly username: string | null;
  readonly password: string | null;
  readonly from: string;
  readonly to: readonly string[];
}

export interface SmtpOptions {
  /** Upper bound for connecting, the greeting and each later wait; the caller's signal may end it sooner. */
  readonly timeoutMs?: number;
}

/** The message as nodemailer takes it; subject and addresses are single lines, so no header can be injected. */
function emailMessage(target: SmtpTarget, n: Parameters<Notifier['send']>[0]): SendMailOptions {
  return {
    from: oneLine(target.from),
    to: target.to.map(oneLine),
    subject: renderSubject(n),
    text: renderText(n),
    headers: { 'Auto-Submitted': 'auto-generated' },
  };
}

export function emailNotifier(target: SmtpTarget, options: SmtpOptions = {}): Notifier {
  const timeoutMs = options.timeoutMs ?? 15_000;
  return {
    async send(n, signal) {
      const where = `${target.host}:${target.port}`;
      // Loaded on first use; the module loader keeps it for later sends. A broken install is a failure, not a throw.
      const nodemailer = await import('nodemailer').then(ok, (e: unknown) =>
        fail(failure('alerts.smtp', `cannot load nodemailer: ${oneLine(describeError(e))}`)),
      );
      if (!nodemailer.ok) return nodemailer;
      const transport = nodemailer.value.createTransport({
        host: target.host,
        port: target.port,
        secure: target.security === 'tls',
        requireTLS: target.security === 'starttls',
        ignoreTLS: target.security === 'none',
        ...(target.username === null ? {} : { auth: { user: target.username, pass: target.password ?? '' } }),
        connectionTimeout: timeoutMs,
        greetingTimeout: timeoutMs,
        socketTimeout: timeoutMs,
        // The message is built from our own text; never let it pull in files or URLs.
        disableFileAccess: true,
        disableUrlAccess: true,
      });
      let onAbort: (() => void) | undefined;
      const aborted = new Promise<'aborted'>((resolve) => {
        onAbort = () => {
          resolve('aborted');
        };
        if (signal.aborted) resolve('aborted');
        else signal.addEventListener('abort', onAbort, { once: true });
      });
      const sending = transport.sendMail(emailMessage(target, n));
      try {
        const result = await Promise.race([sending, aborted]);
        if (result === 'aborted') {
          sending.catch(() => undefined);
          return fail(failure('alerts.timeout', `no answer from the SMTP server ${where} in time`));
        }
        if (result.rejected.length > 0) {
          return fail(
            failure(
              'alerts.smtp-rejected',
              `${where} refused the recipient${result.rejected.length > 1 ? 's' : ''} ${result.rejected.map(oneLine).join(', ')}`,
            ),
          );
        }
        return ok(undefined);
      } catch (e) {
        return fail(describeSmtpError(e, where));
      } finally {
        if (onAbort) signal.removeEventListener('abort', onAbort);
        transport.close();
      }
    },
  };
}

function describeSmtpError(e: unknown, where: string): Failure {
  const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
  const detail = truncate(oneLine(describeError(e)), 200);
  switch (code) {
    case 'EAUTH':
      return failure('alerts.smtp-auth', `${where} refused the login: ${detail}`);
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'ETIMEDOUT':
    case 'EDNS':
      return failure('alerts.unreachable', `cannot talk to the SMTP server ${where}: ${detail}`);
    case 'ETLS':
      return failure('alerts.smtp-tls', `TLS with ${where} failed: ${detail}`);
    default:
      return failure('alerts.smtp', `sending through ${where} failed: ${detail}`);
  }
}
