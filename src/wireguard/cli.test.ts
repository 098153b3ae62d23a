import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { coreAuditTypes } from '../audit/core-types.js';
import { exposureSettingsSchema, wireguardSettingsSchema } from '../config/schema.js';
import { createControlApi } from '../control/api.js';
import { createEventBus } from '../core/events.js';
import { nodePrivateFiles } from '../core/node-fs.js';
import { fail, ok, type Outcome } from '../core/outcome.js';
import type { Ports } from '../core/ports.js';
import type { CommandRunner, RunOptions } from '../core/runner.js';
import type { State } from '../store/schema.js';
import { FakeClock } from '../../test/fakes/clock.js';
import { MemoryLogger } from '../../test/fakes/logger.js';
import { FakeRunner } from '../../test/fakes/runner.js';
import { FakeSecrets } from '../../test/fakes/secrets.js';
import { MemoryStore } from '../../test/fakes/store.js';
import { FakeFirewall, FakeForwarding, FakeWgDevice } from '../../test/fakes/wireguard.js';
import { wireguardAuditTypes } from './admin.js';
import { createWireguard } from './capability.js';
import {
  addWireguardCommands,
  ago,
  answerOf,
  findPeer,
  findService,
  offlineRefusal,
  parseList,
  parseWhen,
  peerInput,
  peerOnline,
  peerPatchInput,
  linkUrl,
  reachableUrl,
  parseMinutes,
  peerState,
  readAnswer,
  readOnlyRunner,
  refusingLauncher,
  renderPeerAdded,
  renderPeers,
  renderReport,
  renderServices,
  renderTable,
  serviceInput,
  servicePatchInput,
  serviceRowSchema,
  shellQuote,
  type Method,
  type PeerRow,
  type ServiceRow,
  type WireguardAccess,
} from './cli.js';
import { liveStatus } from './control-routes.js';

const now = new Date('2026-03-01T12:00:00.000Z');

describe('parseWhen', () => {
  it.each([
    ['30m', '2026-03-01T12:30:00.000Z'],
    ['12h', '2026-03-02T00:00:00.000Z'],
    ['7d', '2026-03-08T12:00:00.000Z'],
    ['2w', '2026-03-15T12:00:00.000Z'],
    [' 1d ', '2026-03-02T12:00:00.000Z'],
    ['2026-12-24', '2026-12-25T00:00:00.000Z'],
    ['2026-03-01', '2026-03-02T00:00:00.000Z'],
    ['2028-02-29', '2028-03-01T00:00:00.000Z'],
    ['2026-12-24T18:00Z', '2026-12-24T18:00:00.000Z'],
    ['2026-12-24t18:00:30z', '2026-12-24T18:00:30.000Z'],
    ['2026-12-24T18:00:00.250Z', '2026-12-24T18:00:00.250Z'],
    ['2026-12-24T18:00:00+01:00', '2026-12-24T17:00:00.000Z'],
    ['2026-12-24T18:00-05:30', '2026-12-24T23:30:00.000Z'],
    ['2026-03-01T12:00:01Z', '2026-03-01T12:00:01.000Z'],
  ])('%j → %s', (text, iso) => {
    expect(parseWhen(text, now)).toEqual(ok(iso));
  });

  it.each([
    ['0d', '--expires 0d: that is not in the future'],
    ['2026-02-28', '--expires 2026-02-28: that is not in the future'],
    ['2026-03-01T12:00:00Z', '--expires 2026-03-01T12:00:00Z: that is not in the future'],
    ['2026-03-01T11:00Z', '--expires 2026-03-01T11:00Z: that is not in the future'],
    ['2027-02-29', '--expires 2027-02-29: no such date'],
    ['2026-13-01', '--expires 2026-13-01: no such date'],
    ['2026-04-31', '--expires 2026-04-31: no such date'],
    ['2026-02-30T10:00Z', '--expires 2026-02-30T10:00Z: no such date'],
    [
      '2026-12-24T25:00Z',
      '--expires 2026-12-24T25:00Z: not a time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      '2026-12-24T18:00',
      '--expires 2026-12-24T18:00: give the time zone, e.g. 2026-12-24T18:00Z (UTC) or 2026-12-24T18:00+01:00',
    ],
    [
      '2026-12-24T18:00:00.5',
      '--expires 2026-12-24T18:00:00.5: give the time zone, e.g. 2026-12-24T18:00:00.5Z (UTC) or 2026-12-24T18:00:00.5+01:00',
    ],
    [
      '7',
      '--expires 7: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      '7y',
      '--expires 7y: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      '-1d',
      '--expires -1d: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      '1234567d',
      '--expires 1234567d: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      'next week',
      '--expires next week: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      '',
      '--expires : expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      '2026-12-24T18:00Zjunk',
      '--expires 2026-12-24T18:00Zjunk: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
  ])('%j is refused: %s', (text, message) => {
    expect(parseWhen(text, now)).toEqual(fail({ code: 'usage', message }));
  });
});

describe('parseList', () => {
  it.each([
    ['nas', ['nas']],
    ['nas,plex', ['nas', 'plex']],
    [' nas , ,plex,', ['nas', 'plex']],
    ['', []],
  ])('%j → %j', (text, want) => {
    expect(parseList(text)).toEqual(want);
  });
});

describe('peerInput', () => {
  it('a bare name: the box keeps the key; nothing else is sent (the server has the defaults)', () => {
    expect(peerInput('phone', {}, now)).toEqual(ok({ name: 'phone', keyMode: 'kept' }));
    expect(peerInput('phone', { group: [] }, now)).toEqual(ok({ name: 'phone', keyMode: 'kept' }));
  });
  it('every flag into its field', () => {
    expect(
      peerInput(
        'Anna\'s "phone"\n[Peer]',
        {
          group: ['family', 'kids'],
          services: 'nas, plex',
          expires: '7d',
          tunnel: 'lan',
          dns: '10.10.0.1,1.1.1.1',
          keepalive: '25',
          forgetKey: true,
        },
        now,
      ),
    ).toEqual(
      ok({
        name: 'Anna\'s "phone"\n[Peer]',
        keyMode: 'forget-after-download',
        groups: ['family', 'kids'],
        services: ['nas', 'plex'],
        expiresAt: '2026-03-08T12:00:00.000Z',
        tunnel: 'lan',
        dns: ['10.10.0.1', '1.1.1.1'],
        persistentKeepalive: 25,
      }),
    );
  });
  it('--public-key: keyMode own', () => {
    expect(peerInput('laptop', { publicKey: 'KEY=' }, now)).toEqual(
      ok({ name: 'laptop', keyMode: 'own', publicKey: 'KEY=' }),
    );
  });
  it.each([
    ['0', 0],
    ['65535', 65535],
  ])('--keepalive %s', (keepalive, n) => {
    expect(peerInput('p', { keepalive }, now)).toEqual(
      ok({ name: 'p', keyMode: 'kept', persistentKeepalive: n }),
    );
  });
  it.each([
    [{ keepalive: '65536' }, '--keepalive must be a number of seconds (0–65535; 25 keeps a NAT open)'],
    [{ keepalive: '-1' }, '--keepalive must be a number of seconds (0–65535; 25 keeps a NAT open)'],
    [{ keepalive: '2.5' }, '--keepalive must be a number of seconds (0–65535; 25 keeps a NAT open)'],
    [{ keepalive: '123456' }, '--keepalive must be a number of seconds (0–65535; 25 keeps a NAT open)'],
    [{ keepalive: '' }, '--keepalive must be a number of seconds (0–65535; 25 keeps a NAT open)'],
    [
      { expires: 'yesterday' },
      '--expires yesterday: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
    [
      { publicKey: 'K', forgetKey: true },
      '--public-key and --forget-key exclude each other (with its own key the box never holds one)',
    ],
  ])('%j is refused', (flags, message) => {
    expect(peerInput('p', flags, now)).toEqual(fail({ code: 'usage', message }));
  });
});

describe('peerPatchInput', () => {
  it.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{ name: 'new name' }, { name: 'new name' }],
    [{ group: ['a', 'b'] }, { groups: ['a', 'b'] }],
    [{ noGroups: true }, { groups: [] }],
    [{ noGroups: false, tunnel: 'full' }, { tunnel: 'full' }],
    [{ dns: '10.10.0.1, 1.1.1.1' }, { dns: ['10.10.0.1', '1.1.1.1'] }],
    [{ dns: ' Default ' }, { dns: null }],
    [{ keepalive: '25' }, { persistentKeepalive: 25 }],
    [{ keepalive: '0' }, { persistentKeepalive: 0 }],
    [{ keepalive: '65535' }, { persistentKeepalive: 65535 }],
    [{ keepalive: 'DEFAULT' }, { persistentKeepalive: null }],
    [{ expires: 'never' }, { expiresAt: null }],
    [{ expires: ' Never ' }, { expiresAt: null }],
    [{ expires: '1d' }, { expiresAt: '2026-03-02T12:00:00.000Z' }],
  ])('%j → %j', (flags, want) => {
    expect(peerPatchInput(flags, now)).toEqual(ok(want));
  });
  it.each<[Record<string, unknown>, string]>([
    [{}, 'nothing to change: give --name, --group, --no-groups, --tunnel, --dns, --keepalive or --expires'],
    [
      { group: [] },
      'nothing to change: give --name, --group, --no-groups, --tunnel, --dns, --keepalive or --expires',
    ],
    [{ group: ['a'], noGroups: true }, '--group and --no-groups exclude each other'],
    [{ keepalive: '65536' }, '--keepalive must be a number of seconds (0–65535) or "default"'],
    [{ keepalive: 'x' }, '--keepalive must be a number of seconds (0–65535) or "default"'],
    [{ keepalive: '-1' }, '--keepalive must be a number of seconds (0–65535) or "default"'],
    [
      { expires: 'later' },
      '--expires later: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)',
    ],
  ])('%j is refused: %s', (flags, message) => {
    expect(peerPatchInput(flags, now)).toEqual(fail({ code: 'usage', message }));
  });
});

describe('reachableUrl', () => {
  it.each<[string, number, boolean, string | undefined]>([
    ['0.0.0.0', 8443, true, undefined],
    ['::', 8443, true, undefined],
    ['::1', 8443, true, undefined],
    ['127.0.0.1', 8080, false, undefined],
    ['127.1.2.3', 8080, false, undefined],
    ['LOCALHOST', 8080, false, undefined],
    ['10.10.0.2', 8443, true, 'https://10.10.0.2:8443'],
    ['10.10.0.2', 8080, false, 'http://10.10.0.2:8080'],
    ['2001:db8::2', 8443, true, 'https://[2001:db8::2]:8443'],
    ['Gate.Example.Test', 443, true, 'https://gate.example.test:443'],
  ])('%s:%i tls=%s → %s', (host, port, tls, url) => {
    expect(reachableUrl(host, port, tls)).toBe(url);
  });
});

describe('linkUrl and parseMinutes', () => {
  it.each<[string | undefined, string]>([
    [undefined, 'https://<this box>/onboard/tok'],
    ['https://home.example.test:8443', 'https://home.example.test:8443/onboard/tok'],
    ['http://10.10.0.2:8080//', 'http://10.10.0.2:8080/onboard/tok'],
  ])('%j', (base, url) => {
    expect(linkUrl(base, '/onboard/tok')).toBe(url);
  });
  it.each<[string | undefined, number]>([
    [undefined, 60],
    ['5', 5],
    ['1440', 1440],
  ])('--minutes %j → %i', (text, n) => {
    expect(parseMinutes(text)).toEqual(ok(n));
  });
  it.each(['4', '1441', '0', '-5', '1.5', 'x', '', '01441'])('--minutes %j is refused', (text) => {
    expect(parseMinutes(text)).toEqual(
      fail({ code: 'usage', message: '--minutes must be 5 to 1440 (a day)' }),
    );
  });
});

describe('serviceInput', () => {
  it('tcp unless told; the port as written (the server parses ranges)', () => {
    expect(serviceInput('nas', { host: '10.10.0.5', port: '445' })).toEqual(
      ok({ name: 'nas', host: '10.10.0.5', protocol: 'tcp', port: '445' }),
    );
    expect(
      serviceInput('dns', { host: '10.10.0.1', proto: 'udp', port: '53-54', url: 'http://10.10.0.1/' }),
    ).toEqual(
      ok({ name: 'dns', host: '10.10.0.1', protocol: 'udp', port: '53-54', webUrl: 'http://10.10.0.1/' }),
    );
  });
  it.each([
    [{ port: '1' }, 'give the service its LAN address: --host 10.0.0.5'],
    [{ host: '10.0.0.5' }, 'give the service its port: --port 443 (or a range, 8000-8010)'],
  ])('%j is refused', (flags, message) => {
    expect(serviceInput('x', flags)).toEqual(fail({ code: 'usage', message }));
  });
});

describe('servicePatchInput', () => {
  it.each<[Record<string, string>, Record<string, unknown>]>([
    [{ name: 'files' }, { name: 'files' }],
    [
      { host: '10.10.0.9', proto: 'udp', port: '9000-9001' },
      { host: '10.10.0.9', protocol: 'udp', port: '9000-9001' },
    ],
    [{ url: 'http://x/' }, { webUrl: 'http://x/' }],
    [{ url: ' None ' }, { webUrl: null }],
  ])('%j → %j', (flags, want) => {
    expect(servicePatchInput(flags)).toEqual(ok(want));
  });
  it('nothing given is a usage error', () => {
    expect(servicePatchInput({})).toEqual(
      fail({ code: 'usage', message: 'nothing to change: give --name, --host, --proto, --port or --url' }),
    );
  });
});

describe('offlineRefusal', () => {
  it.each<[Method, string, unknown]>([
    ['POST', '/apply', { dryRun: true }],
    ['GET', '/plan', undefined],
    ['POST', '/peers', { name: 'x' }],
    ['GET', '/apply', undefined],
    ['PATCH', '/apply', { dryRun: false }],
  ])('%s %s %j passes', (method, path, body) => {
    expect(offlineRefusal(method, path, body)).toBeUndefined();
  });
  it.each<[unknown]>([[{ dryRun: false }], [{}], [undefined], [{ dryRun: 'true' }]])(
    'POST /apply %j is refused and says to start the server',
    (body) => {
      const r = offlineRefusal('POST', '/apply', body);
      expect(r?.code).toBe('wireguard.offline');
      expect(r?.message).toContain('start the server (gatehouse serve), it applies at start');
      expect(r?.message).toContain('--dry-run');
    },
  );
});

describe('offline: nothing on the system changes', () => {
  function recording() {
    const calls: { argv: readonly string[]; options: RunOptions | undefined }[] = [];
    const real: CommandRunner = {
      run: (argv, options) => {
        calls.push({ argv, options });
        return Promise.resolve(ok({ exitCode: 0, stdout: 'read', stderr: '' }));
      },
    };
    return { calls, runner: readOnlyRunner(real) };
  }
  it.each<[string, ...string[]][]>([
    [['wg', 'show', 'gatehouse0', 'dump']],
    [['wg', 'show']],
    [['nft', 'list', 'table', 'inet', 'gatehouse']],
    [['nft', '-j', 'list', 'ruleset']],
    [['nft', '--json', '-a', 'list', 'tables']],
  ])('%j is read and passes, with its options', async (argv) => {
    const t = recording();
    const options = { timeoutMs: 5000 };
    expect(await t.runner.run(argv, options)).toEqual(ok({ exitCode: 0, stdout: 'read', stderr: '' }));
    expect(t.calls).toEqual([{ argv, options }]);
  });
  it.each<[string, ...string[]][]>([
    [['wg']],
    [['wg', 'set', 'gatehouse0', 'peer', 'K', 'remove']],
    [['wg', 'syncconf', 'gatehouse0', '/tmp/x']],
    [['wg', 'setconf', 'gatehouse0', 'show']],
    [['wg', 'genkey']],
    [['nft']],
    [['nft', '-f', '-']],
    [['nft', '-f', '-', 'list']],
    [['nft', 'add', 'table', 'inet', 'gatehouse']],
    [['nft', 'delete', 'table', 'inet', 'gatehouse']],
    [['nft', 'flush', 'ruleset', 'list']],
    [['nft', '-j', 'destroy', 'table', 'inet', 'list']],
    [['ip', 'link', 'add', 'gatehouse0', 'type', 'wireguard']],
    [['ip', 'link', 'show']],
    [['sysctl', '-w', 'net.ipv4.ip_forward=1']],
    [['wireguard-go', '-f', 'gatehouse0']],
    [['modprobe', 'wireguard']],
  ])('%j is refused without running, naming the program', async (argv) => {
    const t = recording();
    const r = await t.runner.run(argv, { stdin: 'secret' });
    expect(r).toEqual(
      fail({
        kind: 'spawn-failed',
        program: argv[0],
        message: `${argv[0]} is not run without a server: offline commands change nothing on the system`,
      }),
    );
    expect(t.calls).toEqual([]);
  });
  it('the launcher starts nothing and says why at once', async () => {
    const lines: string[] = [];
    const exits: string[] = [];
    const p = refusingLauncher.launch(['wireguard-go', '-f', 'gatehouse0'], {
      onLine: (l) => lines.push(l),
      onExit: (r) => exits.push(r),
    });
    expect(exits).toEqual([
      'wireguard-go is not started without a server: offline commands change nothing on the system',
    ]);
    expect(lines).toEqual([]);
    await expect(p.stop()).resolves.toBeUndefined();
  });
});

describe('answerOf', () => {
  it.each([
    [200, '{"a":1}', ok({ a: 1 })],
    [201, '[]', ok([])],
    [299, 'null', ok(null)],
    [
      404,
      '{"error":{"code":"wireguard.peer-not-found","message":"no peer"}}',
      fail({ code: 'wireguard.peer-not-found', message: 'no peer' }),
    ],
    [300, '{"a":1}', fail({ code: 'control.bad-answer', message: 'the answer (300) has no error body' })],
    [199, '{"a":1}', fail({ code: 'control.bad-answer', message: 'the answer (199) has no error body' })],
    [
      500,
      'Internal Server Error',
      fail({ code: 'control.bad-answer', message: 'the answer (500) is not JSON' }),
    ],
  ])('%i %s', (status, text, want) => {
    expect(answerOf(status, text)).toEqual(want);
  });
});

describe('readAnswer', () => {
  it('passes a matching answer and names where another one differs', () => {
    const row = {
      id: 's',
      name: 'nas',
      host: '10.0.0.5',
      protocol: 'tcp',
      portFrom: 1,
      portTo: 2,
      webUrl: null,
    };
    expect(readAnswer(serviceRowSchema, row)).toEqual(ok(row));
    expect(readAnswer(serviceRowSchema, { ...row, portTo: 'x' })).toEqual(
      fail({
        code: 'wireguard.bad-answer',
        message: 'unexpected answer at portTo: Invalid input: expected number, received string',
      }),
    );
    expect(readAnswer(serviceRowSchema, 'x')).toMatchObject(
      fail({
        code: 'wireguard.bad-answer',
        message: expect.stringMatching(/^unexpected answer at \(root\): /) as string,
      }),
    );
  });
});

const peerRow = (over: Partial<PeerRow> = {}): PeerRow => ({
  id: 'id-1',
  name: 'phone',
  groups: [],
  publicKey: 'PUB',
  keyMode: 'kept',
  ipv4: '10.8.0.2',
  ipv6: null,
  enabled: true,
  disabledReason: null,
  expiresAt: null,
  tunnel: 'services',
  services: [],
  configOutdated: false,
  ...over,
});
const svc = (over: Partial<ServiceRow> = {}): ServiceRow => ({
  id: 'sid-1',
  name: 'nas',
  host: '10.10.0.5',
  protocol: 'tcp',
  portFrom: 445,
  portTo: 445,
  webUrl: null,
  ...over,
});

describe('findPeer and findService', () => {
  const peers = [
    peerRow({ id: 'a', name: 'Phone' }),
    peerRow({ id: 'b', name: 'phone' }),
    peerRow({ id: 'c', name: 'Laptop' }),
  ];
  it.each([
    ['phone', 'b'],
    ['Phone', 'a'],
    ['PHONE', 'a'],
    ['laptop', 'c'],
    ['c', 'c'],
  ])('peer %j → %s', (ref, id) => {
    expect(findPeer(peers, ref)).toMatchObject(ok({ id }));
  });
  it('an unknown peer lists the names', () => {
    expect(findPeer(peers, 'tablet')).toEqual(
      fail({
        code: 'wireguard.peer-not-found',
        message: 'no peer named "tablet"; there are: Phone, phone, Laptop',
      }),
    );
    expect(findPeer([], 'tablet')).toEqual(
      fail({ code: 'wireguard.peer-not-found', message: 'no peer named "tablet"' }),
    );
  });
  const services = [svc({ id: 's1', name: 'nas' }), svc({ id: 's2', name: 'plex' })];
  it.each([
    ['nas', 's1'],
    ['NAS', 's1'],
    ['s2', 's2'],
  ])('service %j → %s', (ref, id) => {
    expect(findService(services, ref)).toMatchObject(ok({ id }));
  });
  it('an unknown service lists the names', () => {
    expect(findService(services, 'x')).toEqual(
      fail({ code: 'wireguard.service-not-found', message: 'no service named "x"; there are: nas, plex' }),
    );
    expect(findService([], 'x')).toEqual(
      fail({ code: 'wireguard.service-not-found', message: 'no service named "x"' }),
    );
  });
});

describe('text output', () => {
  it('renderTable pads every column but the last', () => {
    expect(
      renderTable(
        ['A', 'BB'],
        [
          ['xxx', 'y'],
          ['z', ''],
        ],
      ),
    ).toBe('A    BB\nxxx  y\nz\n');
  });
  it.each([
    ['2026-03-01T12:00:00.000Z', '0 s ago'],
    ['2026-03-01T12:00:30.000Z', '0 s ago'],
    ['2026-03-01T11:58:01.000Z', '119 s ago'],
    ['2026-03-01T11:58:00.000Z', '2 min ago'],
    ['2026-03-01T10:00:01.000Z', '119 min ago'],
    ['2026-03-01T10:00:00.000Z', '2 h ago'],
    ['2026-02-27T12:00:01.000Z', '47 h ago'],
    ['2026-02-27T12:00:00.000Z', '2 d ago'],
  ])('ago(%s) = %s', (iso, text) => {
    expect(ago(iso, now)).toBe(text);
  });
  it.each<[Partial<PeerRow>, string]>([
    [{}, 'enabled'],
    [{ enabled: false, disabledReason: 'manual' }, 'disabled'],
    [{ enabled: false, disabledReason: 'expired' }, 'expired'],
    [{ configOutdated: true }, 'enabled, config outdated'],
    [{ enabled: false, disabledReason: 'expired', configOutdated: true }, 'expired, config outdated'],
  ])('peerState %j = %s', (over, text) => {
    expect(peerState(peerRow(over))).toBe(text);
  });
  const status = (latestHandshakeAt: string | null) => ({
    latestHandshakeAt,
    endpoint: null,
    rxBytes: 0,
    txBytes: 0,
  });
  it.each<[PeerRow['status'], [string, string]]>([
    [undefined, ['-', '-']],
    [null, ['-', '-']],
    [status(null), ['offline', 'never']],
    [status('2026-03-01T11:57:00.000Z'), ['online', '3 min ago']],
    [status('2026-03-01T11:56:59.000Z'), ['offline', '3 min ago']],
  ])('peerOnline %j', (st, want) => {
    expect(peerOnline(peerRow({ status: st }), now, 180)).toEqual(want);
  });

  it('renderPeers: one row per peer, service names for ids, an empty list says how to add one', () => {
    expect(renderPeers([], [], now, 180)).toBe(
      'No peers. Add one with `gatehouse peer add NAME --services SERVICE`.\n',
    );
    const text = renderPeers(
      [
        peerRow({
          name: 'phone',
          groups: ['family', 'kids'],
          services: ['sid-1', 'gone'],
          expiresAt: '2026-03-08T12:00:00.000Z',
          status: status('2026-03-01T11:59:00.000Z'),
        }),
        peerRow({
          name: 'laptop',
          ipv4: '10.8.0.3',
          ipv6: 'fd12::3',
          tunnel: 'full',
          enabled: false,
          disabledReason: 'manual',
        }),
      ],
      [svc()],
      now,
      180,
    );
    expect(text.split('\n')).toEqual([
      'NAME    ADDRESS           STATE     GROUPS       SERVICES  TUNNEL    EXPIRES               ONLINE  LAST HANDSHAKE',
      'phone   10.8.0.2          enabled   family,kids  nas,gone  services  2026-03-08T12:00:00Z  online  60 s ago',
      'laptop  10.8.0.3,fd12::3  disabled  -            -         full      never                 -       -',
      '',
    ]);
  });

  it('renderServices', () => {
    expect(renderServices([])).toBe(
      'No services. Add one with `gatehouse service add NAME --host IP --proto tcp --port PORT`.\n',
    );
    expect(
      renderServices([
        svc(),
        svc({ name: 'web', protocol: 'udp', portFrom: 8000, portTo: 8010, webUrl: 'http://x/' }),
      ]),
    ).toBe(
      'NAME  HOST       PROTO  PORT       URL\nnas   10.10.0.5  tcp    445        -\nweb   10.10.0.5  udp    8000-8010  http://x/\n',
    );
  });

  it('renderReport: verdict, interface changes, firewall lines removed then added, warnings', () => {
    const report = {
      ok: true,
      message: 'changes to apply',
      device: { changes: ['add peer phone'] },
      firewall: { script: 'ignored', added: ['rule a'], removed: ['rule b'] },
      warnings: ['forwarding is off'],
    };
    expect(renderReport(report, true)).toBe(
      'Plan: changes to apply\n\nInterface:\n  add peer phone\n\nFirewall:\n  - rule b\n  + rule a\n\nWarnings:\n  forwarding is off\n',
    );
    expect(renderReport({ ...report, message: 'applied' }, false)).toMatch(/^OK: applied\n/);
    expect(
      renderReport(
        {
          ok: false,
          message: 'nft failed',
          device: { changes: [] },
          firewall: { script: '', added: [], removed: [] },
          warnings: [],
        },
        false,
      ),
    ).toBe('FAILED: nft failed\n');
    expect(
      renderReport(
        {
          ok: false,
          message: 'x',
          device: { changes: [] },
          firewall: { script: '', added: ['a'], removed: [] },
          warnings: [],
        },
        true,
      ),
    ).toBe('FAILED: x\n\nFirewall:\n  + a\n');
    expect(
      renderReport(
        {
          ok: true,
          message: 'x',
          device: { changes: [] },
          firewall: { script: '', added: [], removed: ['r'] },
          warnings: [],
        },
        true,
      ),
    ).toBe('Plan: x\n\nFirewall:\n  - r\n');
  });

  it('renderPeerAdded: address, services, how to get the config, the name quoted for a shell', () => {
    expect(renderPeerAdded(peerRow({ services: ['sid-1'] }), [svc()])).toBe(
      'Added the peer "phone" (10.8.0.2; services: nas; tunnel: services).\n' +
        'Scan its QR code with the WireGuard app: `gatehouse peer qr phone`, or save its config: `gatehouse peer config phone > phone.conf`.\n',
    );
    expect(
      renderPeerAdded(
        peerRow({
          name: "Anna's phone",
          ipv6: 'fd12::2',
          keyMode: 'own',
          expiresAt: '2026-03-08T12:00:00.000Z',
          tunnel: 'full',
        }),
        [],
      ),
    ).toBe(
      'Added the peer "Anna\'s phone" (10.8.0.2, fd12::2; services: none yet; tunnel: full; expires 2026-03-08T12:00:00.000Z).\n' +
        "It uses its own key: `gatehouse peer config 'Anna'\\''s phone'` prints the config without a private key; add yours on the device.\n",
    );
    expect(renderPeerAdded(peerRow({ name: 'a/b c' }), [])).toContain(
      "gatehouse peer config 'a/b c' > a_b_c.conf",
    );
  });

  it.each([
    ['phone', 'phone'],
    ['a-b_c.d@e%f+g=h:i,j/k', 'a-b_c.d@e%f+g=h:i,j/k'],
    ['two words', "'two words'"],
    ["it's", "'it'\\''s'"],
    ['$(rm -rf ~)', "'$(rm -rf ~)'"],
    ['', "''"],
  ])('shellQuote(%j) = %s', (s, quoted) => {
    expect(shellQuote(s)).toBe(quoted);
  });
});

describe('liveStatus', () => {
  const dump = {
    publicKey: 'S',
    listenPort: 51820,
    fwmark: null,
    hasPrivateKey: true,
    peers: [
      {
        publicKey: 'P',
        presharedKey: null,
        endpoint: '203.0.113.9:4500',
        allowedIps: [],
        latestHandshake: 1_772_366_400,
        rxBytes: 10,
        txBytes: 20,
        persistentKeepalive: 0,
      },
      {
        publicKey: 'Q',
        presharedKey: null,
        endpoint: null,
        allowedIps: [],
        latestHandshake: null,
        rxBytes: 0,
        txBytes: 0,
        persistentKeepalive: 0,
      },
    ],
  };
  it('null without a dump; zeros for a peer the interface does not carry; the handshake as ISO', () => {
    expect(liveStatus(null, 'P')).toBeNull();
    expect(liveStatus(dump, 'X')).toEqual({
      latestHandshakeAt: null,
      endpoint: null,
      rxBytes: 0,
      txBytes: 0,
    });
    expect(liveStatus(dump, 'P')).toEqual({
      latestHandshakeAt: '2026-03-01T12:00:00.000Z',
      endpoint: '203.0.113.9:4500',
      rxBytes: 10,
      txBytes: 20,
    });
    expect(liveStatus(dump, 'Q')).toEqual({
      latestHandshakeAt: null,
      endpoint: null,
      rxBytes: 0,
      txBytes: 0,
    });
  });
});

// ---- the commands, over the real control routes and admin (in-memory store, fake device and firewall) ----

function bed(options: { offline?: boolean; enabled?: boolean } = {}) {
  const registry = coreAuditTypes();
  registry.registerAuditTypes('wireguard', wireguardAuditTypes);
  const store = new MemoryStore<State>(undefined, { checkRecord: registry.checkRecord });
  const clock = new FakeClock(now);
  const logger = new MemoryLogger();
  const device = new FakeWgDevice();
  const firewall = new FakeFirewall();
  const ports: Ports = {
    clock,
    logger,
    files: nodePrivateFiles,
    runner: new FakeRunner(),
    fetch: globalThis.fetch,
    bus: createEventBus(logger),
    secrets: new FakeSecrets(clock),
  };
  const wg = createWireguard(
    ports,
    {
      wireguard: wireguardSettingsSchema.parse({
        interface: 'wgclitest0',
        endpointHost: 'home.example.test',
        enabled: options.enabled ?? true,
      }),
      exposure: exposureSettingsSchema.parse({ lanRanges: ['10.10.0.0/24'] }),
    },
    {
      store,
      alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
      device,
      firewall,
      forwarding: new FakeForwarding(),
      interfaces: () => ({}),
      reachability: { publicRanges: [] },
      ...(options.offline === true ? { offline: true } : {}),
    },
  );
  const app = createControlApi({
    status: () => Promise.reject(new Error('unused')),
    capabilities: [wg],
    logger,
  });
  const calls: string[] = [];
  const access: WireguardAccess = {
    hasState: () => Promise.resolve(true),
    call: async (method, path, body) => {
      calls.push(`${method} ${path}`);
      const res = await app.request(`/v1/wireguard${path}`, {
        method,
        ...(body === undefined
          ? {}
          : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
      });
      return answerOf(res.status, await res.text());
    },
  };
  const files = new Map<string, string | Uint8Array>();
  let publicUrl: string | undefined;
  let qrText: string | undefined;
  const run = async (argv: string[], terminalQr?: (text: string) => Promise<Outcome<string>>) => {
    let out = '';
    let err = '';
    let code = -1;
    const program = new Command('gatehouse').exitOverride().configureOutput({
      writeOut: (t) => (out += t),
      writeErr: (t) => (err += t),
    });
    addWireguardCommands<object>(program, {
      stdout: (t) => (out += t),
      stderr: (t) => (err += t),
      finish: (c) => (code = c),
      withSettings: (cmd) => cmd,
      connect: () => access,
      onlineWithinSeconds: () => 180,
      now: () => clock.now(),
      writeFile: (file, data) => files.set(file, data),
      publicUrl: () => publicUrl,
      terminalQr:
        terminalQr ??
        ((text) => {
          qrText = text;
          return Promise.resolve(ok('<terminal qr>\n'));
        }),
    });
    try {
      await program.parseAsync(argv, { from: 'user' });
    } catch (e) {
      // As runCli: commander's own refusals (a bad choice, a missing argument) are usage errors.
      if (!(e instanceof CommanderError)) throw e;
      code = 2;
    }
    return { out, err, code };
  };
  const setPublicUrl = (url: string | undefined) => (publicUrl = url);
  return {
    store,
    wg,
    device,
    firewall,
    access,
    calls,
    run,
    files,
    qrText: () => qrText,
    clock,
    setPublicUrl,
  };
}

describe('the commands', () => {
  it('service add, peer add with services and an expiry, peer list: the names, address, state and services', async () => {
    const b = bed();
    const s = await b.run(['service', 'add', 'nas', '--host', '10.10.0.5', '--port', '445']);
    expect([s.code, s.out, s.err]).toEqual([
      0,
      'Added the service "nas" (10.10.0.5 tcp 445). Grant it with `gatehouse grant PEER nas`.\n',
      '',
    ]);
    const p = await b.run([
      'peer',
      'add',
      'phone',
      '--services',
      'nas',
      '--group',
      'family',
      '--expires',
      '7d',
    ]);
    expect(p.code).toBe(0);
    expect(p.out).toBe(
      'Added the peer "phone" (10.8.0.2; services: nas; tunnel: services; expires 2026-03-08T12:00:00.000Z).\n' +
        'Scan its QR code with the WireGuard app: `gatehouse peer qr phone`, or save its config: `gatehouse peer config phone > phone.conf`.\n',
    );
    // The background apply put the peer on the (fake) interface: known, never a handshake.
    await b.wg.reconciler.request('test');
    const l = await b.run(['peer', 'list']);
    expect(l.out).toBe(
      'NAME   ADDRESS   STATE    GROUPS  SERVICES  TUNNEL    EXPIRES               ONLINE   LAST HANDSHAKE\n' +
        'phone  10.8.0.2  enabled  family  nas       services  2026-03-08T12:00:00Z  offline  never\n',
    );
    const j = await b.run(['peer', 'list', '--json']);
    const parsed = JSON.parse(j.out) as { peers: { name: string; groups: string[]; expiresAt: string }[] };
    expect(parsed.peers).toMatchObject([
      { name: 'phone', groups: ['family'], expiresAt: '2026-03-08T12:00:00.000Z' },
    ]);
  });

  it('peer add --json prints the peer view; the same name again is a failure (exit 1), a bad flag a usage error (exit 2)', async () => {
    const b = bed();
    const p = await b.run([
      'peer',
      'add',
      'phone',
      '--json',
      '--tunnel',
      'full',
      '--keepalive',
      '25',
      '--dns',
      '10.10.0.1',
    ]);
    expect(p.code).toBe(0);
    expect(JSON.parse(p.out)).toMatchObject({
      name: 'phone',
      tunnel: 'full',
      persistentKeepalive: 25,
      dns: ['10.10.0.1'],
    });
    const again = await b.run(['peer', 'add', 'PHONE']);
    expect([again.code, again.out, again.err]).toEqual([
      1,
      '',
      'gatehouse: a peer named "PHONE" exists already\n',
    ]);
    const againJson = await b.run(['peer', 'add', 'phone', '--json']);
    expect(againJson.code).toBe(1);
    expect(JSON.parse(againJson.out)).toEqual({
      error: { code: 'wireguard.duplicate', message: 'a peer named "phone" exists already' },
    });
    const bad = await b.run(['peer', 'add', 'x', '--expires', 'soon']);
    expect([bad.code, bad.out]).toEqual([2, '']);
    expect(bad.err).toBe(
      'gatehouse: --expires soon: expected a duration, a date or a date-time (e.g. 7d, 12h, 2026-12-24 or 2026-12-24T18:00Z)\n',
    );
    const choice = await b.run(['peer', 'add', 'x', '--tunnel', 'everything']);
    expect(choice.code).toBe(2);
    expect(b.calls.filter((c) => c === 'POST /peers')).toHaveLength(3);
  });

  it('a name with newlines and brackets stays a name: refused by the server when unprintable, never in a path', async () => {
    const b = bed();
    const nl = await b.run(['peer', 'add', 'a\n[Peer]\nAllowedIPs = 0.0.0.0/0']);
    expect([nl.code, nl.err]).toEqual([
      1,
      'gatehouse: name: a peer name cannot hold line breaks or control characters\n',
    ]);
    const odd = "x/../[Peer] #=; $(id) 'q'";
    expect((await b.run(['peer', 'add', odd])).code).toBe(0);
    const conf = await b.run(['peer', 'config', odd]);
    expect(conf.code).toBe(0);
    expect(conf.out).toMatch(/^\[Interface\]\n/);
    expect(conf.out.match(/^\[Peer\]$/gm)).toHaveLength(1);
    // Paths carry the id, never the name.
    expect(
      b.calls.filter((c) => c.includes('/peers/')).every((c) => /\/peers\/[0-9a-f-]{36}\//.test(c)),
    ).toBe(true);
    const removed = await b.run(['peer', 'remove', odd]);
    expect([removed.code, removed.out]).toEqual([0, `Removed the peer "${odd}" (10.8.0.2).\n`]);
  });

  it('peer config prints the config and marks it fetched (audited as local)', async () => {
    const b = bed();
    await b.run(['peer', 'add', 'phone']);
    const c = await b.run(['peer', 'config', 'phone']);
    expect(c.code).toBe(0);
    expect(c.out).toContain('Endpoint = home.example.test:51820\n');
    expect(c.out).toMatch(/^PrivateKey = [A-Za-z0-9+/]{43}=$/m);
    const peer = b.store.read().wireguard.peers[0];
    expect(peer?.configSeen?.at).toBe(now.toISOString());
    const audit = (b.store.appended.get('audit') ?? []).filter(
      (a) => (a as { type: string }).type === 'wireguard.config-downloaded',
    );
    expect(audit).toMatchObject([{ actor: 'local', clientAddress: 'local', details: { peer: 'phone' } }]);
    const missing = await b.run(['peer', 'config', 'tablet']);
    expect([missing.code, missing.err]).toEqual([1, 'gatehouse: no peer named "tablet"; there are: phone\n']);
  });

  it('peer qr: the terminal QR of the config; --svg and --png write files; both is a usage error', async () => {
    const b = bed();
    await b.run(['peer', 'add', 'phone']);
    const t = await b.run(['peer', 'qr', 'phone']);
    expect([t.code, t.out]).toEqual([0, '<terminal qr>\n']);
    expect(b.store.read().wireguard.peers[0]?.configSeen).not.toBeNull();
    expect(b.qrText()).toMatch(/^\[Interface\]\nPrivateKey = /);
    const svg = await b.run(['peer', 'qr', 'phone', '--svg', 'phone.svg']);
    expect(svg.code).toBe(0);
    expect(svg.out).toBe(
      'Wrote the QR code of "phone" to phone.svg (it holds the private key: delete it after scanning).\n',
    );
    expect(String(b.files.get('phone.svg'))).toMatch(/^<svg /);
    const png = await b.run(['peer', 'qr', 'phone', '--png', 'phone.png']);
    expect(png.code).toBe(0);
    const bytes = b.files.get('phone.png') as Uint8Array;
    expect(Buffer.from(bytes).subarray(0, 8)).toEqual(
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    );
    const both = await b.run(['peer', 'qr', 'phone', '--png', 'a', '--svg', 'b']);
    expect([both.code, both.err]).toEqual([2, 'gatehouse: give --svg or --png, not both\n']);
  });

  it('peer qr: too long to scan → its message, exit 1, not marked fetched', async () => {
    const b = bed();
    await b.run(['peer', 'add', 'phone', '--forget-key']);
    const refused = {
      code: 'wireguard.qr-too-long',
      message: 'this config is 2000 bytes, more than a QR code…',
    };
    const t = await b.run(['peer', 'qr', 'phone'], () => Promise.resolve(fail(refused)));
    expect([t.code, t.out, t.err]).toEqual([1, '', `gatehouse: ${refused.message}\n`]);
    // Not shown, so not fetched: a forget-after-download peer keeps its key.
    expect(b.store.read().wireguard.peers[0]?.configSeen).toBeNull();
  });

  it('peer set changes only what is given; the config is then outdated; nothing given is a usage error', async () => {
    const b = bed();
    await b.run(['peer', 'add', 'phone', '--group', 'family']);
    await b.run(['peer', 'config', 'phone']);
    const r = await b.run([
      'peer',
      'set',
      'phone',
      '--name',
      'Phone 2',
      '--tunnel',
      'full',
      '--dns',
      '10.10.0.1',
    ]);
    expect([r.code, r.out]).toEqual([
      0,
      'Changed the peer "Phone 2": its config changed, fetch it again (gatehouse peer qr|config).\n',
    ]);
    expect(b.store.read().wireguard.peers[0]).toMatchObject({
      name: 'Phone 2',
      tunnel: 'full',
      dns: ['10.10.0.1'],
      groups: ['family'],
    });
    const groups = await b.run(['peer', 'set', 'phone 2', '--no-groups', '--json']);
    expect(JSON.parse(groups.out)).toMatchObject({ name: 'Phone 2', groups: [] });
    const same = await b.run(['peer', 'set', 'phone 2', '--group', 'kids']);
    expect(same.out).toBe(
      'Changed the peer "Phone 2": its config changed, fetch it again (gatehouse peer qr|config).\n',
    );
    await b.run(['peer', 'config', 'phone 2']);
    const fresh = await b.run(['peer', 'set', 'phone 2', '--group', 'adults']);
    expect(fresh.out).toBe('Changed the peer "Phone 2".\n');
    const nothing = await b.run(['peer', 'set', 'phone 2']);
    expect([nothing.code, nothing.err]).toEqual([
      2,
      'gatehouse: nothing to change: give --name, --group, --no-groups, --tunnel, --dns, --keepalive or --expires\n',
    ]);
    const taken = await b.run(['peer', 'add', 'laptop']);
    expect(taken.code).toBe(0);
    const dup = await b.run(['peer', 'set', 'laptop', '--name', 'PHONE 2']);
    expect([dup.code, dup.err]).toEqual([1, 'gatehouse: a peer named "PHONE 2" exists already\n']);
  });

  it("peer link: a one-time link on the box's address (or a placeholder, or --base-url); it opens once", async () => {
    const b = bed();
    await b.run(['peer', 'add', 'phone']);
    const r = await b.run(['peer', 'link', 'phone']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^One-time link for "phone" \(until 2026-03-01T13:00:00\.000Z; it works once\):\n {4}https:\/\/<this box>\/onboard\/[A-Za-z0-9_-]{43}\nPut in the address the device reaches this box by \(or give --base-url\)\.\n$/,
    );
    b.setPublicUrl('https://10.10.0.2:8443');
    const j = await b.run(['peer', 'link', 'phone', '--minutes', '5', '--json']);
    const link = JSON.parse(j.out) as { url: string; expiresAt: string };
    expect(link.expiresAt).toBe('2026-03-01T12:05:00.000Z');
    expect(link.url).toMatch(/^https:\/\/10\.10\.0\.2:8443\/onboard\/[A-Za-z0-9_-]{43}$/);
    const token = link.url.split('/onboard/')[1] ?? '';
    expect((await b.wg.admin.useLink(token, '10.10.0.9')).ok).toBe(true);
    const base = await b.run(['peer', 'link', 'phone', '--base-url', 'https://home.example.test/']);
    expect(base.out).toContain('    https://home.example.test/onboard/');
    expect(base.out).not.toContain('Put in the address');
    const badBase = await b.run(['peer', 'link', 'phone', '--base-url', 'home.example.test']);
    expect([badBase.code, badBase.err]).toEqual([
      2,
      'gatehouse: --base-url must be http(s)://host[:port], e.g. https://home.example.com:8443\n',
    ]);
    const badMinutes = await b.run(['peer', 'link', 'phone', '--minutes', '2']);
    expect(badMinutes.code).toBe(2);
    const unknown = await b.run(['peer', 'link', 'tablet']);
    expect([unknown.code, unknown.err]).toEqual([1, 'gatehouse: no peer named "tablet"; there are: phone\n']);
  });

  it('peer disable / enable: cut off and back; an expired peer needs a new expiry (or never) to be enabled', async () => {
    const b = bed();
    await b.run(['peer', 'add', 'phone', '--expires', '1h']);
    const d = await b.run(['peer', 'disable', 'phone']);
    expect([d.code, d.out]).toEqual([0, 'Disabled the peer "phone": it can no longer connect.\n']);
    expect(b.store.read().wireguard.peers[0]).toMatchObject({ enabled: false, disabledReason: 'manual' });
    const e = await b.run(['peer', 'enable', 'phone']);
    expect([e.code, e.out]).toEqual([0, 'Enabled the peer "phone" until 2026-03-01T13:00:00.000Z.\n']);
    b.clock.advance(2 * 3600_000);
    await b.wg.admin.expireDue();
    const expired = await b.run(['peer', 'enable', 'phone']);
    expect([expired.code, expired.err]).toEqual([
      1,
      'gatehouse: the peer expired: give it a new expiry (or none) to enable it again\n',
    ]);
    const never = await b.run(['peer', 'enable', 'phone', '--expires', 'never']);
    expect([never.code, never.out]).toEqual([0, 'Enabled the peer "phone".\n']);
    expect(b.store.read().wireguard.peers[0]).toMatchObject({ enabled: true, expiresAt: null });
    const later = await b.run(['peer', 'enable', 'phone', '--expires', '2d', '--json']);
    expect(JSON.parse(later.out)).toMatchObject({ expiresAt: '2026-03-03T14:00:00.000Z' });
    const bad = await b.run(['peer', 'enable', 'phone', '--expires', '-3d']);
    expect(bad.code).toBe(2);
  });

  it('grant and revoke for a peer and a group; unknown names fail with exit 1', async () => {
    const b = bed();
    await b.run(['service', 'add', 'nas', '--host', '10.10.0.5', '--port', '445']);
    await b.run(['service', 'add', 'dns', '--host', '10.10.0.1', '--proto', 'udp', '--port', '53']);
    await b.run(['peer', 'add', 'phone', '--group', 'family']);
    const g = await b.run(['grant', 'phone', 'nas', 'dns']);
    expect([g.code, g.out]).toEqual([0, 'Granted nas, dns to phone.\n']);
    const again = await b.run(['grant', 'phone', 'nas']);
    expect(again.out).toBe('Nothing to change: already granted (nas to phone).\n');
    const group = await b.run(['grant', '@family', 'nas', '--json']);
    expect(JSON.parse(group.out)).toEqual({ changed: 1 });
    expect(b.wg.admin.grants()).toHaveLength(3);
    const r = await b.run(['revoke', 'phone', 'dns']);
    expect([r.code, r.out]).toEqual([0, 'Revoked dns from phone.\n']);
    const none = await b.run(['revoke', 'phone', 'dns']);
    expect(none.out).toBe('Nothing to change: not granted (dns from phone).\n');
    const unknown = await b.run(['grant', 'tablet', 'nas']);
    expect([unknown.code, unknown.err]).toMatchObject([
      1,
      expect.stringMatching(/^gatehouse: .*tablet/) as string,
    ]);
    const noService = await b.run(['grant', 'phone', 'plex']);
    expect([noService.code, noService.err]).toMatchObject([
      1,
      expect.stringMatching(/^gatehouse: .*plex/) as string,
    ]);
    const missingArg = await b.run(['grant', 'phone']);
    expect(missingArg.code).toBe(2);
    expect(missingArg.err).toContain("missing required argument 'services'");
  });

  it('service list and remove (with its grants); a service outside the LAN is refused by the server', async () => {
    const b = bed();
    await b.run([
      'service',
      'add',
      'nas',
      '--host',
      '10.10.0.5',
      '--port',
      '8000-8010',
      '--url',
      'http://10.10.0.5/',
    ]);
    await b.run(['peer', 'add', 'phone', '--services', 'nas']);
    const l = await b.run(['service', 'list']);
    expect(l.out).toBe(
      'NAME  HOST       PROTO  PORT       URL\nnas   10.10.0.5  tcp    8000-8010  http://10.10.0.5/\n',
    );
    const outside = await b.run(['service', 'add', 'web', '--host', '192.168.77.7', '--port', '80']);
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/^gatehouse: .+\n$/);
    const missing = await b.run(['service', 'add', 'web', '--host', '10.10.0.7']);
    expect([missing.code, missing.err]).toEqual([
      2,
      'gatehouse: give the service its port: --port 443 (or a range, 8000-8010)\n',
    ]);
    const rm = await b.run(['service', 'remove', 'nas']);
    expect([rm.code, rm.out]).toEqual([0, 'Removed the service "nas" and its grants.\n']);
    expect(b.wg.admin.grants()).toEqual([]);
    const rmAgain = await b.run(['service', 'remove', 'nas', '--json']);
    expect(rmAgain.code).toBe(1);
    expect(JSON.parse(rmAgain.out)).toEqual({
      error: { code: 'wireguard.service-not-found', message: 'no service named "nas"' },
    });
    const empty = await b.run(['service', 'list', '--json']);
    expect(JSON.parse(empty.out)).toEqual({ services: [] });
  });

  it('service set changes only what is given; a host outside the LAN is refused; --url none', async () => {
    const b = bed();
    await b.run([
      'service',
      'add',
      'nas',
      '--host',
      '10.10.0.5',
      '--port',
      '445',
      '--url',
      'http://10.10.0.5/',
    ]);
    const r = await b.run([
      'service',
      'set',
      'nas',
      '--port',
      '8000-8010',
      '--proto',
      'udp',
      '--name',
      'files',
    ]);
    expect([r.code, r.out]).toEqual([0, 'Changed the service "files" (10.10.0.5 udp 8000-8010).\n']);
    const url = await b.run(['service', 'set', 'files', '--url', 'none', '--json']);
    expect(JSON.parse(url.out)).toMatchObject({ name: 'files', webUrl: null, host: '10.10.0.5' });
    const outside = await b.run(['service', 'set', 'files', '--host', '192.168.77.7']);
    expect(outside.code).toBe(1);
    expect(outside.err).toMatch(/^gatehouse: .*192\.168\.77\.7.*\n$/);
    const nothing = await b.run(['service', 'set', 'files']);
    expect([nothing.code, nothing.err]).toEqual([
      2,
      'gatehouse: nothing to change: give --name, --host, --proto, --port or --url\n',
    ]);
    const unknown = await b.run(['service', 'set', 'nas', '--port', '1']);
    expect([unknown.code, unknown.err]).toEqual([1, 'gatehouse: no service named "nas"; there are: files\n']);
  });

  it('wg apply --dry-run shows the interface changes and the firewall lines; wg apply applies them', async () => {
    const b = bed({ offline: true });
    await b.run(['service', 'add', 'nas', '--host', '10.10.0.5', '--port', '445']);
    await b.run(['peer', 'add', 'phone', '--services', 'nas']);
    // Offline the capability applies nothing by itself.
    expect(b.firewall.applied).toEqual([]);
    const dry = await b.run(['wg', 'apply', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^Plan: changes to apply\n\nInterface:\n {2}.+\n/);
    expect(dry.out).toMatch(/\nFirewall:\n( {2}\+ .+\n)+/);
    expect(b.firewall.applied).toEqual([]);
    const applied = await b.run(['wg', 'apply']);
    expect(applied.code).toBe(0);
    expect(applied.out).toMatch(/^OK: applied: /);
    expect(b.firewall.applied).toHaveLength(1);
    const again = await b.run(['wg', 'apply', '--json']);
    expect(JSON.parse(again.out)).toMatchObject({
      ok: true,
      message: 'the interface and the firewall match',
    });
  });

  it('wg apply exits 1 when the apply fails, and says why', async () => {
    const b = bed({ offline: true });
    await b.run(['peer', 'add', 'phone']);
    b.firewall.failApply = { code: 'exposure.nft-failed', message: 'nft: permission denied' };
    const r = await b.run(['wg', 'apply']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(
      /^FAILED: the firewall could not be applied \(nft: permission denied\); nothing else was changed\n$/,
    );
  });

  it('turned off: wg apply says so and succeeds; peers and configs still work', async () => {
    const b = bed({ enabled: false });
    await b.run(['peer', 'add', 'phone']);
    const r = await b.run(['wg', 'apply']);
    expect([r.code, r.out]).toEqual([
      0,
      'OK: WireGuard is turned off (wireguard.enabled): nothing is applied\n',
    ]);
    expect((await b.run(['peer', 'config', 'phone'])).code).toBe(0);
    expect(b.device.live.size).toBe(0);
  });

  it('with no state, the lists are empty without asking', async () => {
    const b = bed();
    const access: WireguardAccess = {
      hasState: () => Promise.resolve(false),
      call: () => Promise.reject(new Error('must not be called')),
    };
    const program = new Command('gatehouse').exitOverride();
    let out = '';
    const codes: number[] = [];
    addWireguardCommands<object>(program, {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      finish: (c) => codes.push(c),
      withSettings: (cmd) => cmd,
      connect: () => access,
      onlineWithinSeconds: () => 180,
      now: () => now,
      writeFile: () => undefined,
      terminalQr: () => Promise.resolve(ok('')),
      publicUrl: () => undefined,
    });
    await program.parseAsync(['peer', 'list'], { from: 'user' });
    await program.parseAsync(['peer', 'list', '--json'], { from: 'user' });
    await program.parseAsync(['service', 'list'], { from: 'user' });
    await program.parseAsync(['service', 'list', '--json'], { from: 'user' });
    expect(codes).toEqual([0, 0, 0, 0]);
    expect(out).toBe(
      'No peers. Add one with `gatehouse peer add NAME --services SERVICE`.\n{\n  "peers": []\n}\n' +
        'No services. Add one with `gatehouse service add NAME --host IP --proto tcp --port PORT`.\n{\n  "services": []\n}\n',
    );
    expect(b.calls).toEqual([]);
  });
});
