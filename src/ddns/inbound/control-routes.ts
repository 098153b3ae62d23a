/**
 * @module The control-socket routes of the inbound endpoint's clients, for `gatehouse ddns credential add|remove|list`:
 * mounted by the DDNS capability's `controlRoutes` (under `/v1/ddns/`). The password is in the add's answer only.
 */
import { Hono } from 'hono';
import { readJsonBody, type ControlEnv, type ControlRoutes } from '../../control/api.js';
import { failWithCode, type StatusTable } from '../../http/errors.js';
import { addClientInputSchema, type DdnsClientFailureCode, type DdnsClients } from './clients.js';

export const clientFailureStatus: StatusTable<DdnsClientFailureCode> = {
  'ddns.client-invalid': 400,
  'ddns.client-exists': 409,
  'ddns.client-limit': 409,
  'ddns.client-not-found': 404,
};

/**
 * `GET /credentials` → `{ clients }` (never a hash); `POST /credentials` `{ name, hostnames, trusted? }` → 201
 * `{ client, password }`; `DELETE /credentials/:name` → `{ client }`. The caller is the local administrator.
 */
export function clientControlRoutes(clients: DdnsClients): ControlRoutes {
  return new Hono<ControlEnv>()
    .get('/credentials', (c) => c.json({ clients: clients.list() }))
    .post('/credentials', async (c) => {
      const input = await readJsonBody(c, addClientInputSchema);
      const r = await clients.add(input, c.get('identity'));
      if (!r.ok) return failWithCode(clientFailureStatus, r.error);
      return c.json(r.value, 201);
    })
    .delete('/credentials/:name', async (c) => {
      const r = await clients.remove(c.req.param('name'), c.get('identity'));
      if (!r.ok) return failWithCode(clientFailureStatus, r.error);
      return c.json({ client: r.value });
    });
}
