/** @module Prometheus metrics: one registry per app instance (no global default registry). */
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthEvents } from '../auth/service.js';

export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly loginAttempts: Counter<'outcome'>;
  readonly authEvents: AuthEvents;
}

export function createMetrics(options: { processMetrics: boolean }): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry, prefix: 'gatehouse_' });
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
  return {
    registry,
    httpRequests,
    loginAttempts,
    authEvents: { loginAttempt: (outcome) => loginAttempts.inc({ outcome }) },
  };
}
