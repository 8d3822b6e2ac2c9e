import express from 'express';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { Db } from '../../store/db.js';
import { listDeadLetters } from '../../store/dead-letters.js';
import { bearerAuth } from '../admin-auth.js';

const MAX_LIMIT = 500;

/**
 * `GET /api/dead-letters?all=1&limit=`: the events set aside (server/quarantine.ts), newest first,
 * as `townhall events dead-letters --json` prints them: reasons and ids, never the events
 * themselves (member text). Open ones only unless `all`. Needs the admin bearer token.
 */
export function deadLettersApiRoutes(deps: { db: Db; logger: Logger }, token: string) {
  const router = express.Router();
  router.get('/api/dead-letters', bearerAuth(token), async (req: Request, res: Response) => {
    const limit = typeof req.query.limit === 'string' ? Number(req.query.limit) : undefined;
    if (limit !== undefined && !(Number.isInteger(limit) && limit > 0 && limit <= MAX_LIMIT)) {
      res.status(400).json({ error: `limit must be a whole number from 1 to ${MAX_LIMIT}` });
      return;
    }
    const all = req.query.all === '1' || req.query.all === 'true';
    try {
      res.json(await listDeadLetters(deps.db, { all, limit }));
    } catch (error) {
      deps.logger.error({ err: error }, 'dead letters API request failed');
      res.status(503).json({ error: 'the store is not reachable; try again shortly' });
    }
  });
  return router;
}
