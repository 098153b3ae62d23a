// Renewal driven by a controlled clock against the bed's pebble: the certificate capability as the server builds it
// (cert-clock-probe.ts, inside the box's namespace) issues over HTTP-01, reads the CA's renewal window through
// ari-shim (RFC 9773 in front of pebble 2.4.0, which has none), sleeps on its clock, and — when the test's clock
// reaches the window — renews with `replaces` naming the first certificate. Short-lived certificates renewed by the
// server's own scheduler in real time: test/e2e/cert.test.ts.
/* eslint-disable @typescript-eslint/no-unsafe-argument, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-explicit-any --
   the probe prints JSON whose shape each assertion checks */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ariShimDirectory, ariShimRecords, startAriShim } from '../testbed/cert-e2e.js';
import { addr } from '../testbed/plan.js';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('cert-clock');
const probeFile = path.resolve(import.meta.dirname, '../testbed/cert-clock-probe.ts');
const shimDirectory = ariShimDirectory;
const name = 'cert-clock.example.test';
const dayMs = 86_400_000;

describe.skipIf(skip !== undefined)(
  'certificate renewal on a controlled clock, against pebble with ARI (e2e)',
  () => {
    let bed = undefined as unknown as Testbed;
    let stateDir = '';

    const lines = (file: string): any[] => ariShimRecords(stateDir, file);

    beforeAll(async () => {
      bed = await Testbed.up('public');
      stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cert-clock-'));
      startAriShim(bed, stateDir);
      const added = await bed.nsupdate('gw', [`update add ${name}. 60 A ${addr.gwPublic}`]);
      expect(added.exitCode).toBe(0);
      await waitFor(
        'ari-shim answering',
        async () => {
          const r = await bed.exec('gw', [
            'curl',
            '-sf',
            '-m',
            '2',
            '--cacert',
            bed.pebbleListenerCaFile,
            shimDirectory,
          ]);
          return r.exitCode === 0 ? true : undefined;
        },
        20_000,
      );
    }, 90_000);

    afterAll(async () => {
      await (bed as Testbed | undefined)?.down();
      if (stateDir !== '') fs.rmSync(stateDir, { recursive: true, force: true });
    });

    it('issues, sleeps until the CA’s window, then renews replacing the first certificate', async () => {
      // The window the CA suggests, 10 to 11 days ahead of the probe's clock (which starts at the real time).
      const start = new Date(Date.now() + 10 * dayMs);
      const end = new Date(start.getTime() + dayMs);
      fs.writeFileSync(
        path.join(stateDir, 'control.json'),
        JSON.stringify({
          window: { start: start.toISOString(), end: end.toISOString() },
          retryAfter: '21600',
        }),
      );
      const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-cert-clock-data-'));
      try {
        const input = {
          directoryUrl: shimDirectory,
          caBundleFile: bed.pebbleListenerCaFile,
          name,
          dataDir,
          windowEnd: end.toISOString(),
        };
        const r = await bed.exec(
          'gw',
          [process.execPath, '--import', 'tsx', probeFile, JSON.stringify(input)],
          {
            timeoutMs: 120_000,
          },
        );
        if (r.exitCode !== 0) throw new Error(`probe failed (${String(r.exitCode)}): ${r.stderr}`);
        const out: any = JSON.parse(r.stdout);

        // The first certificate, then the CA's window as the capability stored it, and its plan inside it.
        expect(out.afterFirst.current.serial).toBe(out.first);
        expect(out.afterFirst.renewal.ari).toMatchObject({
          start: start.toISOString(),
          end: end.toISOString(),
        });
        expect(out.afterFirst.renewal.state).toBe('waiting');
        const nextAt = Date.parse(out.afterFirst.renewal.nextAt);
        expect(nextAt).toBeGreaterThanOrEqual(start.getTime());
        expect(nextAt).toBeLessThanOrEqual(end.getTime());
        // The loop sleeps on the clock (the next ARI check, at Retry-After: 6 h), not in a busy loop.
        expect(out.sleeps.length).toBeGreaterThan(0);
        expect(Math.min(...(out.sleeps as number[]))).toBeGreaterThanOrEqual(60 * 60_000);

        // Renewed once the clock passed the window: a new serial, served, the first in the history.
        expect(out.second).not.toBe(out.first);
        expect(out.afterSecond.current.serial).toBe(out.second);
        expect(out.afterSecond.serving).toMatchObject({ kind: 'acme' });
        expect(out.afterSecond.history.map((h: { serial: string }) => h.serial)).toEqual([out.first]);

        // What the CA saw: the renewal order named the first certificate by its ARI CertID (RFC 9773 §5).
        const orders = lines('orders.jsonl');
        expect(orders).toHaveLength(2);
        expect(orders[0].replaces).toBeNull();
        const asked = lines('ari.jsonl').map((a: { certId: string }) => a.certId);
        expect(asked.length).toBeGreaterThanOrEqual(1);
        expect(orders[1].replaces).toBe(asked[0]);
      } finally {
        fs.rmSync(dataDir, { recursive: true, force: true });
      }
    }, 180_000);
  },
);
