// The two ways ingest-starts starts a journey run against one hub: a signed Slack team_join
// through the hub, or `client.workflow.start` of the very workflow and input the hub started,
// and the wait until every run either way started has run its first workflow task.
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { journeySearchAttributes } from '../../workflows/journey/search-attributes.js';
import type { BenchHub } from './hub.js';
import type { Answer, ArmResult } from './load.js';
import { closedLoop, post, statusCounts } from './load.js';
import { waitFor } from '../../tests/support/sandbox.js';
import { startedWith } from './start-input.js';
import { slackJoin } from './webhooks.js';

/** How long the first tasks of one round may take to run before the benchmark gives up. */
const FIRST_TASKS_WITHIN_MS = 120_000;

export interface JourneyStarts {
  /** One signed team_join of a new member, through the hub. */
  join: () => Promise<Answer>;
  /** One raw start of the same workflow and input (after `learnFromHub`). */
  rawStart: () => Promise<Answer>;
  /** Reads back what the hub started a run with, so raw starts are the same. */
  learnFromHub: () => Promise<void>;
  /** Resolves once every run started so far, both ways, has run its first workflow task. */
  firstTasksRun: () => Promise<void>;
  /** Joins sent so far: each answered 200, or its round threw (`timedRound`). */
  joinsSent: () => number;
}

/**
 * `journey`'s runs mark TownhallStep at their first wait (`steps[0] wait`), in their first
 * workflow task: a visibility count of the marks is how many got there.
 */
export function journeyStarts(options: {
  hub: BenchHub;
  client: Client;
  store: pg.Client;
  journey: string;
}): JourneyStarts {
  const { hub, client, store, journey } = options;
  const run = randomBytes(3).toString('hex');
  let joined = 0;
  let raw = 0;
  let rawStartOf: ((memberId: string) => Promise<unknown>) | undefined;
  const marked = `TaskQueue = '${hub.taskQueue}' AND TownhallStep = 'steps[0] wait'`;

  return {
    join: () => post(hub.url, slackJoin(run, joined++)),
    joinsSent: () => joined,
    async learnFromHub() {
      const { rows } = await store.query<{ workflow_id: string }>(
        'select workflow_id from journey_runs where journey = $1 limit 1',
        [journey],
      );
      if (!rows[0]) throw new Error('no journey run to copy: join someone first');
      const template = await startedWith(client, rows[0].workflow_id);
      const [input] = template.input as [Record<string, unknown>];
      rawStartOf = (memberId) =>
        client.workflow.start(template.workflowType, {
          taskQueue: hub.taskQueue,
          workflowId: `journey:${journey}:${memberId}`,
          args: [{ ...input, memberId }],
          memo: template.memo,
          ...(template.searchAttributes
            ? { typedSearchAttributes: journeySearchAttributes(journey, memberId) }
            : {}),
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        });
    },
    async rawStart() {
      if (!rawStartOf) throw new Error('learnFromHub first');
      const memberId = `bench-raw-${run}-${raw++}`;
      const started = performance.now();
      try {
        await rawStartOf(memberId);
        return { status: 200, latencyMs: performance.now() - started };
      } catch {
        return { status: 0, latencyMs: performance.now() - started };
      }
    },
    async firstTasksRun() {
      const started = joined + raw;
      // Asked ten times a second: each ask is a visibility query the server answers.
      await waitFor(
        `${started} runs to run their first task`,
        async () => ((await client.workflow.count(marked)).count >= started ? true : undefined),
        FIRST_TASKS_WITHIN_MS,
      );
    },
  };
}

export interface TimedRound extends ArmResult {
  /** From the first send to the last answer. */
  answeringMs: number;
  /** Answers per second while the senders ran. */
  answeredRate: number;
  /** From the last answer until the round's runs had all run their first task. */
  firstTasksMs: number;
}

/**
 * `count` starts by `concurrency` closed-loop senders, timed until their runs have all run their
 * first task: work the server and the worker put off past the last answer is the round's own,
 * not a charge on whatever runs next.
 */
export async function timedRound(
  starts: JourneyStarts,
  count: number,
  concurrency: number,
  send: () => Promise<Answer>,
): Promise<TimedRound> {
  const answered = await closedLoop(count, concurrency, send);
  const failed = answered.answers.filter((answer) => answer.status !== 200);
  if (failed.length > 0)
    throw new Error(`${failed.length} starts failed: ${JSON.stringify(statusCounts(failed))}`);
  const lastAnswer = performance.now();
  await starts.firstTasksRun();
  const firstTasksMs = performance.now() - lastAnswer;
  const elapsedMs = answered.elapsedMs + firstTasksMs;
  return {
    answers: answered.answers,
    elapsedMs,
    rate: (answered.answers.length * 1000) / elapsedMs,
    answeringMs: answered.elapsedMs,
    answeredRate: answered.rate,
    firstTasksMs,
  };
}
