/**
 * @module Prometheus metrics, one set per app instance (no global default registry). Requests and logins are
 * counted in process as they happen; prom-client, which writes the exposition text and adds the process metrics
 * (memory, CPU, event loop, GC), is loaded on the first scrape of /metrics: a box nobody scrapes never pays for it.
 * From then on the output is what an eagerly built prom-client registry gives, except that the process metrics
 * that sample over time (event-loop delay, GC durations) start counting at that first scrape.
 */
import type { Registry } from 'prom-client';
import type { AuthEvents } from '../auth/service.js';
// Types only: the module itself is loaded on the first scrape.
import type * as PromClient from 'prom-client';

/** A count per label set that only goes up; cheap enough to bump on every request. */
export interface CounterMetric<L extends string> {
  inc(labels: Readonly<Record<L, string>>): void;
}

/** What /metrics serves. */
export interface MetricsRegistry {
  /** The exposition format's Content-Type (prom-client's `Registry.PROMETHEUS_CONTENT_TYPE`). */
  readonly contentType: string;
  /** Every metric in the Prometheus text format; loads prom-client on the first call. */
  metrics(): Promise<string>;
  /** One metric in the text format ('' when it has no samples and no metadata). */
  getSingleMetricAsString(name: string): Promise<string>;
}

export interface Metrics {
  readonly registry: MetricsRegistry;
  readonly httpRequests: CounterMetric<'method' | 'route' | 'status'>;
  readonly loginAttempts: CounterMetric<'outcome'>;
  readonly authEvents: AuthEvents;
}

export const prometheusContentType = 'text/plain; version=0.0.4; charset=utf-8';

interface Series<L extends string> {
  readonly labels: Readonly<Record<L, string>>;
  value: number;
}

/** What prom-client's side reads from a counter at each scrape. */
interface CounterSource {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly series: ReadonlyMap<string, Readonly<Series<string>>>;
}

/** A counter's definition and its series in first-seen order (the order prom-client prints them in). */
class InProcessCounter<L extends string> implements CounterMetric<L> {
  readonly series = new Map<string, Series<L>>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly L[],
  ) {}

  inc(labels: Readonly<Record<L, string>>): void {
    const key = JSON.stringify(this.labelNames.map((n) => labels[n]));
    const series = this.series.get(key);
    if (series) series.value += 1;
    else this.series.set(key, { labels, value: 1 });
  }
}

export function createMetrics(options: {
  processMetrics: boolean;
  /** Loads prom-client (tests: one that fails); default the dynamic import. */
  loadPromClient?: () => Promise<typeof PromClient>;
}): Metrics {
  const httpRequests = new InProcessCounter(
    'gatehouse_http_requests_total',
    'HTTP requests answered, by method, matched route and status',
    ['method', 'route', 'status'] as const,
  );
  const loginAttempts = new InProcessCounter(
    'gatehouse_login_attempts_total',
    'Login attempts by outcome (success, failure, locked)',
    ['outcome'] as const,
  );
  let loading: Promise<Registry> | undefined;
  const load = options.loadPromClient ?? (() => import('prom-client'));
  // A load that failed is tried again at the next scrape instead of failing every scrape after it.
  const registry = () =>
    (loading ??= buildRegistry(load, [httpRequests, loginAttempts], options.processMetrics).catch(
      (e: unknown) => {
        loading = undefined;
        throw e;
      },
    ));
  return {
    registry: {
      contentType: prometheusContentType,
      metrics: async () => (await registry()).metrics(),
      getSingleMetricAsString: async (name) => (await registry()).getSingleMetricAsString(name),
    },
    httpRequests,
    loginAttempts,
    authEvents: { loginAttempt: (outcome) => loginAttempts.inc({ outcome }) },
  };
}

async function buildRegistry(
  load: () => Promise<typeof PromClient>,
  counters: readonly CounterSource[],
  processMetrics: boolean,
): Promise<Registry> {
  const { Counter, Registry, collectDefaultMetrics } = await load();
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  for (const counter of counters) {
    // The in-process counts stay the one source of truth: each scrape copies them into prom-client's counter.
    new Counter({
      name: counter.name,
      help: counter.help,
      labelNames: counter.labelNames,
      registers: [registry],
      collect() {
        this.reset();
        for (const s of counter.series.values()) this.inc(s.labels, s.value);
      },
    });
  }
  return registry;
}
