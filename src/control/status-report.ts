/**
 * @module `gatehouse status`: what it gathers (the running server's view over the control socket, or what the
 * store shows offline), how it prints it, and its exit code.
 *
 * Exit codes, after the LSB `status` convention that systemctl also follows:
 * 0 the server runs and no card needs attention; 1 it runs but something needs attention (a card in warning or
 * error, or it does not answer on its control socket or /healthz); 2 usage error (as for every command);
 * 3 no server runs (the offline facts are printed); 4 the status cannot be told (this user may not open the
 * control socket, or its path is unusable).
 */
import type { Outcome } from '../core/outcome.js';
import { fail, failure, ok } from '../core/outcome.js';
import type { StatusCard } from '../status/cards.js';
import { formatDuration } from '../status/core-cards.js';
import type { State } from '../store/schema.js';
import { notAnswering } from './offline.js';
import type { ControlClient } from './socket-client.js';
import { cardsNeedingAttention, statusViewSchema } from './status-view.js';

export const statusExitCodes = { ok: 0, attention: 1, notRunning: 3, unknown: 4 } as const;

/** The JSON of `gatehouse status --json`. The first ten fields predate the control socket and keep their order. */
export interface StatusReport {
  /** The running server's version; the CLI's own when none runs. */
  readonly version: string;
  readonly dataDir: string;
  readonly running: boolean;
  readonly pid: number | null;
  readonly url: string;
  /** Whether /healthz answered on the public listener; null when not checked (not running, or HTTPS). */
  readonly healthy: boolean | null;
  readonly initialized: boolean;
  readonly setupComplete: boolean;
  readonly admins: readonly { readonly username: string; readonly totpEnabled: boolean }[];
  readonly apiTokens: number;
  /** How the server answered on its control socket. */
  readonly control: {
    readonly socket: string;
    readonly state: 'answered' | 'not-answering' | 'not-running';
    /** Why not, for people; null when it answered or no server runs. */
    readonly problem: string | null;
  };
  readonly startedAt: string | null;
  readonly uptimeSeconds: number | null;
  /** The dashboard's cards as the running server shows them; empty when it does not answer. */
  readonly cards: readonly StatusCard[];
  /** Ids of the cards in warning or error. */
  readonly attention: readonly string[];
}

/** Everything `gatehouse status` looks at, as functions so that tests can script each answer. */
export interface StatusSources {
  readonly dataDir: string;
  readonly cliVersion: string;
  /** The URL the configuration names, for when no running server announced its own. */
  readonly configuredUrl: string;
  readonly client: Pick<ControlClient, 'request' | 'socketPath'>;
  /** The live process holding the data directory's lock, and the URL it announced. */
  readonly lockHolder: () => { readonly pid: number; readonly url?: string } | undefined;
  /** The store while a server runs (read as it stands; its writes are atomic). */
  readonly readSnapshot: () => State | undefined;
  /** The store when no server runs, read under the data directory's lock. */
  readonly readOffline: () => State | undefined;
  /** GET /healthz on the public listener: true/false, or null when it cannot be checked (HTTPS). */
  readonly healthz: (url: string) => Promise<boolean | null>;
}

/** The report, or — when the status cannot be told — the reason (exit 4). */
export async function gatherStatus(sources: StatusSources): Promise<Outcome<StatusReport>> {
  const answer = await sources.client.request('GET', '/v1/status', statusViewSchema);
  const socket = sources.client.socketPath;
  if (answer.kind === 'ok') {
    const view = answer.value;
    return ok({
      version: view.version,
      dataDir: sources.dataDir,
      running: true,
      pid: view.pid,
      url: view.url,
      healthy: await sources.healthz(view.url),
      ...setupFacts(sources.readSnapshot()),
      control: { socket, state: 'answered', problem: null },
      startedAt: view.startedAt,
      uptimeSeconds: view.uptimeSeconds,
      cards: view.cards,
      attention: cardsNeedingAttention(view.cards).map((c) => c.id),
    });
  }
  if (answer.kind === 'unreachable' && (answer.reason === 'denied' || answer.reason === 'bad-path')) {
    return fail(failure(`control.${answer.reason}`, answer.message));
  }
  if (answer.kind === 'unreachable' && answer.reason === 'error') {
    return fail(failure('control.unreachable', answer.message));
  }
  const holder = sources.lockHolder();
  if (holder === undefined) {
    return ok({
      version: sources.cliVersion,
      dataDir: sources.dataDir,
      running: false,
      pid: null,
      url: sources.configuredUrl,
      healthy: null,
      ...setupFacts(sources.readOffline()),
      control: { socket, state: 'not-running', problem: null },
      startedAt: null,
      uptimeSeconds: null,
      cards: [],
      attention: [],
    });
  }
  // A live server holds the data directory but its socket did not answer as it should: starting, stuck, or a
  // version without the control API. Say which way it failed and show what the store says.
  const problem =
    answer.kind === 'failed'
      ? `the server answered ${answer.status} ${answer.code}: ${answer.message}`
      : answer.reason === 'no-server'
        ? notAnswering(holder.pid, socket).message
        : answer.message;
  const url = holder.url ?? sources.configuredUrl;
  return ok({
    version: sources.cliVersion,
    dataDir: sources.dataDir,
    running: true,
    pid: holder.pid,
    url,
    healthy: await sources.healthz(url),
    ...setupFacts(sources.readSnapshot()),
    control: { socket, state: 'not-answering', problem },
    startedAt: null,
    uptimeSeconds: null,
    cards: [],
    attention: [],
  });
}

function setupFacts(
  state: State | undefined,
): Pick<StatusReport, 'initialized' | 'setupComplete' | 'admins' | 'apiTokens'> {
  return {
    initialized: state !== undefined,
    setupComplete: state?.setupCompletedAt != null,
    admins: state?.users.map((u) => ({ username: u.username, totpEnabled: u.totpSecret !== null })) ?? [],
    apiTokens: state?.apiTokens.length ?? 0,
  };
}

export function statusExitCode(report: StatusReport): number {
  if (!report.running) return statusExitCodes.notRunning;
  if (report.control.state !== 'answered' || report.healthy === false || report.attention.length > 0)
    return statusExitCodes.attention;
  return statusExitCodes.ok;
}

const stateMarks: Readonly<Record<StatusCard['state'], string>> = {
  ok: '[ok]     ',
  warning: '[WARNING]',
  error: '[ERROR]  ',
  unknown: '[unknown]',
};

/** The readable form: the server line and the setup facts, then each card with its facts. */
export function renderStatusText(report: StatusReport): string {
  const server = report.running
    ? `running (pid ${report.pid ?? '?'}) at ${report.url}${
        report.uptimeSeconds === null ? '' : `, up ${formatDuration(report.uptimeSeconds)}`
      }${report.healthy === false ? ' — NOT answering /healthz' : ''}`
    : 'not running';
  const lines = [
    `Gatehouse ${report.version}`,
    `  data directory: ${report.dataDir}${report.initialized ? '' : ' (not initialized yet)'}`,
    `  server:         ${server}`,
    ...(report.control.problem === null ? [] : [`  control socket: ${report.control.problem}`]),
    `  setup:          ${report.setupComplete ? 'complete' : 'waiting: run `gatehouse setup-token` and open the UI'}`,
    ...report.admins.map((a) => `  admin:          ${a.username} (2FA ${a.totpEnabled ? 'on' : 'OFF'})`),
    `  API tokens:     ${report.apiTokens}`,
  ];
  if (!report.running)
    lines.push('', 'Start it with `gatehouse serve` (or its service) to see the status cards.');
  for (const card of report.cards) {
    lines.push('', `${stateMarks[card.state]} ${card.title}: ${card.summary}`);
    const width = Math.max(0, ...card.facts.map((f) => f.label.length));
    for (const fact of card.facts) {
      const when = fact.at !== undefined && fact.at !== fact.value ? ` (${fact.at})` : '';
      lines.push(`            ${fact.label.padEnd(width)}  ${fact.value}${when}`);
    }
  }
  const attention = report.cards.filter((c) => report.attention.includes(c.id)).map((c) => c.title);
  if (attention.length > 0) lines.push('', `Needs attention: ${attention.join(', ')}.`);
  return `${lines.join('\n')}\n`;
}
