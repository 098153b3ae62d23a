// Smoke tests that prove the network test bed: real coturn, BIND9, pebble, miniupnpd, wireguard-go and nftables
// in network namespaces joined only by veth pairs.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Testbed, waitFor } from '../testbed/testbed.js';
import { addr, ports } from '../testbed/plan.js';
import { e2eSkipReason } from './support.js';

const skip = e2eSkipReason('testbed smoke');
const stunServers = [`${addr.stunPrimary}:${ports.stun}`, `${addr.stunAlternate}:${ports.stun}`];

describe.skipIf(skip !== undefined)('test bed smoke', () => {
  // Unset when `up` failed: afterAll must not hide that error behind a TypeError.
  let bed = undefined as unknown as Testbed;

  beforeAll(async () => {
    bed = await Testbed.up('nat');
  }, 30_000);
  afterAll(async () => {
    await (bed as Testbed | undefined)?.down();
  });

  it('nat: STUN from gw reports the router public address, the same mapping for both servers', async () => {
    await bed.setScenario('nat');
    const probe = await bed.stunProbe('gw', stunServers);
    const [a, b] = probe.results;
    expect(a?.mapped?.address).toBe(addr.routerWan);
    expect(b?.mapped?.address).toBe(addr.routerWan);
    expect(a?.mapped?.port).toBe(b?.mapped?.port);
  });

  it('coturn speaks RFC 5780: OTHER-ADDRESS, and CHANGE-REQUEST answered from the other address and port', async () => {
    await bed.setScenario('nat');
    const plain = await bed.stunProbe('phone', [`${addr.stunPrimary}:${ports.stun}`]);
    expect(plain.results[0]).toMatchObject({
      mapped: { address: addr.phone },
      otherAddress: { address: addr.stunAlternate, port: ports.stunAlt },
      from: `${addr.stunPrimary}:${ports.stun}`,
    });
    const changed = await bed.stunProbe('phone', [`${addr.stunPrimary}:${ports.stun}`], 0, {
      changeRequest: true,
    });
    expect(changed.results[0]).toMatchObject({
      mapped: { address: addr.phone },
      from: `${addr.stunAlternate}:${ports.stunAlt}`,
    });
    // Behind the router (address-and-port-dependent filtering) that answer from elsewhere is filtered out.
    const filtered = await bed.stunProbe('gw', [`${addr.stunPrimary}:${ports.stun}`], 0, {
      changeRequest: true,
    });
    expect(filtered.results[0]).toMatchObject({ mapped: null, error: 'timeout' });
  });

  it('the LAN host serves a camera, a NAS and one more TCP port', async () => {
    const camera = await bed.exec('gw', ['curl', '-s', '-m', '5', `http://${addr.lanHost}:${ports.camera}/`]);
    expect(camera.stdout).toMatch(/^camera ok GET \/ from 10\.10\.0\.2/);
    const nas = await bed.exec('gw', ['curl', '-s', '-m', '5', `http://${addr.lanHost}:${ports.nas}/share`]);
    expect(nas.stdout).toMatch(/^nas ok \/share/);
    const echo = await bed.exec('gw', ['socat', '-t', '1', 'STDIO', `TCP:${addr.lanHost}:${ports.nasTcp}`], {
      stdin: 'ping\n',
    });
    expect(echo.stdout).toBe('ping\n');
  });

  it('cgnat: STUN reports the isp pool address while the router WAN holds 100.64.0.2', async () => {
    await bed.setScenario('cgnat');
    const probe = await bed.stunProbe('gw', stunServers);
    expect(probe.results.map((r) => r.mapped?.address)).toEqual([addr.ispPublic, addr.ispPublic]);
    const wan = await bed.exec('router', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'wan-cgn']);
    expect(wan.stdout).toContain(`${addr.routerCgn}/24`);
    // No inbound path: the phone cannot reach anything behind the CGNAT.
    const inbound = await bed.exec('phone', [
      'curl',
      '-s',
      '-m',
      '2',
      `http://${addr.ispPublic}:${ports.forwardTcp}/`,
    ]);
    expect(inbound.exitCode).not.toBe(0);
  });

  it('double-nat: the router WAN is private (10.20.0.2) behind an upstream NAT', async () => {
    await bed.setScenario('double-nat');
    const probe = await bed.stunProbe('gw', stunServers.slice(0, 1));
    expect(probe.results[0]?.mapped?.address).toBe(addr.ispPublic);
    const wan = await bed.exec('router', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'wan-cgn']);
    expect(wan.stdout).toContain(`${addr.routerDoubleNat}/24`);
  });

  it('symmetric: the router maps one socket to different ports per STUN server', async () => {
    await bed.setScenario('symmetric');
    const probe = await bed.stunProbe('gw', stunServers);
    const [a, b] = probe.results;
    expect(a?.mapped?.address).toBe(addr.routerWan);
    expect(b?.mapped?.address).toBe(addr.routerWan);
    expect(a?.mapped?.port).not.toBe(b?.mapped?.port);
  });

  it('public: gw holds the public address itself; STUN sees it unchanged', async () => {
    await bed.setScenario('public');
    const probe = await bed.stunProbe('gw', stunServers.slice(0, 1), 40000);
    expect(probe.results[0]?.mapped).toMatchObject({ address: addr.gwPublic, port: 40000 });
    const own = await bed.exec('gw', ['ip', '-4', '-o', 'addr', 'show', 'dev', 'wan0']);
    expect(own.stdout).toContain(`${addr.gwPublic}/28`);
  });

  it('a WAN address change at the router is what the internet then sees', async () => {
    await bed.setScenario('nat');
    await bed.setPublicAddress('203.0.113.3');
    const probe = await bed.stunProbe('gw', stunServers.slice(0, 1));
    expect(probe.results[0]?.mapped?.address).toBe('203.0.113.3');
    await bed.setPublicAddress(addr.routerWan);
    const back = await bed.stunProbe('gw', stunServers.slice(0, 1));
    expect(back.results[0]?.mapped?.address).toBe(addr.routerWan);
  });

  it('nat-forward: a phone request reaches a LAN service through the manual forward', async () => {
    await bed.setScenario('nat-forward');
    const r = await bed.exec('phone', [
      'curl',
      '-s',
      '-m',
      '5',
      `http://${addr.routerWan}:${ports.forwardTcp}/`,
    ]);
    expect(r.stdout).toMatch(/^camera ok GET \/ from 198\.51\.100\.10/);
    // Without the forward the same request fails.
    await bed.setScenario('nat');
    const closed = await bed.exec('phone', [
      'curl',
      '-s',
      '-m',
      '2',
      `http://${addr.routerWan}:${ports.forwardTcp}/`,
    ]);
    expect(closed.exitCode).not.toBe(0);
  });

  it('nat-forward: a wireguard-go tunnel between gw and the phone passes traffic', async () => {
    await bed.setScenario('nat-forward');
    const wg = await bed.startWireguardPair();
    const ping = await bed.exec('phone', ['ping', '-c', '3', '-i', '0.2', '-W', '2', wg.gwTunnelAddress]);
    expect(ping.stdout).toMatch(/3 received/);
    const dump = await bed.exec('gw', ['wg', 'show', wg.gwInterface, 'dump']);
    const peer = dump.stdout.trim().split('\n')[1]?.split('\t') ?? [];
    // endpoint seen by gw: the phone's address; latest handshake set; bytes received.
    expect(peer[2]).toMatch(/^198\.51\.100\.10:\d+$/);
    expect(Number(peer[4])).toBeGreaterThan(0);
    expect(Number(peer[5])).toBeGreaterThan(0);
  });

  it('nat-upnp: from gw NAT-PMP reads the external address and UPnP adds a mapping that carries packets', async () => {
    await bed.setScenario('nat-upnp');
    const pmp = await bed.exec('gw', ['timeout', '10', 'natpmpc', '-g', addr.routerLan]);
    expect(pmp.stdout).toContain(`Public IP address : ${addr.routerWan}`);
    const igd = `http://${addr.routerLan}:${ports.upnpHttp}/rootDesc.xml`;
    const add = await bed.exec('gw', [
      'timeout',
      '10',
      'upnpc',
      '-u',
      igd,
      '-e',
      'gatehouse e2e',
      '-a',
      addr.gwLan,
      '51821',
      '51821',
      'UDP',
      '600',
    ]);
    expect(add.stdout).toMatch(
      /external 203\.0\.113\.2:51821 UDP is redirected to internal 10\.10\.0\.2:51821/,
    );
    const rules = await bed.routerMappings();
    expect(rules).toMatch(/dport 51821 dnat ip to 10\.10\.0\.2:51821/);
    // A datagram from the internet arrives at gw through the mapping.
    const receiving = bed.node('gw', 'test/testbed/udp-once.ts', ['51821']);
    await waitFor('receiver on gw', async () => {
      const r = await bed.exec('gw', ['ss', '-Hlnu', 'sport', '=', ':51821']);
      return r.stdout.trim() !== '' ? true : undefined;
    });
    await bed.exec('phone', ['socat', '-u', 'STDIN', `UDP-SENDTO:${addr.routerWan}:51821`], {
      stdin: 'through the mapping\n',
    });
    expect((await receiving).stdout).toBe('through the mapping\n');
  });

  it('an RFC 2136 update signed with the TSIG key changes a record that DNS then serves; a wrong key is refused', async () => {
    const update = await bed.nsupdate('gw', [
      'update delete home.example.test. A',
      'update add home.example.test. 60 A 203.0.113.2',
    ]);
    expect(update.exitCode).toBe(0);
    const answer = await bed.exec('phone', ['dig', '+short', `@${addr.dns}`, 'home.example.test', 'A']);
    expect(answer.stdout.trim()).toBe('203.0.113.2');
    expect(await bed.zoneRecords()).toContainEqual({
      name: 'home.example.test.',
      type: 'A',
      value: '203.0.113.2',
    });

    const forged = await bed.nsupdate(
      'gw',
      ['update delete home.example.test. A', 'update add home.example.test. 60 A 203.0.113.99'],
      Buffer.alloc(32, 7).toString('base64'),
    );
    expect(forged.exitCode).not.toBe(0);
    expect(forged.stderr + forged.stdout).toMatch(/BADSIG|tsig/i);
    const still = await bed.exec('phone', ['dig', '+short', `@${addr.dns}`, 'home.example.test', 'A']);
    expect(still.stdout.trim()).toBe('203.0.113.2');
  });

  it("pebble's ACME directory answers over TLS trusted through its CA, and only through it", async () => {
    const dir = await bed.exec('gw', [
      'curl',
      '-s',
      '-m',
      '5',
      '--cacert',
      bed.pebbleListenerCaFile,
      bed.acmeDirectoryUrl,
    ]);
    expect(dir.exitCode).toBe(0);
    expect(JSON.parse(dir.stdout)).toMatchObject({
      newOrder: expect.stringContaining('https://acme.example.test:14000/'),
    });
    const untrusted = await bed.exec('gw', ['curl', '-s', '-m', '5', bed.acmeDirectoryUrl]);
    expect(untrusted.exitCode).toBe(60); // curl: peer certificate cannot be authenticated
  });

  it('pebble validates through the bed: it resolves the name via BIND and fetches the HTTP-01 answer from gw', async () => {
    await bed.setScenario('public');
    // The name exists only in the bed's BIND zone.
    const name = 'acme-probe.example.test';
    const added = await bed.nsupdate('gw', [`update add ${name}. 60 A ${addr.gwPublic}`]);
    expect(added.exitCode).toBe(0);
    const r = await bed.exec(
      'gw',
      [
        'env',
        `NODE_EXTRA_CA_CERTS=${bed.pebbleListenerCaFile}`,
        process.execPath,
        '--import',
        'tsx',
        path.resolve(import.meta.dirname, '../testbed/acme-probe.ts'),
        bed.acmeDirectoryUrl,
        name,
      ],
      { timeoutMs: 30_000 },
    );
    expect(r.stderr).toBe('');
    const issued = JSON.parse(r.stdout) as { issuer: { commonName: string }; altNames: string[] };
    expect(issued.altNames).toEqual([name]);
    expect(issued.issuer.commonName).toMatch(/^Pebble Intermediate CA/);
    expect(bed.log('pebble')).toContain(name);
  });

  it('udp-blocked: UDP really is blocked while TCP still works', async () => {
    await bed.setScenario('udp-blocked');
    const probe = await bed.stunProbe('gw', stunServers.slice(0, 1));
    expect(probe.results[0]).toMatchObject({ mapped: null, error: 'timeout' });
    const drops = (await bed.counters('router')).filter(
      (c) => c.rule.includes('udp') && c.rule.includes('drop'),
    );
    expect(drops.reduce((n, c) => n + c.packets, 0)).toBeGreaterThan(0);
    const tcp = await bed.exec('gw', ['dig', '+tcp', '+short', `@${addr.dns}`, 'acme.example.test', 'A']);
    expect(tcp.stdout.trim()).toBe(addr.acme);
  });

  it('cgnat-v6: no inbound IPv4, but a global IPv6 address routed end to end', async () => {
    await bed.setScenario('cgnat-v6');
    const probe = await bed.stunProbe('gw', [`[${addr.inet6Server}]:${ports.stun}`]);
    expect(probe.results[0]?.mapped?.address).toBe(addr.gwLan6);
    const ping = await bed.exec('phone', ['ping', '-6', '-c', '2', '-i', '0.2', '-W', '2', addr.gwLan6]);
    expect(ping.stdout).toMatch(/2 received/);
    const v4 = await bed.stunProbe('gw', stunServers.slice(0, 1));
    expect(v4.results[0]?.mapped?.address).toBe(addr.ispPublic);
  });
});
