// The support handoff through the running hub, Discord to Intercom: gateway dispatches and signed
// HTTP interactions from the sandbox's Discord in, the sandbox Intercom's tickets and what the
// bot posted in Discord out; the agent acts through Intercom's sandbox actions, whose signed
// webhooks reach the hub.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { startTestSandbox, waitFor } from '../support/sandbox.js';
import { pause } from '../support/handoff.js';
import type { DiscordUser } from '../support/handoff-discord.js';
import {
  botPostsIn,
  botReactionsOn,
  discordChannel,
  discordCommand,
  intercomAgent,
  intercomContacts,
  intercomTickets,
  joinDiscord,
  postDiscord,
  reactDiscord,
  sandboxDiscordIntercomYaml,
  startThreadAsMember,
  ticketsForThread,
} from '../support/handoff-discord.js';

let sandbox: Sandbox;
let t: TestDb;
let hub: TestHub;
let general: string;
let support: string;
/** A text channel no rule listens in. */
const ELSEWHERE = '1213093380096000099';

const user = (n: number, username: string, name: string): DiscordUser => ({
  id: `13000000000000${String(n).padStart(5, '0')}`,
  username,
  global_name: name,
});
const STAFF = user(900, 'sam_staff', 'Sam Staff');

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  ({ general, support } = sandbox.emulators.discord.ids.channels);
  hub = await startTestHub(
    'handoff-discord',
    `
connectors:
${sandboxDiscordIntercomYaml(sandbox)}
members:
  staff: { users: ['discord:${STAFF.id}'] }
handoff:
  quiet_after: 1h
  rules:
    - { on: reaction, platform: discord, helpdesk: intercom }
    - { on: command, platform: discord, helpdesk: intercom }
    - { on: keyword, platform: discord, helpdesk: intercom, pattern: 'refund|billing', channels: ['${general}'] }
    - { on: unanswered, platform: discord, helpdesk: intercom, after: 4s, channels: ['${support}'] }
`,
    t,
  );
  sandbox.setTownhallUrl(hub.server);
});
afterAll(async () => {
  hub?.process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

/** The tickets of a thread in a channel (a thread's id is the message it started from). */
const ticketsFor = (channelId: string, threadId: string) =>
  ticketsForThread(sandbox, `${channelId}/${threadId}`);

const contactOf = async (ticket: { contacts: { contacts: { id: string }[] } }) =>
  (await intercomContacts(sandbox)).find((c) => c.id === ticket.contacts.contacts[0]?.id);

describe.concurrent('handoff: Discord threads become Intercom tickets', () => {
  it('makes one ticket for 🎫 five times and /ticket in the thread, with the transcript, the requester and one acknowledgement; the agent and the member talk both ways', async () => {
    const asker = user(101, 'ada_asker', 'Ada Asker');
    const helper = user(111, 'hal_helper', 'Hal Helper');
    await joinDiscord(sandbox, asker);
    const root = await postDiscord(sandbox, asker, general, 'My export keeps failing since today');
    // The member starts a thread from the message: Discord gives it the message's id.
    await startThreadAsMember(sandbox, asker, general, root);
    await postDiscord(sandbox, asker, root, 'Tried two browsers');
    await postDiscord(sandbox, helper, root, 'Same here on Firefox');
    for (let i = 0; i < 5; i++)
      await reactDiscord(sandbox, user(121 + i, `reactor${i}`, `Reactor ${i}`), root);
    const command = await discordCommand(sandbox, {
      user: asker.id,
      channel_id: root,
      text: 'please look at my export',
    });
    expect(command.status).toBe(200);
    expect(command.body.data?.flags).toBe(64);
    expect(command.body.data?.content).toMatch(/opening a support ticket for this thread/);

    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFor(general, root);
      return found.length > 0 ? found : undefined;
    });
    const description = ticket!.ticket_attributes._default_description_!;
    expect(description).toContain('Ada Asker: My export keeps failing since today');
    expect(description).toContain('Ada Asker: Tried two browsers');
    expect(description).toContain('Hal Helper: Same here on Firefox');
    expect(description).toContain(`Link: https://discord.com/channels/`);
    // Discord gives no email: the requester is a placeholder contact that names the handle.
    const contact = await contactOf(ticket!);
    expect(contact?.email).toBe('');
    expect(contact?.name).toBe('Ada Asker (discord @ada_asker, no email known)');

    const posts = async () => (await botPostsIn(sandbox, root)).map((m) => m.content);
    await waitFor('the acknowledgement', async () =>
      (await posts()).some((text) => text.includes(`#${ticket!.ticket_id}`)) ? true : undefined,
    );

    await intercomAgent(sandbox, ticket!.id, 'reply', { body: 'Please clear your cookies' });
    await intercomAgent(sandbox, ticket!.id, 'note', { body: 'internal: known bug' });
    await waitFor('the agent reply', async () =>
      (await posts()).some((text) => text.includes('Please clear your cookies')) ? true : undefined,
    );
    await intercomAgent(sandbox, ticket!.id, 'resolve');
    await waitFor('the solved message', async () =>
      (await posts()).some((text) => text.includes('is solved')) ? true : undefined,
    );
    await waitFor('the solved reaction', async () =>
      (await botReactionsOn(sandbox, root)).includes('✅') ? true : undefined,
    );

    await postDiscord(sandbox, asker, root, 'Still failing, sorry');
    const reopened = await waitFor('the reopen', async () => {
      const [now] = await ticketsFor(general, root);
      return now &&
        now.ticket_state.category !== 'resolved' &&
        now.ticket_parts.ticket_parts.some((p) => p.body?.includes('Still failing'))
        ? now
        : undefined;
    });
    await waitFor('the open-again message', async () =>
      (await posts()).some((text) => text.includes('open again')) ? true : undefined,
    );
    await pause(1_500);

    expect(await ticketsFor(general, root)).toHaveLength(1);
    const texts = await posts();
    expect(texts.filter((text) => text.includes(`#${ticket!.ticket_id}`))).toHaveLength(3);
    expect(texts.filter((text) => text.includes('Our support team has ticket'))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('Please clear your cookies'))).toHaveLength(1);
    expect(texts.some((text) => text.includes('known bug'))).toBe(false);
    expect(texts.filter((text) => text.includes('is solved'))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('open again'))).toHaveLength(1);
    expect(texts).toHaveLength(4);
    // The member's reply is the contact's own comment, not a teammate's note.
    const comment = reopened.ticket_parts.ticket_parts.find((p) => p.body?.includes('Still'))!;
    expect(comment.part_type).toBe('comment');
    expect(comment.author.id).toBe(contact!.id);
    expect(reopened.ticket_state.category).toBe('in_progress');
    expect(await botReactionsOn(sandbox, root)).toEqual(['✅']);
  });

  it('answers /ticket within 3 s, posts the request and opens one ticket for it in a thread started from the request', async () => {
    const asker = user(201, 'cy_command', 'Cy Command');
    await joinDiscord(sandbox, asker);
    const answer = await discordCommand(sandbox, {
      user: asker.id,
      channel_id: general,
      text: 'cannot export my data',
    });
    expect(answer.status).toBe(200);
    expect(answer.elapsedMs).toBeLessThan(3_000);
    expect(answer.body).toMatchObject({ type: 4, data: { flags: 64 } });
    expect(answer.body.data?.content).toMatch(
      /posting your request in this channel and opening a support ticket/,
    );

    const request = await waitFor('the request post', async () =>
      (await botPostsIn(sandbox, general)).find((m) => m.content.includes('cannot export my data')),
    );
    expect(request.content).toContain('Cy Command');
    // The request post is the thread: the ticket is that thread's, as for any other.
    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFor(general, request.id);
      return found.length > 0 ? found : undefined;
    });
    expect(ticket!.ticket_attributes._default_title_).toContain('cannot export my data');
    expect((await contactOf(ticket!))?.name).toContain('@cy_command');
    // The acknowledgement starts a thread from the request: the thread has the request's id.
    await waitFor('the acknowledgement', async () =>
      (await botPostsIn(sandbox, request.id)).some((m) =>
        m.content.includes(`#${ticket!.ticket_id}`),
      )
        ? true
        : undefined,
    );
    expect(await discordChannel(sandbox, request.id)).toMatchObject({
      type: 11,
      parent_id: general,
    });
    // From here the request's thread is the ticket's like any other: a 🎫 on the request asks
    // for no second ticket, and the member's reply in the thread reaches this one.
    await reactDiscord(sandbox, user(211, 'cy_friend', 'Cy Friend'), request.id);
    await postDiscord(sandbox, asker, request.id, 'It fails at 99 percent');
    await waitFor('the member reply on the ticket', async () =>
      (await intercomTickets(sandbox))
        .find((x) => x.id === ticket!.id)
        ?.ticket_parts.ticket_parts.some((p) => p.body?.includes('It fails at 99 percent'))
        ? true
        : undefined,
    );
    await pause(1_500);
    const forRequest = (await intercomTickets(sandbox)).filter((x) =>
      x.ticket_attributes._default_title_?.includes('cannot export my data'),
    );
    expect(forRequest.map((x) => x.id)).toEqual([ticket!.id]);
    expect(await botPostsIn(sandbox, request.id)).toHaveLength(1);
  });

  it('opens a ticket for a keyword in a listened channel, and not for one elsewhere', async () => {
    const asker = user(301, 'kim_keyword', 'Kim Keyword');
    await joinDiscord(sandbox, asker);
    const root = await postDiscord(sandbox, asker, general, 'I need a refund please');
    const elsewhere = await postDiscord(sandbox, asker, ELSEWHERE, 'refund talk elsewhere');
    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFor(general, root);
      return found.length > 0 ? found : undefined;
    });
    // No thread yet: the bot's acknowledgement starts one from the message, under its id.
    await waitFor('the acknowledgement', async () =>
      (await botPostsIn(sandbox, root)).some((m) => m.content.includes(`#${ticket!.ticket_id}`))
        ? true
        : undefined,
    );
    expect(await discordChannel(sandbox, root)).toMatchObject({ type: 11, parent_id: general });
    await pause(1_500);
    expect(await ticketsFor(general, root)).toHaveLength(1);
    expect(await botPostsIn(sandbox, root)).toHaveLength(1);
    expect(await ticketsFor(ELSEWHERE, elsewhere)).toHaveLength(0);
    expect(await discordChannel(sandbox, elsewhere)).toBeUndefined();
  });

  it('unanswered: a staff reply in time makes no ticket; silence makes one at the deadline', async () => {
    const asker = user(401, 'wes_waiting', 'Wes Waiting');
    await joinDiscord(sandbox, asker);
    const answered = await postDiscord(sandbox, asker, support, 'How do I rotate my API key?');
    const ignored = await postDiscord(sandbox, asker, support, 'Is there a dark mode?');
    const asked = Date.now();
    await startThreadAsMember(sandbox, STAFF, support, answered);
    await postDiscord(sandbox, STAFF, answered, 'Settings, API, Rotate');
    const ticket = await waitFor('the deadline ticket', async () => {
      const [found] = await ticketsFor(support, ignored);
      return found;
    });
    expect(Date.now() - asked).toBeGreaterThanOrEqual(3_500);
    expect(ticket.ticket_attributes._default_description_).toContain(
      'Wes Waiting: Is there a dark mode?',
    );
    await pause(2_000);
    expect(await ticketsFor(support, answered)).toHaveLength(0);
    expect(await ticketsFor(support, ignored)).toHaveLength(1);
    expect(await botPostsIn(sandbox, answered)).toHaveLength(0);
    expect(await botPostsIn(sandbox, ignored)).toHaveLength(1);
  });
});
