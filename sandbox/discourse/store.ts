/** The emulated forum's state, and the shapes Discourse serializes it in. */

export interface ForumUser {
  id: number;
  username: string;
  name: string | null;
  email: string | null;
  admin: boolean;
  createdAt: string;
}

export interface ForumGroup {
  id: number;
  name: string;
  members: Set<number>;
}

export interface ForumTopic {
  id: number;
  title: string;
  slug: string;
  categoryId: number | null;
  archetype: 'regular' | 'private_message';
  externalId: string | null;
  recipients: string[];
  postIds: number[];
  createdAt: string;
}

export interface ForumPost {
  id: number;
  topicId: number;
  postNumber: number;
  userId: number;
  raw: string;
  replyToPostNumber: number | null;
  createdAt: string;
}

/** Discourse's stock categories and two custom groups, so a fresh sandbox is usable as is. */
const CATEGORIES = new Map([
  [1, 'uncategorized'],
  [2, 'site-feedback'],
  [3, 'staff'],
  [4, 'general'],
]);

export function slugify(title: string): string {
  return (
    title
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'topic'
  );
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Enough of Discourse's cooking for tests: paragraphs, and HTML comments dropped. */
export function cook(raw: string): string {
  return raw
    .replace(/<!--[\s\S]*?-->/g, '')
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`)
    .join('\n');
}

export function createForum() {
  const users = new Map<number, ForumUser>();
  const groups = new Map<number, ForumGroup>();
  const topics = new Map<number, ForumTopic>();
  const posts = new Map<number, ForumPost>();
  /** post id → the users who liked it, in order. */
  const likes = new Map<number, Set<number>>();
  let nextUserId = 2;
  let nextTopicId = 10;
  let nextPostId = 100;

  function seed() {
    users.clear();
    groups.clear();
    topics.clear();
    posts.clear();
    likes.clear();
    nextUserId = 2;
    nextTopicId = 10;
    nextPostId = 100;
    const createdAt = new Date().toISOString();
    users.set(-1, {
      id: -1,
      username: 'system',
      name: 'system',
      email: null,
      admin: true,
      createdAt,
    });
    groups.set(41, { id: 41, name: 'community', members: new Set() });
    groups.set(42, { id: 42, name: 'ambassadors', members: new Set() });
  }
  seed();

  const byUsername = (username: string) =>
    [...users.values()].find((user) => user.username.toLowerCase() === username.toLowerCase());

  return {
    users,
    groups,
    topics,
    posts,
    likes,
    categoryExists: (id: number) => CATEGORIES.has(id),
    categorySlug: (id: number | null) => (id === null ? undefined : CATEGORIES.get(id)),
    byUsername,
    reset: seed,

    addUser(input: { username: string; name?: string | null; email?: string | null; id?: number }) {
      const existing = byUsername(input.username);
      if (existing) return existing;
      const id = input.id ?? nextUserId++;
      if (id >= nextUserId) nextUserId = id + 1;
      const user: ForumUser = {
        id,
        username: input.username,
        name: input.name ?? null,
        email: input.email ?? null,
        admin: false,
        createdAt: new Date().toISOString(),
      };
      users.set(id, user);
      return user;
    },

    addTopic(input: Omit<ForumTopic, 'id' | 'slug' | 'postIds' | 'createdAt'>): ForumTopic {
      const topic: ForumTopic = {
        ...input,
        id: nextTopicId++,
        slug: slugify(input.title),
        postIds: [],
        createdAt: new Date().toISOString(),
      };
      topics.set(topic.id, topic);
      return topic;
    },

    addPost(topic: ForumTopic, input: Pick<ForumPost, 'userId' | 'raw' | 'replyToPostNumber'>) {
      const post: ForumPost = {
        ...input,
        id: nextPostId++,
        topicId: topic.id,
        postNumber: topic.postIds.length + 1,
        createdAt: new Date().toISOString(),
      };
      posts.set(post.id, post);
      topic.postIds.push(post.id);
      return post;
    },
  };
}

export type Forum = ReturnType<typeof createForum>;
