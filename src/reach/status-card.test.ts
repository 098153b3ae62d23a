/** @module The reachability card's facts: the verdict's level and port mapping in the Reachability page's words. */
import { describe, expect, it } from 'vitest';
import { scriptedReport } from '../../test/fakes/reach-report.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { initialState } from '../store/schema.js';
import type { ReachabilityReport } from './probe.js';
import { reachabilityCard } from './status-card.js';
import { known } from './types.js';
import type { PortMappingVerdict, VerdictLevel } from './verdict.js';

const now = new Date('2026-05-01T00:00:00Z');

/** A probe's report behind a NAT, its verdict's level and port mapping set as the test says. */
function reportWith(level: VerdictLevel, portMapping: PortMappingVerdict): ReachabilityReport {
  const report = scriptedReport(
    [known('stun:a:3478', 'ipv4', '198.51.100.7'), known('stun:b:19302', 'ipv4', '198.51.100.7')],
    { now },
  );
  return { ...report, verdict: { ...report.verdict, level, ipv4: { ...report.verdict.ipv4, portMapping } } };
}

async function factsOf(report: ReachabilityReport): Promise<Record<string, string>> {
  const store = new MemoryStore(initialState(now, 'x'));
  const card = await reachabilityCard({ latest: () => report }, store).card();
  return Object.fromEntries(card.facts.map((f) => [f.label, f.value]));
}

describe('the reachability card', () => {
  it.each<[VerdictLevel, string]>([
    ['proven', 'Reachable: seen from the internet'],
    ['likely', 'Likely reachable'],
    ['unlikely', 'Unlikely reachable (cannot verify from inside)'],
    ['impossible', 'Not reachable'],
  ])('says a %s verdict as the Reachability page does: %s', async (level, words) => {
    expect((await factsOf(reportWith(level, 'not-tried'))).Reachable).toBe(words);
  });

  it.each<[PortMappingVerdict, string]>([
    ['mapped', 'Mapped on the router'],
    ['unconfirmed', 'Mapped, but not on the public address'],
    ['refused', 'Refused by the router'],
    ['lost', 'Lost: the router dropped it'],
    ['unsupported', 'The router offers none'],
    ['disabled', 'Turned off in the settings'],
    ['not-tried', 'Not tried yet'],
  ])('says a port mapping %s as the Reachability page does: %s', async (portMapping, words) => {
    expect((await factsOf(reportWith('likely', portMapping)))['Port mapping']).toBe(words);
  });
});
