import type { Forum, ForumPost, ForumTopic, ForumUser } from './store.js';
import { cook } from './store.js';

/** Discourse's JSON, as the real serializers emit it (PostSerializer, TopicViewSerializer...). */

const avatar = (username: string) =>
  `/user_avatar/sandbox/${username.toLowerCase()}/{size}/1_2.png`;

function author(forum: Forum, post: ForumPost): ForumUser {
  return (
    forum.users.get(post.userId) ?? {
      id: post.userId,
      username: 'deleted',
      name: null,
      email: null,
      admin: false,
      createdAt: post.createdAt,
    }
  );
}

/**
 * actions_summary's like entry (id 2) as `viewer` sees it: the count, `acted` once they liked it,
 * `can_act` while they may (never on their own post).
 */
function likeSummary(forum: Forum, post: ForumPost, viewer: number | undefined) {
  const likers = forum.likes.get(post.id) ?? new Set<number>();
  const acted = viewer !== undefined && likers.has(viewer);
  return {
    id: 2,
    ...(likers.size > 0 ? { count: likers.size } : {}),
    ...(acted ? { acted: true, can_undo: true } : {}),
    ...(!acted && viewer !== undefined && viewer !== post.userId ? { can_act: true } : {}),
  };
}

/** PostSerializer: every field the OpenAPI description marks required for POST /posts.json. */
export function serializePost(forum: Forum, post: ForumPost, topic: ForumTopic, viewer?: number) {
  const user = author(forum, post);
  return {
    id: post.id,
    name: user.name,
    username: user.username,
    avatar_template: avatar(user.username),
    created_at: post.createdAt,
    raw: post.raw,
    cooked: cook(post.raw),
    post_number: post.postNumber,
    post_type: 1,
    posts_count: topic.postIds.length,
    updated_at: post.createdAt,
    reply_count: 0,
    reply_to_post_number: post.replyToPostNumber === null ? null : String(post.replyToPostNumber),
    quote_count: 0,
    incoming_link_count: 0,
    reads: 0,
    readers_count: 0,
    score: 0,
    yours: true,
    topic_id: topic.id,
    topic_slug: topic.slug,
    display_username: user.name,
    primary_group_name: null,
    flair_name: null,
    flair_url: null,
    flair_bg_color: null,
    flair_color: null,
    version: 1,
    can_edit: true,
    can_delete: true,
    can_recover: false,
    can_wiki: true,
    user_title: null,
    bookmarked: false,
    // Per viewer; answers that name none (a post just created) list no actions, as before.
    actions_summary: viewer === undefined ? [] : [likeSummary(forum, post, viewer)],
    moderator: false,
    admin: user.admin,
    staff: user.admin,
    user_id: user.id,
    draft_sequence: 0,
    hidden: false,
    trust_level: user.admin ? 4 : 1,
    deleted_at: null,
    user_deleted: false,
    edit_reason: null,
    can_view_edit_history: true,
    wiki: false,
    reviewable_id: null,
    reviewable_score_count: 0,
    reviewable_score_pending_count: 0,
    post_url: `/t/${topic.slug}/${topic.id}/${post.postNumber}`,
  };
}

/** A post inside a topic's post_stream: no raw, as in the real topic view. */
function streamPost(forum: Forum, post: ForumPost, topic: ForumTopic) {
  const { raw: _raw, ...rest } = serializePost(forum, post, topic);
  return rest;
}

/** TopicViewSerializer's first page: 20 posts, and every post id in `stream`. */
export function serializeTopic(forum: Forum, topic: ForumTopic) {
  const posts = topic.postIds.map((id) => forum.posts.get(id)).filter((post) => post !== undefined);
  return {
    id: topic.id,
    title: topic.title,
    fancy_title: topic.title,
    slug: topic.slug,
    posts_count: posts.length,
    created_at: topic.createdAt,
    archetype: topic.archetype,
    category_id: topic.categoryId,
    external_id: topic.externalId,
    post_stream: {
      posts: posts.slice(0, 20).map((post) => streamPost(forum, post, topic)),
      stream: posts.map((post) => post.id),
    },
  };
}

export function serializePostsByIds(forum: Forum, topic: ForumTopic, ids: number[]) {
  const posts = ids
    .map((id) => forum.posts.get(id))
    .filter((post) => post !== undefined && post.topicId === topic.id) as ForumPost[];
  return {
    post_stream: { posts: posts.map((post) => streamPost(forum, post, topic)) },
    id: topic.id,
  };
}

/** UserSerializer (GET /u/{username}.json), with the groups an admin can see. */
export function serializeUser(forum: Forum, user: ForumUser) {
  const groups = [...forum.groups.values()].filter((group) => group.members.has(user.id));
  return {
    user_badges: [],
    user: {
      id: user.id,
      username: user.username,
      name: user.name,
      avatar_template: avatar(user.username),
      created_at: user.createdAt,
      last_posted_at: null,
      last_seen_at: null,
      trust_level: user.admin ? 4 : 1,
      moderator: false,
      admin: user.admin,
      staged: false,
      groups: groups.map((group) => ({
        id: group.id,
        automatic: false,
        name: group.name,
        display_name: group.name,
        user_count: group.members.size,
      })),
    },
  };
}
