import { describe, expect, it } from 'vitest';
import type { LogReader } from '../store/log.js';
import type { AuditEvent } from './event.js';
import { countAuditSince, pageAudit, readAuditLog } from './read.js';

/** A log over a list (oldest first) that counts how far back readers went. */
function logOf(events: AuditEvent[]): LogReader<AuditEvent> & { read: number } {
  const reader = {
    read: 0,
    *newestFirst() {
      for (let i = events.length - 1; i >= 0; i--) {
        reader.read++;
        yield events[i] as AuditEvent;
      }
    },
    newest: (n: number) => events.slice(-n).reverse(),
    count: () => events.length,
  };
  return reader;
}

const event = (
  i: number,
  type = 'login.success',
  at = `2026-01-01T00:00:${String(i).padStart(2, '0')}.000Z`,
) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  at,
  type,
  actor: 'admin',
  clientAddress: '127.0.0.1',
  outcome: 'success' as const,
  details: {},
});
const ids = (events: readonly AuditEvent[]) => events.map((e) => Number(e.id.slice(-12)));

describe('pageAudit', () => {
  const events = Array.from({ length: 10 }, (_, i) =>
    event(i, i % 3 === 0 ? 'login.failure' : 'login.success'),
  );

  it.each([
    ['the newest page', { limit: 3 }, [9, 8, 7], true],
    ['everything in one page', { limit: 10 }, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], false],
    ['more than there is', { limit: 50 }, [9, 8, 7, 6, 5, 4, 3, 2, 1, 0], false],
    ['one type', { limit: 2, type: 'login.failure' }, [9, 6], true],
    ['one type, all of it', { limit: 4, type: 'login.failure' }, [9, 6, 3, 0], false],
    ['older than a time', { limit: 3, before: new Date('2026-01-01T00:00:05.000Z') }, [4, 3, 2], true],
    [
      'older than a time, to the start',
      { limit: 5, before: new Date('2026-01-01T00:00:05.000Z') },
      [4, 3, 2, 1, 0],
      false,
    ],
    ['after a cursor', { limit: 3, cursor: event(7).id }, [6, 5, 4], true],
    ['after a cursor, to the end', { limit: 3, cursor: event(2).id }, [1, 0], false],
    ['after the oldest', { limit: 3, cursor: event(0).id }, [], false],
    ['cursor and type', { limit: 3, cursor: event(9).id, type: 'login.failure' }, [6, 3, 0], false],
  ])('%s', (_name, query, expected, hasMore) => {
    const page = pageAudit(logOf(events), query);
    if (page.kind !== 'page') throw new Error(page.kind);
    expect(ids(page.events)).toEqual(expected);
    expect(page.hasMore).toBe(hasMore);
    expect(page.nextCursor).toBe(hasMore ? (page.events.at(-1)?.id ?? null) : null);
  });

  it('pages through the whole log with the cursors, equal times included, each event once', () => {
    const sameTime = Array.from({ length: 7 }, (_, i) =>
      event(i, 'login.success', '2026-01-01T00:00:00.000Z'),
    );
    const seen: number[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = pageAudit(logOf(sameTime), { limit: 3, ...(cursor ? { cursor } : {}) });
      if (page.kind !== 'page') throw new Error(page.kind);
      seen.push(...ids(page.events));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0]);
  });

  it('says so when the cursor is no longer in the log', () => {
    expect(pageAudit(logOf(events), { limit: 3, cursor: event(99).id })).toEqual({ kind: 'cursor-unknown' });
  });

  it('reads back only as far as the page needs, plus one', () => {
    const log = logOf(events);
    pageAudit(log, { limit: 3 });
    expect(log.read).toBe(4);
  });
});

describe('countAuditSince', () => {
  it('counts matching events after the time and stops reading at the first older one', () => {
    const events = [
      event(1, 'login.failure'),
      event(2, 'login.failure'),
      event(3, 'login.success'),
      event(4, 'login.failure'),
    ];
    const log = logOf(events);
    const failures = countAuditSince(
      log,
      new Date('2026-01-01T00:00:01.000Z'),
      (e) => e.type === 'login.failure',
    );
    expect(failures).toBe(2);
    expect(log.read).toBe(4);
    expect(countAuditSince(logOf(events), new Date('2026-01-01T00:00:00.000Z'), () => true)).toBe(4);
    expect(countAuditSince(logOf(events), new Date('2026-01-01T00:00:04.000Z'), () => true)).toBe(0);
  });
});

describe('readAuditLog', () => {
  it('gives the retained log oldest first', () => {
    expect(ids(readAuditLog(logOf([event(1), event(2), event(3)])))).toEqual([1, 2, 3]);
  });
});
