import { describe, expect, it } from 'vitest';
import { FakeRunner } from '../../test/fakes/runner.js';
import { mergeHops, parseHops, parseTraceroute, tracePath } from './path-probe.js';

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
        stderr: 'traceroute: unknown option\n',
      }),
      'traceroute failed (exit 2): traceroute: unknown option',
    ],
    [
      'not resolving the target',
      new FakeRunner().on(['traceroute'], {
        exitCode: 2,
        stdout: '',
        stderr: 'Cannot handle "host" cmdline arg `203.0.113.65\' on position 1 (argc 8)\n',
      }),
      'traceroute could not look up 203.0.113.65 (DNS)',
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

describe('tracePath: a silent hop after the router gets a second look', () => {
  const header = 'traceroute to 203.0.113.65 (203.0.113.65), 3 hops max, 60 byte packets\n';
  const silentHop2 = { exitCode: 0, stdout: `${header} 1  10.10.0.1  0.1 ms\n 2  *\n 3  *\n`, stderr: '' };
  const again = ['traceroute', '-n', '-q', '3', '-w', '1', '-f', '2', '-m', '3', '203.0.113.65'] as const;

  it('three probes per hop from hop 2 on; a late answer fills the silent hops', async () => {
    const runner = new FakeRunner().on(argv, silentHop2).on(again, {
      exitCode: 0,
      stdout: `${header} 2  * 100.64.0.1  0.2 ms *\n 3  * * *\n`,
      stderr: '',
    });
    expect(await tracePath(runner, '203.0.113.65')).toEqual({
      ok: true,
      hops: ['10.10.0.1', '100.64.0.1', null],
    });
    expect(runner.calls.map((c) => [c.argv, c.timeoutMs])).toEqual([
      [[...argv], 7500],
      [[...again], 7500],
    ]);
  });

  it('a failing second look leaves the first one standing', async () => {
    const runner = new FakeRunner().on(argv, silentHop2).on(again, { exitCode: 1, stdout: '', stderr: 'no' });
    expect(await tracePath(runner, '203.0.113.65')).toEqual({ ok: true, hops: ['10.10.0.1', null, null] });
  });

  it('no second look when hop 2 answered, or when the router alone answered', async () => {
    for (const stdout of [
      `${header} 1  10.10.0.1  0.1 ms\n 2  203.0.113.1  1 ms\n 3  *\n`,
      `${header} 1  10.10.0.1  0.1 ms\n`,
    ]) {
      const runner = new FakeRunner().on(argv, { exitCode: 0, stdout, stderr: '' });
      await tracePath(runner, '203.0.113.65');
      expect(runner.calls).toHaveLength(1);
    }
  });

  it('mergeHops keeps what answered first and fills only silent hops', () => {
    expect(
      mergeHops(
        ['10.10.0.1', null, '203.0.113.9', null],
        new Map([
          [2, '100.64.0.1'],
          [3, '203.0.113.77'],
          [4, null],
        ]),
      ),
    ).toEqual(['10.10.0.1', '100.64.0.1', '203.0.113.9', null]);
  });
});

describe('parseHops', () => {
  it('the first address of each hop line, by hop number; round-trip times and stars are not addresses', () => {
    expect(
      parseHops(
        'traceroute to x\n 2  * 100.64.0.1  0.213 ms *\n 3  * * *\n 4  2001:db8::1  1.0 ms\n 5  10.0.0.1 0.1 ms 10.0.0.2 0.2 ms\n',
      ),
    ).toEqual(
      new Map([
        [2, '100.64.0.1'],
        [3, null],
        [4, '2001:db8::1'],
        [5, '10.0.0.1'],
      ]),
    );
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
