/**
 * @module The routes `gatehouse cert …` uses on the control socket (the caller is the local administrator):
 * status, account and names (same bodies as the JSON API), issue and renew (waiting for the result).
 */
import { Hono } from 'hono';
import { readJsonBody, type ControlEnv } from '../control/api.js';
import type { CertManager } from './manager.js';
import { failCert } from './routes.js';
import { accountInputSchema, certificateInputSchema } from './view.js';

const local = { actor: 'local', clientAddress: 'local' } as const;

export function certControlRoutes(manager: CertManager) {
  const run = async (kind: 'issue' | 'renew') => {
    const r = await manager.run(kind, { wait: true, by: local });
    if (!r.ok) return failCert(r.error);
    return r.value;
  };
  return new Hono<ControlEnv>()
    .get('/status', async (c) => c.json(await manager.view()))
    .put('/account', async (c) => {
      const r = await manager.setAccount(await readJsonBody(c, accountInputSchema), local);
      if (!r.ok) return failCert(r.error);
      return c.json(r.value);
    })
    .put('/certificate', async (c) => {
      const r = await manager.setCertificate(await readJsonBody(c, certificateInputSchema), local);
      if (!r.ok) return failCert(r.error);
      return c.json(r.value);
    })
    .post('/issue', async (c) => c.json(await run('issue')))
    .post('/renew', async (c) => c.json(await run('renew')));
}
