// The support handoff through the running hub, Slack to Zendesk: events from the sandbox's Slack
// (signed, as Slack sends them) in, the sandbox desk's tickets and the Slack workspace out; the
// agent acts through the desk's sandbox actions, whose webhooks reach the hub signed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { ZENDESK_DEFAULTS } from '../../sandbox/zendesk/index.js';
import { hubClient } from '../support/payload-keys.js';
import type { JourneyResult } from '../../workflows/journey/types.js';
import { journeyWorkflowId } from '../../workflows/journey/types.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { sandboxSlackYaml, startTestSandbox, waitFor } from '../support/sandbox.js';
import type { DeskTicket } from '../support/handoff.js';
import {
  agentAction,
  emitSlack,
  joinSlack,
  pause,
  slackCommand,
  threadPosts,
} from '../support/handoff.js';

let sandbox: Sandbox;
let t: TestDb;
let hub: TestHub;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  hub = await startTestHub(
    'handoff-slack',
    `
connectors:
${sandboxSlackYaml(sandbox, { bot: true })}
  zendesk:
    baseUrl: ${sandbox.url}
    email: ${ZENDESK_DEFAULTS.email}
    apiToken: ${ZENDESK_DEFAULTS.apiToken}
    webhookSecret: ${ZENDESK_DEFAULTS.webhookSecret}
members:
  staff: { users: ['slack:USTAFF001'] }
journeys:
  nudge:
    trigger: { event: message.posted, text: login is broken }
    exit_when: [ticket.created]
    steps:
      - wait: 10m
handoff:
  quiet_after: 1h
  rules:
    - { on: reaction, platform: slack, helpdesk: zendesk }
    - { on: command, platform: slack, helpdesk: zendesk }
    - { on: keyword, platform: slack, helpdesk: zendesk, pattern: 'refund|billing', channels: [C0GENERAL] }
    - { on: unanswered, platform: slack, helpdesk: zendesk, after: 4s, channels: [C0HELP000] }
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

const tickets = async () =>
  (await (await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`)).json()) as DeskTicket[];
const ticketsFor = async (threadTs: string) =>
  (await tickets()).filter((ticket) => ticket.external_id?.endsWith(`/${threadTs}`));

const join = (userId: string, name: string) => joinSlack(sandbox, userId, name);

describe.concurrent('handoff: Slack threads become Zendesk tickets', () => {
  it('makes one ticket for 🎫 five times, with the transcript, the requester and one acknowledgement; the agent and the member talk both ways', async () => {
    await join('UASKER01', 'Ada Asker');
    const root = await emitSlack(sandbox, {
      user: 'UASKER01',
      text: 'My login is broken since today',
    });
    await emitSlack(sandbox, { user: 'UASKER01', text: 'Tried two browsers', thread_ts: root });
    for (let i = 0; i < 5; i++)
      await emitSlack(sandbox, {
        type: 'reaction_added',
        user: 'UHELPER01',
        reaction: 'ticket',
        item: { type: 'message', channel: 'C0GENERAL', ts: root },
      });

    const [ticket] = await waitFor('the ticket', async () => {
      const found = await ticketsFor(root);
      return found.length > 0 ? found : undefined;
    });
    expect(ticket!.subject).toContain('My login is broken since today');
    expect(ticket!.description).toContain('Ada Asker: My login is broken since today');
    expect(ticket!.description).toContain('Tried two browsers');
    expect(ticket!.description).toMatch(/Link: https?:\/\//);
    const users = (await (await fetch(`${sandbox.url}/_sandbox/zendesk/users`)).json()) as {
      id: number;
      email: string | null;
    }[];
    expect(users.find((u) => u.id === ticket!.requester_id)?.email).toBe('uasker01@example.com');

    const posts = () => threadPosts(sandbox, 'C0GENERAL', root);
    await waitFor('the acknowledgement', () =>
      posts().some((m) => m.text.includes(`#${ticket!.id}`)) ? true : undefined,
    );

    await agentAction(sandbox, 'zendesk', ticket!.id, 'reply', {
      body: 'Please clear your cookies',
    });
    await agentAction(sandbox, 'zendesk', ticket!.id, 'note', { body: 'internal: known bug' });
    await waitFor('the agent reply', () =>
      posts().some((m) => m.text.includes('Please clear your cookies')) ? true : undefined,
    );
    await agentAction(sandbox, 'zendesk', ticket!.id, 'solve', {});
    await waitFor('the solved message', () =>
      posts().some((m) => m.text.includes('is solved')) ? true : undefined,
    );
    await emitSlack(sandbox, { user: 'UASKER01', text: 'Still broken, sorry', thread_ts: root });
    const reopened = await waitFor('the reopen', async () => {
      const [now] = await ticketsFor(root);
      return now?.status === 'open' && now.comments.some((c) => c.body?.includes('Still broken'))
        ? now
        : undefined;
    });
    await waitFor('the reopened message', () =>
      posts().some((m) => m.text.includes('open again')) ? true : undefined,
    );
    // Time for any duplicate to show before counting.
    await pause(1_500);

    expect(await ticketsFor(root)).toHaveLength(1);
    const texts = posts().map((m) => m.text);
    expect(texts.filter((text) => text.includes(`ticket #${ticket!.id}`))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('Please clear your cookies'))).toHaveLength(1);
    expect(texts.some((text) => text.includes('known bug'))).toBe(false);
    expect(texts.filter((text) => text.includes('is solved'))).toHaveLength(1);
    expect(texts.filter((text) => text.includes('open again'))).toHaveLength(1);
    // ticket.created and ticket.solved are the member's activity: counted, and journeys hear them.
    const member = await t.db
      .selectFrom('members')
      .innerJoin('member_stats', 'member_stats.member_id', 'members.id')
      .select(['members.id', 'member_stats.by_type'])
      .where('members.email', '=', 'uasker01@example.com')
      .executeTakeFirstOrThrow();
    expect(member.by_type).toMatchObject({ 'ticket.created': 1, 'ticket.solved': 1 });
    const client = hubClient();
    const nudge = client.workflow.getHandle(journeyWorkflowId('nudge', member.id, undefined));
    expect(((await nudge.result()) as JourneyResult).exited).toBe('ticket.created');
    const comment = reopened.comments.find((c) => c.body?.includes('Still broken'))!;
    expect(comment.author_id).toBe(reopened.requester_id);
    expect(comment.public).toBe(true);
    const reactions = sandbox.emulators.slack.workspace.reactionsOn('C0GENERAL', root);
    expect(reactions.map((r) => r.name)).toContain('white_check_mark');
  });

  it('answers /ticket at once, posts the request and opens one ticket for it', async () => {
    await join('UCMD0001', 'Cy Command');
    const answer = await slackCommand(sandbox, {
      user_id: 'UCMD0001',
      channel_id: 'C0GENERAL',
      text: 'cannot export my data',
    });
    expect(answer.status).toBe(200);
    expect(answer.response.text).toMatch(/opening a support ticket/);
    const ticket = await waitFor('the ticket', async () =>
      (await tickets()).find((x) => x.subject.includes('cannot export my data')),
    );
    const request = sandbox.emulators.slack.workspace.messages.find((m) =>
      m.text.includes('cannot export my data'),
    )!;
    expect(request.channel).toBe('C0GENERAL');
    await waitFor('the acknowledgement', () =>
      threadPosts(sandbox, 'C0GENERAL', request.ts).some((m) => m.text.includes(`#${ticket.id}`))
        ? true
        : undefined,
    );
  });

  it('opens a ticket for a keyword in a listened channel, and not for one elsewhere', async () => {
    await join('UKEY0001', 'Kim Keyword');
    const root = await emitSlack(sandbox, { user: 'UKEY0001', text: 'I need a refund please' });
    const elsewhere = await emitSlack(sandbox, {
      user: 'UKEY0001',
      text: 'refund talk in random',
      channel: 'C0RANDOM0',
    });
    await waitFor('the ticket', async () =>
      (await ticketsFor(root)).length > 0 ? true : undefined,
    );
    await pause(1_500);
    expect(await ticketsFor(elsewhere)).toHaveLength(0);
  });

  it('unanswered: a staff reply in time makes no ticket; silence makes one at the deadline', async () => {
    await join('UWAIT001', 'Wes Waiting');
    const answered = await emitSlack(sandbox, {
      user: 'UWAIT001',
      text: 'How do I rotate my API key?',
      channel: 'C0HELP000',
    });
    const ignored = await emitSlack(sandbox, {
      user: 'UWAIT001',
      text: 'Is there a dark mode?',
      channel: 'C0HELP000',
    });
    const asked = Date.now();
    await emitSlack(sandbox, {
      user: 'USTAFF001',
      text: 'Settings → API → Rotate',
      channel: 'C0HELP000',
      thread_ts: answered,
    });
    const ticket = await waitFor('the deadline ticket', async () => (await ticketsFor(ignored))[0]);
    expect(Date.now() - asked).toBeGreaterThanOrEqual(3_500);
    await pause(2_000);
    expect(await ticketsFor(answered)).toHaveLength(0);
    expect(ticket.description).toContain('Is there a dark mode?');
  });

  it('records an event about a ticket townhall did not open, and posts nothing for it', async () => {
    // A ticket an agent opened in the desk itself, by the API as any integration would.
    const created = await fetch(`${sandbox.url}/api/v2/tickets.json`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Basic ${Buffer.from(`${ZENDESK_DEFAULTS.email}/token:${ZENDESK_DEFAULTS.apiToken}`).toString('base64')}`,
      },
      body: JSON.stringify({
        ticket: { subject: 'Printer on fire', comment: { body: 'Not from the community' } },
      }),
    });
    expect(created.status).toBe(201);
    const { ticket } = (await created.json()) as { ticket: { id: number } };
    const before = sandbox.emulators.slack.workspace.messages.length;
    await agentAction(sandbox, 'zendesk', ticket.id, 'reply', { body: 'Unrelated answer' });
    const recorded = await waitFor('the recorded event', async () => {
      const rows = await t.db
        .selectFrom('received_events')
        .select(['event_id', 'processed_at'])
        .where('platform', '=', 'zendesk')
        .where(sql<string>`payload->>'ticketId'`, '=', String(ticket.id))
        .execute();
      const processed = rows.filter((row) => row.processed_at !== null);
      return processed.length > 0 ? processed : undefined;
    });
    expect(recorded.length).toBeGreaterThan(0);
    await pause(1_000);
    expect(
      sandbox.emulators.slack.workspace.messages
        .slice(before)
        .filter((m) => m.text.includes('Unrelated answer')),
    ).toEqual([]);
  });
});
