import type { HandoffRule } from '../config/handoff.js';
import type { CommunityEvent } from '../connectors/events.js';

/** `:ticket:` and `ticket` are one name; an emoji character is its own. */
const emojiName = (emoji: string) => emoji.trim().replace(/^:(.+):$/, '$1');

const inChannels = (rule: HandoffRule, channelId: string) =>
  rule.channels === undefined || rule.channels.includes(channelId);

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A post that @mentions the name (or holds #name, a tag), as a word of its own. */
const mentions = (text: string, name: string) =>
  new RegExp(`(^|[^\\w@#])[@#]${escapeRegExp(name)}(?![\\w-])`, 'iu').test(text);

/** Whether one enabled handoff rule wants this event (the staff flag as the router found it). */
export function ruleMatches(rule: HandoffRule, event: CommunityEvent, staff: boolean): boolean {
  if (rule.platform !== undefined && rule.platform !== event.platform) return false;
  switch (rule.on) {
    case 'reaction':
      return (
        event.type === 'reaction.added' &&
        inChannels(rule, event.channelId) &&
        rule.emoji.map(emojiName).includes(emojiName(event.emoji)) &&
        (!rule.staff_only || staff)
      );
    case 'command':
      if (event.type === 'command.invoked')
        return event.command === rule.command && inChannels(rule, event.channelId);
      return (
        event.type === 'message.posted' &&
        rule.mention !== undefined &&
        inChannels(rule, event.channelId) &&
        mentions(event.text, rule.mention)
      );
    case 'keyword':
      return (
        event.type === 'message.posted' &&
        !staff &&
        inChannels(rule, event.channelId) &&
        new RegExp(rule.pattern, 'iu').test(event.text)
      );
    case 'unanswered':
      return (
        event.type === 'message.posted' &&
        event.startsThread === true &&
        !staff &&
        inChannels(rule, event.channelId)
      );
  }
}
