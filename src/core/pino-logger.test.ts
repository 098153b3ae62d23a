import { describe, expect, it } from 'vitest';
import { captureLog } from '../../test/support/log-capture.js';
import { createPinoLogger } from './pino-logger.js';

describe('createPinoLogger', () => {
  it('redacts secret fields at the top level and nested', () => {
    const out = captureLog();
    const logger = createPinoLogger('info', out.destination);
    logger.info({ password: 'x', nested: { token: 'y' }, username: 'admin' }, 'hello');
    expect(out.lines).toHaveLength(1);
    const line = out.lines[0]!;
    expect(line.password).toBe('[redacted]');
    expect(line.nested).toEqual({ token: '[redacted]' });
    expect(line.username).toBe('admin');
    expect(line.msg).toBe('hello');
    expect(JSON.stringify(line)).not.toMatch(/"x"|"y"/);
  });

  it.each([
    'password',
    'newPassword',
    'currentPassword',
    'token',
    'setupToken',
    'secret',
    'code',
    'recoveryCode',
    'authorization',
    'cookie',
    'set-cookie',
    'privateKey',
    'key',
  ])('redacts %s two levels deep and in request headers', (key) => {
    const out = captureLog();
    createPinoLogger('info', out.destination).warn(
      { [key]: 'v1', a: { [key]: 'v2' }, b: { c: { [key]: 'v3' } }, req: { headers: { [key]: 'v4' } } },
      'm',
    );
    const text = JSON.stringify(out.lines[0]);
    for (const v of ['v1', 'v2', 'v3', 'v4']) expect(text).not.toContain(`"${v}"`);
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
  });

  it('redacts in child loggers and in their bindings', () => {
    const out = captureLog();
    const child = createPinoLogger('debug', out.destination).child({
      component: 'auth',
      token: 'bound-secret',
    });
    child.debug({ password: 'p' }, 'child line');
    const line = out.lines[0]!;
    expect(line.component).toBe('auth');
    expect(line.password).toBe('[redacted]');
    expect(JSON.stringify(line)).not.toContain('bound-secret');
  });

  it('respects the level', () => {
    const out = captureLog();
    const logger = createPinoLogger('warn', out.destination);
    logger.info({}, 'dropped');
    logger.error({}, 'kept');
    expect(out.lines.map((l) => l.msg)).toEqual(['kept']);
  });
});
