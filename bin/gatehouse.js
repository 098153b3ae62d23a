#!/usr/bin/env node
// Launcher for the built CLI (dist/ is produced by `npm ci` through the prepare script, or `npm run build`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/server/cli.js', import.meta.url));
if (!existsSync(cli)) {
  process.stderr.write('gatehouse: not built yet; run `npm run build` (or `npm start`) first\n');
  process.exit(1);
}
const { runCli, processIo } = await import(cli);
process.exitCode = await runCli(process.argv.slice(2), processIo());
