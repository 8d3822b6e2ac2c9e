// Member text is data: properties of every escape townhall applies to a member's words before
// they reach a chat post or an email. Each property says what a reader's client would otherwise
// do with the text (ping, link, format) and that the escaped text still reads the same.
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEmailRenderer,
  escapeEmailHtml,
  inertLinks,
  oneLine,
  renderLine,
} from '../../activities/templates.js';
import { escapeDiscordText } from '../../connectors/discord/capabilities.js';
import { escapeDiscourseText } from '../../connectors/discourse/capabilities.js';
import { checkHeaders } from '../../connectors/email/client.js';
import { ConnectorError } from '../../connectors/errors.js';
import { escapeRedditText } from '../../connectors/reddit/capabilities.js';
import { escapeSlackText } from '../../connectors/slack/capabilities.js';
import { pingsOf } from '../../sandbox/discord/mentions.js';

const INJECTION =
  '<a href="https://evil.example/reset">Reset your password</a> @everyone <!channel>';

/** Pieces of hostile names: mentions, links, markup, entities, line breaks. */
const PIECES = [
  '<',
  '>',
  '&',
  '&lt;',
  '@',
  'everyone',
  'here',
  '<!channel>',
  '<!here>',
  '<@U123>',
  '<@&42>',
  '<#C1>',
  '[x](https://evil.example)',
  '<https://evil.example|click>',
  'https://',
  'http://evil.example',
  'www.',
  'evil.com/reset',
  'mailto:a@evil.example',
  'u/someone',
  'r/sub',
  '\\',
  '*',
  '_',
  '~',
  '`',
  '```',
  '|',
  '#',
  '!',
  '(',
  ')',
  '[',
  ']',
  '-',
  '1.',
  '.',
  ':',
  '/',
  ' ',
  '    ',
  '\n',
  '\r\n',
  '"',
  "'",
  'Ada',
  'Dr. Ada',
];
/** A name: hostile pieces and arbitrary text, never the invisible joiners the escapes insert. */
const names = fc
  .oneof(
    fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }).map((parts) => parts.join('')),
    fc.string({ maxLength: 40 }),
    fc.string({ unit: 'binary', maxLength: 20 }),
  )
  .map((name) => name.replace(/(?:\u200b|\u200d|\u2060)/g, ''));
const runs = { numRuns: 2_000 };

/** What a reader sees: the invisible joiners gone. */
const seen = (text: string) => text.replace(/(?:\u200b|\u200d|\u2060)/g, '');
/** Backslash escapes read as the character they escape. */
const unescaped = (text: string) => text.replace(/\\([\s\S])/g, '$1');
/** Entities read as their characters. */
const decoded = (text: string) =>
  text
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&#34;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');
/** The text with every backslash-escaped character taken out: what Markdown still parses. */
const live = (text: string) => text.replace(/\\[\s\S]/g, '');

/** A link a client would make: a scheme, or a dot joining two name characters (evil.com). */
const LINK = /:\/\/|[\w-]\.[\w-]/;

describe('Slack mrkdwn', () => {
  it('has no control sequence, mention, link or entity of its own, and reads the same', () => {
    fc.assert(
      fc.property(names, (name) => {
        const escaped = escapeSlackText(name);
        // <!channel>, <!here>, <@U…>, <#C…> and <url|text> all start with `<`.
        expect(escaped).not.toMatch(/[<>]/);
        // Slack decodes only &amp; &lt; &gt;: no other entity can smuggle a `<` in.
        expect(escaped).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(escaped).not.toMatch(LINK);
        expect(escaped).not.toMatch(/@[^\u2060\s]/);
        expect(decoded(seen(escaped))).toBe(name);
      }),
      runs,
    );
  });
});

describe('Discord markdown', () => {
  it('pings no one, even where every mention is allowed, and reads the same', () => {
    fc.assert(
      fc.property(names, (name) => {
        const escaped = escapeDiscordText(name);
        // The sandbox parses mentions as Discord does; without allowed_mentions all would ping.
        expect(pingsOf(escaped, undefined)).toEqual({ everyone: false, userIds: [], roleIds: [] });
        expect(escaped).not.toMatch(/@(?!\u200b)/);
        expect(live(escaped)).not.toMatch(/[<>[\]()*_~`|#]/);
        expect(escaped).not.toContain('://');
        expect(unescaped(seen(escaped))).toBe(name);
      }),
      runs,
    );
  });

  it('the sandbox pings what Discord would: written mentions, as allowed_mentions allows', () => {
    const content = '@everyone <@111> <@!222> <@&333> \\@here \\<@444>';
    expect(pingsOf(content, undefined)).toEqual({
      everyone: true,
      userIds: ['111', '222'],
      roleIds: ['333'],
    });
    expect(pingsOf(content, { parse: [] })).toEqual({ everyone: false, userIds: [], roleIds: [] });
    expect(pingsOf(content, { parse: ['users'] }).userIds).toEqual(['111', '222']);
    expect(pingsOf(content, { parse: [], roles: ['333'] }).roleIds).toEqual(['333']);
  });
});

describe('Discourse posts', () => {
  it('has no mention, link, tag or Markdown mark of its own, and reads the same', () => {
    fc.assert(
      fc.property(names, (name) => {
        const escaped = escapeDiscourseText(name);
        expect(escaped).not.toContain('<');
        expect(escaped).not.toMatch(/&(?!amp;|lt;)/);
        // Discourse's mention rule: `@` then a name character (users and @groups alike).
        expect(escaped).not.toMatch(/@[\w.-]/);
        expect(escaped).not.toMatch(LINK);
        expect(live(escaped)).not.toMatch(/[[\]()*_~`|#>!-]/);
        expect(decoded(unescaped(seen(escaped)))).toBe(name);
      }),
      runs,
    );
  });
});

describe('Reddit Markdown', () => {
  it('has no username ping, subreddit link, web link or Markdown mark of its own', () => {
    fc.assert(
      fc.property(names, (name) => {
        const escaped = escapeRedditText(name);
        expect(escaped).not.toMatch(/(^|[^\w])[ur]\//i);
        expect(escaped).not.toContain('://');
        expect(escaped).not.toMatch(/www\./i);
        expect(live(escaped)).not.toMatch(/[[\]()*_~`|#>^]/);
      }),
      runs,
    );
  });
});

describe('email', () => {
  it('HTML: no markup and no link of its own, and reads the same', () => {
    fc.assert(
      fc.property(names, (name) => {
        const escaped = escapeEmailHtml(name);
        expect(escaped).not.toMatch(/[<>"']/);
        expect(escaped).not.toMatch(/&(?!amp;|lt;|gt;|#34;|#39;)/);
        expect(escaped).not.toMatch(LINK);
        expect(decoded(seen(escaped))).toBe(name);
      }),
      runs,
    );
  });

  it('text and subject: no link; a subject is always one line', async () => {
    await fc.assert(
      fc.asyncProperty(names, async (name) => {
        expect(inertLinks(name)).not.toMatch(LINK);
        expect(seen(inertLinks(name))).toBe(name);
        expect(oneLine(name)).not.toMatch(/[\r\n\u0085\u2028\u2029]/);
        const subject = await renderLine('Welcome, {{ member.name }}!', { member: { name } }, 's');
        expect(subject).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 500 },
    );
  });

  it('renders the display-name injection as text in every part of the welcome email', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'townhall-templates-'));
    writeFileSync(path.join(dir, 'welcome.txt.liquid'), 'Hi {{ member.name }},\nWelcome!');
    writeFileSync(path.join(dir, 'welcome.html.liquid'), '<p>Hi {{ member.name }},</p>');
    const render = createEmailRenderer(dir);
    const name = `${INJECTION}\r\nBcc: victim@example.com`;
    const mail = await render('welcome', 'Welcome, {{ member.name }}', { member: { name } });

    expect(mail.html).toContain('<p>Hi &lt;a href=&#34;https:');
    expect(mail.html).not.toContain('<a href');
    expect(seen(mail.html!)).toBe(
      '<p>Hi &lt;a href=&#34;https://evil.example/reset&#34;&gt;Reset your password&lt;/a&gt; ' +
        '@everyone &lt;!channel&gt;\r\nBcc: victim@example.com,</p>',
    );
    // The text part shows the markup as written, with no link a mail client would make.
    expect(seen(mail.text)).toContain(INJECTION);
    expect(mail.text).not.toContain('://');
    // One line, the link in it inert.
    expect(mail.subject).not.toMatch(LINK);
    expect(seen(mail.subject)).toBe(`Welcome, ${INJECTION} Bcc: victim@example.com`);
  });

  it('refuses a subject template that is not one line, naming it', async () => {
    const error = await renderLine('Hi\nthere {{ member.name }}', { member: { name: 'A' } }, 'x')
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect(error).toMatchObject({
      code: 'invalid',
      message: 'x must be one line: remove the line break from the template',
    });
  });

  it('the mailer refuses a line break in the subject, an address or a header, naming the field only', () => {
    const email = {
      from: 'Townhall <hi@townhall.test>',
      to: 'ada@example.com',
      subject: 'Welcome',
      text: 'Hi',
      idempotencyKey: 'k',
      headers: { 'List-Unsubscribe': '<https://townhall.test/u/x>' },
    };
    expect(() => checkHeaders(email)).not.toThrow();
    for (const [change, field] of [
      [{ subject: 'Welcome\r\nBcc: victim@example.com' }, 'subject'],
      [{ subject: 'Welcome\nAda' }, 'subject'],
      [{ to: 'ada@example.com\r\nBcc: victim@example.com' }, 'to'],
      [{ headers: { 'X-Note': 'a\rb' } }, 'header X-Note'],
    ] as const) {
      const refused = (() => {
        try {
          checkHeaders({ ...email, ...change });
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(ConnectorError);
      expect(refused).toMatchObject({
        code: 'invalid',
        message: `email ${field} contains a line break: refused`,
      });
      expect((refused as Error).message).not.toContain('victim');
    }
  });
});
