/** @module The one-time setup token that proves the first admin has access to the box (log or CLI). */
import path from 'node:path';
import type { PrivateFiles } from '../core/node-fs.js';
import { constantTimeEqual, generateSecret } from './crypto.js';

export const setupTokenFileName = 'setup-token';

function setupTokenPath(dataDir: string): string {
  return path.join(dataDir, setupTokenFileName);
}

/**
 * Returns the pending setup token, creating it on first use. The server and `gatehouse setup-token` share the
 * file, so whichever runs first creates it and both print the same value.
 */
export function ensureSetupToken(files: PrivateFiles, dataDir: string): string {
  const file = setupTokenPath(dataDir);
  const existing = files.read(file)?.trim();
  if (existing) return existing;
  const token = generateSecret(18);
  if (existing === undefined && files.createExclusive(file, `${token}\n`)) return token;
  const raced = files.read(file)?.trim();
  if (raced) return raced;
  // An empty file (a crash between creating and writing it) matches no token: setup would be impossible.
  files.write(file, `${token}\n`);
  return token;
}

export function checkSetupToken(files: PrivateFiles, dataDir: string, offered: string): boolean {
  const expected = files.read(setupTokenPath(dataDir))?.trim();
  return expected !== undefined && expected !== '' && constantTimeEqual(expected, offered.trim());
}

export function removeSetupToken(files: PrivateFiles, dataDir: string): void {
  files.remove(setupTokenPath(dataDir));
}
