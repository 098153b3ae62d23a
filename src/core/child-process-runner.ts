/** @module node:child_process adapter for the CommandRunner port (argv only, never a shell). */
import { spawn } from 'node:child_process';
import {
  timeoutExitCode,
  type CommandResult,
  type CommandRunner,
  type ProcessLauncher,
  type RunFailure,
  type RunOptions,
} from './runner.js';

/**
 * How long output may still arrive after the child has exited (its pipes normally close at once); each new chunk
 * renews it, up to a cap, so a daemon that keeps writing to the inherited pipe cannot hold the run open.
 */
const pipeDrainGraceMs = 1000;
const pipeDrainCapMs = 5000;

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
        let drain: NodeJS.Timeout | undefined;
        const timer =
          options.timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                timedOut = true;
                child.kill('SIGKILL');
              }, options.timeoutMs);
        const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
          if (timer) clearTimeout(timer);
          if (drain) clearTimeout(drain);
          resolve({
            ok: true,
            value: {
              exitCode: timedOut ? timeoutExitCode : (code ?? (signal ? 128 : 1)),
              stdout: Buffer.concat(out).toString('utf8'),
              stderr: Buffer.concat(err).toString('utf8'),
            } satisfies CommandResult,
          });
        };
        // After the exit: output still arriving restarts the grace, so a busy machine loses nothing.
        let exitedAt = 0;
        const drainAgain = (): void => {
          if (drain && Date.now() - exitedAt < pipeDrainCapMs) drain.refresh();
        };
        child.stdout.on('data', (b: Buffer) => {
          out.push(b);
          drainAgain();
        });
        child.stderr.on('data', (b: Buffer) => {
          err.push(b);
          drainAgain();
        });
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (timer) clearTimeout(timer);
          if (drain) clearTimeout(drain);
          const failure: RunFailure =
            e.name === 'AbortError'
              ? { kind: 'cancelled', program, message: `${program} was cancelled` }
              : e.code === 'ENOENT'
                ? { kind: 'not-found', program, message: `${program} is not installed or not on PATH` }
                : { kind: 'spawn-failed', program, message: `${program} could not start: ${e.message}` };
          resolve({ ok: false, error: failure });
        });
        // 'close' comes once the child has exited AND its pipes are closed. A process it left behind (a daemon
        // such as wireguard-go, a backgrounded helper) may hold the pipes for ever: after the exit, output gets a
        // grace that each new chunk renews, then the run ends with the output read so far.
        child.on('exit', (code, signal) => {
          // The program has ended on its own (or by the kill): a timeout can no longer apply to it.
          if (timer) clearTimeout(timer);
          exitedAt = Date.now();
          drain = setTimeout(() => {
            child.stdout.destroy();
            child.stderr.destroy();
            finish(code, signal);
          }, pipeDrainGraceMs);
        });
        child.on('close', (code, signal) => finish(code, signal));
        child.stdin.on('error', () => {
          // The child may exit before reading stdin (EPIPE); its exit code tells the story.
        });
        child.stdin.end(options.stdin ?? '');
      });
    },
  };
}

export function createChildProcessLauncher(): ProcessLauncher {
  return {
    launch(argv, handlers) {
      const [program, ...args] = argv;
      const child = spawn(program, args, { shell: false, stdio: ['ignore', 'pipe', 'pipe'] });
      let stopping = false;
      let buffer = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        buffer += chunk;
        let i: number;
        while ((i = buffer.indexOf('\n')) >= 0) {
          handlers.onLine(buffer.slice(0, i));
          buffer = buffer.slice(i + 1);
        }
      });
      const exited = new Promise<void>((resolve) => {
        child.on('error', (e: NodeJS.ErrnoException) => {
          if (!stopping) {
            handlers.onExit(
              e.code === 'ENOENT' ? `${program} is not installed or not on PATH` : `${program}: ${e.message}`,
            );
          }
          resolve();
        });
        child.on('exit', (code, signal) => {
          if (!stopping) handlers.onExit(`${program} exited (${signal ?? String(code)})`);
          resolve();
        });
      });
      return {
        async stop() {
          stopping = true;
          if (child.exitCode === null && child.signalCode === null) {
            child.kill('SIGTERM');
            const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
            await exited;
            clearTimeout(timer);
          }
        },
      };
    },
  };
}
