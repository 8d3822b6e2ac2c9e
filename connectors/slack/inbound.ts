import type { SlackConfig as FullSlackConfig } from './config.js';
import type { CommunityEvent } from '../events.js';
import { communityEvent } from '../events.js';
import type { InboundConnector, InboundResult } from '../types.js';
import { MalformedPayloadError } from '../types.js';
import type { EventCallback } from './payloads.js';
import {
  messageKind,
  postedMessage,
  reactionAddedEvent,
  slackEnvelope,
  teamJoinEvent,
  userChangeEvent,
} from './payloads.js';
import { parseJson, parseWith } from '../inbound-parsing.js';
import { isoFromSeconds, memberFromUser, permalink, verifySlackRequest } from './parse.js';

/** What verifying a delivery needs from `connectors.slack`. */
export type SlackConfig = Pick<FullSlackConfig, 'signingSecret'>;

/**
 * Message subtypes that are still a person talking: a thread reply also sent to the channel,
 * a file shared with a comment, a /me message. Every other subtype (message_changed,
 * message_deleted, channel_join, channel_topic, bot_message ...) is not a new post.
 */
const PERSON_SUBTYPES: ReadonlySet<string> = new Set([
  'thread_broadcast',
  'file_share',
  'me_message',
]);

const ignored = (reason: string): InboundResult => ({ kind: 'ignored', reason });

/** The normalized event, checked against the union every consumer relies on. */
function normalized(event: CommunityEvent): InboundResult {
  return { kind: 'event', event: parseWith(communityEvent, event, 'normalized') };
}

function base(body: EventCallback, occurredAt?: string) {
  return {
    platform: 'slack' as const,
    occurredAt: occurredAt ?? new Date(body.event_time * 1000).toISOString(),
  };
}

/** team_join, and user_change: a deactivated account is a member leaving, anything else an update. */
function memberEvent(body: EventCallback): InboundResult {
  const joined = body.event.type === 'team_join';
  const { user } = joined
    ? parseWith(teamJoinEvent, body.event, 'event')
    : parseWith(userChangeEvent, body.event, 'event');
  if (user.is_bot) return ignored('bot users are not members');
  const type = joined ? 'member.joined' : user.deleted ? 'member.left' : 'member.updated';
  return normalized({
    ...base(body),
    type,
    eventId: `slack:${body.event_id}`,
    member: memberFromUser(user, body.team_id),
  });
}

/**
 * `message` and `app_mention`. A message that mentions the app arrives twice, once as each, with
 * different event_ids. Both are kept (an app may subscribe to only one of them) and both get the
 * same eventId, `slack:message:<channel>:<ts>` (a ts is unique within its channel), so the
 * store records the message once and the second delivery is a duplicate. A retry of either
 * carries the same channel and ts, so it dedups the same way.
 */
function messageEvent(body: EventCallback): InboundResult {
  const { subtype, bot_id, hidden } = parseWith(messageKind, body.event, 'event');
  if (bot_id || subtype === 'bot_message') return ignored('messages from bots are not members');
  if (hidden) return ignored('hidden message events are not posts');
  if (subtype !== undefined && !PERSON_SUBTYPES.has(subtype))
    return ignored(`slack message subtype ${subtype} is not a new post`);

  const message = parseWith(postedMessage, body.event, 'event');
  const threadId =
    message.thread_ts && message.thread_ts !== message.ts ? message.thread_ts : undefined;
  return normalized({
    ...base(body, isoFromSeconds(message.ts)),
    type: 'message.posted',
    eventId: `slack:message:${message.channel}:${message.ts}`,
    member: {
      userId: message.user,
      communityId: message.user_team ?? message.team ?? body.team_id,
    },
    channelId: message.channel,
    ...(threadId ? { threadId } : {}),
    messageId: message.ts,
    url: permalink(message.channel, message.ts, threadId),
    text: message.text,
    // A top-level message is a thread's root: replies to it go in its thread.
    startsThread: !threadId,
  });
}

function reactionEvent(body: EventCallback): InboundResult {
  const reaction = parseWith(reactionAddedEvent, body.event, 'event');
  const { item } = reaction;
  if (item.type !== 'message') return ignored(`reactions to a ${item.type} are not tracked`);
  if (!item.channel || !item.ts)
    throw new MalformedPayloadError('event.item: a message item needs channel and ts');
  return normalized({
    ...base(body, isoFromSeconds(reaction.event_ts)),
    type: 'reaction.added',
    eventId: `slack:${body.event_id}`,
    member: { userId: reaction.user, communityId: body.team_id },
    channelId: item.channel,
    messageId: item.ts,
    url: permalink(item.channel, item.ts),
    emoji: reaction.reaction,
  });
}

/** Slack Events API: signed with the v0 scheme, JSON envelopes around events. */
export const slackInbound: InboundConnector<SlackConfig> = {
  name: 'slack',

  verify: verifySlackRequest,

  parse(request): InboundResult {
    const body = parseWith(slackEnvelope, parseJson(request.rawBody));
    if (body.type === 'url_verification')
      return { kind: 'reply', body: { challenge: body.challenge } };

    switch (body.event.type) {
      case 'team_join':
      case 'user_change':
        return memberEvent(body);
      case 'message':
      case 'app_mention':
        return messageEvent(body);
      case 'reaction_added':
        return reactionEvent(body);
      case 'member_left_channel':
        // Leaving a channel is not leaving the community; a departure from the workspace arrives
        // as user_change with user.deleted = true (Slack has no workspace "member_left" event).
        return ignored('member_left_channel: leaving a channel is not leaving the workspace');
      default:
        return ignored(`slack event ${body.event.type} is not handled`);
    }
  },
};
