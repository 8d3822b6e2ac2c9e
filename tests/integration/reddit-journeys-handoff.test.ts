// Reddit feeding what the other platforms feed, through a real hub and the sandbox's Reddit and
// Zendesk: a new author's first post starts onboarding (a private message: Reddit gives no
// email) and the first-post celebration; a moderator's `!ticket` comment opens one ticket, and
// the agent's reply comes back as one comment under the post.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { REDDIT_DEFAULTS } from '../../sandbox/reddit/index.js';
import { ZENDESK_DEFAULTS } from '../../sandbox/zendesk/index.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import type { DeskTicket } from '../support/handoff.js';
import { agentAction, pause } from '../support/handoff.js';
import type { TestHub } from '../support/hub.js';
import { startTestHub } from '../support/hub.js';
import { redditRequests, redditYaml, submit } from '../support/reddit.js';
import { startTestSandbox, waitFor } from '../support/sandbox.js';

const SUBREDDIT = 'townhallhelp';
let sandbox: Sandbox;
let t: TestDb;
let hub: TestHub;

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
  // The subreddit and its moderator exist before the hub first reads them.
  await submit(sandbox, {
    subreddit: SUBREDDIT,
    author: 'mod_maria',
    moderator: true,
    title: 'Rules',
    text: 'Be kind',
  });
  hub = await startTestHub(
    'reddit-journeys',
    `
connectors:
${redditYaml(sandbox, { subreddit: SUBREDDIT })}
  zendesk:
    baseUrl: ${sandbox.url}
    email: ${ZENDESK_DEFAULTS.email}
    apiToken: ${ZENDESK_DEFAULTS.apiToken}
    webhookSecret: ${ZENDESK_DEFAULTS.webhookSecret}
members:
  staff: { roles: ['reddit:moderator'] }
workflows:
  onboarding:
    enabled: true
    steps:
      - dm.send: { text: 'Welcome, {{ member.name }}!', subject: 'Welcome to r/${SUBREDDIT}' }
journeys:
  first-post:
    trigger: { milestone: first_post }
    steps:
      - dm.send: { text: 'Congratulations on your first post!', subject: 'Your first post' }
handoff:
  quiet_after: 1h
  rules:
    - { on: command, platform: reddit, helpdesk: zendesk }
    - { on: unanswered, platform: reddit, helpdesk: zendesk, after: 8s, channels: [${SUBREDDIT}] }
`,
    t,
  );
  sandbox.setTownhallUrl(hub.server);
  await waitFor('the first poll', async () =>
    (await redditRequests(sandbox)).some((r) => r.path === `/r/${SUBREDDIT}/comments`)
      ? true
      : undefined,
  );
});
afterAll(async () => {
  hub?.process.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

const messagesTo = async (user: string) =>
  (
    (await (await fetch(`${sandbox.url}/_sandbox/reddit/messages`)).json()) as {
      to: string;
      subject: string;
      body: string;
    }[]
  ).filter((message) => message.to === user);

const botComments = async (post: string) =>
  (
    (await (await fetch(`${sandbox.url}/_sandbox/reddit/comments`)).json()) as {
      author: string;
      body: string;
      link_id: string;
    }[]
  ).filter((c) => c.link_id === post && c.author === REDDIT_DEFAULTS.username);

const ticketsFor = async (post: string) =>
  ((await (await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`)).json()) as DeskTicket[]).filter(
    (ticket) => ticket.external_id?.endsWith(`/${post}`),
  );

describe('Reddit through the hub', () => {
  it('a first post: onboarding and the first-post milestone, each one private message', async () => {
    await submit(sandbox, {
      subreddit: SUBREDDIT,
      author: 'newbie_nora',
      title: 'Hello all',
      text: 'Glad to be here',
    });
    await waitFor(
      'two private messages',
      async () => ((await messagesTo('newbie_nora')).length >= 2 ? true : undefined),
      45_000,
    );
    await pause(2_000);
    const subjects = (await messagesTo('newbie_nora')).map((m) => m.subject).sort();
    expect(subjects).toEqual([`Welcome to r/${SUBREDDIT}`, 'Your first post']);
  });

  it("a moderator's !ticket: one ticket, and the agent's reply as one comment", async () => {
    const post = await submit(sandbox, {
      subreddit: SUBREDDIT,
      author: 'stuck_sam',
      title: 'Cannot log in',
      text: 'The login page loops back to itself',
    });
    await submit(sandbox, {
      subreddit: SUBREDDIT,
      author: 'mod_maria',
      parent: post.data.name,
      text: '!ticket',
    });
    const [ticket] = await waitFor(
      'the ticket',
      async () => {
        const found = await ticketsFor(post.data.name);
        return found.length > 0 ? found : undefined;
      },
      45_000,
    );
    expect(ticket!.description).toContain('The login page loops back to itself');
    await waitFor('the acknowledgement', async () =>
      (await botComments(post.data.name)).length > 0 ? true : undefined,
    );

    await agentAction(sandbox, 'zendesk', ticket!.id, 'reply', {
      body: 'Please clear your cookies',
    });
    await waitFor('the reply on Reddit', async () =>
      (await botComments(post.data.name)).some((c) => c.body.includes('Please clear your cookies'))
        ? true
        : undefined,
    );
    // A second !ticket in the same thread joins the one ticket.
    await submit(sandbox, {
      subreddit: SUBREDDIT,
      author: 'mod_maria',
      parent: post.data.name,
      text: '!ticket',
    });
    await pause(3_000);
    expect(await ticketsFor(post.data.name)).toHaveLength(1);
    const replies = (await botComments(post.data.name)).filter((c) =>
      c.body.includes('Please clear your cookies'),
    );
    expect(replies).toHaveLength(1);
  });

  it('a post no moderator answers becomes a ticket; one a moderator answers does not', async () => {
    const unanswered = await submit(sandbox, {
      subreddit: SUBREDDIT,
      author: 'quiet_quinn',
      title: 'Where is the changelog?',
      text: 'Cannot find it',
    });
    const answered = await submit(sandbox, {
      subreddit: SUBREDDIT,
      author: 'quiet_quinn',
      title: 'Dark mode?',
      text: 'Is there one',
    });
    // The moderator answers a few seconds later, as people do. (An answer routed within
    // milliseconds of the post, before its run records the thread, is missed: see the issue note.)
    await pause(2_500);
    await submit(sandbox, {
      subreddit: SUBREDDIT,
      author: 'mod_maria',
      parent: answered.data.name,
      text: 'Yes: Settings, Appearance',
    });
    await waitFor(
      'the unanswered post’s ticket',
      async () => ((await ticketsFor(unanswered.data.name)).length > 0 ? true : undefined),
      30_000,
    );
    await pause(2_000);
    expect(await ticketsFor(unanswered.data.name)).toHaveLength(1);
    expect(await ticketsFor(answered.data.name)).toEqual([]);
  });
});
