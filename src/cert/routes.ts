/**
 * @module Certificates over HTTP: the status (what is served, when it renews, the last error), the CA's directory
 * (its terms, shown before agreeing), the account, the names, and "issue now" / "renew now". The EAB HMAC key and
 * the account key are write-only: no answer carries them.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { requestActor } from '../http/context.js';
import { failWithField, type StatusTable } from '../http/errors.js';
import {
  commonErrors,
  createRouter,
  errorResponse,
  jsonBody,
  jsonContent,
  noInput,
} from '../http/openapi.js';
import type { CertFailure, CertFailureCode, CertManager } from './manager.js';
import {
  accountInputSchema,
  certificateInputSchema,
  certViewSchema,
  directoryViewSchema,
  runInputSchema,
  runResultSchema,
} from './view.js';

export const certStatus: StatusTable<CertFailureCode> = {
  'cert.invalid': 400,
  'cert.off': 409,
  'cert.no-account': 409,
  'cert.terms-not-agreed': 409,
  'cert.eab-required': 409,
  'cert.no-names': 409,
  'cert.busy': 409,
  'cert.ca-refused': 422,
  'cert.ca-unreachable': 502,
  'cert.server-not-running': 409,
};

export function failCert(f: CertFailure): never {
  return failWithField(certStatus, f);
}

const actor = requestActor;

const view = jsonContent(certViewSchema, 'The certificate, its renewal and what is served');

export function certRoutes(manager: CertManager) {
  return createRouter()
    .openapi(
      createRoute({
        method: 'get',
        path: '/cert',
        tags: ['cert'],
        summary:
          'What is served, when it renews (ARI or one third of the lifetime), the last error, the history',
        middleware: [noInput()] as const,
        responses: { 200: view, ...commonErrors },
      }),
      async (c) => c.json(await manager.view(), 200),
    )
    .openapi(
      createRoute({
        method: 'get',
        path: '/cert/directory',
        tags: ['cert'],
        summary:
          "A CA's directory: its terms of service (to agree to), whether it needs EAB, whether it offers ARI",
        request: { query: z.object({ url: z.string().min(1).max(2048) }) },
        responses: {
          200: jsonContent(directoryViewSchema, 'The directory'),
          ...commonErrors,
          422: errorResponse('Not an ACME directory'),
          502: errorResponse('The CA could not be reached'),
        },
      }),
      async (c) => {
        const r = await manager.directory(c.req.valid('query').url);
        if (!r.ok) return failCert(r.error);
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/cert/account',
        tags: ['cert'],
        summary: "Set the CA and the account (creates it at the CA; the CA's terms must be agreed)",
        request: { body: jsonBody(accountInputSchema) },
        responses: {
          200: view,
          ...commonErrors,
          409: errorResponse('Terms not agreed, or EAB required'),
          422: errorResponse('The CA refused the account'),
          502: errorResponse('The CA could not be reached'),
        },
      }),
      async (c) => {
        const r = await manager.setAccount(c.req.valid('json'), actor(c));
        if (!r.ok) return failCert(r.error);
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'put',
        path: '/cert/certificate',
        tags: ['cert'],
        summary:
          'Set the names (wildcards through DNS-01), the challenge and the key type; issues soon after',
        request: { body: jsonBody(certificateInputSchema) },
        responses: { 200: view, ...commonErrors, 409: errorResponse('Certificates are turned off') },
      }),
      async (c) => {
        const r = await manager.setCertificate(c.req.valid('json'), actor(c));
        if (!r.ok) return failCert(r.error);
        return c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'delete',
        path: '/cert/certificate',
        tags: ['cert'],
        summary: 'Stop managing the certificate; the UI falls back to the self-signed one',
        middleware: [noInput()] as const,
        responses: { 200: view, ...commonErrors },
      }),
      async (c) => c.json(await manager.removeCertificate(actor(c)), 200),
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/cert/issue',
        tags: ['cert'],
        summary: 'Order a certificate now (202 at once; with wait: the result)',
        request: { body: jsonBody(runInputSchema) },
        responses: {
          200: jsonContent(runResultSchema, 'The result'),
          202: jsonContent(runResultSchema, 'Started'),
          ...commonErrors,
          409: errorResponse('No account, no names, terms not agreed, or a run in progress'),
        },
      }),
      async (c) => {
        const r = await manager.run('issue', { wait: c.req.valid('json').wait, by: actor(c) });
        if (!r.ok) return failCert(r.error);
        return 'started' in r.value ? c.json(r.value, 202) : c.json(r.value, 200);
      },
    )
    .openapi(
      createRoute({
        method: 'post',
        path: '/cert/renew',
        tags: ['cert'],
        summary: 'Renew now, before it is due (202 at once; with wait: the result)',
        request: { body: jsonBody(runInputSchema) },
        responses: {
          200: jsonContent(runResultSchema, 'The result'),
          202: jsonContent(runResultSchema, 'Started'),
          ...commonErrors,
          409: errorResponse('No account, no names, terms not agreed, or a run in progress'),
        },
      }),
      async (c) => {
        const r = await manager.run('renew', { wait: c.req.valid('json').wait, by: actor(c) });
        if (!r.ok) return failCert(r.error);
        return 'started' in r.value ? c.json(r.value, 202) : c.json(r.value, 200);
      },
    );
}

export type CertRoutes = ReturnType<typeof certRoutes>;
