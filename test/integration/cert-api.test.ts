/**
 * The certificate capability through its HTTP API on the real app (harness), with a scripted CA
 * (test/fakes/acme.ts) and the real port-80 listener on loopback: the account and its refusals, the names, issue and
 * renew (files 0600, keys in the secrets port, history, `replaces`), failures that keep the old certificate, one order
 * at a time, the renewal loop on a controlled clock, the port-80 listener's redirect. Real packets against pebble:
 * test/e2e/cert.test.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCert, type CertCapability } from '../../src/cert/capability.js';
import { createHttp01Server, type Http01Server } from '../../src/cert/http01-server.js';
import type { EventBus } from '../../src/core/events.js';
import { accountKeyName, eabKeyName, keyNameOf } from '../../src/cert/manager.js';
import type { AcmeCaFactory } from '../../src/cert/ports.js';
import type { CertView } from '../../src/cert/view.js';
import { acmeSettingsSchema } from '../../src/config/schema.js';
import { createEventBus } from '../../src/core/events.js';
import { nodePrivateFiles } from '../../src/core/node-fs.js';
import type { Ports } from '../../src/core/ports.js';
import type { Store } from '../../src/store/store.js';
import { FakeAcmeCa, makeTestKeyAndCsr } from '../fakes/acme.js';
import type { FakeClock } from '../fakes/clock.js';
import type { MemoryLogger } from '../fakes/logger.js';
import { FakeRunner } from '../fakes/runner.js';
import { FakeSecrets } from '../fakes/secrets.js';
import { expectError } from '../support/api-helpers.js';
import { createHarness, type Harness } from '../support/app-harness.js';

/** A GET with the Host header a browser sends (fetch would put the address there). */
function get(
  port: number,
  urlPath: string,
  host: string,
): Promise<{ status: number; location: string | undefined }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: urlPath, headers: { host } }, (res) => {
        res.resume();
        resolve({ status: res.statusCode ?? 0, location: res.headers.location });
      })
      .on('error', reject);
  });
}

interface Bed {
  h: Harness;
  cert: CertCapability;
  ca: FakeAcmeCa;
  secrets: FakeSecrets;
  factoryInputs: Parameters<AcmeCaFactory>[0][];
  http01: Http01Server;
  renewed: () => Promise<string>;
  api: (method: string, path: string, body?: unknown) => Promise<Response> | Response;
  json: <T = CertView>(method: string, path: string, body?: unknown) => Promise<T>;
}

const harnesses: Harness[] = [];
const started: CertCapability[] = [];
afterEach(async () => {
  for (const c of started.splice(0)) await c.stop?.();
  for (const h of harnesses.splice(0)) h.cleanup();
});

const account = {
  directoryUrl: 'https://ca.example.test/dir',
  email: 'admin@example.test',
  agreeTerms: true,
};

async function bed(): Promise<Bed> {
  const ca = new FakeAcmeCa();
  // Validation over the real listener is the e2e suite's (pebble); here the CA accepts what it is told is ready.
  ca.validator = () => true;
  const factoryInputs: Parameters<AcmeCaFactory>[0][] = [];
  let secrets!: FakeSecrets;
  let cert!: CertCapability;
  let http01!: Http01Server;
  let bus!: EventBus;
  const build = (deps: { store: Store; clock: FakeClock; logger: MemoryLogger; dataDir: string }) => {
    secrets = new FakeSecrets(deps.clock);
    bus = createEventBus(deps.logger);
    const ports: Ports = {
      clock: deps.clock,
      logger: deps.logger,
      files: nodePrivateFiles,
      runner: new FakeRunner(),
      fetch: globalThis.fetch,
      bus,
      secrets,
    };
    const settings = acmeSettingsSchema.parse({ http01: { listen: '127.0.0.1:0', mapRouterPort: false } });
    cert = createCert(ports, settings, {
      store: deps.store,
      alerts: { raise: () => Promise.resolve(), clear: () => Promise.resolve() },
      dataDir: deps.dataDir,
      caFactory: (input) => {
        factoryInputs.push(input);
        return ca;
      },
      makeKeyAndCsr: (names) => Promise.resolve(makeTestKeyAndCsr(names)),
      http01Server: (tokens) =>
        (http01 = createHttp01Server({ listen: settings.http01.listen, tokens, httpsPort: 8443 })),
    });
    return [cert];
  };
  const h = await createHarness({ replace: build });
  harnesses.push(h);
  const session = await h.setupAdmin();
  const api = (method: string, urlPath: string, body?: unknown) =>
    h.request(method, `/api/v1${urlPath}`, {
      cookie: session.cookie,
      csrf: session.csrf,
      ...(body === undefined ? {} : { body }),
    });
  const json = async <T = CertView>(method: string, urlPath: string, body?: unknown) => {
    const res = await api(method, urlPath, body);
    if (res.status >= 300) throw new Error(`${method} ${urlPath}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  /** The serial of the next certificate announced on the bus. */
  const renewed = () =>
    new Promise<string>((resolve) => {
      const off = bus.subscribe('cert.renewed', (e) => {
        off();
        resolve(e.serial);
      });
    });
  return { h, cert, ca, secrets, factoryInputs, http01, renewed, api, json };
}

async function ready(b: Bed, names = ['home.example.test']): Promise<void> {
  await b.json('PUT', '/cert/account', account);
  await b.json('PUT', '/cert/certificate', { names, challenge: 'http-01' });
}

describe('certificates over the API', () => {
  it('starts with nothing set up and says what is served', async () => {
    const b = await bed();
    const view = await b.json('GET', '/cert');
    expect(view).toMatchObject({
      enabled: true,
      account: null,
      certificate: null,
      current: null,
      serving: { kind: 'none' },
      renewal: { state: 'none', failures: 0, lastError: null },
      challenge: { chosen: null },
      history: [],
    });
    await expectError(await b.api('POST', '/cert/issue', {}), 409, 'cert.no-account');
  });

  it('refuses an account whose terms are not agreed, and stores nothing', async () => {
    const b = await bed();
    const body = await expectError(
      await b.api('PUT', '/cert/account', { ...account, agreeTerms: false }),
      409,
      'cert.terms-not-agreed',
    );
    expect(body.error.message).toContain('https://ca.example.test/terms');
    expect((await b.json('GET', '/cert')).account).toBeNull();
    expect(b.ca.callsOf('ensureAccount')).toHaveLength(0);
  });

  it('refuses a directory that is not https, naming the field', async () => {
    const b = await bed();
    const body = await expectError(
      await b.api('PUT', '/cert/account', { ...account, directoryUrl: 'http://ca.example.test/dir' }),
      400,
    );
    expect(JSON.stringify(body)).toContain('https://');
  });

  it('needs EAB when the CA says so, keeps the HMAC key write-only and never shows it', async () => {
    const b = await bed();
    b.ca.directoryAnswer = { ...b.ca.directoryAnswer, externalAccountRequired: true };
    await expectError(await b.api('PUT', '/cert/account', account), 409, 'cert.eab-required');
    const hmacKey = 'c2VjcmV0LWhtYWMta2V5LWZvci10ZXN0cw';
    const res = await b.api('PUT', '/cert/account', { ...account, eab: { kid: 'kid-1', hmacKey } });
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toContain(hmacKey);
    const view = JSON.parse(text) as CertView;
    expect(view.account).toMatchObject({
      eabKid: 'kid-1',
      eabHmacKeySet: true,
      accountUrl: expect.any(String),
    });
    expect(await b.secrets.get(eabKeyName)).toEqual({ ok: true, value: hmacKey });
    // The CA was given the binding and the account key from the secrets port.
    const input = b.factoryInputs.at(-1);
    expect(input?.externalAccountBinding).toEqual({ kid: 'kid-1', hmacKey });
    const accountKey = await b.secrets.get(accountKeyName);
    expect(accountKey.ok && accountKey.value?.includes('PRIVATE KEY')).toBe(true);
    expect(input?.accountKeyPem).toBe(accountKey.ok ? accountKey.value : 'missing');
    expect(JSON.stringify(await b.json('GET', '/cert'))).not.toContain(hmacKey);
  });

  it('a CA that cannot be reached is a 502 with its reason; nothing is stored', async () => {
    const b = await bed();
    b.ca.fail('directory', { kind: 'unreachable', message: 'connect ECONNREFUSED 203.0.113.65:14000' });
    const body = await expectError(await b.api('PUT', '/cert/account', account), 502, 'cert.ca-unreachable');
    expect(body.error.message).toContain('ECONNREFUSED');
    expect((await b.json('GET', '/cert')).account).toBeNull();
  });

  it('checks the names: a wildcard needs DNS-01, garbage is refused, duplicates go', async () => {
    const b = await bed();
    await b.json('PUT', '/cert/account', account);
    await expectError(
      await b.api('PUT', '/cert/certificate', { names: ['*.example.test'], challenge: 'http-01' }),
      400,
      'cert.invalid',
    );
    await expectError(
      await b.api('PUT', '/cert/certificate', { names: ['home example'], challenge: 'auto' }),
      400,
      'cert.invalid',
    );
    await expectError(await b.api('PUT', '/cert/certificate', { names: [] }), 400);
    const view = await b.json('PUT', '/cert/certificate', {
      names: ['Home.Example.Test', 'home.example.test.', '*.example.test'],
    });
    expect(view.certificate).toEqual({
      names: ['home.example.test', '*.example.test'],
      challenge: 'auto',
      keyType: 'ecdsa-p256',
    });
  });
});

describe('ordering', () => {
  it('issues with wait: the certificate, its file 0600, its key in the secrets port, served for its names', async () => {
    const b = await bed();
    await ready(b);
    const r = await b.json<{ ok: boolean; current: CertView['current'] }>('POST', '/cert/issue', {
      wait: true,
    });
    expect(r, JSON.stringify(r)).toMatchObject({ ok: true });
    const serial = r.current?.serial ?? '';
    expect(serial).toMatch(/^[0-9a-f]+$/);
    const view = await b.json('GET', '/cert');
    expect(view.current).toMatchObject({ serial, names: ['home.example.test'], challenge: 'http-01' });
    expect(view.serving).toMatchObject({ kind: 'acme', names: ['home.example.test'] });
    expect(view.renewal).toMatchObject({ state: 'waiting', failures: 0, lastError: null });
    const file = path.join(b.h.dataDir, 'certs', `${serial}.pem`);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toContain('BEGIN CERTIFICATE');
    const key = await b.secrets.get(keyNameOf(serial));
    expect(key.ok && key.value?.includes('PRIVATE KEY')).toBe(true);
    // SNI: the CA-issued pair for its name, nothing for another name (the self-signed default answers it).
    expect(b.cert.tlsCertificate?.('home.example.test')?.cert).toContain('BEGIN CERTIFICATE');
    expect(b.cert.tlsCertificate?.('nas.example.test')).toBeUndefined();
    expect(b.ca.callsOf('newOrder')[0]).toMatchObject({ names: ['home.example.test'] });
    expect(b.ca.callsOf('newOrder')[0]?.replaces).toBeUndefined();
  });

  it('renews: the new order replaces the old certificate (ARI CertID), the old one goes to the history', async () => {
    const b = await bed();
    await ready(b);
    const first = await b.json<{ current: { serial: string } }>('POST', '/cert/issue', { wait: true });
    const second = await b.json<{ ok: boolean; current: { serial: string } }>('POST', '/cert/renew', {
      wait: true,
    });
    expect(second.ok).toBe(true);
    expect(second.current.serial).not.toBe(first.current.serial);
    const replaces = b.ca.callsOf('newOrder')[1]?.replaces;
    expect(replaces).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    const view = await b.json('GET', '/cert');
    expect(view.history.map((h) => h.serial)).toEqual([first.current.serial]);
    expect(view.serving.kind).toBe('acme');
    expect(b.cert.tlsCertificate?.('home.example.test')).toBe(b.cert.manager.current);
    expect(b.cert.manager.current?.serial).toBe(second.current.serial);
  });

  it('a failed renewal keeps the old certificate serving and records the error on the certificate', async () => {
    const b = await bed();
    await ready(b);
    const first = await b.json<{ current: { serial: string } }>('POST', '/cert/issue', { wait: true });
    b.ca.fail('newOrder', {
      kind: 'rate-limited',
      message: 'too many certificates already issued for this name',
      acmeType: 'urn:ietf:params:acme:error:rateLimited',
      retryAfterMs: 3_600_000,
    });
    const r = await b.json<{ ok: boolean; error: { kind: string; message: string } }>('POST', '/cert/renew', {
      wait: true,
    });
    expect(r).toMatchObject({ ok: false, error: { kind: 'rate-limited' } });
    const view = await b.json('GET', '/cert');
    expect(view.current?.serial).toBe(first.current.serial);
    expect(view.serving.kind).toBe('acme');
    expect(view.renewal).toMatchObject({
      state: 'failing',
      failures: 1,
      lastError: { kind: 'rate-limited', message: expect.stringContaining('too many certificates') },
    });
    // Never earlier than the CA's Retry-After.
    const nextAt = Date.parse(view.renewal.nextAt ?? '');
    expect(nextAt).toBeGreaterThanOrEqual(b.h.clock.now().getTime() + 3_600_000);
  });

  it('runs one order at a time: a second request while one runs is 409 cert.busy', async () => {
    const b = await bed();
    await ready(b);
    const gate = b.ca.hold('finalize');
    const res = await b.api('POST', '/cert/issue', {});
    expect(res.status).toBe(202);
    await gate.reached;
    expect((await b.json('GET', '/cert')).renewal.state).toBe('running');
    await expectError(await b.api('POST', '/cert/renew', {}), 409, 'cert.busy');
    // Asking for the result meanwhile waits for the running order instead of starting another (called directly:
    // an HTTP request could reach the manager only after the order ended).
    const joined = b.cert.manager.run('renew', { wait: true, by: { actor: 'test', clientAddress: 'local' } });
    gate.release();
    const result = await joined;
    await b.cert.manager.idle();
    const view = await b.json('GET', '/cert');
    if (!result.ok || !('ok' in result.value) || !result.value.ok) throw new Error(JSON.stringify(result));
    expect(view.current?.serial).toBe(result.value.current?.serial);
    expect(b.ca.callsOf('newOrder'), JSON.stringify(b.ca.calls.map((c) => c.method))).toHaveLength(1);
  });

  it('sends the order again without `replaces` when the CA says the certificate was already replaced', async () => {
    const b = await bed();
    await ready(b);
    await b.json('POST', '/cert/issue', { wait: true });
    b.ca.fail('newOrder', {
      kind: 'rejected',
      message: 'the certificate was already replaced',
      acmeType: 'urn:ietf:params:acme:error:alreadyReplaced',
    });
    const r = await b.json<{ ok: boolean }>('POST', '/cert/renew', { wait: true });
    expect(r.ok).toBe(true);
    const orders = b.ca.callsOf('newOrder');
    expect(orders).toHaveLength(3);
    expect(orders[2]?.replaces).toBeUndefined();
  });

  it('finds or makes the account again when the CA no longer knows it, and orders once more', async () => {
    const b = await bed();
    await ready(b);
    b.ca.fail('newOrder', {
      kind: 'rejected',
      message: 'account does not exist',
      acmeType: 'urn:ietf:params:acme:error:accountDoesNotExist',
    });
    const r = await b.json<{ ok: boolean }>('POST', '/cert/issue', { wait: true });
    expect(r.ok).toBe(true);
    expect(b.ca.callsOf('ensureAccount')).toHaveLength(2);
    expect(b.factoryInputs.at(-1)?.accountUrl).toBeNull();
  });

  it('the loop renews on its own when a third of the lifetime remains (controlled clock)', async () => {
    const b = await bed();
    await ready(b);
    const first = await b.json<{ current: { serial: string; notBefore: string; notAfter: string } }>(
      'POST',
      '/cert/issue',
      { wait: true },
    );
    const { notBefore, notAfter } = first.current;
    const lifetime = Date.parse(notAfter) - Date.parse(notBefore);
    // The CA offers no window for it: the lifetime rule decides.
    b.ca.directoryAnswer = { ...b.ca.directoryAnswer, renewalInfo: null };
    const next = b.renewed();
    await b.cert.start?.();
    started.push(b.cert);
    await b.h.clock.sleeping();
    expect(b.cert.manager.current?.serial).toBe(first.current.serial);
    b.h.clock.advanceTo(new Date(Date.parse(notAfter) - lifetime / 3 + 1000));
    const serial = await next;
    expect(serial).not.toBe(first.current.serial);
    expect(b.cert.manager.current?.serial).toBe(serial);
    // Days later the browser session has expired: the manager's own view.
    const view = await b.cert.manager.view();
    expect(view.history.map((h) => h.serial)).toEqual([first.current.serial]);
  });
});

describe('the port-80 listener', () => {
  it('runs while a certificate is wanted: serves a registered token only, redirects the rest to HTTPS', async () => {
    const b = await bed();
    await ready(b);
    await b.cert.start?.();
    started.push(b.cert);
    const status = b.http01.status();
    if (status.state !== 'listening') throw new Error(`the listener is ${status.state}`);
    const address = { port: status.port };
    const res = await get(address.port, '/nas/login?x=1', 'home.example.test');
    expect(res.status).toBe(301);
    expect(res.location).toBe('https://home.example.test:8443/nas/login?x=1');
    const missing = await fetch(
      `http://127.0.0.1:${String(address.port)}/.well-known/acme-challenge/abcDEF_123`,
    );
    expect(missing.status).toBe(404);
  });
});
