/** @module Reading the audit log: pages newest first (by time, type and cursor) and counts of recent events. */
import { readAll, type LogReader } from '../store/log.js';
import type { AuditEvent } from './event.js';

export interface AuditQuery {
  readonly limit: number;
  /** Only events strictly older than this. */
  readonly before?: Date;
  readonly type?: string;
  /** The id of the last event of the previous page: the page goes on with the events older than it. */
  readonly cursor?: string;
}

export type AuditPage =
  | {
      readonly kind: 'page';
      readonly events: AuditEvent[];
      readonly hasMore: boolean;
      readonly nextCursor: string | null;
    }
  /** The cursor's event is no longer in the log (retention dropped it). */
  | { readonly kind: 'cursor-unknown' };

/**
 * One page, newest first. The log is in append order, so a cursor is exact even among events of the same time.
 * Reads back only as far as the page needs (plus one event, to tell whether there are more).
 */
export function pageAudit(log: LogReader<AuditEvent>, query: AuditQuery): AuditPage {
  const beforeMs = query.before?.getTime() ?? Infinity;
  let seenCursor = query.cursor === undefined;
  const events: AuditEvent[] = [];
  let hasMore = false;
  for (const e of log.newestFirst()) {
    if (!seenCursor) {
      seenCursor = e.id === query.cursor;
      continue;
    }
    if (new Date(e.at).getTime() >= beforeMs || (query.type !== undefined && e.type !== query.type)) continue;
    if (events.length === query.limit) {
      hasMore = true;
      break;
    }
    events.push(e);
  }
  if (!seenCursor) return { kind: 'cursor-unknown' };
  const last = events.at(-1);
  return { kind: 'page', events, hasMore, nextCursor: hasMore && last ? last.id : null };
}

/**
 * How many events since `since` match. Reads back only to the first older event: the log is in time order
 * (an event recorded while the clock stood further ahead may end the count early).
 */
export function countAuditSince(
  log: LogReader<AuditEvent>,
  since: Date,
  match: (event: AuditEvent) => boolean,
): number {
  const sinceMs = since.getTime();
  let count = 0;
  for (const e of log.newestFirst()) {
    if (new Date(e.at).getTime() <= sinceMs) break;
    if (match(e)) count++;
  }
  return count;
}

/** The whole retained log, oldest first (the CLI, and tests that look at what was recorded). */
export function readAuditLog(log: LogReader<AuditEvent>): AuditEvent[] {
  return readAll(log);
}
