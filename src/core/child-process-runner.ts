/** @module node:child_process adapter for the CommandRunner port (argv only, never a shell). */
import { spawn } from 'node:child_process';
import type { CommandResult, CommandRunner, RunFailure, RunOptions } from './runner.js';

export function createChildProcessRunner(): CommandRunner {
  return {
    run(argv, options: RunOptions = {}) {
      const [program, ...args] = argv;
      return new Promise((resolve) => {
        const child = spawn(program, args, {
          shell: false,
          stdio: ['pipe', 'pipe', 'pipe'],
          env: options.env ? { ...options.env } : undefined,
          signal: options.signal,
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        let timedOut = false;
        const timer =
          options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                child.kill('SIGKILL');
              }, options.timeoutMs);
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (timer) clearTimeout(timer);
          const failure: RunFailure =
            e.code === 'ENOENT'
              ? { kind: 'not-found', program, message: `${program} is not installed or not on PATH` }
              : { kind: 'spawn-failed', program, message: `${program} could not start: ${e.message}` };
          resolve({ ok: false, error: failure });
        });
        child.on('close', (code, signal) => {
          if (timer) clearTimeout(timer);
          const result: CommandResult = {
            exitCode: timedOut ? 124 : (code ?? (signal ? 128 : 1)),
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          };
          resolve({ ok: true, value: result });
        });
        child.stdin.on('error', () => {
          // The child may exit before reading stdin (EPIPE); its exit code tells the story.
        });
        child.stdin.end(options.stdin ?? '');
      });
    },
  };
}
