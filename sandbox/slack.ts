import { randomBytes } from 'node:crypto';
import express from 'express';
import { signSlackRequest } from '../connectors/slack/signature.js';

export interface SlackSandboxOptions {
  signingSecret: string;
  /** Where townhall listens, e.g. http://127.0.0.1:3000 (set once townhall is up). */
  townhallUrl: () => string | undefined;
  teamId?: string;
}

const newEventId = () => `Ev${randomBytes(6).toString('hex').toUpperCase()}`;

/**
 * Emits Events API deliveries the way Slack does: an `event_callback` envelope, signed with the
 * app's signing secret, POSTed to townhall's request URL. `?event_id=` re-sends a known event
 * (a retry) and `?retry_num=` adds Slack's retry headers.
 */
export function createSlackSandbox(options: SlackSandboxOptions) {
  const teamId = options.teamId ?? 'T0SANDBOX';
  const router = express.Router();

  router.post('/_sandbox/slack/emit', express.json(), async (req, res) => {
    const target = options.townhallUrl();
    const event = req.body as { type?: unknown; user?: { team_id?: string } } | undefined;
    if (!target) {
      res.status(409).json({ error: 'no townhall URL configured for the Slack emitter' });
      return;
    }
    if (!event || typeof event.type !== 'string') {
      res.status(400).json({ error: 'body must be a Slack event object with a "type"' });
      return;
    }
    const eventId = typeof req.query.event_id === 'string' ? req.query.event_id : newEventId();
    const retryNum = typeof req.query.retry_num === 'string' ? req.query.retry_num : undefined;
    const eventTime = Math.floor(Date.now() / 1000);
    const envelope = {
      token: 'sandbox-verification-token',
      team_id: teamId,
      api_app_id: 'A0SANDBOX',
      event: { event_ts: `${eventTime}.000100`, ...event },
      type: 'event_callback',
      event_id: eventId,
      event_time: eventTime,
      authed_users: [],
    };
    const body = Buffer.from(JSON.stringify(envelope));
    const timestamp = String(Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(`${target}/webhooks/slack`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-slack-request-timestamp': timestamp,
          'x-slack-signature': signSlackRequest(options.signingSecret, timestamp, body),
          ...(retryNum
            ? { 'x-slack-retry-num': retryNum, 'x-slack-retry-reason': 'http_error' }
            : {}),
        },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      res.status(response.status).json({ status: response.status, eventId, response: text });
    } catch (error) {
      res
        .status(502)
        .json({ error: `townhall did not answer: ${(error as Error).message}`, eventId });
    }
  });

  return { router };
}
