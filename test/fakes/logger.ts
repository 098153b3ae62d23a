/** @module A logger that keeps every line in memory, so tests can prove what was (not) logged. */
import type { Logger } from '../../src/core/log.js';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly msg: string;
}

export class MemoryLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}
  debug(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'debug', fields: { ...this.bindings, ...fields }, msg });
  }
  info(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'info', fields: { ...this.bindings, ...fields }, msg });
  }
  warn(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'warn', fields: { ...this.bindings, ...fields }, msg });
  }
  error(fields: Record<string, unknown>, msg: string): void {
    this.lines.push({ level: 'error', fields: { ...this.bindings, ...fields }, msg });
  }
  child(bindings: Record<string, unknown>): Logger {
    return new MemoryLogger(this.lines, { ...this.bindings, ...bindings });
  }
}
