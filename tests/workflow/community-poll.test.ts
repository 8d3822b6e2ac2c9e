// The feed poller with a stub poll activity: the cursor each poll gets, the start time the first
// poll reads from, a refusal waited out with the cursor kept, and a dropped feed ending the run.
// The real Reddit connector and store are in tests/integration/reddit-*.test.ts.
// RECORD_HISTORIES=<dir> writes the run's history there (tests/replay/community-poll.test.ts).
import { randomBytes } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import type { PollFeedInput, PollFeedResult } from '../../workflows/community-poll/types.js';
import { communityPoll } from '../../workflows/community-poll/workflow.js';
import { recordHistory } from '../support/replay.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `community-poll-${randomBytes(4).toString('hex')}`;
const calls: PollFeedInput[] = [];
/** What each poll answers, by its position; past the end, the feed is dropped. */
let script: ('ok' | 'refuse')[] = [];

const activities = {
  pollFeed: (input: PollFeedInput): Promise<PollFeedResult> => {
    calls.push(input);
    const step = script[calls.length - 1];
    if (step === 'refuse')
      throw ApplicationFailure.create({ type: 'ConnectorError.auth', nonRetryable: true });
    if (step === undefined) return Promise.resolve({ stop: true, reason: 'dropped' });
    return Promise.resolve({
      stop: false,
      cursor: { seen: calls.length },
      nextPollMs: 20,
      routed: 1,
    });
  },
};

let worker: RunningWorker;
beforeAll(async () => {
  worker = await startTestWorker({ taskQueue, activities });
});
afterAll(async () => {
  await worker?.shutdown();
});

const client = () => createTemporalClient(inject('temporalAddress'), 'default');

describe('communityPoll', () => {
  it('hands each poll the last cursor and the run’s start time; a dropped feed ends it', async () => {
    calls.length = 0;
    script = ['ok', 'ok', 'ok'];
    const before = Date.now();
    const handle = await client().workflow.start(communityPoll, {
      taskQueue,
      workflowId: `poll-test-${randomBytes(4).toString('hex')}`,
      args: [{ connector: 'example', feed: 'general' }],
    });
    await handle.result();
    expect(calls.map((call) => call.cursor)).toEqual([
      undefined,
      { seen: 1 },
      { seen: 2 },
      { seen: 3 },
    ]);
    // One start time for every poll: when the run began, before its first poll.
    const startedAt = new Set(calls.map((call) => call.startedAt));
    expect(startedAt.size).toBe(1);
    const [started] = [...startedAt];
    expect(started).toBeGreaterThanOrEqual(before - 1_000);
    expect(started).toBeLessThanOrEqual(Date.now());
    await recordHistory(handle, 'community-poll');
  });

  it('a refused poll is tried again later with the same cursor, not given up', async () => {
    calls.length = 0;
    script = ['ok', 'refuse', 'ok'];
    const handle = await client().workflow.start(communityPoll, {
      taskQueue,
      workflowId: `poll-test-${randomBytes(4).toString('hex')}`,
      args: [{ connector: 'example', feed: 'general', afterRefusalMs: 200 }],
    });
    await handle.result();
    expect(calls.map((call) => call.cursor)).toEqual([
      undefined,
      { seen: 1 },
      { seen: 1 },
      { seen: 3 },
    ]);
  });
});
