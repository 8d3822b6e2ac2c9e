import express from 'express';
import { signDiscourseBody } from '../../connectors/discourse/signature.js';
import type { Fields, Json } from '../fields.js';
import { PayloadError, fieldsOf } from '../fields.js';
import type { Forum } from './store.js';
import { cook, slugify } from './store.js';

export interface DiscourseEmitterOptions {
  forum: Forum;
  webhookSecret: string;
  townhallUrl: () => string | undefined;
}

/** user_created → user, post_created → post, ping → ping (WebHookEventType names). */
/** Discourse's event type for an event name (X-Discourse-Event-Type): post_liked is a `like`. */
const typeOf = (event: string) =>
  event === 'ping' ? 'ping' : event === 'post_liked' ? 'like' : event.split('_')[0];

const integer = (fields: Fields, key: string) => {
  const value = fields.number(key);
  if (value !== undefined && !Number.isInteger(value))
    throw new PayloadError(`${fields.name(key)} must be a whole number`);
  return value;
};

/** Fills what WebHookUserSerializer always sends; an emitted new user joins the forum. */
function userPayload(forum: Forum, user: Fields, event: string): Json {
  const id = integer(user, 'id');
  const given = user.string('username');
  const email = user.string('email');
  const username = given ?? `member${Date.now()}`;
  const known = forum.byUsername(username);
  if (event === 'user_destroyed' && !known && id === undefined)
    throw new PayloadError(`${user.name('id')} is required (no forum user is named ${username})`);
  const record =
    known ??
    (event === 'user_created'
      ? forum.addUser({
          username,
          name: user.string('name') ?? null,
          email: email ?? null,
          ...(id !== undefined ? { id } : {}),
        })
      : undefined);
  if (record && event === 'user_destroyed') forum.users.delete(record.id);
  return {
    id: record?.id ?? id,
    username,
    name: record?.name ?? null,
    avatar_template: `/user_avatar/sandbox/${username.toLowerCase()}/{size}/1_2.png`,
    created_at: record?.createdAt ?? new Date().toISOString(),
    trust_level: 0,
    admin: false,
    moderator: false,
    ...(record?.email ? { email: record.email } : {}),
    ...user.value,
  };
}

/** Fills what WebHookPostSerializer always sends; a named author the forum lacks joins it. */
function postPayload(forum: Forum, post: Fields): Json {
  const topicId = integer(post, 'topic_id') ?? 1;
  const postNumber = integer(post, 'post_number') ?? 1;
  const userId = integer(post, 'user_id');
  const username = post.string('username');
  const slug = slugify(post.string('topic_title') ?? 'sandbox topic');
  const raw = post.string('raw') ?? 'Hello from the Discourse sandbox';
  post.string('created_at'); // when given, an ISO time as Discourse sends it
  if (username !== undefined && !forum.byUsername(username))
    forum.addUser({
      username,
      name: post.string('name') ?? null,
      ...(userId !== undefined && !forum.users.has(userId) ? { id: userId } : {}),
    });
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
    ...post.value,
  };
}

/** The webhook body for `event`, from the request's object under its type (`user`, `post`). */
function payloadFor(forum: Forum, event: string, request: Fields): Json {
  const type = typeOf(event)!;
  if (type === 'ping') return { ping: 'OK' };
  const given = request.object(type) ?? fieldsOf({}, type);
  if (type === 'user') return { user: userPayload(forum, given, event) };
  if (type === 'post') return { post: postPayload(forum, given) };
  if (type === 'like') {
    // WebHookLikeSerializer: the post (as for post_created) and who liked it.
    const post = given.object('post') ?? fieldsOf({}, 'like.post');
    return { like: { post: postPayload(forum, post), user: given.object('user')?.value ?? {} } };
  }
  if (type === 'topic') integer(given, 'id');
  return { [type]: given.value };
}

/**
 * Sends webhooks the way Jobs::EmitWebHookEvent does: `{ "<type>": {...} }`, the event named in
 * X-Discourse-Event, signed with the webhook secret, a new X-Discourse-Event-Id per delivery.
 * Body: `{"event":"user_created","user":{...}}` (or post/topic), where the object may be the
 * one Discourse sends or a few fields of it; a captured delivery (its body, and the event in an
 * X-Discourse-Event header) is sent again as it was. Answers with townhall's status.
 */
export function createDiscourseEmitter(options: DiscourseEmitterOptions) {
  const router = express.Router();
  let deliveryId = 0;

  router.post('/_sandbox/discourse/emit', express.json(), async (req, res) => {
    const target = options.townhallUrl();
    const request = req.body as Json | undefined;
    const event = request?.event ?? req.get('x-discourse-event');
    if (!target) {
      res.status(409).json({ error: 'no townhall URL configured for the Discourse emitter' });
      return;
    }
    if (typeof event !== 'string' || !/^[a-z]+(_[a-z]+)*$/.test(event)) {
      res.status(400).json({ error: 'body must name an "event", e.g. user_created' });
      return;
    }
    let payload: Json;
    try {
      const { event: _event, ...fields } = fieldsOf(request ?? {}).value;
      payload = payloadFor(options.forum, event, fieldsOf(fields));
    } catch (error) {
      if (!(error instanceof PayloadError)) throw error;
      res.status(400).json({ error: error.message });
      return;
    }
    const type = typeOf(event)!;
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
