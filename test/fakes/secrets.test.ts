// FakeSecrets keeps the file adapter's contract: the same cases against both.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe } from 'vitest';
import { createFileSecrets } from '../../src/core/file-secrets.js';
import { FakeClock } from './clock.js';
import { secretsContract } from './contracts/secrets.js';
import { MemoryLogger } from './logger.js';
import { FakeSecrets } from './secrets.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Secrets contract: the file adapter', () => {
  secretsContract(() => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gatehouse-secrets-'));
    dirs.push(dataDir);
    const clock = new FakeClock('2026-03-01T12:00:00.000Z');
    return { secrets: createFileSecrets(dataDir, { clock, logger: new MemoryLogger() }), clock };
  });
});

describe('Secrets contract: FakeSecrets', () => {
  secretsContract(() => {
    const clock = new FakeClock('2026-03-01T12:00:00.000Z');
    return { secrets: new FakeSecrets(clock), clock };
  });
});
