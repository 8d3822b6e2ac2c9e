import express from 'express';
import { signDiscourseBody } from '../connectors/discourse/signature.js';
import type { Forum } from './discourse-store.js';
import { cook, slugify } from './discourse-store.js';

export interface DiscourseEmitterOptions {
  forum: Forum;
  webhookSecret: string;
  townhallUrl: () => string | undefined;
}

type Record_ = Record<string, unknown>;

/** user_created → user, post_created → post, ping → ping (WebHookEventType names). */
const typeOf = (event: string) => (event === 'ping' ? 'ping' : event.split('_')[0]);

/** Fills what WebHookUserSerializer always sends; an emitted new user joins the forum. */
function userPayload(forum: Forum, given: Record_, event: string): Record_ {
  const username = typeof given.username === 'string' ? given.username : `member${Date.now()}`;
  const known = forum.byUsername(username);
  const user =
    known ??
    (event === 'user_created'
      ? forum.addUser({
          username,
          name: typeof given.name === 'string' ? given.name : null,
          email: typeof given.email === 'string' ? given.email : null,
          ...(typeof given.id === 'number' ? { id: given.id } : {}),
        })
      : undefined);
  if (user && event === 'user_destroyed') forum.users.delete(user.id);
  return {
    id: user?.id ?? given.id,
    username,
    name: user?.name ?? null,
    avatar_template: `/user_avatar/sandbox/${username.toLowerCase()}/{size}/1_2.png`,
    created_at: user?.createdAt ?? new Date().toISOString(),
    trust_level: 0,
    admin: false,
    moderator: false,
    ...(user?.email ? { email: user.email } : {}),
    ...given,
  };
}

/** Fills what WebHookPostSerializer always sends, for a post the caller describes. */
function postPayload(given: Record_): Record_ {
  const topicId = typeof given.topic_id === 'number' ? given.topic_id : 1;
  const postNumber = typeof given.post_number === 'number' ? given.post_number : 1;
  const slug = slugify(typeof given.topic_title === 'string' ? given.topic_title : 'sandbox topic');
  const raw = typeof given.raw === 'string' ? given.raw : 'Hello from the Discourse sandbox';
  return {
    id: Date.now() % 1_000_000_000,
    name: null,
    username: 'member',
    user_id: 2,
    created_at: new Date().toISOString(),
    cooked: cook(raw),
    raw,
    post_number: postNumber,
    post_type: 1,
    updated_at: new Date().toISOString(),
    topic_id: topicId,
    topic_slug: slug,
    topic_title: 'Sandbox topic',
    topic_archetype: 'regular',
    category_id: 1,
    category_slug: 'uncategorized',
    post_url: `/t/${slug}/${topicId}/${postNumber}`,
    ...given,
  };
}

/**
 * Sends webhooks the way Jobs::EmitWebHookEvent does: `{ "<type>": {...} }`, the event named in
 * X-Discourse-Event, signed with the webhook secret, a new X-Discourse-Event-Id per delivery.
 * Body: `{"event":"user_created","user":{...}}` (or post/topic); answers with townhall's status.
 */
export function createDiscourseEmitter(options: DiscourseEmitterOptions) {
  const router = express.Router();
  let deliveryId = 0;

  router.post('/_sandbox/discourse/emit', express.json(), async (req, res) => {
    const target = options.townhallUrl();
    const request = req.body as Record_ | undefined;
    const event = request?.event;
    if (!target) {
      res.status(409).json({ error: 'no townhall URL configured for the Discourse emitter' });
      return;
    }
    if (typeof event !== 'string' || !/^[a-z]+(_[a-z]+)*$/.test(event)) {
      res.status(400).json({ error: 'body must name an "event", e.g. user_created' });
      return;
    }
    const type = typeOf(event)!;
    const given = (request?.[type] ?? {}) as Record_;
    const payload =
      type === 'ping'
        ? { ping: 'OK' }
        : {
            [type]:
              type === 'user'
                ? userPayload(options.forum, given, event)
                : type === 'post'
                  ? postPayload(given)
                  : given,
          };
    const body = Buffer.from(JSON.stringify(payload));
    const eventId = String(++deliveryId);
    try {
      const response = await fetch(`${target}/webhooks/discourse`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Discourse/3.5.0',
          'x-discourse-instance': `${req.protocol}://${req.get('host') ?? 'localhost'}`,
          'x-discourse-event-id': eventId,
          'x-discourse-event-type': type,
          'x-discourse-event': event,
          'x-discourse-event-signature': signDiscourseBody(options.webhookSecret, body),
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

  return router;
}
