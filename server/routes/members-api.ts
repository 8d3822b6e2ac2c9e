import express from 'express';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { MemberRefError, resolveMember } from '../../store/member-ref.js';
import { searchMembers } from '../../store/member-search.js';
import { bearerAuth } from '../admin-auth.js';
import { deadLettersApiRoutes } from './dead-letters-api.js';
import type { MemberDetailsDeps } from '../member-details.js';
import { memberDetails } from '../member-details.js';

export interface MembersApiDeps extends MemberDetailsDeps {
  logger: Logger;
}

const number = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;

/**
 * The members API, for the operator console: `GET /api/members?q=&limit=&offset=` (search by
 * email, handle or name; a page of small summaries) and `GET /api/members/:ref` (the single view,
 * as `townhall members show --json` prints it; `:ref` is a member id, an email or
 * `<platform>:<user id>`, and a merged member leads to the kept one). Every route needs the
 * admin bearer token.
 */
export function membersApiRoutes(deps: MembersApiDeps, token: string) {
  const router = express.Router();
  const api = express.Router();
  const failed = (res: Response, error: unknown) => {
    deps.logger.error({ err: error }, 'members API request failed');
    res.status(503).json({ error: 'the store is not reachable; try again shortly' });
  };

  api.get('/', async (req: Request, res: Response) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    try {
      res.json(
        await searchMembers(deps.db, {
          q,
          limit: number(req.query.limit),
          offset: number(req.query.offset),
        }),
      );
    } catch (error) {
      failed(res, error);
    }
  });

  api.get('/:ref', async (req: Request, res: Response) => {
    try {
      const { id } = await resolveMember(deps.db, String(req.params.ref));
      const details = await memberDetails(deps, id);
      if (!details) res.status(404).json({ error: 'no such member' });
      else res.json(details);
    } catch (error) {
      if (error instanceof MemberRefError) res.status(404).json({ error: error.message });
      else failed(res, error);
    }
  });

  router.use('/api/members', bearerAuth(token), api);
  return router;
}

/** The admin routes to mount: none when no admin token is configured. */
export function adminRouters(deps: MembersApiDeps, token: string | undefined): RequestHandler[] {
  return token ? [membersApiRoutes(deps, token), deadLettersApiRoutes(deps, token)] : [];
}
