import { hc } from 'hono/client';
import type { ApiType } from '../../src/web/app.js';
const api = hc<ApiType>('/api/v1');
export async function probe() {
  const r = await api.auth.login.$post({ json: { username: 'a', password: 'b' } });
  if (r.ok) { const b = await r.json(); return b.stage; }
  const t = await api.tokens[':id'].$delete({ param: { id: 'x' } });
  const a = await api.audit.$get({ query: { limit: '100' } });
  const s = await api.status.$get();
  return [t, a, s];
}
