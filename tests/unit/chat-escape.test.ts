import { describe, expect, it } from 'vitest';
import { escapeDiscordText } from '../../connectors/discord/capabilities.js';
import { escapeSlackText } from '../../connectors/slack/capabilities.js';

/** What a reader sees: the invisible joiners gone. */
const seen = (text: string) => text.replace(/[\u200b\u2060]/g, '');

describe('member text in chat markup', () => {
  it('keeps Slack mentions, links and formatting as text, and reads the same', () => {
    const name = '<!channel> <@U123> <https://evil.example|click> *bold* evil.example Dr. Ada';
    const escaped = escapeSlackText(name);
    expect(escaped).not.toMatch(/[<>]/);
    expect(escaped).not.toContain('https://');
    expect(escaped).not.toContain('evil.example');
    expect(escaped).not.toMatch(/\*bold\*/);
    expect(seen(escaped)).toBe(
      '&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.example|click&gt; *bold* evil.example Dr. Ada',
    );
  });

  it('keeps Discord mentions, links and markdown as text', () => {
    const escaped = escapeDiscordText('@everyone <@&42> [x](https://evil.example) **b**');
    expect(escaped).not.toContain('@everyone');
    expect(escaped).not.toContain('https://');
    expect(escaped).not.toMatch(/(?<!\\)<@/);
    expect(escaped).not.toContain('**');
    expect(seen(escaped)).toBe(
      '@everyone \\<@&42\\> \\[x\\]\\(https://evil.example\\) \\*\\*b\\*\\*',
    );
  });
});
