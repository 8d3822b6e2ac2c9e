import { randomBytes } from 'node:crypto';
import express from 'express';
import type { Json } from '../fields.js';
import { PayloadError, isObject } from '../fields.js';
import { slackCommandRoute } from './commands.js';
import type { DeliverySettings, RetryReason } from './delivery.js';
import { DEFAULT_RETRY_DELAYS_MS, deliver } from './delivery.js';
import { completeEvent } from './emitted-events.js';
import type { Workspace } from './workspace.js';
import { SANDBOX_APP_ID, SANDBOX_TEAM } from './workspace.js';

export interface SlackEmitterOptions {
  signingSecret: string;
  /** Where townhall listens, e.g. http://127.0.0.1:3000 (set once townhall is up). */
  townhallUrl: () => string | undefined;
  teamId?: string;
  /**
   * Waits before retries 1, 2 and 3. Slack retries at once, after a minute and after five
   * minutes; the sandbox keeps the shape with short waits (default 0.5 s, 1 s, 2 s).
   */
  retryDelaysMs?: readonly number[];
  /** A delivery not answered within this long failed with http_timeout (Slack: 3 s). */
  responseTimeoutMs?: number;
  /** The Web API emulator's workspace: emitted joins and messages become part of it. */
  workspace?: Workspace;
}

const newEventId = () => `Ev${randomBytes(6).toString('hex').toUpperCase()}`;
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

function isPostEvent(event: Json): event is Json & { ts: string; channel: string } {
  return typeof event.ts === 'string' && typeof event.channel === 'string';
}

/**
 * Emits Events API deliveries the way Slack does: an `event_callback` envelope, signed with the
 * app's signing secret, POSTed to townhall's request URL. The body is an event object (or a
 * whole envelope, whose event_id is kept). When townhall answers non-2xx or not within 3 s, the
 * same envelope (same event_id) is delivered again with X-Slack-Retry-Num 1..3 and
 * X-Slack-Retry-Reason, unless townhall answered with X-Slack-No-Retry: 1. Query: `?event_id=`
 * re-sends a known event, `?retry_num=` starts at that retry (a manual retry), `?no_retry=1`
 * makes a single delivery. Answers with townhall's final status.
 *
 * POST /_sandbox/slack/command signs and posts a slash command, form-encoded, like Slack.
 */
export function createSlackEmitter(options: SlackEmitterOptions) {
  const teamId = options.teamId ?? SANDBOX_TEAM.id;
  const settings: DeliverySettings = {
    signingSecret: options.signingSecret,
    retryDelaysMs: options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
    responseTimeoutMs: options.responseTimeoutMs ?? 3_000,
  };
  const router = express.Router();

  router.post('/_sandbox/slack/emit', express.json(), async (req, res) => {
    const target = options.townhallUrl();
    const body = req.body as Json | undefined;
    if (!target) {
      res.status(409).json({ error: 'no townhall URL configured for the Slack emitter' });
      return;
    }
    if (!isObject(body) || typeof body.type !== 'string') {
      res.status(400).json({ error: 'body must be a Slack event object with a "type"' });
      return;
    }
    const envelope = body.type === 'event_callback' ? body : undefined;
    let event: Json;
    try {
      if (envelope && (!isObject(envelope.event) || typeof envelope.event.type !== 'string'))
        throw new PayloadError('event.type is required (the envelope carries an event object)');
      event = envelope
        ? completeEvent(envelope.event as Json, 'event', options.workspace, teamId)
        : completeEvent(body, '', options.workspace, teamId);
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      res.status(400).json({ error: error.message });
      return;
    }
    const eventId = str(req.query.event_id) ?? str(envelope?.event_id) ?? newEventId();
    const from = Number(str(req.query.retry_num) ?? 0);
    const reason = (str(req.query.retry_reason) as RetryReason | undefined) ?? 'http_error';
    const eventTime = Math.floor(Date.now() / 1000);
    const sent = {
      token: 'sandbox-verification-token',
      team_id: teamId,
      api_app_id: SANDBOX_APP_ID,
      event: { event_ts: `${eventTime}.000100`, ...event },
      type: 'event_callback',
      event_id: eventId,
      event_time: eventTime,
      authorizations: [
        { team_id: teamId, user_id: 'U0TOWNBOT', is_bot: true, is_enterprise_install: false },
      ],
      is_ext_shared_channel: false,
      authed_users: [],
    };
    const delivery = await deliver(
      settings,
      `${target}/webhooks/slack`,
      Buffer.from(JSON.stringify(sent)),
      'application/json',
      {
        from: Number.isInteger(from) && from >= 0 ? from : 0,
        reason,
        retries: str(req.query.no_retry) !== '1',
      },
    );
    if (!delivery.final) {
      res.status(502).json({ error: delivery.error, eventId, attempts: delivery.attempts });
      return;
    }
    res.status(delivery.final.status).json({
      status: delivery.final.status,
      eventId,
      response: delivery.final.text,
      attempts: delivery.attempts,
      ...(isPostEvent(event) ? { ts: event.ts, channel: event.channel } : {}),
    });
  });

  router.post(
    '/_sandbox/slack/command',
    express.json(),
    slackCommandRoute(settings, options.townhallUrl, teamId),
  );

  return { router };
}
