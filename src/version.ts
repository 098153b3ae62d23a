/** @module The running version, from package.json (read once at start-up by the composition root). */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function readVersion(): string {
  for (const candidate of ['../package.json', '../../package.json']) {
    try {
      const pkg = require(candidate) as { name?: string; version?: string };
      if (pkg.name === 'gatehouse' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // try the next location (src/ in development, dist/ when built)
    }
  }
  return '0.0.0';
}
