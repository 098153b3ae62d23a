// Issues a certificate from the bed's pebble with an HTTP-01 challenge served on :80 of this namespace.
// Run inside a namespace with NODE_EXTRA_CA_CERTS=<pebble listener CA>:
//   node --import tsx acme-probe.ts <directory URL> <domain>
// Prints {"commonName": ..., "issuer": ..., "altNames": [...]} on success.
import http from 'node:http';
import acme from 'acme-client';

const [directoryUrl = '', domain = ''] = process.argv.slice(2);
const tokens = new Map<string, string>();
const server = http.createServer((req, res) => {
  const token = (req.url ?? '').split('/').pop() ?? '';
  const answer = tokens.get(token);
  res.statusCode = answer === undefined ? 404 : 200;
  res.end(answer ?? '');
});
await new Promise<void>((resolve) => server.listen(80, '0.0.0.0', () => resolve()));
try {
  const client = new acme.Client({ directoryUrl, accountKey: await acme.crypto.createPrivateEcdsaKey() });
  const [, csr] = await acme.crypto.createCsr({ commonName: domain, altNames: [domain] });
  const cert = await client.auto({
    csr,
    email: `admin@${domain}`,
    termsOfServiceAgreed: true,
    challengePriority: ['http-01'],
    // The CA's own validation is the proof wanted here; acme-client's pre-check would only add a delay.
    skipChallengeVerification: true,
    challengeCreateFn: (_authz, challenge, keyAuthorization) => {
      tokens.set(challenge.token, keyAuthorization);
      return Promise.resolve();
    },
    challengeRemoveFn: (_authz, challenge) => {
      tokens.delete(challenge.token);
      return Promise.resolve();
    },
  });
  const info = acme.crypto.readCertificateInfo(cert);
  process.stdout.write(
    `${JSON.stringify({ commonName: info.domains.commonName, issuer: info.issuer, altNames: info.domains.altNames })}\n`,
  );
} finally {
  server.close();
}
