import { randomBytes } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Json } from '../fields.js';
import type { DeliverySettings } from './delivery.js';
import { deliver } from './delivery.js';
import { SANDBOX_APP_ID, SEED_CHANNELS } from './workspace.js';

const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/**
 * POST /_sandbox/slack/command: a slash command typed in the sandbox workspace, signed and
 * posted form-encoded to townhall's /webhooks/slack/commands, with the fields and order Slack
 * sends (docs.slack.dev, implementing slash commands). Answers with townhall's reply.
 */
export function slackCommandRoute(
  settings: DeliverySettings,
  townhallUrl: () => string | undefined,
  teamId: string,
): RequestHandler {
  let commandCount = 0;
  return async (req, res) => {
    const target = townhallUrl();
    const given = (req.body ?? {}) as Json;
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
      settings,
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
  };
}
