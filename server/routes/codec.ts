import express from 'express';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';
import { SESSION_MS, cookieOf, isAdminToken, overTls, sessions } from '../browser-session.js';
import { bearerAuth } from '../admin-auth.js';

export interface CodecRouteDeps {
  codec: PayloadCodec;
  logger: Logger;
  /** Browser origins allowed to call (the Temporal UI's); others get no CORS headers. */
  origins: readonly string[];
}

/** The Temporal remote codec protocol's body: payloads with base64 metadata values and data. */
const base64 = z.string().regex(/^[A-Za-z0-9+/]*={0,2}$/, 'not base64');
const body = z.object({
  payloads: z.array(
    z.object({
      metadata: z.record(z.string(), base64).nullish(),
      data: base64.nullish(),
    }),
  ),
});
type JsonPayload = z.infer<typeof body>['payloads'][number];

const fromJson = ({ metadata, data }: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(data ?? '', 'base64'),
});

const toJson = ({ metadata, data }: Payload) => ({
  metadata: Object.fromEntries(
    Object.entries(metadata ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value ?? []).toString('base64'),
    ]),
  ),
  data: Buffer.from(data ?? []).toString('base64'),
});

const COOKIE = 'townhall_codec';

function sessionPage(res: Response, status: number, text: string, form: boolean): void {
  res
    .status(status)
    .type('html')
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">` +
        `<title>townhall codec</title></head><body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem">` +
        `<h1>Decode Temporal payloads</h1><p>${text}</p>` +
        (form
          ? `<form method="post" action="session"><label>Admin token (TOWNHALL_ADMIN_TOKEN)<br>` +
            `<input type="password" name="token" autocomplete="current-password" required size="40"></label> ` +
            `<button type="submit">Sign in</button></form>`
          : '') +
        `</body></html>`,
    );
}

/**
 * The codec endpoint for the Temporal UI and CLI (docs.temporal.io "Codec Server"):
 * `POST /codec/decode` and `POST /codec/encode` take and return `{ payloads: [...] }`. They need
 * the admin token, as `Authorization: Bearer` (the CLI's `--codec-auth`, scripts) or as the
 * session cookie `GET /codec/session` hands out to a browser. CORS answers only the configured
 * UI origins; a preflight needs no token (browsers send none).
 */
export function codecRoutes(deps: CodecRouteDeps, token: string) {
  const router = express.Router();
  const bearer = bearerAuth(token);
  const session = sessions(token, 'codec');
  const allowed = new Set(deps.origins);

  router.use('/codec', (req: Request, res: Response, next: NextFunction) => {
    const origin = req.get('origin');
    if (origin && allowed.has(origin)) {
      res.vary('Origin');
      res.set({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Credentials': 'true',
      });
      if (req.method === 'OPTIONS') {
        res
          .set({
            'Access-Control-Allow-Methods': 'POST, OPTIONS',
            'Access-Control-Allow-Headers': 'Authorization, Content-Type, X-Namespace',
            'Access-Control-Max-Age': '600',
          })
          .status(204)
          .end();
        return;
      }
    } else if (req.method === 'OPTIONS') {
      res.vary('Origin');
      res.status(403).json({ error: 'origin not allowed (TOWNHALL_CODEC_CORS_ORIGIN)' });
      return;
    }
    next();
  });

  const signedIn: RequestHandler = (req, res, next) => {
    if (session.valid(cookieOf(req, COOKIE), Date.now())) next();
    else bearer(req, res, next);
  };

  const convert = (direction: 'encode' | 'decode') => async (req: Request, res: Response) => {
    // JSON only: a cross-site form post (which a session cookie might ride) cannot be JSON
    // without a preflight, and the preflight answers only the UI's origin.
    if (!req.is('application/json')) {
      res.status(415).json({ error: 'send Content-Type: application/json' });
      return;
    }
    const parsed = body.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'expected { payloads: [{ metadata, data }] } in base64' });
      return;
    }
    try {
      const payloads = await deps.codec[direction](parsed.data.payloads.map(fromJson));
      res.json({ payloads: payloads.map(toJson) });
    } catch (error) {
      // The codec's messages name key ids, never keys or payload content.
      deps.logger.warn({ err: error, direction }, 'codec endpoint could not convert payloads');
      res.status(422).json({ error: (error as Error).message });
    }
  };

  const json = express.json({ limit: '8mb' });
  router.post('/codec/decode', signedIn, json, convert('decode'));
  router.post('/codec/encode', signedIn, json, convert('encode'));

  router.get('/codec/session', (_req, res) =>
    sessionPage(
      res,
      200,
      'Sign in once with the admin token: the Temporal UI (with “include cross-origin credentials” on) can then decode histories in this browser for 12 hours.',
      true,
    ),
  );
  router.post(
    '/codec/session',
    express.urlencoded({ extended: false, limit: '4kb' }),
    (req: Request, res: Response) => {
      const given = (req.body as { token?: unknown } | undefined)?.token;
      if (!isAdminToken(given, token)) {
        sessionPage(res, 401, 'That is not the admin token.', true);
        return;
      }
      const crossSite = overTls(req) ? '; Secure; SameSite=None' : '; SameSite=Lax';
      res.set(
        'Set-Cookie',
        `${COOKIE}=${session.issue(Date.now())}; Path=/codec; Max-Age=${SESSION_MS / 1000}; HttpOnly${crossSite}`,
      );
      sessionPage(res, 200, 'Signed in: the Temporal UI can decode histories for 12 hours.', false);
    },
  );
  return router;
}

/** The codec routes to mount: none when no admin token is configured. */
export function codecRouters(deps: CodecRouteDeps, token: string | undefined): RequestHandler[] {
  return token ? [codecRoutes(deps, token)] : [];
}

/**
 * Which browser origins may call the codec: TOWNHALL_CODEC_CORS_ORIGIN (comma-separated), else
 * the embedded dev server's UI under both names a browser may use for it.
 */
export function codecOrigins(env: NodeJS.ProcessEnv, devUiUrl: string | undefined): string[] {
  const listed = env.TOWNHALL_CODEC_CORS_ORIGIN;
  if (listed)
    return listed
      .split(',')
      .map((origin) => origin.trim().replace(/\/+$/, ''))
      .filter(Boolean);
  if (!devUiUrl) return [];
  const url = new URL(devUiUrl);
  return [url.origin, url.origin.replace('//127.0.0.1:', '//localhost:')];
}
