// Reddit has no webhooks: the hub polls. These drive a real hub process against the sandbox's
// Reddit: members post and comment there, the hub is killed and started again while they do,
// a listing comes back reordered, Reddit answers 429 again and again; what the member view
// counts and what the emulator logged say whether each item was taken once, within the budget.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import type { MemberDetails } from '../../server/member-details.js';
import type { TestDb } from '../support/db.js';
import { openTestDb } from '../support/db.js';
import { pause } from '../support/handoff.js';
import { testDeployment } from '../support/hub.js';
import { busiestWindow, redditRequests, redditYaml, submit } from '../support/reddit.js';
import { startTestSandbox, waitFor } from '../support/sandbox.js';
import type { TownhallProcess } from '../support/townhall-process.js';
import { printedUrl } from '../support/townhall-process.js';

const TOKEN = 'reddit-poller-admin-token';
let sandbox: Sandbox;
let t: TestDb;
const running: TownhallProcess[] = [];

beforeAll(async () => {
  sandbox = await startTestSandbox();
  t = await openTestDb();
});
afterAll(async () => {
  for (const hub of running) hub.child.kill('SIGKILL');
  await sandbox?.stop();
  await t?.close();
});

async function start(deployment: ReturnType<typeof testDeployment>) {
  const hub = await deployment.start({ TOWNHALL_ADMIN_TOKEN: TOKEN });
  running.push(hub);
  return { hub, server: printedUrl(hub, 'server') };
}

/**
 * The member's view; undefined while the member is unknown (404). A 503 is the API's "try again
 * shortly": tried again, as its caller should; any other answer fails with what it said.
 */
async function member(server: string, author: string): Promise<MemberDetails | undefined> {
  for (let attempt = 1; ; attempt++) {
    const response = await fetch(`${server}/api/members/reddit:${author}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    if (response.status === 200) return (await response.json()) as MemberDetails;
    if (response.status === 404) return undefined;
    if (response.status !== 503 || attempt === 5)
      throw new Error(`GET member ${author}: ${response.status} ${await response.text()}`);
    await pause(500 * attempt);
  }
}

describe('polling a subreddit', () => {
  it('500 posts and comments, two restarts and a reordered listing: each counted once', async () => {
    const subreddit = 'pollrestarts';
    // The subreddit exists before the hub reads it; what is there then is not new.
    await submit(sandbox, { subreddit, author: 'old_timer', title: 'Welcome', text: 'hi' });
    const deployment = testDeployment(
      'reddit-poll',
      // The test reads 25 members' views every sweep until all 500 items show: the admin API's
      // per-client limit (600 a minute, for people and scripts; tested in its own file) is off.
      `server:\n  rateLimit:\n    admin: 0\nconnectors:\n${redditYaml(sandbox, { subreddit })}\n`,
      t,
    );
    let { hub, server } = await start(deployment);
    // The first poll marks where reading starts: what is posted after it is new.
    await waitFor('the first poll', async () =>
      (await redditRequests(sandbox)).some((r) => r.path === `/r/${subreddit}/comments`)
        ? true
        : undefined,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}\n${hub.output()}\n${JSON.stringify(sandbox.emulators.reddit.requests().slice(-5))}`,
      );
    });

    const authors = Array.from({ length: 25 }, (_, i) => `member_${i}`);
    const posted = new Map<string, number>();
    const posts: string[] = [];
    async function submitOne(i: number) {
      const author = authors[i % authors.length]!;
      const parent = i % 5 === 0 || posts.length === 0 ? undefined : posts[i % posts.length];
      const thing = await submit(sandbox, {
        subreddit,
        author,
        text: `item ${i}`,
        ...(parent ? { parent } : { title: `post ${i}` }),
      });
      if (thing.kind === 't3') posts.push(thing.data.name);
      posted.set(author, (posted.get(author) ?? 0) + 1);
    }

    for (let i = 0; i < 500; i++) {
      await submitOne(i);
      if (i === 150 || i === 400) {
        // A restart mid-stream: the poller's run survives in Temporal, its worker does not.
        hub.child.kill('SIGKILL');
        expect(await hub.exited).toBe('SIGKILL');
        ({ hub, server } = await start(deployment));
      }
      if (i === 300)
        await fetch(`${sandbox.url}/_sandbox/reddit/reorder`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ subreddit, listing: 'comments' }),
        });
      if (i % 50 === 49) await pause(200);
    }

    const counted = async (author: string) =>
      (await member(server, author))?.activity.byType['message.posted'] ?? 0;
    await waitFor(
      'every item in the member view',
      async () => {
        let total = 0;
        for (const author of authors) total += await counted(author);
        return total >= 500 ? total : undefined;
      },
      120_000,
    );
    // A late duplicate would land after the count first reached 500: give it time to.
    await pause(2_000);
    for (const author of authors) {
      const details = await member(server, author);
      expect(details, `${author} is known`).toBeDefined();
      expect(details?.activity.byType['message.posted'], author).toBe(posted.get(author));
      expect(details?.activity.byType['member.joined'], author).toBe(1);
      expect(details?.milestones.map((m) => m.name)).toContain('first_post');
    }
    // Its poller would share the next test's budget.
    hub.child.kill('SIGKILL');
  }, 240_000);

  it('under a 429 storm it waits as told and stays within the configured rate', async () => {
    const subreddit = 'pollstorm';
    const perMinute = 60;
    const deployment = testDeployment(
      'reddit-storm',
      `connectors:\n${redditYaml(sandbox, { subreddit, pollEvery: '100ms', queriesPerMinute: perMinute })}\n`,
      t,
    );
    await submit(sandbox, { subreddit, author: 'old_timer', title: 'Welcome', text: 'hi' });
    const since = Date.now();
    const { hub, server } = await start(deployment);
    await waitFor('the first poll', async () =>
      (await redditRequests(sandbox)).some((r) => r.path === `/r/${subreddit}/new`)
        ? true
        : undefined,
    );
    sandbox.faults.add({
      vendor: 'reddit',
      path: `/r/${subreddit}/`,
      status: 429,
      retryAfterSeconds: 3,
      count: 3,
      drop: false,
    });
    await submit(sandbox, { subreddit, author: 'storm_rider', title: 'Hello', text: 'first' });
    await waitFor(
      'the post, past the storm',
      async () =>
        (await member(server, 'storm_rider'))?.activity.byType['message.posted'] ? true : undefined,
      60_000,
    ).catch((error: unknown) => {
      throw new Error(
        `${String(error)}\n${hub.output()}\n${JSON.stringify(sandbox.emulators.reddit.requests().slice(-8))}`,
      );
    });
    expect(sandbox.faults.list()).toEqual([]);

    const mine = (await redditRequests(sandbox)).filter(
      (r) => r.at >= since && r.path.startsWith(`/r/${subreddit}/`),
    );
    const refused = mine.filter((r) => r.status === 429);
    expect(refused).toHaveLength(3);
    // After each 429 (Retry-After: 3) the next request waited the three seconds.
    for (const no of refused) {
      const next = mine.find((r) => r.at > no.at);
      expect(next, 'a request after the 429').toBeDefined();
      expect(next!.at - no.at).toBeGreaterThanOrEqual(2_900);
    }
    const waits = refused.map((no) => mine.find((r) => r.at > no.at)!.at - no.at);
    console.log(
      `reddit storm: ${mine.length} requests in ${((Date.now() - since) / 1000).toFixed(1)} s, busiest 60 s window ${busiestWindow(mine, 60_000)} (ceiling ${perMinute}); waits after each 429: ${waits.join(', ')} ms (told 3000)`,
    );
    // Polling every 100 ms would be 1200 requests a minute: the budget spaced them.
    expect(busiestWindow(mine, 60_000)).toBeLessThanOrEqual(perMinute);
    const elapsedMinutes = (Date.now() - since) / 60_000;
    expect(mine.length).toBeLessThanOrEqual(Math.ceil(perMinute * elapsedMinutes) + 1);
  }, 120_000);
});
