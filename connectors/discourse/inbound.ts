import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { CommunityEvent, CommunityMember } from '../events.js';
import type { InboundConnector, InboundRequest, InboundResult } from '../types.js';
import { MalformedPayloadError } from '../types.js';
import type { DiscourseConfig } from './config.js';
import type { DiscourseStanding } from './payloads.js';
import { POST_TYPE, likeBody, pingBody, postBody, topicBody, userBody } from './payloads.js';
import { verifyDiscourseSignature } from './signature.js';
import { header, parseJson, parseWith } from '../inbound-parsing.js';

/**
 * X-Discourse-Instance is the forum's base URL (Discourse.base_url). Scheme and trailing slash
 * are dropped so http/https or a proxy's rewrite do not split one forum into two communities.
 */
function forumOf(request: InboundRequest): { id: string; base: URL } {
  const instance = header(request, 'x-discourse-instance');
  if (!instance) throw new MalformedPayloadError('X-Discourse-Instance header is missing');
  let base: URL;
  try {
    base = new URL(instance);
  } catch {
    throw new MalformedPayloadError('X-Discourse-Instance is not a URL');
  }
  return { id: `${base.host}${base.pathname.replace(/\/+$/, '')}`, base };
}

/**
 * `discourse:<forum>:<event>:<record id>`, not the X-Discourse-Event-Id header, for two reasons
 * found in Jobs::EmitWebHookEvent: every delivery attempt (including Discourse's own retries
 * after a 503) creates a new WebHookEvent row and so a new X-Discourse-Event-Id, which would
 * defeat duplicate detection; and headers are not covered by the signature, so an attacker
 * replaying a captured body could pick any header id. The record id is inside the signed body,
 * and each handled event happens once per record (a user is created once, a post once).
 */
function eventIdFor(forum: string, event: string, recordId: number): string {
  return `discourse:${forum}:${event}:${recordId}`;
}

/** Text of a post: the markdown source when Discourse includes it, else the cooked HTML's text. */
function postText(raw: string | undefined, cooked: string): string {
  if (raw !== undefined) return raw;
  return cooked
    .replace(/<[^>]*>/g, ' ')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * 'admin', 'moderator' and 'staff' where the payload says true, then the primary group and any
 * listed groups by name. Undefined when the payload states none of these fields (unknown); an
 * empty list when it states them and they name nothing.
 */
export function discourseRoles(standing: DiscourseStanding): string[] | undefined {
  const { admin, moderator, staff, primary_group_name: primary, groups } = standing;
  if ([admin, moderator, staff, primary, groups].every((field) => field === undefined))
    return undefined;
  const roles = new Set<string>();
  if (admin === true) roles.add('admin');
  if (moderator === true) roles.add('moderator');
  if (staff === true) roles.add('staff');
  if (primary) roles.add(primary);
  for (const group of groups ?? []) if (group.name) roles.add(group.name);
  return [...roles];
}

function memberOf(
  forum: string,
  user: { id: number; username: string; name?: string | null | undefined; email?: string | null },
  standing: DiscourseStanding,
  emailVerified?: boolean,
): CommunityMember {
  const email = user.email ?? undefined;
  const roles = discourseRoles(standing);
  return {
    userId: String(user.id),
    communityId: forum,
    ...(email && z.email().safeParse(email).success
      ? { email, ...(emailVerified !== undefined ? { emailVerified } : {}) }
      : {}),
    ...(user.name ? { name: user.name } : {}),
    handle: user.username,
    ...(roles ? { roles } : {}),
  };
}

/**
 * Whether the address a user event carries is confirmed. Discourse sends user_created when an
 * account is made, before its address is confirmed: unconfirmed, unless the user came through
 * DiscourseConnect, whose provider vouches for it (Discourse counts it confirmed too). The
 * confirmation itself is user_confirmed_email (EmailToken.confirm, also on activation by staff).
 * user_destroyed says nothing about it.
 */
function emailVerifiedBy(
  event: UserEvent,
  user: { external_id?: string | null | undefined },
): boolean | undefined {
  if (event === 'user_confirmed_email') return true;
  if (event === 'user_created') return Boolean(user.external_id);
  return undefined;
}

type UserEvent = 'user_created' | 'user_confirmed_email' | 'user_destroyed';
const USER_EVENT_TYPES = {
  user_created: 'member.joined',
  user_confirmed_email: 'member.updated',
  user_destroyed: 'member.left',
} as const;

function userEvent(request: InboundRequest, event: UserEvent) {
  const forum = forumOf(request);
  const { user } = parseWith(userBody, parseJson(request.rawBody));
  if (user.id <= 0)
    return { kind: 'ignored', reason: 'system and bot users are not members' } as const;
  const joined = event === 'user_created';
  const result: CommunityEvent = {
    type: USER_EVENT_TYPES[event],
    // A confirmation is of one address: a later one, of a changed address, is another event.
    eventId:
      event === 'user_confirmed_email'
        ? `${eventIdFor(forum.id, event, user.id)}:${addressTag(user.email)}`
        : eventIdFor(forum.id, event, user.id),
    platform: 'discourse',
    // Only user_created carries its time; the moment townhall hears of the others is closest.
    occurredAt:
      joined && user.created_at
        ? new Date(user.created_at).toISOString()
        : new Date().toISOString(),
    member: memberOf(forum.id, user, user, emailVerifiedBy(event, user)),
  };
  return { kind: 'event', event: result } as const;
}

/** A short digest of an address for an event id: ids are logged, addresses must not be. */
function addressTag(email: string | null | undefined): string {
  return createHash('sha256')
    .update((email ?? '').toLowerCase())
    .digest('hex')
    .slice(0, 16);
}

/**
 * post_created is the one source of message.posted, the first post of a topic included
 * (post_number 1 is the topic start; its url ends in /1). topic_created is ignored: Discourse
 * sends post_created for that same first post, so using both would post every topic twice.
 */
function postEvent(request: InboundRequest, config?: DiscourseConfig): InboundResult {
  const forum = forumOf(request);
  const { post } = parseWith(postBody, parseJson(request.rawBody));
  if (post.user_id <= 0) return { kind: 'ignored', reason: 'posts by system and bot users' };
  // Discourse sends a webhook for townhall's own posts too (its API user may be a real user).
  if (config && post.username.toLowerCase() === config.apiUsername.toLowerCase())
    return { kind: 'ignored', reason: "townhall's own posts (its API user)" };
  if (post.topic_archetype === 'private_message')
    return { kind: 'ignored', reason: 'private messages are not community messages' };
  if (post.post_type === POST_TYPE.smallAction || post.post_type === POST_TYPE.whisper)
    return { kind: 'ignored', reason: 'small actions and staff whispers are not messages' };
  if (post.category_id === undefined || post.category_id === null)
    return { kind: 'ignored', reason: 'post has no category' };

  // A link is a nicety: a post_url that is no URL costs the link, not the event.
  const url =
    post.post_url && URL.canParse(post.post_url, forum.base.href)
      ? new URL(post.post_url, forum.base).toString()
      : undefined;
  const event: CommunityEvent = {
    type: 'message.posted',
    eventId: eventIdFor(forum.id, 'post_created', post.id),
    platform: 'discourse',
    occurredAt: new Date(post.created_at).toISOString(),
    member: memberOf(
      forum.id,
      { id: post.user_id, username: post.username, name: post.name },
      post,
    ),
    channelId: String(post.category_id),
    threadId: String(post.topic_id),
    messageId: String(post.id),
    ...(url ? { url } : {}),
    text: postText(post.raw, post.cooked),
    startsThread: post.post_number === 1,
  };
  return { kind: 'event', event };
}

/** Discourse's one reaction in core: a like, named as its heart icon. */
export const LIKE_EMOJI = 'heart';

/**
 * post_liked is reaction.added with the emoji `heart`: core Discourse has likes, not emoji
 * reactions. One like per person and post, so the pair is the record the event id names.
 */
function likeEvent(request: InboundRequest, config?: DiscourseConfig): InboundResult {
  const forum = forumOf(request);
  const { post, user } = parseWith(likeBody, parseJson(request.rawBody)).like;
  if (user.id <= 0) return { kind: 'ignored', reason: 'likes by system and bot users' };
  if (config?.apiUsername && user.username.toLowerCase() === config.apiUsername.toLowerCase())
    return { kind: 'ignored', reason: "townhall's own like" };
  if (post.topic_archetype === 'private_message' || post.category_id == null)
    return { kind: 'ignored', reason: 'likes outside public categories' };
  const event: CommunityEvent = {
    type: 'reaction.added',
    eventId: `discourse:${forum.id}:post_liked:${post.id}:${user.id}`,
    platform: 'discourse',
    // The webhook carries no time of the like; the moment townhall hears of it is closest.
    occurredAt: new Date().toISOString(),
    member: memberOf(forum.id, user, {}),
    channelId: String(post.category_id),
    threadId: String(post.topic_id),
    messageId: String(post.id),
    emoji: LIKE_EMOJI,
  };
  return { kind: 'event', event };
}

/** Discourse webhooks: a JSON body signed with sha256 HMAC, the event named in headers. */
export const discourseInbound: InboundConnector<DiscourseConfig> = {
  name: 'discourse',

  verify(request, config) {
    return verifyDiscourseSignature(
      config.webhookSecret,
      header(request, 'x-discourse-event-signature'),
      request.rawBody,
    );
  },

  parse(request, config): InboundResult {
    const event = header(request, 'x-discourse-event');
    if (!event) throw new MalformedPayloadError('X-Discourse-Event header is missing');
    switch (event) {
      case 'ping':
        parseWith(pingBody, parseJson(request.rawBody));
        return { kind: 'reply', body: { ok: true } };
      case 'user_created':
      case 'user_confirmed_email':
      case 'user_destroyed':
        return userEvent(request, event);
      case 'post_created':
        return postEvent(request, config);
      case 'post_liked':
        return likeEvent(request, config);
      case 'topic_created':
        parseWith(topicBody, parseJson(request.rawBody));
        return { kind: 'ignored', reason: 'topic_created: its first post arrives as post_created' };
      default:
        parseJson(request.rawBody);
        return { kind: 'ignored', reason: `discourse event ${event} is not handled` };
    }
  },
};
