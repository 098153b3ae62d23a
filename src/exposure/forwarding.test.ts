import { describe, expect, it } from 'vitest';
import { FakeRunner } from '../../test/fakes/runner.js';
import { checkForwarding, createForwarding, enableCommand, enableForwarding } from './forwarding.js';

const done = (stdout = '', stderr = '', exitCode = 0) => ({ exitCode, stdout, stderr });
const v4 = ['sysctl', '-n', 'net.ipv4.ip_forward'] as const;
const v6 = ['sysctl', '-n', 'net.ipv6.conf.all.forwarding'] as const;

describe('checkForwarding', () => {
  it.each([
    ['1\n', '1\n', { ipv4: true, ipv6: true }],
    ['0\n', '1\n', { ipv4: false, ipv6: true }],
    ['1', '0', { ipv4: true, ipv6: false }],
    ['0', '0', { ipv4: false, ipv6: false }],
  ])('reads ipv4 %j and ipv6 %j', async (four, six, expected) => {
    const runner = new FakeRunner().on(v4, done(four)).on(v6, done(six));
    expect(await checkForwarding(runner)).toEqual({ ok: true, value: expected });
    expect(runner.calls).toEqual([
      { argv: v4, stdin: undefined, timeoutMs: 10_000 },
      { argv: v6, stdin: undefined, timeoutMs: 10_000 },
    ]);
  });

  it('reads a kernel without IPv6 as ipv6: false', async () => {
    const runner = new FakeRunner()
      .on(v4, done('1\n'))
      .on(
        v6,
        done(
          '',
          'sysctl: cannot stat /proc/sys/net/ipv6/conf/all/forwarding: No such file or directory\n',
          255,
        ),
      );
    expect(await checkForwarding(runner)).toEqual({ ok: true, value: { ipv4: true, ipv6: false } });
  });

  it('fails when IPv4 cannot be read, even for the reason that excuses IPv6', async () => {
    const runner = new FakeRunner().on(
      v4,
      done('', 'sysctl: cannot stat /proc/sys/net/ipv4/ip_forward: No such file or directory\n', 255),
    );
    expect(await checkForwarding(runner)).toEqual({
      ok: false,
      error: {
        code: 'exposure.sysctl-failed',
        message:
          'sysctl -n net.ipv4.ip_forward failed: sysctl: cannot stat /proc/sys/net/ipv4/ip_forward: No such file or directory',
      },
    });
  });

  it('fails on other IPv6 errors, and without words when sysctl says nothing', async () => {
    const runner = new FakeRunner().on(v4, done('1')).on(v6, done('', '', 1));
    expect(await checkForwarding(runner)).toEqual({
      ok: false,
      error: { code: 'exposure.sysctl-failed', message: 'sysctl -n net.ipv6.conf.all.forwarding failed' },
    });
  });

  it('fails on an answer that is not 0 or 1', async () => {
    const runner = new FakeRunner().on(v4, done('2\n'));
    expect(await checkForwarding(runner)).toEqual({
      ok: false,
      error: {
        code: 'exposure.sysctl-failed',
        message: 'sysctl -n net.ipv4.ip_forward printed "2", not 0 or 1',
      },
    });
    const six = new FakeRunner().on(v4, done('0')).on(v6, done(''));
    expect(await checkForwarding(six)).toEqual({
      ok: false,
      error: {
        code: 'exposure.sysctl-failed',
        message: 'sysctl -n net.ipv6.conf.all.forwarding printed "", not 0 or 1',
      },
    });
  });

  it('says which package to install when sysctl is missing', async () => {
    expect(await checkForwarding(new FakeRunner().missing('sysctl'))).toEqual({
      ok: false,
      error: {
        code: 'exposure.sysctl-missing',
        message: 'sysctl cannot run (sysctl is not installed or not on PATH): install the procps package',
      },
    });
  });
});

describe('enableForwarding', () => {
  it('switches each family on once, in the order asked', async () => {
    const runner = new FakeRunner().on(['sysctl', '-w'], done());
    expect(await enableForwarding(runner, ['ipv6', 'ipv4', 'ipv6'])).toEqual({ ok: true, value: undefined });
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['sysctl', '-w', 'net.ipv6.conf.all.forwarding=1'],
      ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
    ]);
    expect(runner.calls.every((c) => c.timeoutMs === 10_000)).toBe(true);
  });

  it('does nothing for no family', async () => {
    const runner = new FakeRunner();
    expect(await enableForwarding(runner, [])).toEqual({ ok: true, value: undefined });
    expect(runner.calls).toEqual([]);
  });

  it('names the command to run as root when it cannot, and stops there', async () => {
    const runner = new FakeRunner().on(
      ['sysctl', '-w', 'net.ipv4.ip_forward=1'],
      done('', 'sysctl: permission denied on key "net.ipv4.ip_forward"\nmore\n', 255),
    );
    expect(await enableForwarding(runner, ['ipv4', 'ipv6'])).toEqual({
      ok: false,
      error: {
        code: 'exposure.forwarding-off',
        message:
          'IP forwarding (ipv4) could not be switched on (sysctl: permission denied on key "net.ipv4.ip_forward"): run as root `sysctl -w net.ipv4.ip_forward=1`',
      },
    });
    expect(runner.calls).toHaveLength(1);
  });

  it('leaves the reason out when sysctl gives none', async () => {
    const runner = new FakeRunner().on(['sysctl', '-w'], done('', '', 1));
    expect(await enableForwarding(runner, ['ipv6'])).toEqual({
      ok: false,
      error: {
        code: 'exposure.forwarding-off',
        message:
          'IP forwarding (ipv6) could not be switched on: run as root `sysctl -w net.ipv6.conf.all.forwarding=1`',
      },
    });
  });

  it('says which package to install when sysctl is missing', async () => {
    expect(await enableForwarding(new FakeRunner().missing('sysctl'), ['ipv4'])).toMatchObject({
      ok: false,
      error: { code: 'exposure.sysctl-missing' },
    });
  });

  it('names the commands', () => {
    expect(enableCommand('ipv4')).toBe('sysctl -w net.ipv4.ip_forward=1');
    expect(enableCommand('ipv6')).toBe('sysctl -w net.ipv6.conf.all.forwarding=1');
  });
});

describe('createForwarding', () => {
  it('checks and enables through the same runner', async () => {
    const runner = new FakeRunner().on(v4, done('0')).on(v6, done('1')).on(['sysctl', '-w'], done());
    const forwarding = createForwarding(runner);
    expect(await forwarding.check()).toEqual({ ok: true, value: { ipv4: false, ipv6: true } });
    expect(await forwarding.enable(['ipv4'])).toEqual({ ok: true, value: undefined });
    expect(runner.calls.map((c) => c.argv)).toEqual([v4, v6, ['sysctl', '-w', 'net.ipv4.ip_forward=1']]);
  });
});

describe('sysctl output edge cases', () => {
  it("quotes only sysctl's first line, after leading blank lines", async () => {
    const runner = new FakeRunner().on(v4, done('', '\n  sysctl: reading key failed\nsecond line\n', 1));
    expect(await checkForwarding(runner)).toEqual({
      ok: false,
      error: {
        code: 'exposure.sysctl-failed',
        message: 'sysctl -n net.ipv4.ip_forward failed: sysctl: reading key failed',
      },
    });
    const enabling = new FakeRunner().on(
      ['sysctl', '-w'],
      done('', '\nsysctl: permission denied\nmore words', 1),
    );
    expect(await enableForwarding(enabling, ['ipv4'])).toMatchObject({
      error: {
        message:
          'IP forwarding (ipv4) could not be switched on (sysctl: permission denied): run as root `sysctl -w net.ipv4.ip_forward=1`',
      },
    });
  });

  it('quotes at most 40 characters of an unexpected answer', async () => {
    const runner = new FakeRunner().on(v4, done('x'.repeat(100)));
    expect(await checkForwarding(runner)).toMatchObject({
      error: { message: `sysctl -n net.ipv4.ip_forward printed "${'x'.repeat(40)}", not 0 or 1` },
    });
  });
});
