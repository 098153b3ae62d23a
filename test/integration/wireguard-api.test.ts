/**
 * The WireGuard capability through its HTTP API on the real app (harness), with in-memory device, firewall and
 * forwarding (test/fakes/wireguard.ts): peers, services, grants, configs, QR codes, one-time links, the plan and
 * apply, expiry on a controlled clock, and every boundary's refusals. Real packets: test/e2e/wireguard.test.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createEventBus } from '../../src/core/events.js';
import { normaliseRuleset } from '../../src/exposure/ruleset-diff.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import type { Ports } from '../../src/core/ports.js';
import { exposureSettingsSchema, wireguardSettingsSchema } from '../../src/config/schema.js';
import { createWireguard, serverKeyName, type WireguardCapability } from '../../src/wireguard/capability.js';
import { checkKey, publicKeyOf } from '../../src/wireguard/keys.js';
import type { FakeClock } from '../fakes/clock.js';
import type { MemoryLogger } from '../fakes/logger.js';
import { FakeRunner } from '../fakes/runner.js';
import { FakeSecrets } from '../fakes/secrets.js';
import { FakeFirewall, FakeForwarding, FakeWgDevice } from '../fakes/wireguard.js';
import { expectError } from '../support/api-helpers.js';
import { createHarness, type Harness } from '../support/app-harness.js';
import type { Store } from '../../src/store/store.js';

interface Bed {
  h: Harness;
  wg: WireguardCapability;
  device: FakeWgDevice;
  firewall: FakeFirewall;
  forwarding: FakeForwarding;
  secrets: FakeSecrets;
  session: { cookie: string; csrf: string };
  api: (method: string, path: string, body?: unknown) => Promise<Response> | Response;
  json: <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => Promise<T>;
}

const harnesses: Harness[] = [];
const started: WireguardCapability[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop?.();
  for (const h of harnesses.splice(0)) h.cleanup();
});

async function bed(
  options: { wireguard?: Record<string, unknown>; exposure?: Record<string, unknown> } = {},
): Promise<Bed> {
  const device = new FakeWgDevice();
  const firewall = new FakeFirewall();
  const forwarding = new FakeForwarding();
  let secrets!: FakeSecrets;
  let wg!: WireguardCapability;
  const build = (deps: { store: Store; clock: FakeClock; logger: MemoryLogger }) => {
    secrets = new FakeSecrets(deps.clock);
    const ports: Ports = {
      clock: deps.clock,
      logger: deps.logger,
      files: nodePrivateFiles,
      runner: new FakeRunner(),
      fetch: globalThis.fetch,
      bus: createEventBus(deps.logger),
      secrets,
    };
    wg = createWireguard(
      ports,
      {
        wireguard: wireguardSettingsSchema.parse({
          interface: 'wgtest0',
          endpointHost: 'home.example.test',
          pool: { ipv4: '10.99.0.0/24' },
          ...options.wireguard,
        }),
        exposure: exposureSettingsSchema.parse({ lanRanges: ['10.10.0.0/24'], ...options.exposure }),
      },
      {
        store: deps.store,
        alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
        device,
        firewall,
        forwarding,
        interfaces: () => ({
          eth0: [
            {
              address: '10.10.0.2',
              netmask: '255.255.255.0',
              family: 'IPv4',
              internal: false,
              cidr: '10.10.0.2/24',
            },
          ],
        }),
        reachability: { publicRanges: ['198.51.100.0/24', '203.0.113.0/24'] },
      },
    );
    return [wg];
  };
  const h = await createHarness({ replace: build });
  harnesses.push(h);
  const session = await h.setupAdmin();
  const api = (method: string, path: string, body?: unknown) =>
    h.request(method, `/api/v1${path}`, {
      cookie: session.cookie,
      csrf: session.csrf,
      ...(body === undefined ? {} : { body }),
    });
  const json = async <T>(method: string, path: string, body?: unknown) => {
    const res = await api(method, path, body);
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  return { h, wg, device, firewall, forwarding, secrets, session, api, json };
}

interface PeerJson {
  id: string;
  name: string;
  ipv4: string;
  enabled: boolean;
  disabledReason: string | null;
  services: string[];
  configOutdated: boolean;
  outdatedReasons: string[];
  privateKeyAvailable: boolean;
  publicKey: string;
  status: { online: boolean; latestHandshakeAt: string | null; endpoint: string | null } | null;
}

/** Waits for the reconciler's queued runs (a change requests one in the background). */
const settled = (b: Bed) => b.wg.reconciler.request('test');

describe('WireGuard over the API', () => {
  it('adds a service and a peer granted it: the config routes only that service, the firewall opens only that flow', async () => {
    const b = await bed();
    const camera = await b.json<{ id: string }>('POST', '/wireguard/services', {
      name: 'camera',
      host: '10.10.0.20',
      protocol: 'tcp',
      port: 8000,
    });
    await b.json('POST', '/wireguard/services', {
      name: 'nas',
      host: '10.10.0.30',
      protocol: 'tcp',
      port: '445',
    });
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone', services: ['camera'] });
    expect(phone).toMatchObject({ name: 'phone', ipv4: '10.99.0.2', enabled: true, services: [camera.id] });
    expect(checkKey(phone.publicKey)).toBeUndefined();
    await settled(b);
    // The interface came up with the peer, the firewall before it, forwarding on.
    const live = b.device.live.get('wgtest0');
    expect(live?.peers.map((p) => [p.publicKey, p.allowedIps])).toEqual([
      [phone.publicKey, ['10.99.0.2/32']],
    ]);
    const serverKey = await b.secrets.get(serverKeyName);
    const serverPub =
      serverKey.ok && serverKey.value !== undefined ? publicKeyOf(serverKey.value) : undefined;
    expect(live?.publicKey).toBe(serverPub?.ok ? serverPub.value : 'missing');
    expect(live?.listenPort).toBe(51820);
    expect(b.forwarding.ipv4).toBe(true);
    expect(b.firewall.script).toMatch(/10\.99\.0\.2 \. 10\.10\.0\.20 \. tcp \. 8000/);
    expect(b.firewall.script).not.toMatch(/10\.10\.0\.30/);

    const res = await b.api('GET', `/wireguard/peers/${phone.id}/config`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="phone.conf"');
    const text = await res.text();
    expect(text).toMatch(/^\[Interface\]\nPrivateKey = [A-Za-z0-9+/]{43}=\nAddress = 10\.99\.0\.2\/32\n/);
    expect(text).toContain('Endpoint = home.example.test:51820');
    expect(text).toContain('AllowedIPs = 10.10.0.20/32, 10.99.0.1/32');
    expect(text).toContain(`PublicKey = ${serverPub?.ok ? serverPub.value : 'missing'}`);
    expect(text).toMatch(/PresharedKey = [A-Za-z0-9+/]{43}=/);
  });

  it('a new grant makes the fetched config outdated, with the reason; fetching it again makes it current', async () => {
    const b = await bed();
    await b.json('POST', '/wireguard/services', {
      name: 'camera',
      host: '10.10.0.20',
      protocol: 'tcp',
      port: 8000,
    });
    const nas = await b.json<{ id: string }>('POST', '/wireguard/services', {
      name: 'nas',
      host: '10.10.0.30',
      protocol: 'tcp',
      port: 445,
    });
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone', services: ['camera'] });
    expect((await b.json<PeerJson>('GET', `/wireguard/peers/${phone.id}`)).configOutdated).toBe(false);
    await b.api('GET', `/wireguard/peers/${phone.id}/config`);
    const grants = await b.json<{ grants: unknown[] }>('GET', '/wireguard/grants');
    await b.json('PUT', '/wireguard/grants', {
      grants: [...grants.grants, { subject: { kind: 'peer', peerId: phone.id }, serviceId: nas.id }],
    });
    const after = await b.json<PeerJson>('GET', `/wireguard/peers/${phone.id}`);
    expect(after.configOutdated).toBe(true);
    expect(after.outdatedReasons).toEqual([
      'the addresses it routes through the tunnel changed: 10.10.0.20/32, 10.10.0.30/32, 10.99.0.1/32',
    ]);
    await b.api('GET', `/wireguard/peers/${phone.id}/qr.svg`);
    expect((await b.json<PeerJson>('GET', `/wireguard/peers/${phone.id}`)).configOutdated).toBe(false);
  });

  it('serves the QR code as SVG and PNG', async () => {
    const b = await bed();
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone' });
    const svg = await b.api('GET', `/wireguard/peers/${phone.id}/qr.svg`);
    expect(svg.status).toBe(200);
    expect(svg.headers.get('content-type')).toBe('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg /);
    const png = await b.api('GET', `/wireguard/peers/${phone.id}/qr.png`);
    expect(png.headers.get('content-type')).toBe('image/png');
    expect(
      Buffer.from(await png.arrayBuffer())
        .subarray(0, 8)
        .toString('hex'),
    ).toBe('89504e470d0a1a0a');
  });

  it('the fake table lists as nft would: element updates keep it equal to the whole script', async () => {
    const b = await bed();
    await b.json('POST', '/wireguard/services', {
      name: 'camera',
      host: '10.10.0.20',
      protocol: 'tcp',
      port: 8000,
    });
    await b.json('POST', '/wireguard/peers', { name: 'phone', services: ['camera'] });
    await settled(b);
    await b.json('POST', '/wireguard/peers', { name: 'tablet', services: ['camera'] });
    await settled(b);
    // The second peer went in as an element update, not a whole table.
    expect(b.firewall.applied.at(-1)).toMatch(/^add element inet gatehouse forward_v4 \{ 10\.99\.0\.3 \. /);
    const planned = b.wg.reconciler.status.lastReport?.firewall.script ?? '';
    expect(normaliseRuleset(b.firewall.script ?? '')).toEqual(normaliseRuleset(planned));
  });

  it('disabling a peer removes its flows and takes it off the interface; enabling brings it back', async () => {
    const b = await bed();
    await b.json('POST', '/wireguard/services', {
      name: 'camera',
      host: '10.10.0.20',
      protocol: 'tcp',
      port: 8000,
    });
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone', services: ['camera'] });
    const tablet = await b.json<PeerJson>('POST', '/wireguard/peers', {
      name: 'tablet',
      services: ['camera'],
    });
    await settled(b);
    const generationOf = (script: string | null) =>
      /ct mark (0x[0-9a-f]{2})000000\/8 accept/.exec(script ?? '')?.[1];
    const before = generationOf(b.firewall.script);
    expect(before).toMatch(/^0x[0-9a-f]{2}$/);
    await b.json('PATCH', `/wireguard/peers/${phone.id}`, { enabled: false });
    await settled(b);
    // A revocation: the whole table with a new generation, so the phone's open connections are looked up again.
    expect(b.firewall.applied.at(-1)).toMatch(/^table inet gatehouse\ndelete table inet gatehouse\n/);
    expect(generationOf(b.firewall.script)).not.toBe(before);
    expect(b.firewall.script).not.toMatch(/10\.99\.0\.2 \./);
    expect(b.firewall.script).toMatch(/10\.99\.0\.3 \. 10\.10\.0\.20/);
    expect(b.device.live.get('wgtest0')?.peers.map((p) => p.publicKey)).toEqual([tablet.publicKey]);
    // The tablet's session was not re-created: only the phone's removal was applied.
    expect(b.device.applied.at(-1)?.steps).toEqual([{ kind: 'remove-peer', publicKey: phone.publicKey }]);
    await b.json('PATCH', `/wireguard/peers/${phone.id}`, { enabled: true });
    await settled(b);
    expect(
      b.device.live
        .get('wgtest0')
        ?.peers.map((p) => p.publicKey)
        .sort(),
    ).toEqual([phone.publicKey, tablet.publicKey].sort());
  });

  it('removing the last peer takes the interface and the firewall down; the address is released', async () => {
    const b = await bed();
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone' });
    await settled(b);
    expect(b.device.live.has('wgtest0')).toBe(true);
    expect((await b.api('DELETE', `/wireguard/peers/${phone.id}`)).status).toBe(200);
    await settled(b);
    expect(b.device.live.has('wgtest0')).toBe(false);
    expect(b.firewall.script).toBeNull();
    expect((await b.secrets.list()).map((s) => s.name)).toEqual([serverKeyName]);
    const again = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone 2' });
    expect(again.ipv4).toBe('10.99.0.2');
  });

  it('a peer added by hand (wg set) and a changed table are drift: shown, and set back by the next check', async () => {
    const b = await bed();
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone' });
    await settled(b);
    const live = b.device.live.get('wgtest0');
    if (!live) throw new Error('no interface');
    const stranger = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
    b.device.live.set('wgtest0', {
      ...live,
      peers: [
        ...live.peers,
        {
          publicKey: stranger,
          presharedKey: null,
          endpoint: null,
          allowedIps: ['10.10.0.0/24'],
          latestHandshake: null,
          rxBytes: 0,
          txBytes: 0,
          persistentKeepalive: 0,
        },
      ],
    });
    b.firewall.script = 'table inet gatehouse {\n}\n';
    const report = await b.wg.reconciler.request('check');
    expect(report.ok).toBe(true);
    expect(report.message).toMatch(/^changed outside Gatehouse and set back: /);
    expect(report.message).toContain('the firewall table differed');
    expect(b.device.live.get('wgtest0')?.peers.map((p) => p.publicKey)).toEqual([phone.publicKey]);
    expect(b.firewall.script).toContain('chain forward');
    const overview = await b.json<{ interface: { drift: { changes: string[] } | null } }>(
      'GET',
      '/wireguard',
    );
    expect(overview.interface.drift?.changes.length).toBeGreaterThanOrEqual(2);
    // A change made through Gatehouse is not drift.
    await b.json('POST', '/wireguard/peers', { name: 'tablet' });
    const after = await b.wg.reconciler.request('check');
    expect(after.message).not.toMatch(/outside Gatehouse/);
  });

  it('a failed firewall apply keeps the peer off the interface and says why (fail closed)', async () => {
    const b = await bed();
    b.firewall.failApply = { code: 'exposure.nft-failed', message: 'Error: Could not process rule' };
    await b.json('POST', '/wireguard/peers', { name: 'phone' });
    const report = await b.json<{ ok: boolean; message: string }>('POST', '/wireguard/apply');
    expect(report).toMatchObject({
      ok: false,
      message: 'the firewall could not be applied (Error: Could not process rule); nothing else was changed',
    });
    expect(b.device.live.has('wgtest0')).toBe(false);
    const overview = await b.json<{
      interface: { lastApply: { ok: boolean }; running: boolean; reason: string };
    }>('GET', '/wireguard');
    expect(overview.interface.lastApply.ok).toBe(false);
    // Down for the firewall's reason, not for an earlier "no peers yet".
    expect(overview.interface).toMatchObject({ running: false, reason: report.message });
    const audit = b.h.store
      .log('audit')
      .newest(5)
      .find((e) => e.type === 'wireguard.applied');
    expect(audit).toMatchObject({ actor: 'admin', outcome: 'failure' });
  });

  it('says plainly why the interface is not running, and peers, configs and QR codes still work', async () => {
    const b = await bed();
    b.device.refuse = {
      code: 'wireguard.not-permitted',
      message: 'creating the interface needs CAP_NET_ADMIN (the systemd unit grants it)',
    };
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone' });
    await settled(b);
    const overview = await b.json<{ interface: { running: boolean; reason: string } }>('GET', '/wireguard');
    expect(overview.interface).toMatchObject({
      running: false,
      reason: 'creating the interface needs CAP_NET_ADMIN (the systemd unit grants it)',
      addresses: ['10.99.0.1/24'],
      listenPort: 51820,
      endpoint: { host: 'home.example.test', port: 51820 },
    });
    expect((await b.api('GET', `/wireguard/peers/${phone.id}/config`)).status).toBe(200);
    const card = (
      await b.json<{ cards: { id: string; state: string; summary: string }[] }>('GET', '/status')
    ).cards.find((c) => c.id === 'wireguard');
    expect(card).toMatchObject({ state: 'error' });
    expect(card?.summary).toContain('CAP_NET_ADMIN');
  });

  it.each([
    [
      '10.10.0.0/25',
      'wireguard.pool: the tunnel pool 10.10.0.0/25 overlaps the LAN range 10.10.0.0/24: choose a pool outside the LAN',
    ],
    [
      '203.0.113.0/24',
      'wireguard.pool: the IPv4 pool must be private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16) or 100.64.0.0/10, not 203.0.113.0/24',
    ],
  ])('a pool %s is not applied: the interface stays down and says why', async (pool, reason) => {
    const b = await bed({ wireguard: { pool: { ipv4: pool } } });
    await b.api('POST', '/wireguard/peers', { name: 'phone' });
    await settled(b);
    const overview = await b.json<{ interface: { running: boolean; reason: string } }>('GET', '/wireguard');
    expect(overview.interface).toMatchObject({ running: false, reason });
    expect(b.device.live.size).toBe(0);
    expect(b.firewall.script).toBeNull();
  });

  it('the plan shows the firewall diff and the device changes without applying them', async () => {
    const b = await bed();
    await b.json('POST', '/wireguard/services', {
      name: 'camera',
      host: '10.10.0.20',
      protocol: 'tcp',
      port: 8000,
    });
    b.firewall.failApply = { code: 'exposure.nft-failed', message: 'no' };
    await b.json('POST', '/wireguard/peers', { name: 'phone', services: ['camera'] });
    await settled(b);
    b.firewall.failApply = undefined;
    const plan = await b.json<{
      device: { changes: string[] };
      firewall: { added: string[]; script: string };
    }>('GET', '/wireguard/plan');
    expect(plan.device.changes.length).toBeGreaterThan(0);
    expect(plan.firewall.script).toContain('table inet gatehouse');
    expect(plan.firewall.added).toContain('set forward_v4: element 10.99.0.2 . 10.10.0.20 . tcp . 8000');
    expect(b.device.live.has('wgtest0')).toBe(false);
    expect(b.firewall.script).toBeNull();
  });

  it('a peer with its own public key: the box never holds its private key; the config has a blank for it', async () => {
    const b = await bed();
    const own = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
    const peer = await b.json<PeerJson>('POST', '/wireguard/peers', {
      name: 'laptop',
      keyMode: 'own',
      publicKey: own,
    });
    expect(peer).toMatchObject({ publicKey: own, privateKeyAvailable: false });
    const text = await (await b.api('GET', `/wireguard/peers/${peer.id}/config`)).text();
    expect(text).not.toMatch(/PrivateKey = [A-Za-z0-9+/]{43}=/);
    expect((await b.secrets.list()).map((s) => s.name)).toEqual([
      `wireguard/peer-${peer.id}-psk`,
      serverKeyName,
    ]);
  });

  it('forget-after-download: the key is removed once the grace after the first fetch has passed', async () => {
    const b = await bed();
    const peer = await b.json<PeerJson>('POST', '/wireguard/peers', {
      name: 'phone',
      keyMode: 'forget-after-download',
    });
    expect((await b.api('GET', `/wireguard/peers/${peer.id}/config`)).status).toBe(200);
    b.h.clock.advance(9 * 60_000);
    await b.wg.admin.forgetDueKeys();
    expect((await b.api('GET', `/wireguard/peers/${peer.id}/qr.svg`)).status).toBe(200);
    b.h.clock.advance(2 * 60_000);
    await b.wg.admin.forgetDueKeys();
    await expectError(
      await b.api('GET', `/wireguard/peers/${peer.id}/config`),
      410,
      'wireguard.key-forgotten',
    );
    expect((await b.json<PeerJson>('GET', `/wireguard/peers/${peer.id}`)).privateKeyAvailable).toBe(false);
  });

  it('expiry disables the peer at its minute under the controlled clock, and takes it off the interface', async () => {
    const b = await bed({ wireguard: { checkSeconds: 3600 } });
    const at = new Date(b.h.clock.now().getTime() + 90 * 60_000).toISOString();
    const peer = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'guest', expiresAt: at });
    await b.wg.start?.();
    started.push(b.wg);
    await settled(b);
    expect(b.device.live.get('wgtest0')?.peers).toHaveLength(1);
    // In steps, each with a request, as a browser tab would keep the session alive.
    for (let i = 0; i < 89; i += 30) {
      b.h.clock.advance(Math.min(30, 89 - i) * 60_000);
      await b.json('GET', '/wireguard/peers');
    }
    await settled(b);
    expect((await b.json<PeerJson>('GET', `/wireguard/peers/${peer.id}`)).enabled).toBe(true);
    // The loop sleeps until the expiry (not the hour of checkSeconds): one minute more disables the guest.
    b.h.clock.advance(60_000);
    await vi.waitFor(async () => {
      const p = await b.json<PeerJson>('GET', `/wireguard/peers/${peer.id}`);
      expect(p).toMatchObject({ enabled: false, disabledReason: 'expired' });
    });
    await vi.waitFor(() => expect(b.device.live.get('wgtest0')?.peers).toHaveLength(0));
    await expectError(
      await b.api('PATCH', `/wireguard/peers/${peer.id}`, { enabled: true }),
      400,
      'wireguard.invalid',
    );
  });

  it('a one-time link: the page asks first, shows the config once, then is dead', async () => {
    const b = await bed();
    const peer = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'Ann’s <phone>' });
    const link = await b.json<{ url: string; expiresAt: string }>(
      'POST',
      `/wireguard/peers/${peer.id}/link`,
      {
        minutes: 30,
      },
    );
    const path = new URL(link.url).pathname;
    expect(path).toMatch(/^\/onboard\/[A-Za-z0-9_-]{43}$/);
    const ask = await b.h.request('GET', path);
    expect(ask.status).toBe(200);
    const askText = await ask.text();
    expect(askText).toContain('Ann&#8217;s &#60;phone&#62;'.replace('&#8217;', '’'));
    expect(askText).not.toContain('<phone>');
    const show = await b.h.request('POST', path);
    expect(show.status).toBe(200);
    const page = await show.text();
    expect(page).toContain('<svg');
    expect(page).toMatch(/href="data:text\/plain;base64,[A-Za-z0-9+/=]+" download="/);
    b.h.clock.advance(11_000);
    expect((await b.h.request('POST', path)).status).toBe(410);
    expect((await b.h.request('GET', path)).status).toBe(410);
    expect((await b.h.request('GET', '/onboard/nope')).status).toBe(404);
  });

  it('a link that expired is refused', async () => {
    const b = await bed();
    const peer = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone' });
    const link = await b.json<{ url: string }>('POST', `/wireguard/peers/${peer.id}/link`, {});
    b.h.clock.advance(61 * 60_000);
    const res = await b.h.request('POST', new URL(link.url).pathname);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('this link expired');
  });

  it('a handshake from a public address is the proof: shown with the peer and since when', async () => {
    const b = await bed();
    const phone = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone' });
    await settled(b);
    const seen: unknown[] = [];
    const at = Math.floor(b.h.clock.now().getTime() / 1000) - 20;
    b.device.handshake('wgtest0', phone.publicKey, at, '198.51.100.10:51000');
    await b.wg.start?.();
    started.push(b.wg);
    await vi.waitFor(async () => {
      const o = await b.json<{ proof: { lastPublicHandshake: unknown } }>('GET', '/wireguard');
      expect(o.proof.lastPublicHandshake).toEqual({
        at: new Date(at * 1000).toISOString(),
        peerId: phone.id,
        peerName: 'phone',
        endpoint: '198.51.100.10:51000',
      });
    });
    const peers = await b.json<{ peers: PeerJson[] }>('GET', '/wireguard/peers');
    expect(peers.peers[0]?.status).toMatchObject({ online: true, endpoint: '198.51.100.10:51000' });
    expect(seen).toEqual([]);
  });
});

describe('WireGuard input at the boundary', () => {
  it.each([
    [{ name: 'phone\n[Peer]' }, 'name: a peer name cannot hold line breaks or control characters'],
    [{ name: 'a\u2028b' }, 'name: a peer name cannot hold line breaks or control characters'],
    [{ name: '' }, 'name: a peer needs a name'],
    [{ name: 'x', groups: ['Family Room'] }, 'groups.0: a group name is lowercase letters'],
    [{ name: 'x', dns: ['1.1.1.1\nPostUp = rm -rf /'] }, 'dns.0: expected an IP address'],
    [{ name: 'x', keyMode: 'own', publicKey: 'abc=' }, 'publicKey: '],
    [{ name: 'x', keyMode: 'own' }, 'a peer that brings its own key needs its public key'],
    [
      { name: 'x', publicKey: 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=' },
      'a public key is given only with keyMode "own"',
    ],
    [{ name: 'x', expiresAt: '2020-01-01T00:00:00Z' }, 'the expiry is in the past'],
    [{ name: 'x', persistentKeepalive: 70000 }, 'persistentKeepalive'],
    [{ name: 'x', extra: 1 }, 'Unrecognized key'],
  ])('refuses peer %j with 400', async (body, message) => {
    const b = await bed();
    const err = await expectError(await b.api('POST', '/wireguard/peers', body), 400, 'wireguard.invalid');
    expect(err.error.message).toContain(message);
    expect(b.h.store.read().wireguard.peers).toEqual([]);
  });

  it('names with [, =, # and quotes are kept as names and never enter the config or the ruleset', async () => {
    const b = await bed();
    await b.json('POST', '/wireguard/services', {
      name: 'camera',
      host: '10.10.0.20',
      protocol: 'tcp',
      port: 8000,
    });
    const peer = await b.json<PeerJson>('POST', '/wireguard/peers', {
      name: '[Peer] = # "x" ; drop',
      services: ['camera'],
    });
    await settled(b);
    const text = await (await b.api('GET', `/wireguard/peers/${peer.id}/config`)).text();
    expect(text).not.toContain('drop');
    expect(text.match(/^\[Peer\]$/gm)).toHaveLength(1);
    expect(b.firewall.script).not.toContain('drop";');
    expect(b.firewall.script).not.toContain('[Peer]');
  });

  it('duplicate names, unknown services and a full pool are clear 4xx errors', async () => {
    const b = await bed({ wireguard: { pool: { ipv4: '10.99.0.0/30' } } });
    await b.json('POST', '/wireguard/peers', { name: 'Phone' });
    await expectError(await b.api('POST', '/wireguard/peers', { name: 'phone' }), 409, 'wireguard.duplicate');
    await expectError(
      await b.api('POST', '/wireguard/peers', { name: 'tablet', services: ['nope'] }),
      404,
      'wireguard.service-not-found',
    );
    const full = await expectError(
      await b.api('POST', '/wireguard/peers', { name: 'tablet' }),
      409,
      'wireguard.pool-full',
    );
    expect(full.error.message).toContain('10.99.0.0/30');
  });

  it.each([
    [{ name: 'web', host: '8.8.8.8', protocol: 'tcp', port: 80 }, 'outside the LAN ranges'],
    [{ name: 'web', host: 'nas.local', protocol: 'tcp', port: 80 }, 'host: expected an IP address'],
    [{ name: 'web', host: '10.10.0.20', protocol: 'icmp', port: 80 }, 'protocol'],
    [{ name: 'web', host: '10.10.0.20', protocol: 'tcp', port: '90-80' }, 'ends before it begins'],
    [{ name: 'web', host: '10.10.0.20', protocol: 'tcp', port: 0 }, 'port'],
    [{ name: 'Web Cam', host: '10.10.0.20', protocol: 'tcp', port: 80 }, 'name: a service name is lowercase'],
    [{ name: 'web', host: '10.10.0.20', protocol: 'tcp', port: 80, webUrl: 'javascript:alert(1)' }, 'webUrl'],
  ])('refuses service %j with 400', async (body, message) => {
    const b = await bed();
    const err = await expectError(await b.api('POST', '/wireguard/services', body), 400, 'wireguard.invalid');
    expect(err.error.message).toContain(message);
  });

  it('the box itself is a service host (its admin UI through the tunnel, only when granted)', async () => {
    const b = await bed();
    const ui = await b.json<{ id: string }>('POST', '/wireguard/services', {
      name: 'gatehouse',
      host: '10.10.0.2',
      protocol: 'tcp',
      port: 8443,
    });
    expect(ui.id).toBeTruthy();
  });

  it('configs, QR codes and links need an interactive login; a token may list peers', async () => {
    const b = await bed();
    const peer = await b.json<PeerJson>('POST', '/wireguard/peers', { name: 'phone' });
    const tokenRes = await b.api('POST', '/tokens', { name: 'script', scope: 'write' });
    const { token } = (await tokenRes.json()) as { token: string };
    const asToken = (method: string, path: string) =>
      b.h.request(method, `/api/v1${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect((await asToken('GET', '/wireguard/peers')).status).toBe(200);
    await expectError(
      await asToken('GET', `/wireguard/peers/${peer.id}/config`),
      403,
      'auth.session-required',
    );
    await expectError(
      await asToken('GET', `/wireguard/peers/${peer.id}/qr.svg`),
      403,
      'auth.session-required',
    );
  });
});
