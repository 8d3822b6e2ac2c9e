import { communityEvent } from '../events.js';
import type { InboundConnector, InboundResult } from '../types.js';
import { MalformedPayloadError } from '../types.js';
import type { SlackConfig } from './inbound.js';
import { header, parseWith } from '../inbound-parsing.js';
import { isoFromSeconds, verifySlackRequest } from './parse.js';
import { slashCommand } from './payloads.js';

/** The ephemeral answer Slack shows only to the person who typed the command. */
export function commandReply(command: string): { response_type: 'ephemeral'; text: string } {
  return {
    response_type: 'ephemeral',
    // Shown only when the router gives no answer of its own (it answers every command it routes).
    text: `townhall recorded your /${command}.`,
  };
}

/** application/x-www-form-urlencoded into a plain object; a repeated field keeps its first value. */
function parseForm(raw: Buffer): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw.toString('utf8')))
    if (!(key in fields)) fields[key] = value;
  return fields;
}

/**
 * Slash commands at POST /webhooks/slack/commands: a form-encoded body signed with the same v0
 * scheme as the Events API. The answer is the ephemeral message itself, sent as soon as the
 * command is stored (Slack shows the user an error after 3 s). Slack does not retry commands;
 * the trigger_id is unique per invocation, so it is the event id.
 */
export const slackCommandsInbound: InboundConnector<SlackConfig> = {
  name: 'slack',

  verify: verifySlackRequest,

  parse(request): InboundResult {
    const type = header(request, 'content-type')?.split(';')[0]?.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded')
      throw new MalformedPayloadError(
        `a slash command is form-encoded, not ${type ?? 'without a content type'}`,
      );
    const body = parseWith(slashCommand, parseForm(request.rawBody));
    const command = body.command.slice(1);
    // The request timestamp was checked by verify (within five minutes of now).
    const sentAt = isoFromSeconds(header(request, 'x-slack-request-timestamp') ?? '');
    return {
      kind: 'event',
      event: parseWith(
        communityEvent,
        {
          type: 'command.invoked',
          eventId: `slack:command:${body.trigger_id}`,
          platform: 'slack',
          occurredAt: sentAt ?? new Date().toISOString(),
          member: {
            userId: body.user_id,
            communityId: body.team_id,
            ...(body.user_name ? { handle: body.user_name } : {}),
          },
          command,
          text: body.text,
          channelId: body.channel_id,
        },
        'normalized',
      ),
      reply: commandReply(command),
      answer: (text: string) => ({ response_type: 'ephemeral', text }),
    };
  },
};
