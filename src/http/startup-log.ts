/** @module What a person starting the server needs to read in its log: where it listens, how to finish setup. */
import type { Logger } from '../core/log.js';

export function logStartup(
  logger: Logger,
  facts: {
    readonly url: string;
    readonly dataDir: string;
    readonly version: string;
    /** The bootstrap certificate's fingerprint, when serving HTTPS with it. */
    readonly fingerprintSha256: string | undefined;
    /** Present until setup is done. */
    readonly setupToken: string | undefined;
  },
  /**
   * Writes a plain line where a person watches (a terminal), beside the log; absent when no terminal is attached,
   * e.g. under systemd, where the JSON record in the journal is what is read.
   */
  terminal?: (line: string) => void,
): void {
  logger.info({ url: facts.url, dataDir: facts.dataDir, version: facts.version }, 'Gatehouse is listening');
  if (facts.fingerprintSha256 !== undefined) {
    logger.info(
      { fingerprintSha256: facts.fingerprintSha256 },
      'HTTPS uses a self-signed certificate until an ACME certificate replaces it; check this fingerprint in your browser',
    );
  }
  // The setup token is meant to be read from this log (or `gatehouse setup-token`); it dies with setup.
  if (facts.setupToken !== undefined) {
    const setupUrl = `${facts.url}/#/setup`;
    logger.warn({ setupUrl }, `first run: open the UI and enter the setup token ${facts.setupToken}`);
    terminal?.(`Setup token: ${facts.setupToken}  (open ${setupUrl})\n`);
  }
}

/** Where a line for a person goes: the terminal on stderr, else on stdout; none when neither is a terminal. */
export function terminalWriter(): ((line: string) => void) | undefined {
  if (process.stderr.isTTY) return (line) => process.stderr.write(line);
  if (process.stdout.isTTY) return (line) => process.stdout.write(line);
  return undefined;
}
