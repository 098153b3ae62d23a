/** @module Pino adapter for the Logger port, with secret redaction applied to every line. */
import { pino, type DestinationStream, type Level } from 'pino';
import { redactedKeys, type Logger } from './log.js';

export type LogLevel = Level | 'silent';

export function createPinoLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const paths = redactedKeys.flatMap((k) => [k, `*.${k}`, `*.*.${k}`, `req.headers.${k}`]);
  const instance = pino(
    {
      level,
      base: { app: 'gatehouse' },
      redact: { paths, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? pino.destination(1),
  );
  return instance;
}
