/** @module GET /reachability: the latest verdict with evidence and the history of public addresses; POST to probe now. */
import { createRoute, z } from '@hono/zod-openapi';
import { reportJson } from './report-format.js';
import type { ReachabilityService } from './service.js';
import type { Store } from '../store/store.js';
import { ApiProblem } from '../http/errors.js';
import { commonErrors, createRouter, errorResponse, jsonContent, noInput } from '../http/openapi.js';

const sourceSchema = z.object({
  source: z.string(),
  family: z.enum(['ipv4', 'ipv6']),
  status: z.enum(['known', 'unavailable']),
  address: z.string().nullable(),
  reason: z.string().nullable(),
});

const reportSchema = z
  .object({
    at: z.string(),
    headline: z.string(),
    level: z.enum(['proven', 'likely', 'unlikely', 'impossible']).openapi({
      description:
        'How sure the verdict is: proven (a packet from the internet arrived), likely, unlikely (e.g. a manual forward cannot be seen from inside), impossible',
    }),
    inbound: z.enum(['yes', 'via-port-mapping', 'needs-port-forward', 'ipv6-only', 'no']),
    ipv4: z.object({
      kind: z.enum(['public', 'nat', 'double-nat', 'cgnat', 'offline', 'unknown']),
      publicAddress: z.string().nullable(),
      mapping: z.enum(['endpoint-independent', 'endpoint-dependent', 'unknown']),
      udp: z.enum(['ok', 'blocked', 'unknown']),
      cgnat: z.enum(['found', 'ruled-out', 'not-ruled-out']),
      portMapping: z
        .enum(['mapped', 'unconfirmed', 'refused', 'lost', 'unsupported', 'disabled', 'not-tried'])
        .openapi({
          description:
            'mapped: created on the router and on the public address; unconfirmed: created, but on another address; refused: the router said no',
        }),
      consensus: z.enum(['accepted', 'disagreement', 'insufficient']),
      localAddresses: z.array(z.string()),
      path: z.array(z.string().nullable()).nullable(),
      pathError: z.string().nullable(),
    }),
    ipv6: z.object({
      publicAddress: z.string().nullable(),
      globalReachable: z.boolean(),
      consensus: z.enum(['accepted', 'disagreement', 'insufficient']),
      localAddresses: z.array(z.string()),
    }),
    portMappingStatus: z
      .object({
        state: z.enum(['disabled', 'unsupported', 'mapped', 'refused', 'lost']),
        protocol: z.string().nullable(),
        externalPort: z.number().nullable(),
        externalAddress: z.string().nullable(),
        error: z.string().nullable(),
        test: z.boolean().openapi({ description: 'A short test mapping (gatehouse doctor), removed again' }),
      })
      .nullable()
      .openapi({
        description: 'What the router did with the WireGuard port mapping; null when no mapping was tried',
      }),
    evidence: z.array(z.string()),
    remedies: z.array(z.string()),
    sources: z.array(sourceSchema),
    sourcesSummary: z
      .array(
        z.object({
          kind: z.string(),
          count: z.number().int(),
          example: z.object({ source: z.string(), reason: z.string() }),
        }),
      )
      .nullable()
      .openapi({
        description:
          'When no source answered: the failures grouped by kind (ENOTFOUND, no answer in time, …), most frequent first; null when any answered',
      }),
  })
  .openapi('ReachabilityReport');

const historySchema = z.array(
  z.object({
    at: z.string(),
    family: z.enum(['ipv4', 'ipv6']),
    address: z.string().nullable(),
    previous: z.string().nullable(),
    sources: z.array(z.string()),
  }),
);

const responseSchema = z
  .object({
    report: reportSchema.nullable().openapi({ description: 'null until the first probe has finished' }),
    current: z.object({ ipv4: z.string().nullable(), ipv6: z.string().nullable() }),
    history: historySchema.openapi({ description: 'Accepted public addresses, newest first (at most 100)' }),
    rechecking: z
      .object({ since: z.string(), families: z.array(z.enum(['ipv4', 'ipv6'])) })
      .nullable()
      .openapi({
        description:
          'Set while a newly accepted address (in `current`) is newer than the verdict in `report`, which is being made again (about 2 s); null otherwise',
      }),
    changeDetection: z
      .object({
        interfaceEvents: z.enum(['watching', 'stopped', 'off']),
        upnp: z.enum(['subscribed', 'not-subscribed', 'off']),
        upnpDetail: z.string().nullable(),
        announcements: z.enum(['listening', 'not-listening', 'off']),
        backstopSeconds: z.number().int(),
      })
      .nullable()
      .openapi({
        description:
          'How a change of the public address is noticed: address events on the box, the router’s UPnP events and NAT-PMP / PCP announcements, and the STUN backstop; null when reachability is off',
      }),
  })
  .openapi('Reachability');

function recheckJson(r: ReturnType<ReachabilityService['rechecking']>) {
  return r === null ? null : { since: r.since.toISOString(), families: [...r.families] };
}

export function reachabilityRoutes(store: Store, service: ReachabilityService | undefined) {
  const body = (report = service?.latest() ?? null) => {
    const r = store.read().reachability;
    return {
      report: report ? reportJson(report) : null,
      current: r.current,
      history: store.log('reach.history').newest(100),
      rechecking: recheckJson(service?.rechecking() ?? null),
      changeDetection: service?.changeDetection() ?? null,
    };
  };
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/reachability',
        tags: ['reachability'],
        summary: 'How the internet reaches this box: verdict, evidence, remedies, address history',
        middleware: [noInput()] as const,
        responses: { 200: jsonContent(responseSchema, 'Reachability'), ...commonErrors },
      }),
      (c) => c.json(body(), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/reachability/probe',
        tags: ['reachability'],
        summary: 'Probe now (instead of waiting for the next backstop check)',
        middleware: [noInput()] as const,
        responses: {
          200: jsonContent(responseSchema, 'Reachability after the probe'),
          ...commonErrors,
          409: errorResponse('Reachability is turned off'),
        },
      }),
      async (c) => {
        if (!service) {
          throw new ApiProblem(
            409,
            'reachability.off',
            'reachability checks are turned off (reachability.enabled / GATEHOUSE_REACHABILITY)',
          );
        }
        return c.json(body(await service.probeNow()), 200);
      },
    );
}

export type ReachabilityRoutes = ReturnType<typeof reachabilityRoutes>;
