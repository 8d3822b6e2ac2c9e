/**
 * The emulated site's state: accounts, subreddits and their moderators, things (posts, comments,
 * private messages) and modmail. One store per emulator instance.
 */

export interface Account {
  seq: number;
  name: string;
  createdUtc: number;
}

export interface Subreddit {
  seq: number;
  name: string;
  /** Lower-cased name → the moderator as added. */
  moderators: Map<string, { name: string; date: number }>;
}

/** What the author did to a thing: `removed` is a moderator's removal, `deleted` the author's. */
export type ThingState = 'live' | 'deleted' | 'removed';

export interface Post {
  kind: 't3';
  seq: number;
  subreddit: string;
  author: string;
  title: string;
  selftext: string;
  flair: string | null;
  createdUtc: number;
  state: ThingState;
}

export interface Comment {
  kind: 't1';
  seq: number;
  subreddit: string;
  postSeq: number;
  /** The post's or parent comment's fullname. */
  parent: string;
  author: string;
  body: string;
  createdUtc: number;
  state: ThingState;
}

export interface Message {
  kind: 't4';
  seq: number;
  author: string;
  dest: string;
  subject: string;
  body: string;
  createdUtc: number;
}

export type Thing = Post | Comment | Message;

export interface ModmailMessage {
  id: string;
  author: string;
  isMod: boolean;
  bodyMarkdown: string;
  date: string;
}

export interface ModmailConversation {
  id: string;
  subreddit: string;
  subject: string;
  messages: ModmailMessage[];
  /** The last message's sequence number: orders conversations when dates tie. */
  updatedSeq: number;
}

export type Kind = 't1' | 't2' | 't3' | 't4' | 't5';

const id36 = (seq: number) => seq.toString(36);
export const fullname = (thing: { kind: Kind; seq: number }) => `${thing.kind}_${id36(thing.seq)}`;
export const accountFullname = (account: Account) => `t2_${id36(account.seq)}`;
export const subredditFullname = (sub: Subreddit) => `t5_${id36(sub.seq)}`;
export const id36Of = (thing: { seq: number }) => id36(thing.seq);

/** `t3_abc` → kind and counter value; undefined for anything else. */
export function parseFullname(name: string): { kind: Kind; seq: number } | undefined {
  const match = /^(t[1-5])_([0-9a-z]{1,12})$/.exec(name);
  return match ? { kind: match[1] as Kind, seq: parseInt(match[2]!, 36) } : undefined;
}

const nowUtc = () => Date.now() / 1000;

/**
 * Counters start where real ids are about as long (base36 "10000"); they never restart, so a
 * fullname a client remembers from before a reset never names a new thing.
 */
const THING_START = 36 ** 5;
const ACCOUNT_START = 36 ** 4;
const MODMAIL_START = 36 ** 4;
const SUBREDDIT_START = 36 ** 3;

export interface StoreOptions {
  bot: string;
  subreddits: readonly string[];
}

export function createRedditStore(options: StoreOptions) {
  const accounts = new Map<string, Account>();
  const subreddits = new Map<string, Subreddit>();
  /** Posts, comments and messages by counter value: insertion order is age order. */
  const things = new Map<number, Thing>();
  const modmail = new Map<string, ModmailConversation>();
  /** `<sub>:<listing>` whose next read comes back reordered (POST /_sandbox/reddit/reorder). */
  const reorders = new Set<string>();
  const bot: Account = { seq: ACCOUNT_START, name: options.bot, createdUtc: nowUtc() };
  let nextThing = THING_START;
  let nextAccount = ACCOUNT_START + 1;
  let nextModmail = MODMAIL_START;
  let nextSubreddit = SUBREDDIT_START;

  const account = (name: string) => accounts.get(name.toLowerCase());
  const subreddit = (name: string) => subreddits.get(name.toLowerCase());

  function ensureAccount(name: string): Account {
    const found = account(name);
    if (found) return found;
    const created = { seq: nextAccount++, name, createdUtc: nowUtc() };
    accounts.set(name.toLowerCase(), created);
    return created;
  }

  function ensureSubreddit(name: string): Subreddit {
    const found = subreddit(name);
    if (found) return found;
    const created: Subreddit = { seq: nextSubreddit++, name, moderators: new Map() };
    subreddits.set(name.toLowerCase(), created);
    return created;
  }

  function addModerator(sub: Subreddit, name: string) {
    if (!sub.moderators.has(name.toLowerCase()))
      sub.moderators.set(name.toLowerCase(), { name, date: nowUtc() });
  }

  /** The configured subreddits, each moderated by the bot; everything else forgotten. */
  function seed() {
    accounts.clear();
    subreddits.clear();
    things.clear();
    modmail.clear();
    reorders.clear();
    nextSubreddit = SUBREDDIT_START;
    accounts.set(bot.name.toLowerCase(), bot);
    for (const name of options.subreddits) addModerator(ensureSubreddit(name), bot.name);
  }
  seed();

  function thing(name: string): Thing | undefined {
    const parsed = parseFullname(name);
    const found = parsed && things.get(parsed.seq);
    return found && found.kind === parsed.kind ? found : undefined;
  }

  function add<T extends Thing>(make: (seq: number) => T): T {
    const made = make(nextThing++);
    things.set(made.seq, made);
    return made;
  }

  const all = () => [...things.values()];

  return {
    bot,
    reorders,
    account,
    ensureAccount,
    subreddit,
    ensureSubreddit,
    addModerator,
    subreddits: () => [...subreddits.values()],
    isModerator: (sub: Subreddit, name: string) => sub.moderators.has(name.toLowerCase()),
    thing,
    reset: seed,

    posts: () => all().filter((t): t is Post => t.kind === 't3'),
    comments: () => all().filter((t): t is Comment => t.kind === 't1'),
    messages: () => all().filter((t): t is Message => t.kind === 't4'),
    commentCount: (post: Post) =>
      all().filter((t) => t.kind === 't1' && t.postSeq === post.seq).length,

    addPost: (input: Pick<Post, 'subreddit' | 'author' | 'title' | 'selftext' | 'flair'>) =>
      add<Post>((seq) => ({ ...input, kind: 't3', seq, createdUtc: nowUtc(), state: 'live' })),

    addComment(parent: Post | Comment, input: { author: string; body: string }) {
      return add<Comment>((seq) => ({
        kind: 't1',
        seq,
        subreddit: parent.subreddit,
        postSeq: parent.kind === 't3' ? parent.seq : parent.postSeq,
        parent: fullname(parent),
        author: input.author,
        body: input.body,
        createdUtc: nowUtc(),
        state: 'live',
      }));
    },

    addMessage: (input: Pick<Message, 'author' | 'dest' | 'subject' | 'body'>) =>
      add<Message>((seq) => ({ ...input, kind: 't4', seq, createdUtc: nowUtc() })),

    modmail,
    /** A new conversation, or a message added to `conversationId`'s; undefined when unknown. */
    addModmail(input: {
      sub: Subreddit;
      author: string;
      text: string;
      subject?: string | undefined;
      conversationId?: string | undefined;
    }) {
      let conversation = input.conversationId ? modmail.get(input.conversationId) : undefined;
      if (input.conversationId && !conversation) return undefined;
      if (!conversation) {
        conversation = {
          id: id36(nextModmail++),
          subreddit: input.sub.name,
          subject: input.subject ?? '',
          messages: [],
          updatedSeq: 0,
        };
        modmail.set(conversation.id, conversation);
      }
      const seq = nextModmail++;
      const message: ModmailMessage = {
        id: id36(seq),
        author: input.author,
        isMod: input.sub.moderators.has(input.author.toLowerCase()),
        bodyMarkdown: input.text,
        date: new Date().toISOString(),
      };
      conversation.messages.push(message);
      conversation.updatedSeq = seq;
      return { conversation, message };
    },
  };
}

export type RedditStore = ReturnType<typeof createRedditStore>;
