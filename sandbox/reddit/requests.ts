import type { RequestHandler, Response } from 'express';

/** One request to the emulated Reddit, for GET /_sandbox/reddit/requests and rate measurements. */
export interface RedditRequest {
  /** When it arrived, ms since the epoch. */
  at: number;
  method: string;
  /** As Reddit sees it: without the sandbox's /reddit prefix or the query. */
  path: string;
  query: Record<string, string>;
  /** The app the request came as: the token's client, or the Basic client id for a token request. */
  clientId: string | null;
  /** Filled in once answered; null while running or when the connection was dropped. */
  status: number | null;
}

/** Kept at most; enough for ten minutes at Reddit's 100 a minute several times over. */
const KEEP = 10_000;

/** Where a handler says which app a request came as (the token gate, the token endpoint). */
export function setClient(res: Response, clientId: string): void {
  res.locals.redditClient = clientId;
}

export function createRequestLog() {
  const requests: RedditRequest[] = [];

  /** Mounted on the /reddit prefix: records the request, and its status once it is answered. */
  const record: RequestHandler = (req, res, next) => {
    const url = new URL(req.url, 'http://sandbox');
    const entry: RedditRequest = {
      at: Date.now(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      clientId: null,
      status: null,
    };
    requests.push(entry);
    if (requests.length > KEEP) requests.splice(0, requests.length - KEEP);
    res.on('finish', () => {
      entry.status = res.statusCode;
      entry.clientId = (res.locals.redditClient as string | undefined) ?? null;
    });
    next();
  };

  return {
    record,
    list: (): readonly RedditRequest[] => requests,
    reset: () => {
      requests.length = 0;
    },
  };
}

export type RequestLog = ReturnType<typeof createRequestLog>;
