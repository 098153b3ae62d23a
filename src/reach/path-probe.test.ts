import { describe, expect, it } from 'vitest';
import { FakeRunner } from '../../test/fakes/runner.js';
import { parseTraceroute, tracePath } from './path-probe.js';

const argv = ['traceroute', '-n', '-q', '1', '-w', '1', '-m', '3', '203.0.113.65'] as const;

describe('tracePath', () => {
  it('asks traceroute for three hops, one UDP probe of 1 s each, bounded at 7.5 s', async () => {
    const runner = new FakeRunner().on(argv, {
      exitCode: 0,
      stdout:
        'traceroute to 203.0.113.65 (203.0.113.65), 3 hops max, 60 byte packets\n 1  10.10.0.1  0.1 ms\n 2  100.64.0.1  0.2 ms\n 3  *\n',
      stderr: '',
    });
    expect(await tracePath(runner, '203.0.113.65')).toEqual({
      ok: true,
      hops: ['10.10.0.1', '100.64.0.1', null],
    });
    expect(runner.calls).toEqual([{ argv: [...argv], stdin: undefined, timeoutMs: 7500 }]);
  });

  it.each([
    [
      'missing',
      new FakeRunner().missing('traceroute'),
      'traceroute is not installed (apt-get install traceroute)',
    ],
    [
      'hanging',
      new FakeRunner().hangs(['traceroute'], { stdout: 'traceroute to' }),
      'traceroute did not finish within 7.5 s',
    ],
    [
      'not startable',
      new FakeRunner().on(['traceroute'], {
        kind: 'spawn-failed',
        program: 'traceroute',
        message: 'traceroute could not start: EACCES',
      }),
      'traceroute could not start: EACCES',
    ],
    [
      'failing',
      new FakeRunner().on(['traceroute'], {
        exitCode: 2,
        stdout: '',
        stderr: 'Cannot handle "host" cmdline arg\n',
      }),
      'traceroute failed (exit 2): Cannot handle "host" cmdline arg',
    ],
    [
      'failing silently',
      new FakeRunner().on(['traceroute'], { exitCode: 1, stdout: '', stderr: '' }),
      'traceroute failed (exit 1)',
    ],
  ])('%s: a reason a person can act on', async (_name, runner, reason) => {
    expect(await tracePath(runner, '203.0.113.65')).toEqual({ ok: false, reason });
  });
});

describe('parseTraceroute', () => {
  it('takes the address of each hop after the header, null for a silent one, and skips other lines', () => {
    expect(
      parseTraceroute(
        'traceroute to 203.0.113.65 (203.0.113.65), 3 hops max\n 1  10.10.0.1  0.1 ms\n 2  *\nnoise\n10  203.0.113.65  1 ms\n',
      ),
    ).toEqual(['10.10.0.1', null, '203.0.113.65']);
    expect(parseTraceroute('')).toEqual([]);
  });
});
