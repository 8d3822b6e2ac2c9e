import express from 'express';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { verifyUnsubscribeToken } from '../../connectors/email/unsubscribe.js';
import { recordConsent } from '../../store/consent.js';
import type { Db } from '../../store/db.js';
import { getMember } from '../../store/members.js';

export interface UnsubscribeDeps {
  db: Db;
  secret: string;
  logger: Logger;
  /** After the opt-out is recorded: what else an unsubscribe ends (journeys). Failing: 503. */
  onUnsubscribed?: ((memberId: string) => Promise<void>) | undefined;
}

function page(res: Response, status: number, title: string, text: string): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>${title}</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">` +
        `<h1>${title}</h1><p>${text}</p></body></html>`,
    );
}

/** Where unsubscribe links point: `<public url>/unsubscribe/<token>`. */
export const UNSUBSCRIBE_PATH = '/unsubscribe';

/**
 * `POST /unsubscribe/:token` is RFC 8058 one-click (mail providers post
 * `List-Unsubscribe=One-Click`, no page); `GET` is the link a person clicks, answered with a
 * confirmation page. Both record the opt-out, and both are safe to repeat.
 */
export function unsubscribeRoutes(deps: UnsubscribeDeps) {
  const router = express.Router();

  const handle = (oneClick: boolean) => async (req: Request, res: Response) => {
    const token = String(req.params.token);
    const memberId = verifyUnsubscribeToken(deps.secret, token);
    if (!memberId) {
      if (oneClick) res.status(400).json({ error: 'invalid unsubscribe token' });
      else page(res, 400, 'Link not valid', 'This unsubscribe link is damaged or incomplete.');
      return;
    }
    try {
      // An erased member has nothing left to unsubscribe; say so as a success.
      if (await getMember(deps.db, memberId)) {
        await recordConsent(
          deps.db,
          memberId,
          'email',
          'opted_out',
          oneClick ? 'one-click' : 'link',
        );
        await deps.onUnsubscribed?.(memberId);
      }
    } catch (error) {
      deps.logger.error({ err: error }, 'unsubscribe not recorded: the store or Temporal is down');
      res.setHeader('Retry-After', '30');
      if (oneClick) res.status(503).json({ error: 'try again shortly' });
      else
        page(
          res,
          503,
          'Please try again',
          'We could not record this just now. Please reload in a minute.',
        );
      return;
    }
    deps.logger.info({ memberId, oneClick }, 'member unsubscribed from email');
    if (oneClick) res.status(200).json({ ok: true });
    else page(res, 200, 'You are unsubscribed', 'You will get no more emails from this community.');
  };

  router.post(`${UNSUBSCRIBE_PATH}/:token`, handle(true));
  router.get(`${UNSUBSCRIBE_PATH}/:token`, handle(false));
  return router;
}
