import { randomBytes, randomUUID } from 'node:crypto';
import express from 'express';
import { signSlackRequest } from '../connectors/slack/signature.js';
import type { Workspace } from './slack-web-store.js';
import { SANDBOX_APP_ID, SEED_CHANNELS } from './slack-web-store.js';

export interface SlackSandboxOptions {
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

export const DEFAULT_RETRY_DELAYS_MS = [500, 1_000, 2_000] as const;
/** Slack retries a failed delivery three times, then gives up on it. */
const MAX_RETRIES = 3;

type Record_ = Record<string, unknown>;

const newEventId = () => `Ev${randomBytes(6).toString('hex').toUpperCase()}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

type RetryReason = 'http_error' | 'http_timeout' | 'connection_failed';

interface Attempt {
  retryNum: number;
  retryReason?: RetryReason;
  status?: number;
  failure?: RetryReason;
}

interface Delivery {
  attempts: Attempt[];
  /** townhall's last answer, if it answered at all. */
  final?: { status: number; text: string };
  error?: string;
}

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * Emits Events API deliveries the way Slack does: an `event_callback` envelope, signed with the
 * app's signing secret, POSTed to townhall's request URL. When townhall answers non-2xx or not
 * within 3 s, the same envelope (same event_id) is delivered again with X-Slack-Retry-Num 1..3
 * and X-Slack-Retry-Reason, unless townhall answered with X-Slack-No-Retry: 1. Query:
 * `?event_id=` re-sends a known event, `?retry_num=` starts at that retry (a manual retry),
 * `?no_retry=1` makes a single delivery. Answers with townhall's final status.
 *
 * POST /_sandbox/slack/command signs and posts a slash command, form-encoded, like Slack.
 */
export function createSlackSandbox(options: SlackSandboxOptions) {
  const teamId = options.teamId ?? 'T0SANDBOX';
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const timeoutMs = options.responseTimeoutMs ?? 3_000;
  const router = express.Router();

  /** One signed POST, re-signed for each retry (Slack signs every delivery afresh). */
  async function deliver(
    url: string,
    body: Buffer,
    contentType: string,
    retry: { from: number; reason: RetryReason; retries: boolean },
  ): Promise<Delivery> {
    const delivery: Delivery = { attempts: [] };
    let reason = retry.reason;
    for (let retryNum = retry.from; ; retryNum++) {
      const attempt: Attempt = { retryNum, ...(retryNum > 0 ? { retryReason: reason } : {}) };
      delivery.attempts.push(attempt);
      const timestamp = String(Math.floor(Date.now() / 1000));
      let noRetry = false;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': contentType,
            'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
            'x-slack-request-timestamp': timestamp,
            'x-slack-signature': signSlackRequest(options.signingSecret, timestamp, body),
            ...(retryNum > 0
              ? { 'x-slack-retry-num': String(retryNum), 'x-slack-retry-reason': reason }
              : {}),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.text();
        attempt.status = response.status;
        delivery.final = { status: response.status, text };
        delete delivery.error;
        if (response.ok) return delivery;
        reason = 'http_error';
        noRetry = response.headers.get('x-slack-no-retry') === '1';
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        reason = timedOut ? 'http_timeout' : 'connection_failed';
        attempt.failure = reason;
        delete delivery.final;
        delivery.error = `townhall did not answer: ${timedOut ? `no answer within ${timeoutMs} ms` : (error as Error).message}`;
      }
      if (!retry.retries || noRetry || retryNum >= MAX_RETRIES) return delivery;
      await sleep(delays[retryNum] ?? delays.at(-1) ?? 0);
    }
  }

  /** Emitted joins become workspace members; emitted messages get a real ts in the workspace. */
  function complete(event: Record_): Record_ {
    const workspace = options.workspace;
    if (!workspace) return event;
    const user = event.user as Record_ | undefined;
    if (
      event.type === 'team_join' &&
      typeof user?.id === 'string' &&
      !workspace.users.has(user.id)
    ) {
      const profile = (user.profile ?? {}) as Record_;
      workspace.addUser({
        id: user.id,
        name: str(user.name) ?? user.id.toLowerCase(),
        realName: str(profile.real_name) ?? str(user.real_name) ?? str(user.name) ?? user.id,
        email: str(profile.email) ?? null,
        isBot: user.is_bot === true,
      });
    }
    const isPost = event.type === 'message' || event.type === 'app_mention';
    const channel = str(event.channel) ?? SEED_CHANNELS.general;
    if (isPost && event.subtype === undefined && event.ts === undefined && !event.bot_id) {
      if (!workspace.conversations.has(channel) || typeof event.user !== 'string') return event;
      const posted = workspace.post({
        channel,
        threadTs: str(event.thread_ts) ?? null,
        user: event.user,
        botId: null,
        appId: null,
        text: str(event.text) ?? '',
        subtype: null,
        metadata: null,
      });
      return {
        client_msg_id: randomUUID(),
        ...event,
        channel,
        ts: posted.ts,
        event_ts: posted.ts,
        team: teamId,
        ...(event.type === 'message'
          ? { channel_type: channel.startsWith('D') ? 'im' : 'channel' }
          : {}),
      };
    }
    return event;
  }

  router.post('/_sandbox/slack/emit', express.json(), async (req, res) => {
    const target = options.townhallUrl();
    const given = req.body as Record_ | undefined;
    if (!target) {
      res.status(409).json({ error: 'no townhall URL configured for the Slack emitter' });
      return;
    }
    if (!given || typeof given.type !== 'string') {
      res.status(400).json({ error: 'body must be a Slack event object with a "type"' });
      return;
    }
    const event = complete(given);
    const eventId = str(req.query.event_id) ?? newEventId();
    const from = Number(str(req.query.retry_num) ?? 0);
    const reason = (str(req.query.retry_reason) as RetryReason | undefined) ?? 'http_error';
    const eventTime = Math.floor(Date.now() / 1000);
    const envelope = {
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
      `${target}/webhooks/slack`,
      Buffer.from(JSON.stringify(envelope)),
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

  let commandCount = 0;
  router.post('/_sandbox/slack/command', express.json(), async (req, res) => {
    const target = options.townhallUrl();
    const given = (req.body ?? {}) as Record_;
    if (!target) {
      res.status(409).json({ error: 'no townhall URL configured for the Slack emitter' });
      return;
    }
    const command = str(given.command);
    if (!command || !/^\/[^\s/]+$/.test(command)) {
      res.status(400).json({ error: 'body needs a "command" such as "/ticket"' });
      return;
    }
    const n = ++commandCount;
    const triggerId = `${Date.now()}${n}.${teamId.length}${n}.${randomBytes(16).toString('hex')}`;
    // The fields and order Slack sends (docs.slack.dev, implementing slash commands).
    const fields: [string, string][] = [
      ['token', 'sandbox-verification-token'],
      ['team_id', str(given.team_id) ?? teamId],
      ['team_domain', str(given.team_domain) ?? 'sandbox'],
      ['channel_id', str(given.channel_id) ?? SEED_CHANNELS.general],
      ['channel_name', str(given.channel_name) ?? 'general'],
      ['user_id', str(given.user_id) ?? 'U0ADALOVE'],
      ['user_name', str(given.user_name) ?? 'ada'],
      ['command', command],
      ['text', str(given.text) ?? ''],
      ['api_app_id', SANDBOX_APP_ID],
      ['is_enterprise_install', 'false'],
      [
        'response_url',
        `https://hooks.slack.com/commands/${teamId}/${n}/${randomBytes(12).toString('hex')}`,
      ],
      ['trigger_id', str(given.trigger_id) ?? triggerId],
    ];
    const body = Buffer.from(new URLSearchParams(fields).toString());
    // Slack does not retry a slash command: after 3 s the user sees operation_timeout.
    const delivery = await deliver(
      `${target}/webhooks/slack/commands`,
      body,
      'application/x-www-form-urlencoded',
      { from: 0, reason: 'http_error', retries: false },
    );
    const triggerIdSent = fields.find(([name]) => name === 'trigger_id')![1];
    if (!delivery.final) {
      res
        .status(504)
        .json({ error: 'operation_timeout', detail: delivery.error, trigger_id: triggerIdSent });
      return;
    }
    let response: unknown = delivery.final.text;
    try {
      response = JSON.parse(delivery.final.text);
    } catch {
      // Slack shows a plain-text answer as is.
    }
    res.status(delivery.final.status).json({
      status: delivery.final.status,
      trigger_id: triggerIdSent,
      response,
    });
  });

  return { router };
}

function isPostEvent(event: Record_): event is Record_ & { ts: string; channel: string } {
  return typeof event.ts === 'string' && typeof event.channel === 'string';
}
