// Which events each handoff rule takes, and what `townhall validate` says of a bad `handoff:`.
import { describe, expect, it } from 'vitest';
import type { HandoffRule } from '../../config/handoff.js';
import { handoffRule } from '../../config/handoff.js';
import { configSchema } from '../../config/schema.js';
import type { CommunityEvent } from '../../connectors/events.js';
import { ruleMatches } from '../../server/handoff-rules.js';

const rule = (input: Record<string, unknown>): HandoffRule =>
  handoffRule.parse({ helpdesk: 'desk', ...input });

const base = {
  eventId: 'e1',
  platform: 'chat',
  occurredAt: '2026-12-01T10:00:00.000Z',
  member: { userId: 'U1', communityId: 'T1' },
};
const message = (text: string, extra: Record<string, unknown> = {}): CommunityEvent => ({
  ...base,
  type: 'message.posted',
  channelId: 'C1',
  messageId: 'm1',
  text,
  ...extra,
});
const reaction = (emoji: string): CommunityEvent => ({
  ...base,
  type: 'reaction.added',
  channelId: 'C1',
  messageId: 'm1',
  emoji,
});
const command = (name: string): CommunityEvent => ({
  ...base,
  type: 'command.invoked',
  command: name,
  text: '',
  channelId: 'C1',
});

describe('handoff rules', () => {
  it('reaction: the configured emoji, by name or with colons, staff only when asked', () => {
    const ticket = rule({ on: 'reaction' });
    expect(ruleMatches(ticket, reaction('ticket'), false)).toBe(true);
    expect(ruleMatches(ticket, reaction(':ticket:'), false)).toBe(true);
    expect(ruleMatches(ticket, reaction('🎫'), false)).toBe(true);
    expect(ruleMatches(ticket, reaction('tada'), false)).toBe(false);
    const staff = rule({ on: 'reaction', staff_only: true });
    expect(ruleMatches(staff, reaction('ticket'), false)).toBe(false);
    expect(ruleMatches(staff, reaction('ticket'), true)).toBe(true);
  });

  it('command: the slash command, or a post mentioning the bot as a word of its own', () => {
    const slash = rule({ on: 'command' });
    expect(ruleMatches(slash, command('ticket'), false)).toBe(true);
    expect(ruleMatches(slash, command('poll'), false)).toBe(false);
    const mention = rule({ on: 'command', mention: 'support' });
    expect(ruleMatches(mention, message('hey @support, help'), false)).toBe(true);
    expect(ruleMatches(mention, message('tagged #support'), false)).toBe(true);
    expect(ruleMatches(mention, message('mail me@support.example'), false)).toBe(false);
    expect(ruleMatches(mention, message('@supporters unite'), false)).toBe(false);
  });

  it('keyword: a case-insensitive pattern, in the listed channels, never from staff', () => {
    const keyword = rule({ on: 'keyword', pattern: 'refund|billing', channels: ['C1'] });
    expect(ruleMatches(keyword, message('I want a REFUND'), false)).toBe(true);
    expect(ruleMatches(keyword, message('I want a refund', { channelId: 'C2' }), false)).toBe(
      false,
    );
    expect(ruleMatches(keyword, message('refund processed', {}), true)).toBe(false);
    expect(ruleMatches(keyword, message('hello'), false)).toBe(false);
  });

  it('unanswered: only a post that starts a thread, by a member, on the named platform', () => {
    const watch = rule({ on: 'unanswered', after: '4h', platform: 'chat' });
    expect(watch.on === 'unanswered' && watch.after).toBe(4 * 3_600_000);
    expect(ruleMatches(watch, message('new question', { startsThread: true }), false)).toBe(true);
    expect(ruleMatches(watch, message('a reply', { startsThread: false }), false)).toBe(false);
    expect(ruleMatches(watch, message('new', { startsThread: true }), true)).toBe(false);
    expect(
      ruleMatches(watch, { ...message('new', { startsThread: true }), platform: 'forum' }, false),
    ).toBe(false);
  });

  it('validate names each bad rule field with its path and the fix', () => {
    const result = configSchema.safeParse({
      connectors: { slack: { signingSecret: 's' } },
      handoff: {
        rules: [
          { on: 'reaction', platform: 'slack', helpdesk: 'zendesk' },
          { on: 'keyword', helpdesk: 'zendesk', pattern: '(unclosed' },
          { on: 'unanswered', helpdesk: 'zendesk', after: 'soon' },
        ],
      },
    });
    expect(result.success).toBe(false);
    const problems = result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^handoff\.rules\.1\.pattern: not a regular expression/),
        'handoff.rules.2.after: "soon" is not a duration (use 30s, 4h, 2d)',
      ]),
    );
  });

  it('validate names a help desk that is not configured and a platform that cannot read threads', () => {
    const result = configSchema.safeParse({
      connectors: { slack: { signingSecret: 's' } },
      handoff: { rules: [{ on: 'reaction', platform: 'slack', helpdesk: 'zendesk' }] },
    });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'handoff.rules.0.helpdesk: connectors.zendesk is not a configured help desk (configure one under connectors: first)',
      expect.stringMatching(
        /^handoff\.rules\.0\.platform: connectors\.slack cannot read and reply in threads here/,
      ),
    ]);
  });
});
