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
