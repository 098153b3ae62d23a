/** @module The readers of a bed server's evidence, on lines as miniupnpd 2.3.1 and Gatehouse write them. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acceptedIpv4, pcpProbeNonces, readAddressHistory, routerEventTimes } from './server-evidence.js';

const router = [
  "miniupnpd[1]: PCP MAP: added mapping UDP 51820->10.10.0.2:51820 'PCP MAP 952398ba37df083b2aca2504'",
  "miniupnpd[1]: PCP MAP: added mapping UDP 36257->10.10.0.2:36257 'PCP MAP cd0fa002a3cdabb0ccbc0d88'",
  "miniupnpd[1]: rule with label 'PCP MAP cd0fa002a3cdabb0ccbc0d88' is not a IGD pinhole",
  'miniupnpd[1]: PCP: UDP port 36257 mapping removed',
  "miniupnpd[1]: PCP MAP: failed to add mapping UDP 34659->10.10.0.2:34659 'PCP MAP d3409643cac75d3e0dd1a94a'",
  "miniupnpd[1]: PCP MAP: failed to add mapping UDP 34659->10.10.0.2:34659 'PCP MAP d3409643cac75d3e0dd1a94a'",
  "miniupnpd[1]: PCP MAP: added mapping UDP 40000->10.10.0.20:40000 'PCP MAP 0b845cef81dc807b27713099'",
  "miniupnpd[1]: PCP MAP: added mapping UDP 51820->10.10.0.2:51820 'PCP MAP 952398ba37df083b2aca2504'",
].join('\n');

describe('pcpProbeNonces', () => {
  it("counts each probe's nonce once, not a retransmission, not the port mapper's mapping, not another host", () => {
    expect(pcpProbeNonces(router, '10.10.0.2', 51820)).toEqual([
      'cd0fa002a3cdabb0ccbc0d88',
      'd3409643cac75d3e0dd1a94a',
    ]);
    expect(pcpProbeNonces(router, '10.10.0.20', 51820)).toEqual(['0b845cef81dc807b27713099']);
  });
});

describe('routerEventTimes', () => {
  const line = (time: string, msg: string) => JSON.stringify({ level: 30, time, msg });
  it('takes the GENA events and announcements the server published, not the ones it held back', () => {
    const log = [
      line('2026-11-28T11:05:00.387Z', 'GENA: subscribed to http://10.10.0.1:5000/evt/IPConn'),
      line('2026-11-28T11:05:00.553Z', 'GENA: router event ConnectionStatus=Disconnected'),
      line('2026-11-28T11:05:00.874Z', 'GENA: router event ExternalIPAddress=203.0.113.3'),
      line('2026-11-28T11:05:00.874Z', 'GENA: the router announces the external address 203.0.113.3'),
      line(
        '2026-11-28T11:05:01.235Z',
        'GENA: router event without a WAN change (e.g. a port mapping added or removed)',
      ),
      line('2026-11-28T11:05:02.000Z', 'router announcements: NAT-PMP from 10.10.0.1, external address x'),
      line('2026-11-28T11:05:03.000Z', 'router announcements: PCP ANNOUNCE from 10.10.0.1 (epoch 3)'),
      line('2026-11-28T11:05:04.000Z', 'router announcements: not listening (EADDRINUSE)'),
      '{"level":30,"time":"2026-11-28T11:05:05.000Z","msg":"GENA: router ev',
    ].join('\n');
    expect(routerEventTimes(log).map((t) => new Date(t).toISOString())).toEqual([
      '2026-11-28T11:05:00.553Z',
      '2026-11-28T11:05:00.874Z',
      '2026-11-28T11:05:02.000Z',
      '2026-11-28T11:05:03.000Z',
    ]);
  });
});

describe('acceptedIpv4', () => {
  it('takes the accepted IPv4 addresses in log order', () => {
    const accepted = (family: string, address: string, previous: string | null) =>
      JSON.stringify({
        level: 30,
        time: '2026-11-28T11:05:00.000Z',
        family,
        address,
        previous,
        msg: 'public address accepted',
      });
    const log = [
      accepted('ipv4', '203.0.113.2', null),
      accepted('ipv6', '2001:db8:10::2', null),
      JSON.stringify({
        level: 30,
        time: '2026-11-28T11:05:01.000Z',
        family: 'ipv4',
        address: '203.0.113.9',
        msg: 'slow sources answered after the address was accepted',
      }),
      accepted('ipv4', '203.0.113.3', '203.0.113.2'),
    ].join('\n');
    expect(acceptedIpv4(log)).toEqual(['203.0.113.2', '203.0.113.3']);
  });
});

describe('readAddressHistory', () => {
  let dataDir = '';
  afterEach(() => {
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the segments oldest first and leaves out a line still being written', () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'server-evidence-'));
    const dir = path.join(dataDir, 'logs', 'reach.history');
    fs.mkdirSync(dir, { recursive: true });
    const change = (address: string, previous: string | null) =>
      JSON.stringify({
        at: '2026-11-28T11:05:00.000Z',
        family: 'ipv4',
        address,
        previous,
        sources: ['upnp'],
      });
    fs.writeFileSync(path.join(dir, '000000000002.jsonl'), `${change('203.0.113.3', '203.0.113.2')}\n{"at":`);
    fs.writeFileSync(path.join(dir, '000000000000.jsonl'), `${change('203.0.113.2', null)}\n`);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a segment\n');
    expect(readAddressHistory(dataDir).map((c) => [c.previous, c.address])).toEqual([
      [null, '203.0.113.2'],
      ['203.0.113.2', '203.0.113.3'],
    ]);
  });

  it('is empty before the server wrote any', () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'server-evidence-'));
    expect(readAddressHistory(dataDir)).toEqual([]);
  });
});
