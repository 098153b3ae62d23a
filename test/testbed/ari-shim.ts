// An HTTPS proxy in front of the bed's pebble that adds ACME Renewal Information (RFC 9773,
// https://www.rfc-editor.org/rfc/rfc9773): pebble 2.4.0 has no ARI, and Let's Encrypt's is out of reach (and out of
// bounds) in tests. It implements the published API, not Let's Encrypt's behaviour:
// - §3: the directory gains `renewalInfo` (https://<Host>/ari/renewalInfo);
// - §4.1–4.2: GET <renewalInfo>/<certID> answers the window the test wrote, with its Retry-After (§4.3);
// - §5: it records the `replaces` field of every newOrder, and can answer newOrder with a rateLimited problem (429).
// Everything else is passed to pebble byte for byte with the client's Host header, so pebble's URLs (and the JWS
// `url` it checks against the Host) name the shim.
//
// Run inside the bed's `inet` namespace:
//   node --import tsx ari-shim.ts '{"listen":"203.0.113.65:14100","upstream":"203.0.113.65:14000",
//     "certFile":…,"keyFile":…,"upstreamCaFile":…,"stateDir":…}'
// The test controls it through files in stateDir (read on every request):
//   control.json  { "ari"?: boolean (default true), "window"?: {"start","end"}, "explanationURL"?, "retryAfter"?,
//                   "ariStatus"?: number, "rateLimitNewOrder"?: { "retryAfter": string } }
// and reads what it saw:  orders.jsonl  {"identifiers":[…],"replaces":…|null}  and  ari.jsonl  {"certId":…}
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';

interface Options {
  listen: string;
  upstream: string;
  certFile: string;
  keyFile: string;
  upstreamCaFile: string;
  stateDir: string;
}

interface Control {
  ari?: boolean;
  window?: { start: string; end: string };
  explanationURL?: string;
  retryAfter?: string;
  ariStatus?: number;
  rateLimitNewOrder?: { retryAfter: string };
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const [upstreamHost = '', upstreamPort = ''] = options.upstream.split(':');
const [listenHost = '', listenPort = ''] = options.listen.split(':');
const upstreamCa = fs.readFileSync(options.upstreamCaFile, 'utf8');
const ariPrefix = '/ari/renewalInfo/';
let newOrderPath = '/order-plz';

function control(): Control {
  try {
    return JSON.parse(fs.readFileSync(path.join(options.stateDir, 'control.json'), 'utf8')) as Control;
  } catch {
    return {};
  }
}

function record(file: string, entry: unknown): void {
  fs.appendFileSync(path.join(options.stateDir, file), `${JSON.stringify(entry)}\n`);
}

function readBody(req: NodeJS.ReadableStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function forward(
  req: { method: string; url: string; headers: Record<string, string | string[] | undefined> },
  body: Buffer,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const up = https.request(
      {
        host: upstreamHost,
        port: Number(upstreamPort),
        method: req.method,
        path: req.url,
        headers: req.headers,
        ca: upstreamCa,
        servername: 'acme.example.test',
      },
      (res) => {
        readBody(res).then(
          (b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }),
          reject,
        );
      },
    );
    up.on('error', reject);
    up.end(body);
  });
}

const server = https.createServer(
  { cert: fs.readFileSync(options.certFile), key: fs.readFileSync(options.keyFile) },
  (req, res) => {
    void (async () => {
      const url = req.url ?? '/';
      const body = await readBody(req);
      const settings = control();
      if (req.method === 'GET' && url.startsWith(ariPrefix)) {
        const certId = url.slice(ariPrefix.length);
        record('ari.jsonl', { certId });
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (settings.retryAfter !== undefined) headers['retry-after'] = settings.retryAfter;
        if (settings.window === undefined || (settings.ariStatus ?? 200) !== 200) {
          res.writeHead(settings.ariStatus ?? 404, { 'content-type': 'application/problem+json' });
          res.end(
            JSON.stringify({ type: 'urn:ietf:params:acme:error:malformed', detail: 'unknown certificate' }),
          );
          return;
        }
        res.writeHead(200, headers);
        res.end(
          JSON.stringify({
            suggestedWindow: settings.window,
            ...(settings.explanationURL === undefined ? {} : { explanationURL: settings.explanationURL }),
          }),
        );
        return;
      }
      if (req.method === 'POST' && url === newOrderPath) {
        const jws = JSON.parse(body.toString('utf8')) as { payload: string };
        const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString('utf8')) as {
          identifiers: unknown;
          replaces?: string;
        };
        record('orders.jsonl', { identifiers: payload.identifiers, replaces: payload.replaces ?? null });
        if (settings.rateLimitNewOrder !== undefined) {
          res.writeHead(429, {
            'content-type': 'application/problem+json',
            'retry-after': settings.rateLimitNewOrder.retryAfter,
          });
          res.end(
            JSON.stringify({
              type: 'urn:ietf:params:acme:error:rateLimited',
              detail: 'too many new orders recently (ari-shim)',
              status: 429,
            }),
          );
          return;
        }
      }
      const answer = await forward({ method: req.method ?? 'GET', url, headers: req.headers }, body);
      const isDirectory = req.method === 'GET' && answer.status === 200 && url === '/dir';
      if (!isDirectory) {
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        return;
      }
      const directory = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
      if (typeof directory.newOrder === 'string') newOrderPath = new URL(directory.newOrder).pathname;
      if (settings.ari !== false)
        directory.renewalInfo = `https://${req.headers.host ?? options.listen}/ari/renewalInfo`;
      const text = JSON.stringify(directory, null, 2);
      const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(text)) };
      res.writeHead(200, headers);
      res.end(text);
    })().catch((error: unknown) => {
      console.error('ari-shim:', error);
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
  },
);
server.listen(Number(listenPort), listenHost, () => {
  console.log(`ari-shim listening on ${options.listen}, in front of ${options.upstream}`);
});
