// Builds the server (dist/) and the web UI (web/dist/) when either is missing or older than its sources.
// Plain JavaScript on purpose: it runs before anything is compiled (npm ci → prepare, npm start).
// @ts-check
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** @param {string} dir @returns {number} */
function newestMtime(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  if (!statSync(dir).isDirectory()) return statSync(dir).mtimeMs;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** @param {string} output @param {string[]} sources */
function stale(output, sources) {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return sources.some((s) => newestMtime(s) > built);
}

/** @param {string} script */
function run(script) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', '--silent', script], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

if (
  stale(path.join(root, 'dist', 'server', 'cli.js'), [
    path.join(root, 'src'),
    path.join(root, 'scripts', 'build-server.js'),
  ])
) {
  console.error('gatehouse: building the server (dist/)…');
  run('build:server');
}
if (
  stale(path.join(root, 'web', 'dist', 'index.html'), [
    path.join(root, 'web', 'src'),
    path.join(root, 'src', 'web'),
  ])
) {
  console.error('gatehouse: building the web UI (web/dist/)…');
  run('build:web');
}
