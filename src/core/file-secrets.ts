/**
 * @module node:fs adapter for the Secrets port: one file per secret, `<dataDir>/secrets/<namespace>/<name>`,
 * files 0600 in directories 0700, replaced atomically (temporary file, fsync, rename, fsync of the directory).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from './clock.js';
import type { Logger } from './log.js';
import { fail, ok } from './outcome.js';
import {
  checkSecretName,
  checkSecretValue,
  SecretsStorageError,
  validSecretName,
  type SecretInfo,
  type Secrets,
} from './secrets.js';

const fileMode = 0o600;
const dirMode = 0o700;

export interface FileSecretsDeps {
  /** Sets `updatedAt` (the file's mtime), so it follows the same clock as the rest of the box. */
  readonly clock: Clock;
  readonly logger: Logger;
}

const isMissing = (e: unknown): boolean => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** The Secrets port on files under `<dataDir>/secrets/`. Touches the disk only when a method is called. */
export function createFileSecrets(dataDir: string, deps: FileSecretsDeps): Secrets {
  const root = path.join(dataDir, 'secrets');
  const log = deps.logger.child({ component: 'secrets' });
  // Only ever called with a name checkSecretName accepted: two safe segments, so the path stays inside root.
  const fileOf = (name: string): string => path.join(root, ...name.split('/'));

  /** Creates the directory (and the root) 0700, and tightens them if they exist with wider permissions. */
  async function ensureDir(dir: string): Promise<void> {
    await fs.mkdir(dir, { recursive: true, mode: dirMode });
    await fs.chmod(root, dirMode);
    await fs.chmod(dir, dirMode);
  }

  async function writeAtomically(file: string, value: string, at: Date): Promise<void> {
    const dir = path.dirname(file);
    await ensureDir(dir);
    // Starts with a dot, so list() never mistakes a leftover of a crash for a secret.
    const tmp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
    try {
      // 'wx': never write through a file (or link) that is already there.
      const handle = await fs.open(tmp, 'wx', fileMode);
      try {
        await handle.writeFile(value, 'utf8');
        // The umask may have narrowed the mode; the owner must still be able to read and rewrite the file.
        await handle.chmod(fileMode);
        await handle.utimes(at, at);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
    } catch (e) {
      await fs.rm(tmp, { force: true });
      throw e;
    }
    // The rename itself is durable only once the directory is on disk.
    const dirHandle = await fs.open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  async function statOf(name: string): Promise<SecretInfo | undefined> {
    try {
      const stat = await fs.stat(fileOf(name));
      return stat.isFile() ? { name, updatedAt: stat.mtime } : undefined;
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw new SecretsStorageError(name, 'inspect', { cause: e });
    }
  }

  return {
    async get(name) {
      const valid = validSecretName(name);
      if (!valid.ok) return valid;
      try {
        return ok(await fs.readFile(fileOf(name), 'utf8'));
      } catch (e) {
        if (isMissing(e)) return ok(undefined);
        throw new SecretsStorageError(name, 'read', { cause: e });
      }
    },

    async set(name, value) {
      const problem = checkSecretName(name) ?? checkSecretValue(value);
      if (problem) return fail(problem);
      const at = deps.clock.now();
      try {
        await writeAtomically(fileOf(name), value, at);
      } catch (e) {
        throw new SecretsStorageError(name, 'store', { cause: e });
      }
      log.info({ secretName: name }, 'secret stored');
      return ok({ name, updatedAt: at });
    },

    async has(name) {
      const valid = validSecretName(name);
      if (!valid.ok) return valid;
      return ok((await statOf(name)) !== undefined);
    },

    async info(name) {
      const valid = validSecretName(name);
      if (!valid.ok) return valid;
      return ok(await statOf(name));
    },

    async delete(name) {
      const valid = validSecretName(name);
      if (!valid.ok) return valid;
      try {
        await fs.unlink(fileOf(name));
      } catch (e) {
        if (isMissing(e)) return ok(false);
        throw new SecretsStorageError(name, 'delete', { cause: e });
      }
      log.info({ secretName: name }, 'secret deleted');
      return ok(true);
    },

    async list() {
      const found: SecretInfo[] = [];
      let namespaces: string[];
      try {
        namespaces = await fs.readdir(root);
      } catch (e) {
        if (isMissing(e)) return [];
        throw new SecretsStorageError('*', 'list', { cause: e });
      }
      for (const namespace of namespaces) {
        let entries: string[];
        try {
          entries = await fs.readdir(path.join(root, namespace));
        } catch (e) {
          // A stray file, or a directory removed meanwhile: not a namespace.
          const code = (e as NodeJS.ErrnoException).code;
          if (code === 'ENOTDIR' || code === 'ENOENT') continue;
          throw new SecretsStorageError(`${namespace}/*`, 'list', { cause: e });
        }
        for (const entry of entries) {
          const name = `${namespace}/${entry}`;
          // Anything else in the directory (temporary files, strays) is not a secret.
          if (checkSecretName(name) !== undefined) continue;
          const info = await statOf(name);
          if (info) found.push(info);
        }
      }
      return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    },
  };
}
