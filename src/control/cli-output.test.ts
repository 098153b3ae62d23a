import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkAnswer, commandOutput, commanderError, errorPrefix, exitCodes } from './cli-output.js';

function capture() {
  let out = '';
  let err = '';
  const output = commandOutput({ stdout: (t) => (out += t), stderr: (t) => (err += t) });
  return { output, out: () => out, err: () => err };
}

describe('commandOutput', () => {
  it('says and prints JSON on stdout, two-space indented with a final newline', () => {
    const c = capture();
    c.output.say('hello\n');
    c.output.printJson({ a: [1] });
    expect(c.out()).toBe('hello\n{\n  "a": [\n    1\n  ]\n}\n');
    expect(c.err()).toBe('');
  });

  it('a usage mistake: the message after the program name on stderr, exit 2', () => {
    const c = capture();
    expect(c.output.usage('give --port')).toBe(2);
    expect([c.out(), c.err()]).toEqual(['', 'gatehouse: give --port\n']);
  });

  it('a failure: the message on stderr, exit 1; nothing on stdout without --json', () => {
    const c = capture();
    expect(
      c.output.failed({ code: 'wireguard.exists', message: 'a peer named "X" exists already' }, false),
    ).toBe(1);
    expect([c.out(), c.err()]).toEqual(['', 'gatehouse: a peer named "X" exists already\n']);
  });

  it('a failure with what to do and a note, indented under it; with --json the error (and remedy) on stdout too', () => {
    const c = capture();
    const code = c.output.failed({ code: 'cert.not-running', message: 'not running' }, true, {
      remedy: 'start it',
      note: 'Settings were saved.',
    });
    expect(code).toBe(1);
    expect(JSON.parse(c.out())).toEqual({
      error: { code: 'cert.not-running', message: 'not running', remedy: 'start it' },
    });
    expect(c.err()).toBe('gatehouse: not running\n  what to do: start it\n  Settings were saved.\n');
  });

  it('a failure with only a note has no remedy line and no remedy in the JSON', () => {
    const c = capture();
    c.output.failed({ code: 'x.y', message: 'm' }, true, { note: 'n' });
    expect(JSON.parse(c.out())).toEqual({ error: { code: 'x.y', message: 'm' } });
    expect(c.err()).toBe('gatehouse: m\n  n\n');
  });

  it('a failure coded `usage` is a usage mistake: exit 2, no JSON', () => {
    const c = capture();
    expect(c.output.failed({ code: 'usage', message: '--when: expected a date' }, true)).toBe(2);
    expect([c.out(), c.err()]).toEqual(['', 'gatehouse: --when: expected a date\n']);
  });
});

describe('commanderError', () => {
  it("rewrites commander's `error: ` to the program's name and leaves other text alone", () => {
    expect(commanderError("error: unknown option '--x'\n")).toBe("gatehouse: unknown option '--x'\n");
    expect(commanderError('(run with --help for usage)\n')).toBe('(run with --help for usage)\n');
    expect(commanderError('an error: inside\n')).toBe('an error: inside\n');
  });

  it('exit codes and prefix', () => {
    expect(exitCodes).toEqual({ ok: 0, failure: 1, usage: 2 });
    expect(errorPrefix).toBe('gatehouse: ');
  });
});

describe('checkAnswer', () => {
  const schema = z.object({ peers: z.array(z.object({ name: z.string() })) });

  it('passes an answer of the expected shape through', () => {
    expect(checkAnswer(schema, { peers: [{ name: 'phone' }] }, 'x.bad-answer')).toEqual({
      ok: true,
      value: { peers: [{ name: 'phone' }] },
    });
  });

  it('names where an answer differs, with the caller’s code', () => {
    expect(checkAnswer(schema, { peers: [{ name: 7 }] }, 'wireguard.bad-answer')).toEqual({
      ok: false,
      error: {
        code: 'wireguard.bad-answer',
        message: 'unexpected answer at peers.0.name: Invalid input: expected string, received number',
      },
    });
  });

  it('says (root) when the answer itself is of the wrong kind', () => {
    const r = checkAnswer(schema, 'text', 'cert.bad-answer');
    expect(r).toEqual({
      ok: false,
      error: {
        code: 'cert.bad-answer',
        message: 'unexpected answer at (root): Invalid input: expected object, received string',
      },
    });
  });
});
