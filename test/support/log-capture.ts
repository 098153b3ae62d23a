/** @module A pino destination that keeps every line written, parsed: tests read what the real logger printed. */

export interface CapturedLog {
  readonly lines: Record<string, unknown>[];
  /** Pass as the logger's destination (pino calls `write` with one JSON line). */
  readonly destination: { write(line: string): void };
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  return {
    lines,
    destination: {
      write(line: string) {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      },
    },
  };
}
