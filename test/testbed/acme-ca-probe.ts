// Drives the real ACME CA adapter (src/cert/acme-client.ts) inside a bed namespace and prints what each step
// returned as JSON. Run WITHOUT NODE_EXTRA_CA_CERTS: the adapter's own CA bundle must carry the trust.
//   node --import tsx acme-ca-probe.ts '<json>'
// json = { directoryUrl, caBundleFile?: string|null, accountKeyPem?: string, eab?: {kid, hmacKey}|null,
//          http01?: boolean (serve HTTP-01 answers on :80 of this namespace),
//          dns?: { server, zone, keyName, secret } (DNS-01 TXT records by RFC 2136, the TSIG key on nsupdate's stdin),
//          steps: Step[] }
// Step = { op: 'directory' } | { op: 'directoryAt', directoryUrl, trust } (another directory, a one-off adapter; trust:
//        false = no CA bundle) | { op: 'fresh' } (a new adapter object: same key, no account URL)
//      | { op: 'ensureAccount', email?, termsAgreed } | { op: 'newOrder', names, replaces? }
//      | { op: 'issue', names, challenge: 'http-01'|'dns-01', keyType?, replaces?, serve?: boolean (default true) }
//      | { op: 'renewalInfo', certId }
// Output: { accountKeyPem, results: [{ op, ms, result }] } where result is the adapter's Outcome (issue: the chain
// and its certId).
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { createAcmeCaFactory, createCertificateKeyAndCsr } from '../../src/cert/acme-client.js';
import { ariCertId } from '../../src/cert/ari.js';
import type { AcmeCa } from '../../src/cert/ports.js';

interface Input {
  directoryUrl: string;
  caBundleFile?: string | null;
  accountKeyPem?: string;
  eab?: { kid: string; hmacKey: string } | null;
  http01?: boolean;
  dns?: { server: string; zone: string; keyName: string; secret: string };
  steps: Step[];
}

type Step =
  | { op: 'directory' }
  | { op: 'directoryAt'; directoryUrl: string; trust: boolean }
  | { op: 'fresh' }
  | { op: 'ensureAccount'; email?: string | null; termsAgreed: boolean }
  | { op: 'newOrder'; names: string[]; replaces?: string }
  | {
      op: 'issue';
      names: string[];
      challenge: 'http-01' | 'dns-01';
      keyType?: 'ecdsa-p256' | 'rsa-2048';
      replaces?: string;
      serve?: boolean;
    }
  | { op: 'renewalInfo'; certId: string };

const input = JSON.parse(process.argv[2] ?? '{}') as Input;
const accountKeyPem =
  input.accountKeyPem ??
  generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  }).privateKey;
const caBundlePem = input.caBundleFile ? fs.readFileSync(input.caBundleFile, 'utf8') : null;
const factory = createAcmeCaFactory();
const makeCa = (directoryUrl = input.directoryUrl, bundle = caBundlePem): AcmeCa =>
  factory({
    directoryUrl,
    accountKeyPem,
    accountUrl: null,
    externalAccountBinding: input.eab ?? null,
    caBundlePem: bundle,
  });

const tokens = new Map<string, string>();
const server = input.http01
  ? await new Promise<http.Server>((resolve) => {
      const s = http.createServer((req, res) => {
        const answer = tokens.get((req.url ?? '').split('/').pop() ?? '');
        res.statusCode = answer === undefined ? 404 : 200;
        res.end(answer ?? '');
      });
      s.listen(80, '0.0.0.0', () => resolve(s));
    })
  : undefined;

function nsupdate(commands: string[]): Promise<void> {
  const dns = input.dns;
  if (!dns) return Promise.reject(new Error('no dns settings'));
  const script = [
    `server ${dns.server}`,
    `key hmac-sha256:${dns.keyName} ${dns.secret}`,
    `zone ${dns.zone}`,
    ...commands,
    'send',
    '',
  ].join('\n');
  return new Promise((resolve, reject) => {
    const child = execFile('nsupdate', ['-t', '5'], (error, _out, stderr) =>
      error ? reject(new Error(`nsupdate: ${stderr || error.message}`)) : resolve(),
    );
    child.stdin?.end(script);
  });
}

async function issue(ca: AcmeCa, step: Extract<Step, { op: 'issue' }>): Promise<unknown> {
  const order = await ca.newOrder({
    names: step.names,
    ...(step.replaces ? { replaces: step.replaces } : {}),
  });
  if (!order.ok) return order;
  const authzs = await ca.authorizations(order.value);
  if (!authzs.ok) return authzs;
  const cleanups: (() => Promise<void>)[] = [];
  try {
    for (const authz of authzs.value) {
      if (authz.status === 'valid') continue; // pebble reuses valid authorizations half of the time
      const challenge = authz.challenges.find((c) => c.type === step.challenge);
      if (!challenge) return { ok: false, error: { kind: 'probe', message: `no ${step.challenge} offered` } };
      const value = await ca.challengeValue(authz, challenge);
      if (!value.ok) return value;
      if (step.serve !== false) {
        if (step.challenge === 'http-01') {
          tokens.set(challenge.token, value.value);
          cleanups.push(() => Promise.resolve(void tokens.delete(challenge.token)));
        } else {
          const record = `_acme-challenge.${authz.name}. 60 TXT "${value.value}"`;
          await nsupdate([`update add ${record}`]);
          cleanups.push(() => nsupdate([`update delete ${record}`]));
        }
      }
      const answered = await ca.answer(challenge);
      if (!answered.ok) return answered;
      const valid = await ca.waitValid(authz);
      if (!valid.ok) return valid;
    }
  } finally {
    for (const c of cleanups) await c();
  }
  const { csrPem } = await createCertificateKeyAndCsr({
    names: step.names,
    keyType: step.keyType ?? 'ecdsa-p256',
  });
  const chain = await ca.finalize(order.value, csrPem);
  if (!chain.ok) return chain;
  return {
    ok: true,
    value: { chainPem: chain.value, certId: ariCertId(chain.value), orderUrl: order.value.url },
  };
}

let ca = makeCa();
const results: { op: string; ms: number; result: unknown }[] = [];
try {
  for (const step of input.steps) {
    const started = performance.now();
    let result: unknown;
    switch (step.op) {
      case 'directory':
        result = await ca.directory();
        break;
      case 'directoryAt':
        result = await makeCa(step.directoryUrl, step.trust ? caBundlePem : null).directory();
        break;
      case 'fresh':
        ca = makeCa();
        result = { ok: true };
        break;
      case 'ensureAccount':
        result = await ca.ensureAccount({ email: step.email ?? null, termsAgreed: step.termsAgreed });
        break;
      case 'newOrder':
        result = await ca.newOrder({
          names: step.names,
          ...(step.replaces ? { replaces: step.replaces } : {}),
        });
        break;
      case 'issue':
        result = await issue(ca, step);
        break;
      case 'renewalInfo':
        result = await ca.renewalInfo(step.certId);
        break;
    }
    results.push({ op: step.op, ms: Math.round(performance.now() - started), result });
  }
} finally {
  server?.close();
}
process.stdout.write(`${JSON.stringify({ accountKeyPem, results })}\n`);
