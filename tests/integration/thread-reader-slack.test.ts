import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLACK_SPEC } from '../../sandbox/slack/spec.js';
import { slackThreadPoster } from '../../connectors/slack/capabilities.js';
import { slackReactor, slackThreadReader } from '../../connectors/slack/threads.js';
import {
  ADA,
  api,
  calls,
  connector,
  GENERAL,
  sandbox,
  seed,
  useSlackEmulator,
} from '../support/slack-client.js';

/** ThreadReader and Reactor on Slack: the real WebClient against the Web API emulator. */

useSlackEmulator();

const GRACE = 'U0GRACEHO';

async function reactions() {
  return (await (await fetch(`${sandbox.url}/_sandbox/slack/reactions`)).json()) as {
    channel: string;
    ts: string;
    name: string;
    users: string[];
    count: number;
  }[];
}

describe('Slack thread reader and reactor', () => {
  it('reads a thread in order with its authors, the newest kept when cut', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'I cannot log in' });
    await seed([
      { channel: GENERAL, user: GRACE, text: 'Same here since Monday', thread_ts: root!.ts },
      { channel: GENERAL, user: ADA, text: 'It says my token expired', thread_ts: root!.ts },
    ]);
    await slackThreadPoster(connector()).replyInThread({
      channelId: GENERAL,
      threadId: root!.ts,
      text: 'A ticket was opened: #4521',
      dedupKey: 'handoff:slack:1:link',
    });
    const reader = slackThreadReader(connector());

    const thread = await reader.readThread({ channelId: GENERAL, threadId: root!.ts, limit: 50 });
    expect(thread.map((m) => [m.authorName, m.text, m.bot])).toEqual([
      ['Ada Lovelace', 'I cannot log in', false],
      ['Grace Hopper', 'Same here since Monday', false],
      ['Ada Lovelace', 'It says my token expired', false],
      ['townhall', 'A ticket was opened: #4521', true],
    ]);
    expect(thread[0]).toMatchObject({ messageId: root!.ts, authorId: ADA });
    expect(Date.parse(thread[0]!.postedAt)).toBeCloseTo(Number(root!.ts) * 1000, -1);
    // One users.info per author, not per message.
    expect((await calls()).filter((c) => c.method === 'users.info')).toHaveLength(3);

    const cut = await reader.readThread({ channelId: GENERAL, threadId: root!.ts, limit: 2 });
    expect(cut.map((m) => m.text)).toEqual([
      'It says my token expired',
      'A ticket was opened: #4521',
    ]);
  });

  it("links to the thread with Slack's own permalink (chat.getPermalink)", async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Billing question' });
    const link = await slackThreadReader(connector()).permalink({
      channelId: GENERAL,
      threadId: root!.ts,
    });
    const asked = await api('chat.getPermalink', {
      body: `channel=${GENERAL}&message_ts=${root!.ts}`,
    });
    expect(asked.body).toMatchObject({ ok: true, channel: GENERAL });
    expect(link).toBe(asked.body.permalink);
    expect(link).toBe(
      `https://sandbox.slack.com/archives/${GENERAL}/p${root!.ts.replace('.', '')}`,
    );
    expect(
      await slackThreadReader(connector())
        .permalink({ channelId: GENERAL, threadId: '1.000001' })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'not_found' });
    // The emulator checks the method's arguments against Slack's description.
    expect((await api('chat.getPermalink', { body: `channel=${GENERAL}` })).body).toMatchObject({
      ok: false,
      error: 'invalid_arguments',
    });
  });

  it('reacts once, however often and in whichever form the emoji is named', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Solved now?' });
    const reactor = slackReactor(connector());
    await reactor.addReaction({
      channelId: GENERAL,
      messageId: root!.ts,
      emoji: 'white_check_mark',
    });
    await reactor.addReaction({
      channelId: GENERAL,
      messageId: root!.ts,
      emoji: ':white_check_mark:',
    });
    await reactor.addReaction({ channelId: GENERAL, messageId: root!.ts, emoji: '✅' });
    // A post receipt's `<channel>:<ts>` names the message too.
    await reactor.addReaction({
      channelId: 'ignored',
      messageId: `${GENERAL}:${root!.ts}`,
      emoji: 'ticket',
    });
    expect(await reactions()).toEqual([
      { channel: GENERAL, ts: root!.ts, name: 'white_check_mark', users: ['U0TOWNBOT'], count: 1 },
      { channel: GENERAL, ts: root!.ts, name: 'ticket', users: ['U0TOWNBOT'], count: 1 },
    ]);
    // Slack itself says already_reacted; the connector reads that code as success.
    expect(
      (
        await api('reactions.add', {
          body: `channel=${GENERAL}&timestamp=${root!.ts}&name=white_check_mark`,
        })
      ).body,
    ).toEqual({ ok: false, error: 'already_reacted' });

    expect(
      await reactor
        .addReaction({ channelId: GENERAL, messageId: '1.000001', emoji: 'eyes' })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'not_found' });
    expect(
      await reactor
        .addReaction({ channelId: GENERAL, messageId: root!.ts, emoji: '🦄' })
        .catch((e: unknown) => e),
    ).toMatchObject({ code: 'invalid' });
  });

  it('names the scope reactions need when the token lacks it', async () => {
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'Scopes' });
    await fetch(`${sandbox.url}/_sandbox/slack/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: 'xoxb-no-reactions', scopes: ['chat:write'] }),
    });
    const error = await slackReactor(connector({ botToken: 'xoxb-no-reactions' }))
      .addReaction({ channelId: GENERAL, messageId: root!.ts, emoji: 'eyes' })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'auth', retryable: false });
    expect((error as Error).message).toContain('reactions:write');
  });

  it('answers chat.getPermalink, reactions.add and reacted messages in the documented shapes', async () => {
    const spec = JSON.parse(readFileSync(DEFAULT_SLACK_SPEC, 'utf8')) as {
      definitions: object;
      paths: Record<string, Record<string, { responses: { 200: { schema: object } } }>>;
    };
    const ajv = new Ajv({ strict: false, allErrors: true, logger: false });
    ajv.addSchema({ definitions: spec.definitions }, 'slack');
    const schemaFor = (method: string) => {
      const operation = spec.paths[`/${method}`]!;
      const schema = (operation.post ?? operation.get)!.responses[200].schema;
      return ajv.compile(
        JSON.parse(
          JSON.stringify(schema).replaceAll('"#/definitions/', '"slack#/definitions/'),
        ) as object,
      );
    };
    const [root] = await seed({ channel: GENERAL, user: ADA, text: 'root' });
    const answers: [string, string][] = [
      ['chat.getPermalink', `channel=${GENERAL}&message_ts=${root!.ts}`],
      ['reactions.add', `channel=${GENERAL}&timestamp=${root!.ts}&name=eyes`],
      ['conversations.replies', `channel=${GENERAL}&ts=${root!.ts}`],
      ['conversations.history', `channel=${GENERAL}`],
    ];
    for (const [method, body] of answers) {
      const validate = schemaFor(method);
      const { body: answer } = await api(method, { body });
      expect(answer.ok, method).toBe(true);
      expect(validate(answer), `${method}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const { body: replies } = await api('conversations.replies', {
      body: `channel=${GENERAL}&ts=${root!.ts}`,
    });
    expect((replies.messages as { reactions?: unknown }[])[0]?.reactions).toEqual([
      { name: 'eyes', users: ['U0TOWNBOT'], count: 1 },
    ]);
  });
});
