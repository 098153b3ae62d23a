import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditLog, auditRetention } from '../../audit/event.js';
import type { LogDefinition } from '../log.js';
import { openSegmentLog } from '../segment-log.js';
import { deliveriesLog, deliveryRetention } from './alerts.js';
import { reachabilityHistoryRetention, reachHistoryLog } from './reachability.js';

let root: string;
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-logs-'));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

const delivery = (i: number) => ({
  at: new Date(Date.UTC(2026, 2, 1, 0, 0, 0, i)).toISOString(),
  alertId: 'a1',
  channelId: `c${i}`,
  ok: true,
  error: null,
});
const change = (i: number) => ({
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
  family: 'ipv4' as const,
  address: `10.0.${Math.floor(i / 250)}.${i % 250}`,
  previous: null,
  sources: ['stun:a'],
});
const event = (i: number) => ({
  id: `e${i}`,
  at: new Date(Date.UTC(2026, 0, 1, 0, 0, 0, i)).toISOString(),
  type: 'login.failure',
  actor: 'x',
  clientAddress: 'x',
  outcome: 'failure' as const,
  details: {},
});

describe('the registered logs keep what the document kept before them', () => {
  it.each([
    ['alerts.deliveries', deliveriesLog as LogDefinition, deliveryRetention, 500, delivery],
    ['reach.history', reachHistoryLog as LogDefinition, reachabilityHistoryRetention, 1000, change],
    ['audit', auditLog as LogDefinition, auditRetention, 10_000, event],
  ])('%s: the newest %i records, oldest dropped first', (_name, log, retention, expected, make) => {
    expect(retention).toBe(expected);
    const opened = openSegmentLog(root, log);
    opened.append(Array.from({ length: retention + 2 }, (_, i) => make(i))).commit();
    opened.trim();
    const newest = opened.newest(retention + 10);
    expect(newest).toHaveLength(retention);
    expect(newest[0]).toEqual(make(retention + 1));
    expect(newest.at(-1)).toEqual(make(2));
    expect(openSegmentLog(root, log).count()).toBe(retention);
  });
});
