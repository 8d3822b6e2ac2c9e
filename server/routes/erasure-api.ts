import express from 'express';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { MemberRefError } from '../../store/member-ref.js';
import { bearerAuth } from '../admin-auth.js';
import type { ErasureRequestDeps } from '../erasure.js';
import { findErasureFor, requestErasure } from '../erasure.js';

const forgetBody = z
  .strictObject({
    /** Who asked, for the audit record. */
    requestedBy: z.string().min(1).max(200).optional(),
    reason: z.string().max(500).optional(),
  })
  .default({});

/**
 * Erasure over HTTP, behind the admin token: `POST /api/members/:ref/forget` (202 with the
 * erasure id and where to follow it; 200 when the member was erased before) and
 * `GET /api/erasures/:ref` (an erasure id or a member reference).
 */
export function erasureApiRoutes(deps: ErasureRequestDeps, token: string) {
  const router = express.Router();
  const unavailable = (res: Response, error: unknown) => {
    deps.logger.error({ err: error }, 'erasure API request failed');
    res.status(503).json({ error: 'the store or Temporal is not reachable; try again shortly' });
  };

  router.post(
    '/api/members/:ref/forget',
    bearerAuth(token),
    express.json({ limit: '16kb' }),
    async (req: Request, res: Response) => {
      const body = forgetBody.safeParse(req.body ?? {});
      if (!body.success) {
        res.status(400).json({
          error: body.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`),
        });
        return;
      }
      try {
        const outcome = await requestErasure(deps, String(req.params.ref), {
          requestedBy: body.data.requestedBy ?? 'api',
          source: 'api',
          reason: body.data.reason,
        });
        if (outcome.state === 'already-erased')
          res.status(200).json({ state: outcome.state, erasure: outcome.erasure });
        else
          res
            .status(202)
            .location(`/api/erasures/${outcome.erasureId}`)
            .json({ state: outcome.state, erasureId: outcome.erasureId });
      } catch (error) {
        if (error instanceof MemberRefError) res.status(404).json({ error: error.message });
        else unavailable(res, error);
      }
    },
  );

  router.get('/api/erasures/:ref', bearerAuth(token), async (req: Request, res: Response) => {
    try {
      const erasure = await findErasureFor(deps.db, String(req.params.ref));
      if (!erasure) res.status(404).json({ error: 'no such erasure' });
      else res.json(erasure);
    } catch (error) {
      if (error instanceof MemberRefError) res.status(404).json({ error: error.message });
      else unavailable(res, error);
    }
  });
  return router;
}
