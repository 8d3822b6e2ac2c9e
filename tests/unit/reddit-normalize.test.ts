import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../config/errors.js';
import { parseConfig } from '../../config/load.js';
import { escapeRedditText } from '../../connectors/reddit/capabilities.js';
import { userAgentOf } from '../../connectors/reddit/config.js';
import type { Subreddit } from '../../connectors/reddit/normalize.js';
import { commentEvent, joinedEvent, postEvent } from '../../connectors/reddit/normalize.js';

const subreddit: Subreddit = {
  name: 'townhall',
  moderators: new Set(['mod_ann']),
  webUrl: 'https://www.reddit.com',
  bot: 'townhall_bot',
};

const comment = (author: string, body: string) => ({
  id: 'c1',
  name: 't1_c1',
  author,
  created_utc: 1_767_225_600.5,
  subreddit: 'townhall',
  body,
  link_id: 't3_p1',
  parent_id: 't3_p1',
  permalink: '/r/townhall/comments/p1/x/c1/',
});

describe('Reddit things as events', () => {
  it('a post opens its own thread in the subreddit, with its link', () => {
    const event = postEvent(
      {
        id: 'p1',
        name: 't3_p1',
        author: 'Ada_L',
        created_utc: 1_767_225_600,
        subreddit: 'Townhall',
        title: 'Login loops',
        selftext: 'It keeps asking',
        permalink: '/r/townhall/comments/p1/login_loops/',
      },
      subreddit,
    );
    expect(event).toMatchObject({
      eventId: 'reddit:t3_p1',
      type: 'message.posted',
      channelId: 'townhall',
      threadId: 't3_p1',
      messageId: 't3_p1',
      startsThread: true,
      text: 'Login loops\n\nIt keeps asking',
      url: 'https://www.reddit.com/r/townhall/comments/p1/login_loops/',
      occurredAt: '2026-01-01T00:00:00.000Z',
      member: { userId: 'Ada_L', handle: 'Ada_L', communityId: 'townhall', roles: [] },
    });
  });

  it("a moderator's !ticket is a command in the post's thread; a member's is a message", () => {
    expect(commentEvent(comment('Mod_Ann', '!ticket billing, please'), subreddit)).toMatchObject({
      type: 'command.invoked',
      command: 'ticket',
      text: 'billing, please',
      channelId: 'townhall',
      threadId: 't3_p1',
      member: { roles: ['moderator'] },
    });
    expect(commentEvent(comment('ada_l', '!ticket'), subreddit)).toMatchObject({
      type: 'message.posted',
      text: '!ticket',
      threadId: 't3_p1',
      messageId: 't1_c1',
    });
  });

  it('removed or deleted words are not passed on as text', () => {
    expect(commentEvent(comment('ada_l', '[removed]'), subreddit)).toMatchObject({ text: '' });
  });

  it('an author joins once per subreddit, whatever the letter case', () => {
    expect(joinedEvent('Ada_L', 1, subreddit).eventId).toBe(
      joinedEvent('ada_l', 2, subreddit).eventId,
    );
    expect(joinedEvent('ada_l', 1, { ...subreddit, name: 'other' }).eventId).not.toBe(
      joinedEvent('ada_l', 1, subreddit).eventId,
    );
  });
});

describe('Reddit markup', () => {
  it('member text cannot ping, link or format', () => {
    const text = '_u/spez r/all [x](https://evil.example) **b** www.evil.example ada@evil.example';
    const escaped = escapeRedditText(text);
    expect(escaped).not.toMatch(/u\//);
    expect(escaped).not.toMatch(/r\//);
    expect(escaped).not.toContain('://');
    expect(escaped).not.toContain('www.');
    expect(escaped).not.toContain('@e');
    expect(escaped).not.toContain('**');
    expect(escaped).not.toMatch(/(?<!\\)\[/);
    // What a reader sees is still the words.
    expect(escaped.replace(/\u200b|\u200d|\u2060|\\/g, '')).toBe(text);
  });

  it('lists, headings and code blocks in member text stay text', () => {
    expect(escapeRedditText('1. one\n+ two\n    code\n===')).toBe(
      '1\\. one\n\\+ two\n code\n\\=\\=\\=',
    );
  });
});

describe('connectors.reddit', () => {
  const yaml = (section: string) => `connectors:\n  reddit: ${section}\nworkflows: {}\n`;
  it('needs a password or a refresh token, and says so at its path', () => {
    let problems: string[] = [];
    try {
      parseConfig(
        yaml('{ clientId: c, username: townhall_bot, subreddits: [townhall] }'),
        't.yaml',
        {},
      );
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.problems.map((problem) => `${problem.path}: ${problem.message}`);
    }
    expect(problems).toEqual([
      expect.stringMatching(/^connectors\.reddit\.password: set password/),
    ]);
  });

  it('fills Reddit’s limits and a User-Agent of the form Reddit asks for', () => {
    const config = parseConfig(
      yaml('{ clientId: abc, username: townhall_bot, password: pw, subreddits: [r_x] }'),
      't.yaml',
      {},
    ).connectors.reddit!;
    expect(config).toMatchObject({ queriesPerMinute: 100, pollEvery: 15_000, modmail: false });
    expect(userAgentOf(config)).toMatch(/^[^:\s]+:[^:\s]+:[^:\s]+ \(by \/u\/townhall_bot\)$/);
  });
});
