// Builds the server: src/cli.ts and everything it imports, bundled by esbuild into dist/server/ (ES modules, one file
// plus the chunks that dynamic imports split off). Plain JavaScript on purpose: it runs before anything is compiled.
//
// Why a bundle and not tsc's one file per module (issue 8, BENCHMARKS "Footprint"): a 1 GB box. V8 keeps every
// module's source text for lazy compilation (ours are comment-heavy, and a comment with "—" turns a whole file into
// a two-byte string), each module costs a record and a context, and an ES module import cannot be tree-shaken at
// run time — `import { z } from 'zod'` alone loads zod's 64 locale files. Bundled and minified (whitespace and syntax;
// names are kept so stack traces stay readable) `gatehouse serve` idles about 7 MB lower and answers sooner.
//
// Layout: dist/server/ is two folders below the repository, as src/<folder>/ is, so the paths modules find from
// `import.meta.url` (web/dist for the UI, package.json for the version) are the same in development and when built.
// Bundled: the packages every start loads (Hono, zod, lowdb, otpauth and what they import). Left as imports of
// node_modules: every other dependency — the CommonJS ones (pino, commander) and those loaded only on the path that
// needs them (acme-client, nodemailer, prom-client, node-forge, qrcode), which must stay lazy.
// Types are not checked here (`npm run typecheck`, part of `npm test`).
// @ts-check
import { build } from 'esbuild';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outdir = path.join(root, 'dist', 'server');

/** Dependencies bundled into dist/server (with their own dependencies); every other one stays external. */
const bundledPackages = ['hono', '@hono/node-server', '@hono/zod-openapi', 'zod', 'lowdb', 'otpauth'];

/** @type {{ dependencies: Record<string, string> }} */
// eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- our own package.json (JSDoc types are not checked here)
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const external = Object.keys(pkg.dependencies)
  .filter((name) => !bundledPackages.includes(name))
  .flatMap((name) => [name, `${name}/*`]);

// A clean folder: no chunk of an earlier build (nor tsc's old per-module output) is left to load by mistake.
rmSync(path.join(root, 'dist'), { recursive: true, force: true });

await build({
  entryPoints: { cli: path.join(root, 'src', 'cli.ts') },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  charset: 'ascii',
  chunkNames: '[name]-[hash]',
  logLevel: 'warning',
});

// CommonJS bundled into an ES module calls `require` through a shim that throws "Dynamic require of … is not
// supported" at run time. Such a package belongs in the external list; fail the build rather than the first start.
for (const file of readdirSync(outdir).filter((f) => f.endsWith('.js'))) {
  if (readFileSync(path.join(outdir, file), 'utf8').includes('Dynamic require of')) {
    console.error(`build-server: ${file} bundles CommonJS that calls require(); make that package external`);
    process.exit(1);
  }
}
