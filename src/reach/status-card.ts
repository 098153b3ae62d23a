/**
 * @module The dashboard card of reachability: verdict, public addresses, last change. Its problem state is the
 * active reachability alerts, nothing else: a card that says "problem" has an alert on the Alerts page (and its
 * channels), one that says nothing is wrong has none. Without a problem, the verdict's level decides: proven or
 * likely is OK; unlikely ("cannot verify from inside", e.g. a manual forward) is shown as not known.
 */
import type { CardState, StatusCardProvider } from '../status/cards.js';
import type { Alert } from '../store/schema.js';
import type { Store } from '../store/store.js';
import { reachabilityRules } from './alert-rules.js';
import type { ReachabilityService } from './service.js';
import type { VerdictLevel } from './verdict.js';
import { levelWords, portMappingWords } from './words.js';

const levelStates: Record<VerdictLevel, CardState> = {
  proven: 'ok',
  likely: 'ok',
  unlikely: 'unknown',
  // Never without an active alert once the loop has raised it (CGNAT, UDP blocked, offline).
  impossible: 'unknown',
};

const isCondition = (rule: string): boolean =>
  Object.hasOwn(reachabilityRules, rule) &&
  reachabilityRules[rule as keyof typeof reachabilityRules].kind === 'condition';

/** Active reachability conditions, the most severe first (then the oldest). */
export function activeProblems(store: Store): Alert[] {
  const rank = { critical: 0, warning: 1, info: 2 } as const;
  return store
    .read()
    .alerts.items.filter((a) => a.clearedAt === null && isCondition(a.rule))
    .sort((a, b) => rank[a.severity] - rank[b.severity] || a.raisedAt.localeCompare(b.raisedAt));
}

function cardStateOf(problems: readonly Alert[]): CardState {
  return problems.some((p) => p.severity === 'critical') ? 'error' : 'warning';
}

export function reachabilityCard(
  /** Only its latest report is read. */
  service: Pick<ReachabilityService, 'latest'>,
  store: Store,
  /** False when reachability is turned off: no probe will come, and the card says so instead of waiting. */
  enabled = true,
): StatusCardProvider {
  return {
    id: 'reachability',
    card: () => {
      const report = service.latest();
      const lastChange = store.log('reach.history').newest(1)[0];
      const problems = activeProblems(store);
      if (!enabled) {
        return {
          id: 'reachability',
          title: 'Reachability',
          state: 'unknown',
          summary:
            'Reachability checks are turned off (reachability.enabled / GATEHOUSE_REACHABILITY), so nobody checks whether the box can be reached.',
          facts: [],
        };
      }
      if (!report) {
        // Conditions raised before a restart stay true until a probe says otherwise.
        const problem = problems[0];
        return {
          id: 'reachability',
          title: 'Reachability',
          state: problem ? cardStateOf(problems) : 'unknown',
          summary: problem
            ? `${problem.title}. The first probe since the start is running.`
            : 'The first probe is running.',
          facts: [],
        };
      }
      const v = report.verdict;
      const problem = problems[0];
      return {
        id: 'reachability',
        title: 'Reachability',
        state: problem ? cardStateOf(problems) : levelStates[v.level],
        summary: problem
          ? `${problem.title}. ${problem.remedy ?? problem.message}`
          : v.remedies[0]
            ? `${v.headline} ${v.remedies[0]}`
            : v.headline,
        facts: [
          { label: 'IPv4', value: `${v.ipv4.publicAddress ?? 'unknown'} (${v.ipv4.kind})` },
          {
            label: 'IPv6',
            value: v.ipv6.publicAddress
              ? `${v.ipv6.publicAddress}${v.ipv6.globalReachable ? ' (reachable)' : ''}`
              : 'none',
          },
          { label: 'Reachable', value: levelWords[v.level] },
          { label: 'Port mapping', value: portMappingWords[v.ipv4.portMapping] },
          ...(problems.length > 1
            ? [{ label: 'Problems', value: problems.map((p) => p.title).join('; ') }]
            : []),
          lastChange
            ? { label: 'Last change', value: `→ ${lastChange.address ?? 'none'}`, at: lastChange.at }
            : { label: 'Last change', value: 'none yet' },
          { label: 'Checked', value: report.at, at: report.at },
        ],
      };
    },
  };
}
