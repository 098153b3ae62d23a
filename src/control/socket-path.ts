/** @module Where the control socket lives (`<dataDir>/control.sock`) and whether the kernel can bind that path. */
import path from 'node:path';

const controlSocketName = 'control.sock';

/** The control socket of the server that holds `dataDir` (an absolute path, as config resolves it). */
export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, controlSocketName);
}

/**
 * Longest path a Unix socket can have, in bytes: `sun_path` is 108 bytes on Linux and 104 on the BSDs and macOS,
 * one of them the terminating NUL. Node does not refuse a longer path: it silently binds a truncated one, so
 * the server would listen where no client looks. Hence the check before binding or connecting.
 */
export function maxSocketPathBytes(platform: NodeJS.Platform): number {
  return platform === 'linux' ? 107 : 103;
}

/**
 * Why `socketPath` cannot be a socket here, or undefined when it can. There is no fallback location: one outside
 * the 0700 data directory would need its own permissions and discovery, and Linux's abstract sockets have no file
 * permissions at all. A short symlink to the data directory is the way out.
 */
export function socketPathProblem(socketPath: string, platform: NodeJS.Platform): string | undefined {
  const bytes = Buffer.byteLength(socketPath);
  const max = maxSocketPathBytes(platform);
  if (bytes <= max) return undefined;
  return (
    `the control socket path ${socketPath} is ${bytes} bytes long; Unix sockets allow at most ${max}. ` +
    'Use a shorter data directory path, e.g. a symlink to it (ln -s <data dir> /var/lib/gatehouse) given as --data-dir'
  );
}
