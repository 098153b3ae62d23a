// Benchmark (not a test): WireGuard with 1,000 peers on the test bed (issue 11), as root.
//   direct: wireguard-go in gw configured by hand (no Gatehouse): one peer added to an interface that carries 1,000
//           with `wg set` and with `wg syncconf`, timed, while the phone streams UDP through the tunnel (datagrams
//           lost); one TCP stream's throughput with no ruleset against the same tunnel with Gatehouse's ruleset
//           (buildRuleset of src/exposure for those 1,000 peers + the phone), runs alternating.
//   server: `gatehouse serve` in gw: 1,000 peers through the control API, then one more — time until the interface
//           carries it and datagrams the phone's stream lost meanwhile; GET /v1/wireguard/peers with 1,001 peers;
//           one TCP stream's throughput through Gatehouse's own interface and table, against the hand-made tunnel.
// Usage: npm run bench:wireguard [-- --part direct|server|all] [--peers 1000] [--runs 5] [--seconds 5]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createControlClient, type ControlClient } from '../../src/control/socket-client.js';
import { controlSocketPath } from '../../src/control/socket-path.js';
import { buildRuleset } from '../../src/exposure/ruleset.js';
import type { PeerSpec } from '../../src/wireguard/model.js';
import { addr, gatehouseReachabilityConfig, ports } from '../../test/testbed/plan.js';
import { Testbed, unavailableReason, waitFor } from '../../test/testbed/testbed.js';
import {
  handPeer,
  handServer,
  handTable,
  phoneTunnel,
  startTcpSink,
  startUdpEcho,
  startUdpStream,
  tcpThroughput,
  wireguardKeypair,
  type HandPeer,
  type HandServer,
  type PhoneTunnel,
} from '../../test/testbed/wireguard-phone.js';

const { values } = parseArgs({
  options: {
    part: { type: 'string', default: 'all' },
    peers: { type: 'string', default: '1000' },
    runs: { type: 'string', default: '5' },
    seconds: { type: 'string', default: '5' },
  },
});
const peerCount = Number(values.peers);
const runs = Number(values.runs);
const seconds = Number(values.seconds);
const part = values.part ?? 'all';
const reason = unavailableReason();
if (reason) {
  console.error(`bench: ${reason}`);
  process.exit(1);
}

const lan = addr.lanHost;
const echoPort = 9101;
const sinkPort = 9102;

const sorted = (xs: readonly number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: readonly number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (xs: readonly number[], digits = 1) => {
  const s = sorted(xs);
  return `${(s[0] ?? NaN).toFixed(digits)} / ${median(xs).toFixed(digits)} / ${(s.at(-1) ?? NaN).toFixed(digits)}`;
};

/** The n-th extra peer's tunnel address in 10.98.0.0/16 (the hand-made interface only; never routed). */
const extraAddress = (i: number) => `10.98.${Math.floor((i + 1) / 250)}.${((i + 1) % 250) + 1}`;

/** Times `action` while the phone streams UDP to the LAN echo (10 ms apart); datagrams lost in that stream. */
async function duringStream(
  bed: Testbed,
  action: () => Promise<void>,
): Promise<{ ms: number; sent: number; lost: number }> {
  const stream = await startUdpStream(bed, 'phone', lan, echoPort, { durationMs: 2000, waitForAnswer: true });
  const t0 = performance.now();
  await action();
  const ms = performance.now() - t0;
  const r = await stream.result;
  return { ms, sent: r.sent, lost: r.lost.length };
}

async function direct(bed: Testbed): Promise<void> {
  const server = await handServer(bed);
  let phone: PhoneTunnel | undefined;
  try {
    const me = handPeer('10.99.0.2');
    await server.addPeer(me);
    phone = await phoneTunnel(bed, server.clientConfig({ ...me, allowedIps: [addr.lanPrefix] }));
    const extras: HandPeer[] = Array.from({ length: peerCount }, (_, i) => handPeer(extraAddress(i)));
    const t0 = performance.now();
    await server.syncPeers([me, ...extras]);
    console.log(
      `direct: ${peerCount} peers loaded with one wg syncconf in ${(performance.now() - t0).toFixed(0)} ms; ` +
        `interface carries ${(await server.dump()).length}`,
    );

    const set: { ms: number; sent: number; lost: number }[] = [];
    const sync: { ms: number; sent: number; lost: number }[] = [];
    for (let i = 0; i < runs; i++) {
      const extra = handPeer(extraAddress(peerCount + 1 + i));
      set.push(await duringStream(bed, () => server.addPeer(extra)));
      await server.removePeer(extra.publicKey);
      sync.push(await duringStream(bed, () => server.syncPeers([me, ...extras, extra])));
      await server.syncPeers([me, ...extras]);
    }
    const report = (name: string, xs: typeof set) =>
      console.log(
        `  ${name.padEnd(40)} ${fmt(
          xs.map((x) => x.ms),
        )} ms (min / median / max); datagrams lost ${xs.reduce((n, x) => n + x.lost, 0)} of ${xs.reduce((n, x) => n + x.sent, 0)}`,
      );
    console.log(`direct: one peer added to ${peerCount + 1}, ${runs} runs each, while the phone streams:`);
    report('wg set <if> peer … (one peer)', set);
    report('wg syncconf <if> <whole config>', sync);

    // Throughput: no ruleset (masquerade only) against Gatehouse's ruleset for the same peers, alternating.
    const gatehouse = gatehouseRuleset(bed, me, extras);
    await startTcpSink(bed, 'lan', lan, sinkPort);
    const plain: number[] = [];
    const ruled: number[] = [];
    for (let i = 0; i < runs; i++) {
      await loadRuleset(bed, server, 'none');
      plain.push((await tcpThroughput(bed, 'phone', lan, sinkPort, seconds * 1000)).mbPerS);
      await loadRuleset(bed, server, gatehouse);
      ruled.push((await tcpThroughput(bed, 'phone', lan, sinkPort, seconds * 1000)).mbPerS);
    }
    await loadRuleset(bed, server, 'none');
    console.log(
      `direct: one TCP stream phone → ${lan}:${sinkPort} through wireguard-go, ${runs} × ${seconds} s, alternating:`,
    );
    console.log(`  no ruleset (masquerade only)            ${fmt(plain)} MB/s`);
    console.log(`  Gatehouse's ruleset (${peerCount + 1} peers)       ${fmt(ruled)} MB/s`);
    console.log(
      `  ratio of medians                        ${((median(ruled) / median(plain)) * 100).toFixed(1)} %`,
    );
  } finally {
    await phone?.down();
    await server.down();
  }
}

/** Gatehouse's table (src/exposure/ruleset.ts) for the phone (granted the sink and the echo) and the extra peers (the camera). */
function gatehouseRuleset(bed: Testbed, me: HandPeer, extras: readonly HandPeer[]): string {
  const peer = (id: string, p: HandPeer): PeerSpec => ({
    id,
    name: id,
    groups: [],
    publicKey: p.publicKey,
    keyMode: 'kept',
    ipv4: p.address,
    ipv6: null,
    enabled: true,
    expiresAt: null,
    dns: null,
    persistentKeepalive: null,
    tunnel: 'services',
  });
  const service = (id: string, protocol: 'tcp' | 'udp', port: number) => ({
    id,
    name: id,
    host: lan,
    protocol,
    portFrom: port,
    portTo: port,
    webUrl: null,
  });
  const built = buildRuleset({
    interfaceName: bed.names.wgGw,
    peers: [peer('phone', me), ...extras.map((p, i) => peer(`extra-${i}`, p))],
    services: [
      service('camera', 'tcp', ports.camera),
      service('sink', 'tcp', sinkPort),
      service('echo', 'udp', echoPort),
    ],
    grants: [
      { subject: { kind: 'peer', peerId: 'phone' }, serviceId: 'sink' },
      { subject: { kind: 'peer', peerId: 'phone' }, serviceId: 'echo' },
      ...extras.map((_, i) => ({
        subject: { kind: 'peer' as const, peerId: `extra-${i}` },
        serviceId: 'camera',
      })),
    ],
    lanRanges: [addr.lanPrefix],
    boxAddresses: [addr.gwLan, '10.99.0.1'],
    masquerade: true,
  });
  if (!built.ok) throw new Error(`buildRuleset: ${built.error.message}`);
  return built.value.script;
}

/** gw's firewall for the throughput runs: the hand server's masquerade only ('none'), or Gatehouse's table alone. */
async function loadRuleset(bed: Testbed, server: HandServer, which: 'none' | string): Promise<void> {
  await bed.exec('gw', ['nft', 'delete', 'table', 'inet', 'gatehouse']);
  await bed.exec('gw', ['nft', 'delete', 'table', 'ip', handTable]);
  const r = await bed.exec('gw', ['nft', '-f', '-'], { stdin: which === 'none' ? server.ruleset : which });
  if (r.exitCode !== 0) throw new Error(`nft -f: ${r.stderr}`);
}

async function serverPart(bed: Testbed): Promise<void> {
  console.log('server: not written yet');
  void bed;
  void z;
  void fs;
  void os;
  void path;
  void wireguardKeypair;
  void waitFor;
  void gatehouseReachabilityConfig;
  void createControlClient;
  void controlSocketPath;
  const c: ControlClient | undefined = undefined;
  void c;
}

const bed = await Testbed.up('nat-forward');
try {
  await startUdpEcho(bed, 'lan', lan, echoPort);
  if (part === 'direct' || part === 'all') await direct(bed);
  if (part === 'server' || part === 'all') await serverPart(bed);
} finally {
  await bed.down();
}
