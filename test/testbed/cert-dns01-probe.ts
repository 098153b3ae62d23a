// Runs the DNS-01 solver inside a namespace of the bed, through the DDNS TXT access over an RFC 2136 account (the
// bed's BIND, TSIG), and prints what happened as JSON. `dig` (a DNS client apart from Gatehouse's) checks what BIND
// serves right after each step.
//   node --import tsx cert-dns01-probe.ts '<json>' where json is
//   { "op": "solve" | "timeout" | "issue" | "gatehouse", "dns": "203.0.113.65", "zone", "keyName", "secret", "name",
//     "directoryUrl"? (issue, gatehouse), "caBundleFile"? (gatehouse), "servers"? (timeout: servers to ask) }
// `issue` (acme-client's auto() directly, NODE_EXTRA_CA_CERTS=<pebble listener CA>) and `gatehouse` (Gatehouse's
// AcmeCa adapter and issueCertificate, trusting caBundleFile) order <name> and *.<name> from pebble with DNS-01.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import acme from 'acme-client';
import { createAcmeCaFactory, createCertificateKeyAndCsr } from '../../src/cert/acme-client.js';
import { createDns01Solver } from '../../src/cert/dns01-solver.js';
import { issueCertificate, type IssueEvent } from '../../src/cert/issue.js';
import { systemClock } from '../../src/core/clock.js';
import { createDgramUdp } from '../../src/core/dgram-udp.js';
import { createNetDnsStream } from '../../src/ddns/dns/net-tcp.js';
import { secretName } from '../../src/ddns/engine.js';
import { providerRegistry } from '../../src/ddns/providers/index.js';
import { createServedLookup } from '../../src/ddns/served.js';
import { createTxtAccess } from '../../src/ddns/txt-access.js';
import { initialState, type State } from '../../src/store/schema.js';
import { ddnsAccount, ddnsRecord } from '../fakes/ddns-fixtures.js';
import { FakeSecrets } from '../fakes/secrets.js';
import { MemoryStore } from '../fakes/store.js';

interface Input {
  op: 'solve' | 'timeout' | 'issue' | 'gatehouse';
  dns: string;
  zone: string;
  keyName: string;
  secret: string;
  name: string;
  directoryUrl?: string;
  caBundleFile?: string;
  servers?: string[];
}

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const udp = createDgramUdp();
const tcp = createNetDnsStream();
const recordName = `_acme-challenge.${input.name}`;

/** What BIND serves for the TXT name (dig's own client), and the answer's status. */
function dig(): { values: string[]; status: string } {
  const out = execFileSync(
    'dig',
    ['+noall', '+comments', '+answer', '+time=1', '+tries=2', `@${input.dns}`, recordName, 'TXT'],
    { encoding: 'utf8' },
  );
  const status = /status: (\w+)/.exec(out)?.[1] ?? 'none';
  const values = out
    .split('\n')
    .filter((l) => !l.startsWith(';') && l.includes('TXT'))
    .map((l) => l.replace(/^.*TXT\s+/, '').replace(/"/g, ''))
    .sort();
  return { values, status };
}

async function makeSolver(servers: readonly string[], timeoutSeconds: number) {
  const clock = systemClock;
  const base: State = initialState(clock.now(), 'probe');
  const store = new MemoryStore<State>({
    ...base,
    ddns: {
      ...base.ddns,
      accounts: [
        ddnsAccount({
          id: 'bind',
          name: 'Bed BIND',
          kind: 'rfc2136',
          settings: { server: input.dns, zone: input.zone, keyName: input.keyName },
        }),
        ddnsAccount({ id: 'dyn', name: 'Some dyndns2', kind: 'dyndns2', settings: {} }),
      ],
      records: [
        ddnsRecord({ id: 'r1', hostname: input.name, zone: input.zone, accountId: 'bind' }),
        ddnsRecord({ id: 'r2', hostname: 'home.elsewhere.test', zone: 'elsewhere.test', accountId: 'dyn' }),
      ],
    },
  });
  const secrets = new FakeSecrets(clock);
  await secrets.set(secretName('bind', 'secret'), input.secret);
  const served = createServedLookup(
    { udp, tcp, clock, resolvConf: () => `nameserver ${input.dns}\n` },
    { resolver: null, authoritativeServers: [...servers] },
  );
  const txtAccess = createTxtAccess({
    store,
    secrets,
    providers: providerRegistry,
    providerDeps: { udp, tcp, fetch, clock, userAgent: 'Gatehouse test bed' },
    served,
  });
  return createDns01Solver({ txtAccess, clock, propagationTimeoutSeconds: timeoutSeconds });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const t0 = performance.now();
  const result = await fn();
  return { result, ms: Math.round(performance.now() - t0) };
}

async function solve(): Promise<unknown> {
  const solver = await makeSolver([], 30);
  const base = { name: input.name, token: 't1', value: 'base-value-1' };
  const wildcard = { name: input.name, token: 't2', value: 'wildcard-value-2' };
  const before = dig();
  const presentBase = await timed(() => solver.present(base));
  const afterBase = dig();
  const presentWildcard = await timed(() => solver.present(wildcard));
  const afterWildcard = dig();
  await solver.cleanUp(base);
  const afterCleanBase = dig();
  await solver.cleanUp(wildcard);
  const afterCleanAll = dig();
  const noAccount = await solver.present({ name: 'home.other.test', token: 't', value: 'x' });
  const dyndns = await solver.present({ name: 'home.elsewhere.test', token: 't', value: 'x' });
  return {
    before,
    presentBase,
    afterBase,
    presentWildcard,
    afterWildcard,
    afterCleanBase,
    afterCleanAll,
    noAccount,
    dyndns,
  };
}

async function timeout(): Promise<unknown> {
  const solver = await makeSolver(input.servers ?? [], 5);
  const task = { name: input.name, token: 't', value: 'never-everywhere' };
  const present = await timed(() => solver.present(task));
  const during = dig();
  await solver.cleanUp(task);
  return { present, during, after: dig() };
}

async function issue(): Promise<unknown> {
  const solver = await makeSolver([], 30);
  const seen: { name: string; wildcard: boolean; served: string[] }[] = [];
  const client = new acme.Client({
    directoryUrl: input.directoryUrl ?? '',
    accountKey: await acme.crypto.createPrivateEcdsaKey(),
  });
  const [, csr] = await acme.crypto.createCsr({
    commonName: input.name,
    altNames: [input.name, `*.${input.name}`],
  });
  const t0 = performance.now();
  const cert = await client.auto({
    csr,
    email: `admin@${input.name}`,
    termsOfServiceAgreed: true,
    challengePriority: ['dns-01'],
    // The solver has already seen every authoritative server serve the value; the CA's own check is the proof.
    skipChallengeVerification: true,
    challengeCreateFn: async (authz, challenge, keyAuthorization) => {
      const r = await solver.present({
        name: authz.identifier.value,
        token: challenge.token,
        value: keyAuthorization,
      });
      if (!r.ok) throw new Error(r.error.message);
      seen.push({ name: authz.identifier.value, wildcard: authz.wildcard ?? false, served: dig().values });
    },
    challengeRemoveFn: (authz, challenge, keyAuthorization) =>
      solver.cleanUp({ name: authz.identifier.value, token: challenge.token, value: keyAuthorization }),
  });
  const ms = Math.round(performance.now() - t0);
  const info = acme.crypto.readCertificateInfo(cert);
  return { ms, seen, altNames: info.domains.altNames, issuer: info.issuer.commonName, after: dig() };
}

async function gatehouse(): Promise<unknown> {
  const solver = await makeSolver([], 30);
  const ca = createAcmeCaFactory()({
    directoryUrl: input.directoryUrl ?? '',
    accountKeyPem: generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    }).privateKey,
    accountUrl: null,
    externalAccountBinding: null,
    caBundlePem: input.caBundleFile ? fs.readFileSync(input.caBundleFile, 'utf8') : null,
  });
  const account = await ca.ensureAccount({ email: null, termsAgreed: true });
  if (!account.ok) return { account };
  const events: IssueEvent[] = [];
  const t0 = performance.now();
  const issued = await issueCertificate(
    {
      ca,
      solvers: new Map([['dns-01', solver]]),
      makeKeyAndCsr: (names, keyType) => createCertificateKeyAndCsr({ names, keyType }),
      log: (e) => events.push(e),
    },
    { names: [input.name, `*.${input.name}`], keyType: 'ecdsa-p256', challenge: 'dns-01' },
  );
  const ms = Math.round(performance.now() - t0);
  return {
    ms,
    events: events.map((e) => e.type),
    result: issued.ok ? { ok: true, certificate: issued.value.certificate } : issued,
    after: dig(),
  };
}

const ops = { solve, timeout, issue, gatehouse };
const result = await ops[input.op]();
process.stdout.write(`${JSON.stringify(result)}\n`);
