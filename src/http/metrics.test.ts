/** @module Metrics counted in process and written by prom-client on the first scrape: the same text as an eager registry. */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createMetrics, prometheusContentType } from './metrics.js';

/** The registry as it was built before prom-client was loaded lazily: the text /metrics must keep giving. */
function eagerRegistry(processMetrics: boolean) {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
  const httpRequests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests answered, by method, matched route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const loginAttempts = new Counter({
    name: 'gatehouse_login_attempts_total',
    help: 'Login attempts by outcome (success, failure, locked)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  return { registry, httpRequests, loginAttempts };
}

const requests = [
  { method: 'GET', route: '/healthz', status: '200' },
  { method: 'POST', route: '/api/v1/auth/login', status: '401' },
  { method: 'GET', route: '/healthz', status: '200' },
  { method: 'GET', route: '/api/v1/status', status: '200' },
  { method: 'POST', route: '/api/v1/auth/login', status: '401' },
  { method: 'GET', route: '/healthz', status: '200' },
];
const logins = ['failure', 'failure', 'locked', 'success'] as const;

describe('createMetrics', () => {
  it('a failed load of prom-client is tried again at the next scrape, not remembered', async () => {
    let attempts = 0;
    const metrics = createMetrics({
      processMetrics: false,
      loadPromClient: () =>
        ++attempts === 1 ? Promise.reject(new Error('EMFILE: too many open files')) : import('prom-client'),
    });
    metrics.loginAttempts.inc({ outcome: 'success' });
    await expect(metrics.registry.metrics()).rejects.toThrow('EMFILE');
    expect(await metrics.registry.metrics()).toContain('gatehouse_login_attempts_total{outcome="success"} 1');
    expect(attempts).toBe(2);
  });

  it('writes the same text as an eager prom-client registry fed the same events', async () => {
    const lazy = createMetrics({ processMetrics: false });
    const eager = eagerRegistry(false);
    expect(await lazy.registry.metrics()).toBe(await eager.registry.metrics());
    for (const r of requests) {
      lazy.httpRequests.inc(r);
      eager.httpRequests.inc(r);
    }
    for (const outcome of logins) {
      lazy.authEvents.loginAttempt(outcome);
      eager.loginAttempts.inc({ outcome });
    }
    const text = await lazy.registry.metrics();
    expect(text).toBe(await eager.registry.metrics());
    expect(text).toContain(
      'gatehouse_http_requests_total{method="GET",route="/healthz",status="200"} 3\n' +
        'gatehouse_http_requests_total{method="POST",route="/api/v1/auth/login",status="401"} 2\n' +
        'gatehouse_http_requests_total{method="GET",route="/api/v1/status",status="200"} 1\n',
    );
    expect(await lazy.registry.getSingleMetricAsString('gatehouse_login_attempts_total')).toBe(
      await eager.registry.getSingleMetricAsString('gatehouse_login_attempts_total'),
    );
  });

  it('keeps counting after the first scrape, each scrape showing the counts up to it', async () => {
    const lazy = createMetrics({ processMetrics: false });
    lazy.authEvents.loginAttempt('failure');
    expect(await lazy.registry.getSingleMetricAsString('gatehouse_login_attempts_total')).toContain(
      'gatehouse_login_attempts_total{outcome="failure"} 1',
    );
    lazy.authEvents.loginAttempt('failure');
    lazy.authEvents.loginAttempt('success');
    const text = await lazy.registry.getSingleMetricAsString('gatehouse_login_attempts_total');
    expect(text).toContain('gatehouse_login_attempts_total{outcome="failure"} 2');
    expect(text).toContain('gatehouse_login_attempts_total{outcome="success"} 1');
  });

  it('keeps each instance apart (no global registry)', async () => {
    const a = createMetrics({ processMetrics: false });
    const b = createMetrics({ processMetrics: false });
    a.httpRequests.inc({ method: 'GET', route: '/healthz', status: '200' });
    expect(await a.registry.metrics()).toContain('route="/healthz"');
    expect(await b.registry.metrics()).not.toContain('route="/healthz"');
  });

  it('adds the process metrics under the gatehouse_ prefix when asked, the same set an eager registry has', async () => {
    const metricNames = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .sort();
    const lazy = await createMetrics({ processMetrics: true }).registry.metrics();
    expect(metricNames(lazy)).toEqual(metricNames(await eagerRegistry(true).registry.metrics()));
    expect(lazy).toContain('# TYPE gatehouse_process_resident_memory_bytes gauge');
    expect(await createMetrics({ processMetrics: false }).registry.metrics()).not.toContain('process_');
  });

  it("answers with prom-client's content type", () => {
    expect(createMetrics({ processMetrics: false }).registry.contentType).toBe(new Registry().contentType);
    expect(prometheusContentType).toBe(Registry.PROMETHEUS_CONTENT_TYPE);
  });
});
