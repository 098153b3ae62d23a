/** @module A complete AppConfig for tests: the embedded defaults plus the fields a test cares about. */
import { loadConfig, type AppConfig } from '../../src/config/index.js';

export function testConfig(over: Partial<AppConfig> & { dataDir: string }): AppConfig {
  const base = loadConfig({ flags: {}, env: {}, cwd: over.dataDir, readFile: () => undefined });
  if (!base.ok) throw new Error(base.error.message);
  // Tests never reach public services: reachability is off unless a test turns it on with bed servers.
  const reachability = {
    ...base.value.reachability,
    enabled: false,
    stunServers: [],
    httpEcho: [],
    dnsEcho: [],
  };
  return {
    ...base.value,
    listen: { host: '127.0.0.1', port: 0 },
    logLevel: 'silent',
    reachability,
    // The name the harness's requests carry (http://gatehouse.test); real servers are reached on loopback.
    allowedHosts: ['gatehouse.test'],
    // The HTTP-01 listener on a free loopback port, and no router mapping: tests never bind port 80.
    acme: {
      ...base.value.acme,
      http01: { listen: { host: '127.0.0.1', port: 0 }, mapRouterPort: false },
    },
    ...over,
  };
}
