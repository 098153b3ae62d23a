import { describe, expect, it } from 'vitest';
import { loadConfig, parseListen, type ConfigInput } from './index.js';

const base = (over: Partial<ConfigInput> = {}): ConfigInput => ({
  flags: {},
  env: {},
  cwd: '/srv/gatehouse',
  readFile: () => undefined,
  ...over,
});

describe('parseListen', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    ['[::]:8443', { host: '::', port: 8443 }],
    [':9000', { host: '0.0.0.0', port: 9000 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('%s', (input, expected) => {
    expect(parseListen(input)).toEqual(expected);
  });
  it.each(['8080', '127.0.0.1:99999', '[nope]:80', 'a b:80', '127.0.0.1:'])('rejects %s', (input) => {
    expect(typeof parseListen(input)).toBe('string');
  });
});

describe('loadConfig', () => {
  it('uses the embedded defaults: ./data, 127.0.0.1:8080, plain HTTP on loopback', () => {
    const r = loadConfig(base());
    expect(r.ok && r.value).toMatchObject({
      dataDir: '/srv/gatehouse/data',
      listen: { host: '127.0.0.1', port: 8080 },
      tls: false,
      insecureHttp: false,
      logLevel: 'info',
    });
  });

  it('turns HTTPS on by default off loopback, off only with insecureHttp', () => {
    const tls = loadConfig(base({ flags: { listen: '0.0.0.0:8443' } }));
    expect(tls.ok && tls.value.tls).toBe(true);
    const plain = loadConfig(base({ flags: { listen: '0.0.0.0:8080', insecureHttp: true } }));
    expect(plain.ok && plain.value.tls).toBe(false);
  });

  it('applies precedence flags > environment > file > defaults', () => {
    const r = loadConfig(
      base({
        flags: { listen: '127.0.0.1:1111', config: 'gh.json' },
        env: { GATEHOUSE_LISTEN: '127.0.0.1:2222', GATEHOUSE_LOG_LEVEL: 'debug' },
        readFile: (f) =>
          f === '/srv/gatehouse/gh.json'
            ? JSON.stringify({ listen: '127.0.0.1:3333', logLevel: 'warn', dataDir: '/var/lib/gatehouse' })
            : undefined,
      }),
    );
    expect(r.ok && r.value).toMatchObject({
      listen: { port: 1111 },
      logLevel: 'debug',
      dataDir: '/var/lib/gatehouse',
      configFile: '/srv/gatehouse/gh.json',
    });
  });

  it('reads the config file named by GATEHOUSE_CONFIG', () => {
    const r = loadConfig(
      base({ env: { GATEHOUSE_CONFIG: '/etc/gh.json' }, readFile: () => '{"sessionIdleMinutes": 30}' }),
    );
    expect(r.ok && r.value.sessionIdleMinutes).toBe(30);
  });

  it.each([
    [{ env: { GATEHOUSE_LISTEN: 'nonsense' } }, /environment: GATEHOUSE_LISTEN: expected host:port/],
    [{ env: { GATEHOUSE_LOG_LEVEL: 'loud' } }, /GATEHOUSE_LOG_LEVEL/],
    [{ env: { GATEHOUSE_SESSION_IDLE_MINUTES: '-5' } }, /GATEHOUSE_SESSION_IDLE_MINUTES/],
    [{ env: { GATEHOUSE_INSECURE_HTTP: 'maybe' } }, /GATEHOUSE_INSECURE_HTTP/],
    [{ flags: { listen: '1.2.3.4:70000' } }, /command line: --listen: port 70000 is out of range/],
    [{ flags: { config: 'missing.json' } }, /config file \/srv\/gatehouse\/missing.json does not exist/],
    [{ flags: { config: 'c.json' }, readFile: () => '{ nope' }, /is not valid JSON/],
    [{ flags: { config: 'c.json' }, readFile: () => '{"lisen": "x"}' }, /unknown setting "lisen"/],
    [
      { flags: { config: 'c.json' }, readFile: () => '{"listen": 8080}' },
      /config file \/srv\/gatehouse\/c.json: listen:/,
    ],
  ])('a bad setting fails naming it: %j', (over, message) => {
    const r = loadConfig(base(over));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });

  it('reads the reachability section from the config file, filling defaults', () => {
    const r = loadConfig(
      base({
        flags: { config: 'c.json' },
        readFile: () =>
          JSON.stringify({
            reachability: { stunServers: ['203.0.113.65:3478'], publicRanges: ['203.0.113.0/24'] },
          }),
      }),
    );
    expect(r.ok && r.value.reachability).toMatchObject({
      stunServers: ['203.0.113.65:3478'],
      publicRanges: ['203.0.113.0/24'],
      quorum: 2,
      portMapping: { enabled: true, port: 51820 },
    });
  });

  it('production defaults name public services by hostname, never by IP literal', () => {
    const r = loadConfig(base());
    if (!r.ok) throw new Error(r.error.message);
    const { stunServers, httpEcho, dnsEcho } = r.value.reachability;
    const hosts = [
      ...stunServers.map((s) => s.slice(0, s.lastIndexOf(':'))),
      ...httpEcho.map((e) => new URL(e.url).hostname),
      ...dnsEcho.map((d) => d.server),
    ];
    expect(hosts.length).toBeGreaterThan(4);
    for (const host of hosts) expect(host).toMatch(/^[a-z][a-z0-9.-]*\.[a-z]+$/);
  });

  it('names a bad nested reachability setting', () => {
    const r = loadConfig(
      base({ flags: { config: 'c.json' }, readFile: () => '{"reachability": {"quorum": 0}}' }),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/config file .*c\.json: reachability/);
  });
});

describe('loadConfig: every setting, its default and its sources', () => {
  const value = (over: Partial<ConfigInput>) => {
    const r = loadConfig(base(over));
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };

  it('defaults: off-by-default switches stay off, sessions idle 720 min and live 168 h, no config file', () => {
    const { reachability: _r, ...rest } = value({});
    expect(rest).toEqual({
      dataDir: '/srv/gatehouse/data',
      listen: { host: '127.0.0.1', port: 8080 },
      insecureHttp: false,
      tls: false,
      logLevel: 'info',
      trustProxy: false,
      allowedHosts: [],
      sessionIdleMinutes: 720,
      sessionMaxAgeHours: 168,
      ddns: {
        enabled: true,
        resolver: null,
        authoritativeServers: [],
        verifySeconds: 120,
        recheckSeconds: 300,
      },
      wireguard: {
        enabled: true,
        interface: 'gatehouse0',
        listenPort: 51820,
        implementation: 'auto',
        pool: { ipv4: '10.8.0.0/24', ipv6: null },
        dns: [],
        mtu: null,
        persistentKeepalive: 0,
        onlineWithinSeconds: 180,
        endpointHost: null,
        checkSeconds: 10,
      },
      exposure: { lanRanges: null, masquerade: true },
      acme: {
        enabled: true,
        http01: { listen: { host: '::', port: 80 }, mapRouterPort: true },
        dns01: { propagationTimeoutSeconds: 180 },
        caBundleFile: null,
      },
    });
  });

  it('wireguard: the router maps the port WireGuard listens on; a different mapped port is refused', () => {
    const load = (file: unknown) =>
      loadConfig({
        flags: {},
        env: { GATEHOUSE_CONFIG: '/etc/gatehouse.json' },
        cwd: '/srv/gatehouse',
        readFile: () => JSON.stringify(file),
      });
    const moved = load({ wireguard: { listenPort: 51999 } });
    expect(moved.ok && moved.value.reachability.portMapping.port).toBe(51999);
    expect(moved.ok && moved.value.wireguard.listenPort).toBe(51999);
    const same = load({ wireguard: { listenPort: 51999 }, reachability: { portMapping: { port: 51999 } } });
    expect(same.ok && same.value.reachability.portMapping.port).toBe(51999);
    const differs = load({ reachability: { portMapping: { port: 4500 } } });
    expect(differs.ok).toBe(false);
    if (!differs.ok)
      expect(differs.error.message).toBe(
        'config file /etc/gatehouse.json: reachability.portMapping.port (4500) differs from ' +
          'wireguard.listenPort (51820); set only wireguard.listenPort — the router mapping follows it',
      );
    const badName = load({ wireguard: { interface: 'wg0\nPostUp=x' } });
    expect(badName.ok).toBe(false);
    if (!badName.ok) expect(badName.error.message).toMatch(/wireguard\.interface: expected 1-15 letters/);
  });

  it('ddns: a nested section of the config file, checked like the rest', () => {
    const file = JSON.stringify({ ddns: { authoritativeServers: ['203.0.113.53:5353'], verifySeconds: 30 } });
    const loaded = loadConfig({
      flags: {},
      env: { GATEHOUSE_CONFIG: '/etc/gatehouse.json' },
      cwd: '/srv/gatehouse',
      readFile: () => file,
    });
    expect(loaded.ok && loaded.value.ddns).toEqual({
      enabled: true,
      resolver: null,
      authoritativeServers: ['203.0.113.53:5353'],
      verifySeconds: 30,
      recheckSeconds: 300,
    });
    const bad = loadConfig({
      flags: {},
      env: { GATEHOUSE_CONFIG: '/etc/gatehouse.json' },
      cwd: '/srv/gatehouse',
      readFile: () => JSON.stringify({ ddns: { verifySeconds: 1 } }),
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.error.message).toContain('ddns.verifySeconds');
  });

  it.each([
    [{ resolver: '' }, 'ddns.resolver'],
    [{ recheckSeconds: 9 }, 'ddns.recheckSeconds'],
    [{ recheckSeconds: 86_401 }, 'ddns.recheckSeconds'],
    [{ verifySeconds: 3601 }, 'ddns.verifySeconds'],
  ])('ddns: %j is refused, naming the setting', (ddns, field) => {
    const r = loadConfig({
      flags: {},
      env: { GATEHOUSE_CONFIG: '/etc/gatehouse.json' },
      cwd: '/srv/gatehouse',
      readFile: () => JSON.stringify({ ddns }),
    });
    expect(!r.ok && r.error.message).toContain(field);
  });

  it('ddns: the bounds themselves are allowed, a resolver is one address', () => {
    const file = { ddns: { resolver: '203.0.113.53:5353', recheckSeconds: 10 } };
    const low = loadConfig({
      flags: {},
      env: { GATEHOUSE_CONFIG: '/etc/gatehouse.json' },
      cwd: '/srv/gatehouse',
      readFile: () => JSON.stringify(file),
    });
    expect(low.ok && low.value.ddns).toMatchObject({ resolver: '203.0.113.53:5353', recheckSeconds: 10 });
    const high = loadConfig({
      flags: {},
      env: { GATEHOUSE_CONFIG: '/etc/gatehouse.json' },
      cwd: '/srv/gatehouse',
      readFile: () => JSON.stringify({ ddns: { recheckSeconds: 86_400, verifySeconds: 3600 } }),
    });
    expect(high.ok && high.value.ddns).toMatchObject({ recheckSeconds: 86_400, verifySeconds: 3600 });
  });

  it.each([
    ['GATEHOUSE_DATA_DIR', '/var/lib/gh', { dataDir: '/var/lib/gh' }],
    ['GATEHOUSE_DATA_DIR', 'rel/dir', { dataDir: '/srv/gatehouse/rel/dir' }],
    ['GATEHOUSE_LISTEN', '[::1]:9443', { listen: { host: '::1', port: 9443 }, tls: false }],
    ['GATEHOUSE_LISTEN', '192.0.2.7:8443', { listen: { host: '192.0.2.7', port: 8443 }, tls: true }],
    ['GATEHOUSE_LOG_LEVEL', 'trace', { logLevel: 'trace' }],
    ['GATEHOUSE_TRUST_PROXY', '1', { trustProxy: true }],
    ['GATEHOUSE_TRUST_PROXY', 'off', { trustProxy: false }],
    ['GATEHOUSE_SESSION_IDLE_MINUTES', '30', { sessionIdleMinutes: 30 }],
    ['GATEHOUSE_SESSION_MAX_AGE_HOURS', '12', { sessionMaxAgeHours: 12 }],
  ] as const)('%s=%s', (name, text, expected) => {
    expect(value({ env: { [name]: text } })).toMatchObject(expected);
  });

  it('GATEHOUSE_INSECURE_HTTP turns HTTPS off on a public address', () => {
    expect(value({ env: { GATEHOUSE_LISTEN: '0.0.0.0:80', GATEHOUSE_INSECURE_HTTP: 'yes' } })).toMatchObject({
      insecureHttp: true,
      tls: false,
    });
  });

  it('GATEHOUSE_REACHABILITY=off turns reachability off, over the config file', () => {
    expect(value({}).reachability.enabled).toBe(true);
    expect(value({ env: { GATEHOUSE_REACHABILITY: 'off' } }).reachability.enabled).toBe(false);
    const file = {
      flags: { config: 'c.json' },
      readFile: () => '{"reachability": {"enabled": true, "quorum": 3}}',
    };
    expect(value({ ...file, env: { GATEHOUSE_REACHABILITY: 'off' } }).reachability).toMatchObject({
      enabled: false,
      quorum: 3,
    });
    expect(value(file).reachability.enabled).toBe(true);
  });

  it('flags win over the environment; a flag left undefined does not', () => {
    const env = { GATEHOUSE_LISTEN: '127.0.0.1:2222', GATEHOUSE_TRUST_PROXY: 'on' };
    expect(value({ env, flags: { listen: undefined, trustProxy: undefined } })).toMatchObject({
      listen: { port: 2222 },
      trustProxy: true,
    });
    expect(value({ env, flags: { listen: '127.0.0.1:1111', trustProxy: false } })).toMatchObject({
      listen: { port: 1111 },
      trustProxy: false,
    });
  });

  it('an empty environment variable counts as unset, GATEHOUSE_CONFIG too', () => {
    const readFile = () => {
      throw new Error('no file should be read');
    };
    expect(value({ env: { GATEHOUSE_LISTEN: '', GATEHOUSE_CONFIG: '' }, readFile })).toMatchObject({
      listen: { host: '127.0.0.1', port: 8080 },
    });
    expect('configFile' in value({})).toBe(false);
  });

  it.each([
    [{ flags: { config: 'missing.json' } }, 'config.file-missing'],
    [{ flags: { config: 'c.json' }, readFile: () => '{ nope' }, 'config.file-invalid'],
    [{ env: { GATEHOUSE_LOG_LEVEL: 'loud' } }, 'config.invalid'],
  ])('fails with a code a caller can tell apart: %j', (over, code) => {
    const r = loadConfig(base(over));
    expect(!r.ok && r.error.code).toBe(code);
  });

  it.each([
    [
      { flags: { config: 'c.json' }, readFile: () => '{"lisen": "x", "logLvl": "debug"}' },
      'config file /srv/gatehouse/c.json: unknown setting "lisen", "logLvl"',
    ],
    [
      { flags: { config: 'c.json' }, readFile: () => '[]' },
      'config file /srv/gatehouse/c.json: Invalid input: expected object, received array',
    ],
    [{ flags: { insecureHttp: 'maybe' } }, /^command line: --insecure-http: /],
    [{ flags: { sessionMaxAgeHours: '0' } }, /^command line: --session-max-age-hours: /],
    [{ env: { GATEHOUSE_SESSION_MAX_AGE_HOURS: '9000' } }, /^environment: GATEHOUSE_SESSION_MAX_AGE_HOURS: /],
  ])('names the setting in its own words: %j', (over, message) => {
    const r = loadConfig(base(over));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(message);
  });
});

describe('allowedHosts and well-formed text', () => {
  it.each([
    [
      { env: { GATEHOUSE_ALLOWED_HOSTS: 'a.example, [2001:DB8::1] ,,127.1' } },
      ['a.example', '2001:db8::1', '127.0.0.1'],
    ],
    [{ flags: { allowedHosts: 'b.example' } }, ['b.example']],
    [
      { flags: { config: 'c.json' }, readFile: () => '{"allowedHosts":["c.example","::1"]}' },
      ['c.example', '::1'],
    ],
    [{}, []],
  ] as [Partial<ConfigInput>, string[]][])('%j → %j', (over, expected) => {
    const r = loadConfig(base(over));
    expect(r.ok && r.value.allowedHosts).toEqual(expected);
  });

  it.each([
    [
      { env: { GATEHOUSE_ALLOWED_HOSTS: 'ok.example,bad_host' } },
      'environment: GATEHOUSE_ALLOWED_HOSTS.1: "bad_host" is not a host name or address',
    ],
    [
      { flags: { allowedHosts: '256.1.1.1' } },
      'command line: --allowed-hosts.0: "256.1.1.1" is not a host name or address',
    ],
    [
      {
        flags: { config: 'c.json' },
        readFile: () => `{"allowedHosts":${JSON.stringify(Array(101).fill('a.example'))}}`,
      },
      'config file /srv/gatehouse/c.json: allowedHosts: Too big: expected array to have <=100 items',
    ],
    [
      { env: { GATEHOUSE_LOG_LEVEL: 'info', GATEHOUSE_DATA_DIR: 'd\ud800' } },
      'environment: GATEHOUSE_DATA_DIR: must be well-formed Unicode text (it holds a lone UTF-16 surrogate)',
    ],
    [
      {
        flags: { config: 'c.json' },
        readFile: () => '{"reachability":{"dnsEcho":[{"server":"s","name":"n\\udfff","type":"A"}]}}',
      },
      'config file /srv/gatehouse/c.json: reachability.dnsEcho.0.name: must be well-formed Unicode text (it holds a lone UTF-16 surrogate)',
    ],
  ] as [Partial<ConfigInput>, string][])('refuses %j', (over, message) => {
    const r = loadConfig(base(over));
    expect(r.ok ? 'ok' : r.error.message).toBe(message);
  });
});
