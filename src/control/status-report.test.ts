import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { initialState, type State } from '../store/schema.js';
import type { StatusCard } from '../status/cards.js';
import type { ControlClient, ControlOutcome } from './socket-client.js';
import {
  gatherStatus,
  renderStatusText,
  statusExitCode,
  statusExitCodes,
  type StatusReport,
  type StatusSources,
} from './status-report.js';
import type { StatusView } from './status-view.js';

const socket = '/srv/gatehouse/control.sock';
const okCard: StatusCard = {
  id: 'system',
  title: 'Gatehouse',
  state: 'ok',
  summary: 'Running version 1.0.0.',
  facts: [
    { label: 'Listening on', value: 'http://127.0.0.1:8080' },
    { label: 'Checked', value: '2026-01-01T00:00:00.000Z', at: '2026-01-01T00:00:00.000Z' },
    { label: 'Last change', value: '→ 203.0.113.7', at: '2025-12-31T00:00:00.000Z' },
  ],
};
const warnCard: StatusCard = {
  id: 'security',
  title: 'Admin security',
  state: 'warning',
  summary: 'Turn on two-factor authentication.',
  facts: [],
};
const unknownCard: StatusCard = {
  id: 'reachability',
  title: 'Reachability',
  state: 'unknown',
  summary: 'The first probe is running.',
  facts: [],
};

function view(cards: StatusCard[]): StatusView {
  return {
    version: '1.0.0',
    pid: 4242,
    url: 'http://127.0.0.1:8080',
    startedAt: '2026-01-01T00:00:00.000Z',
    uptimeSeconds: 3725,
    cards,
  };
}

const stateWithAdmin: State = (() => {
  const s = initialState(new Date('2026-01-01T00:00:00Z'), 'instance');
  return {
    ...s,
    setupCompletedAt: '2026-01-01T00:00:00.000Z',
    // Only what `gatehouse status` reads of an admin.
    users: [{ username: 'admin', totpSecret: null } as State['users'][number]],
  };
})();

/** Sources that answer as scripted and record which store reader was used. */
function sources(
  answer: ControlOutcome<StatusView>,
  over: Partial<StatusSources> = {},
): StatusSources & { reads: string[] } {
  const reads: string[] = [];
  const client: Pick<ControlClient, 'request' | 'socketPath'> = {
    socketPath: socket,
    request: <T>(method: string, path: string, schema: z.ZodType<T>) => {
      expect([method, path]).toEqual(['GET', '/v1/status']);
      return Promise.resolve(
        answer.kind === 'ok' ? { kind: 'ok' as const, value: schema.parse(answer.value) } : answer,
      );
    },
  };
  return {
    reads,
    dataDir: '/srv/gatehouse',
    cliVersion: '0.9.0',
    configuredUrl: 'http://127.0.0.1:8080',
    client,
    lockHolder: () => undefined,
    readSnapshot: () => {
      reads.push('snapshot');
      return stateWithAdmin;
    },
    readOffline: () => {
      reads.push('offline');
      return stateWithAdmin;
    },
    healthz: () => Promise.resolve(true),
    ...over,
  };
}

async function reportOf(s: StatusSources): Promise<StatusReport> {
  const outcome = await gatherStatus(s);
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value;
}

describe('gatherStatus and its exit code', () => {
  it('a server that answers with every card ok (or still unknown): exit 0, its view, the store read as it stands', async () => {
    const s = sources({ kind: 'ok', value: view([okCard, unknownCard]) });
    const report = await reportOf(s);
    expect(report).toEqual({
      version: '1.0.0',
      dataDir: '/srv/gatehouse',
      running: true,
      pid: 4242,
      url: 'http://127.0.0.1:8080',
      healthy: true,
      initialized: true,
      setupComplete: true,
      admins: [{ username: 'admin', totpEnabled: false }],
      apiTokens: 0,
      control: { socket, state: 'answered', problem: null },
      startedAt: '2026-01-01T00:00:00.000Z',
      uptimeSeconds: 3725,
      cards: [okCard, unknownCard],
      attention: [],
    });
    expect(s.reads).toEqual(['snapshot']);
    expect(statusExitCode(report)).toBe(statusExitCodes.ok);
  });

  it.each([
    ['a card in warning', [okCard, warnCard], true, ['security']],
    ['a card in error', [{ ...okCard, state: 'error' as const }], true, ['system']],
    ['/healthz not answering', [okCard], false, []],
  ])('%s: exit 1', async (_what, cards, healthy, attention) => {
    const report = await reportOf(
      sources({ kind: 'ok', value: view(cards) }, { healthz: () => Promise.resolve(healthy) }),
    );
    expect(report.attention).toEqual(attention);
    expect(statusExitCode(report)).toBe(statusExitCodes.attention);
  });

  it('no server: exit 3, the store read under the lock, the configured URL and the CLI version', async () => {
    const s = sources(
      { kind: 'unreachable', reason: 'no-server', message: 'no server answers' },
      {
        healthz: () => Promise.reject(new Error('must not probe a server that does not run')),
      },
    );
    const report = await reportOf(s);
    expect(report).toMatchObject({
      version: '0.9.0',
      running: false,
      pid: null,
      url: 'http://127.0.0.1:8080',
      healthy: null,
      setupComplete: true,
      control: { socket, state: 'not-running', problem: null },
      startedAt: null,
      uptimeSeconds: null,
      cards: [],
    });
    expect(s.reads).toEqual(['offline']);
    expect(statusExitCode(report)).toBe(statusExitCodes.notRunning);
  });

  it.each([
    [
      'no socket yet (starting, or a version without it)',
      { kind: 'unreachable', reason: 'no-server', message: 'x' } as const,
      /server \(pid 77\) holds the data directory but does not answer on \/srv\/gatehouse\/control\.sock/,
    ],
    [
      'no answer in time',
      { kind: 'unreachable', reason: 'timeout', message: 'no answer in 10000 ms' } as const,
      /^no answer in 10000 ms$/,
    ],
    [
      'an error answer',
      { kind: 'failed', status: 500, code: 'internal', message: 'internal error' } as const,
      /^the server answered 500 internal: internal error$/,
    ],
  ])(
    'a live lock holder whose socket fails (%s): exit 1, the problem named, the announced URL probed',
    async (_what, answer, problem) => {
      const probed: string[] = [];
      const s = sources(answer, {
        lockHolder: () => ({ pid: 77, url: 'http://127.0.0.1:9999' }),
        healthz: (url) => {
          probed.push(url);
          return Promise.resolve(true);
        },
      });
      const report = await reportOf(s);
      expect(report).toMatchObject({
        running: true,
        pid: 77,
        url: 'http://127.0.0.1:9999',
        healthy: true,
        cards: [],
      });
      expect(report.control.state).toBe('not-answering');
      expect(report.control.problem).toMatch(problem);
      expect(probed).toEqual(['http://127.0.0.1:9999']);
      expect(s.reads).toEqual(['snapshot']);
      expect(statusExitCode(report)).toBe(statusExitCodes.attention);
    },
  );

  it.each([
    ['denied', 'control.denied'],
    ['bad-path', 'control.bad-path'],
    ['error', 'control.unreachable'],
  ] as const)('a socket that cannot be used (%s) means the status cannot be told', async (reason, code) => {
    const s = sources({ kind: 'unreachable', reason, message: `because ${reason}` });
    expect(await gatherStatus(s)).toEqual({ ok: false, error: { code, message: `because ${reason}` } });
    expect(s.reads).toEqual([]);
  });
});

describe('renderStatusText', () => {
  it('prints the server line, the setup facts, each card with aligned facts, and what needs attention', async () => {
    const report = await reportOf(sources({ kind: 'ok', value: view([okCard, warnCard]) }));
    expect(renderStatusText(report)).toBe(
      [
        'Gatehouse 1.0.0',
        '  data directory: /srv/gatehouse',
        '  server:         running (pid 4242) at http://127.0.0.1:8080, up 1 h 2 min',
        '  setup:          complete',
        '  admin:          admin (2FA OFF)',
        '  API tokens:     0',
        '',
        '[ok]      Gatehouse: Running version 1.0.0.',
        '            Listening on  http://127.0.0.1:8080',
        '            Checked       2026-01-01T00:00:00.000Z',
        '            Last change   → 203.0.113.7 (2025-12-31T00:00:00.000Z)',
        '',
        '[WARNING] Admin security: Turn on two-factor authentication.',
        '',
        'Needs attention: Admin security.',
        '',
      ].join('\n'),
    );
  });

  it('says when no server runs, and why a running one does not answer', async () => {
    const down = await reportOf(
      sources({ kind: 'unreachable', reason: 'no-server', message: 'x' }, { readOffline: () => undefined }),
    );
    expect(renderStatusText(down)).toBe(
      [
        'Gatehouse 0.9.0',
        '  data directory: /srv/gatehouse (not initialized yet)',
        '  server:         not running',
        '  setup:          waiting: run `gatehouse setup-token` and open the UI',
        '  API tokens:     0',
        '',
        'Start it with `gatehouse serve` (or its service) to see the status cards.',
        '',
      ].join('\n'),
    );
    const stuck = await reportOf(
      sources(
        { kind: 'unreachable', reason: 'timeout', message: 'no answer in 10000 ms' },
        { lockHolder: () => ({ pid: 77 }), healthz: () => Promise.resolve(false) },
      ),
    );
    expect(renderStatusText(stuck)).toContain(
      '  server:         running (pid 77) at http://127.0.0.1:8080 — NOT answering /healthz\n  control socket: no answer in 10000 ms\n',
    );
  });
});
