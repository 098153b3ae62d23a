/** @module node:fs adapter for StaticAssets: loads the built UI (web/dist) into memory once at start-up. */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Asset, StaticAssets } from './assets.js';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Where the built web UI lives, relative to this file in src/ (development) or dist/ (built). */
export function defaultWebRoot(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');
}

export function loadStaticAssets(root: string): StaticAssets {
  const files = new Map<string, Asset>();
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        const rel = `/${path.relative(root, full).split(path.sep).join('/')}`;
        files.set(rel, {
          body: fs.readFileSync(full),
          contentType: contentTypes[path.extname(entry.name)] ?? 'application/octet-stream',
          immutable: rel.startsWith('/assets/'),
        });
      }
    }
  };
  if (fs.existsSync(root)) walk(root);
  return { get: (p) => files.get(p), index: files.get('/index.html') };
}
