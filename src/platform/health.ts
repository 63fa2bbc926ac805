import { Router } from 'express';
import { pingDb } from './db';

/**
 * `/healthz`: the process is up (for a restart policy).
 * `/readyz`: the process can serve, i.e. the database answers (for a load balancer).
 * Both are mounted before sessions so they never touch the session store.
 */
export function healthRoutes(): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok', uptime: Math.round(process.uptime()) });
  });
  router.get('/readyz', async (_req, res) => {
    const db = await pingDb(2_000);
    res
      .set('Cache-Control', 'no-store')
      .status(db ? 200 : 503)
      .json({ status: db ? 'ready' : 'unavailable', checks: { database: db ? 'ok' : 'down' } });
  });
  return router;
}
