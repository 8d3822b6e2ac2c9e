import type { NextFunction, Request, Response } from 'express';
import express from 'express';
import type { Faults } from '../faults.js';
import type { SlackSpec } from './spec.js';
import { loadSlackSpec } from './spec.js';
import { scopeFor, webMethods } from './web-methods.js';
import type { Answer, Params } from './web-params.js';
import { SlackFailure, errorBody, text } from './web-params.js';
import type { Workspace } from './workspace.js';

export interface SlackWebApiOptions {
  workspace: Workspace;
  /** The bot token (xoxb-...) the emulator accepts, with every scope townhall uses. */
  botToken: string;
  faults: Faults;
  /** The Slack Web API description; defaults to sandbox/specs/slack/web-api.openapi.json. */
  specPath?: string;
}

/** Scopes the sandbox bot token holds: all that townhall's connector needs. */
export const BOT_SCOPES = [
  'chat:write',
  'im:write',
  'im:history',
  'mpim:history',
  'channels:history',
  'groups:history',
  'users:read',
  'users:read.email',
  'reactions:write',
] as const;

/** Web API method names: `chat.postMessage`, `users.lookupByEmail` (never Discord's /api/v10/...). */
const METHOD = /^[a-z]+(\.[A-Za-z0-9_]+)+$/;

/** The call log keeps the latest calls only, so a long-running sandbox does not grow forever. */
const MAX_CALLS_KEPT = 5_000;

export interface Call {
  method: string;
  params?: Params;
  at: string;
}

/** Query and body merged, as Slack reads them; a JSON body never carries the token. */
function readRequest(req: Request): { params: Params; token: string | undefined } {
  const params: Params = {};
  for (const [key, value] of Object.entries(req.query))
    params[key] = Array.isArray(value) ? value[0] : value;
  const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
  const type = req.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  let json = false;
  if (raw.length > 0) {
    if (!type) throw new SlackFailure('missing_post_type');
    if (type === 'application/json') {
      json = true;
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new SlackFailure('invalid_json');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        throw new SlackFailure('json_not_object');
      Object.assign(params, body);
    } else if (type === 'application/x-www-form-urlencoded') {
      for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) params[key] = value;
    } else {
      throw new SlackFailure('invalid_post_type');
    }
  }
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
  const inBody = json ? undefined : text(params.token);
  delete params.token;
  return { params, token: bearer ?? inBody };
}

function answer(res: Response, body: Answer, headers: Record<string, string> = {}) {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(200).json(body);
}

/**
 * The Slack Web API at /api/<method>: token auth with scopes, arguments checked against the
 * official description, Slack's `{ ok: false, error }` answers, and a log of every call.
 */
export function createSlackWebApi(options: SlackWebApiOptions) {
  const { workspace } = options;
  const tokens = new Map<string, Set<string>>();
  const resetTokens = () => {
    tokens.clear();
    tokens.set(options.botToken, new Set<string>(BOT_SCOPES));
  };
  resetTokens();
  /** Every Web API call that arrived, for GET /_sandbox/slack/calls. */
  const calls: Call[] = [];
  const methods = webMethods(workspace);

  let spec: SlackSpec | undefined;
  let specError: string | undefined;
  try {
    spec = loadSlackSpec(options.specPath);
  } catch (error) {
    specError = (error as Error).message;
  }

  const router = express.Router();

  router.all(
    '/api/:method',
    (req: Request, res: Response, next: NextFunction) => {
      if (!METHOD.test(String(req.params.method))) return next('route');
      const call: Call = { method: String(req.params.method), at: new Date().toISOString() };
      calls.push(call);
      res.locals.call = call;
      if (calls.length > MAX_CALLS_KEPT) calls.splice(0, calls.length - MAX_CALLS_KEPT);
      next();
    },
    options.faults.middleware('slack', errorBody, { dropAfterHandling: true }),
    express.raw({ type: () => true, limit: '1mb' }),
    (req: Request, res: Response) => {
      const method = String(req.params.method);
      const scopesHeader: Record<string, string> = {};
      try {
        if (req.method !== 'GET' && req.method !== 'POST')
          throw new SlackFailure('invalid_post_type');
        const { params, token } = readRequest(req);
        (res.locals.call as Call).params = params;
        if (!token) throw new SlackFailure('not_authed');
        const scopes = tokens.get(token);
        if (!scopes) throw new SlackFailure('invalid_auth');
        scopesHeader['x-oauth-scopes'] = [...scopes].join(',');
        const handler = methods[method];
        if (!handler || !spec?.has(method))
          throw new SlackFailure('unknown_method', {
            req_method: method,
            ...(specError ? { warning: `slack sandbox: ${specError}` } : {}),
          });
        const problems = spec.check(method, params);
        if (problems.length > 0)
          throw new SlackFailure('invalid_arguments', {
            response_metadata: { messages: problems },
          });
        const needed = scopeFor(workspace, method, params);
        if (needed && !scopes.has(needed))
          throw new SlackFailure(
            'missing_scope',
            { needed, provided: [...scopes].join(',') },
            { 'x-accepted-oauth-scopes': needed },
          );
        answer(res, { ok: true, ...handler({ params, scopes }) }, scopesHeader);
      } catch (error) {
        if (!(error instanceof SlackFailure)) throw error;
        answer(
          res,
          { ok: false, error: error.error, ...error.extra },
          { ...scopesHeader, ...error.headers },
        );
      }
    },
  );

  return {
    router,
    /** Another token with the given scopes, e.g. one without users:read.email. */
    grant: (token: string, scopes: Iterable<string>) => tokens.set(token, new Set(scopes)),
    calls: () => calls,
    reset() {
      resetTokens();
      calls.length = 0;
    },
  };
}

export type SlackWebApi = ReturnType<typeof createSlackWebApi>;
