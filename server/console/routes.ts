import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { MemberRefError, resolveMember } from '../../store/member-ref.js';
import { searchMembers } from '../../store/member-search.js';
import { syncStatus } from '../../store/sync.js';
import { bearerAuth } from '../admin-auth.js';
import { cookieOf, isAdminToken, overTls, SESSION_MS, sessions } from '../browser-session.js';
import type { MemberDetailsDeps } from '../member-details.js';
import { memberDetails } from '../member-details.js';
import type { ConsoleDeps } from './ops.js';
import { memberRuns } from './member-runs.js';
import { opsView } from './ops.js';
import { signInPage } from './sign-in-page.js';
import { openHandoffs } from './support.js';

const COOKIE = 'townhall_console';
const PUBLIC = fileURLToPath(new URL('./public/', import.meta.url));
const CHART_JS = join(
  dirname(createRequire(import.meta.url).resolve('chart.js')),
  'chart.umd.min.js',
);

/**
 * The console's pages load their own script, style and chart library from here, and fetch JSON
 * from here; nothing inline, nothing from elsewhere, no frames.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data:",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

const number = (value: unknown) =>
  typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : undefined;

/**
 * The console at `/console` (issue 14): ops, support and marketing views over the JSON below,
 * for a browser signed in with the admin token (an HttpOnly, SameSite=Strict cookie; the token
 * never reaches the page's script) or a script holding the bearer token. Read-only: no route
 * here changes anything, so a forged cross-site request gains nothing.
 */
export function consoleRoutes(deps: ConsoleDeps & MemberDetailsDeps, token: string) {
  const router = express.Router();
  const session = sessions(token, 'console');
  const bearer = bearerAuth(token);
  const signedIn = (req: Request) => session.valid(cookieOf(req, COOKIE), Date.now());

  router.use('/console', (_req: Request, res: Response, next: NextFunction) => {
    res.set('Content-Security-Policy', CONSOLE_CSP);
    res.set('Cache-Control', 'no-store');
    next();
  });

  router.get('/console', (req, res) => {
    if (signedIn(req)) res.sendFile(join(PUBLIC, 'index.html'));
    else signInPage(res, 200, undefined);
  });
  router.post(
    '/console/session',
    express.urlencoded({ extended: false, limit: '4kb' }),
    (req: Request, res: Response) => {
      const given = (req.body as { token?: unknown } | undefined)?.token;
      if (!isAdminToken(given, token)) {
        signInPage(res, 401, 'That is not the admin token (TOWNHALL_ADMIN_TOKEN).');
        return;
      }
      const secure = overTls(req) ? '; Secure' : '';
      res.set(
        'Set-Cookie',
        `${COOKIE}=${session.issue(Date.now())}; Path=/console; Max-Age=${SESSION_MS / 1000}; HttpOnly; SameSite=Strict${secure}`,
      );
      res.redirect(303, '/console');
    },
  );
  router.post('/console/sign-out', (_req, res) => {
    res.set('Set-Cookie', `${COOKIE}=; Path=/console; Max-Age=0; HttpOnly; SameSite=Strict`);
    res.redirect(303, '/console');
  });

  // Script, style and the chart library hold no data: no session needed to load them.
  router.get('/console/assets/chart.umd.min.js', (_req, res) => res.sendFile(CHART_JS));
  router.use(
    '/console/assets',
    express.static(join(PUBLIC, 'assets'), { index: false, fallthrough: false }),
  );

  const api = express.Router();
  api.use((req: Request, res: Response, next: NextFunction) => {
    if (signedIn(req)) next();
    else bearer(req, res, next);
  });
  const answer =
    (read: (req: Request) => Promise<unknown>): RequestHandler =>
    async (req, res) => {
      try {
        res.json(await read(req));
      } catch (error) {
        if (error instanceof MemberRefError) {
          res.status(404).json({ error: error.message });
          return;
        }
        deps.logger.error({ err: error }, 'console API request failed');
        res
          .status(503)
          .json({ error: 'the store or Temporal is not reachable; try again shortly' });
      }
    };
  api.get(
    '/ops',
    answer(() => opsView(deps)),
  );
  api.get(
    '/handoffs',
    answer(() => openHandoffs(deps)),
  );
  api.get(
    '/sync',
    answer(() => Promise.all(deps.crms.map((crm) => syncStatus(deps.db, crm)))),
  );
  api.get(
    '/members',
    answer((req) =>
      searchMembers(deps.db, {
        q: typeof req.query.q === 'string' ? req.query.q : '',
        limit: number(req.query.limit),
        offset: number(req.query.offset),
      }),
    ),
  );
  api.get('/members/:ref', async (req, res, next) => {
    await answer(async () => {
      const { id } = await resolveMember(deps.db, String(req.params.ref));
      const details = await memberDetails(deps, id);
      if (!details) throw new MemberRefError(`no member ${id}`);
      return { ...details, journeys: await memberRuns(deps, details) };
    })(req, res, next);
  });
  router.use('/console/api', api);
  return router;
}
