// The cost benchmark's runs, made for real: `townhall start` with the sandbox example's config
// (config/examples/sandbox.yaml, its waits made short) against the sandbox in this process.
// Members join and post over signed Slack events, threads are handed off with 🎫 and answered and
// solved by an agent in the sandbox Zendesk, the CRM is backfilled and synced; then every run on
// the hub's task queue is read back from Temporal with its history.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import pg from 'pg';
import { parseDocument } from 'yaml';
import { parseConfig } from '../../config/load.js';
import type { Config } from '../../config/schema.js';
import { registry } from '../../connectors/index.js';
import { routingFor } from '../../runtime/routing.js';
import { sandboxOptions } from '../../runtime/sandbox-options.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { SANDBOX_TEAM } from '../../sandbox/slack/workspace.js';
import { freePort } from '../../tests/support/ports.js';
import { waitFor } from '../../tests/support/sandbox.js';
import { crmBackfillWorkflowId } from '../../workflows/crm-backfill/types.js';
import { crmBackfill } from '../../workflows/crm-backfill/workflow.js';
import { crmSyncWorkflowId } from '../../workflows/crm-sync/types.js';
import { handoffWorkflowId } from '../../workflows/handoff/types.js';
import type { Run } from './cost-runs.js';
import { readRuns, stopClockRuns } from './cost-runs.js';
import type { BenchHub } from './hub.js';
import { benchClient, startBenchHub } from './hub.js';

const EXAMPLE = path.resolve('config/examples/sandbox.yaml');

/** The example's own variables, made short so a whole lifecycle takes seconds. */
const QUICK = {
  ONBOARDING_WAIT: '1s',
  REENGAGE_AFTER: '2s',
  REENGAGE_SCAN: '1s',
  REENGAGE_WAIT: '1s',
  HANDOFF_QUIET: '1s',
};

export interface ScenarioResult {
  config: Config;
  runs: Run[];
  memberIds: string[];
  handoffIds: string[];
  backfill: { workflowId: string; done: number };
  sync: { runId: string; written: number };
  /** Slack deliveries the sandbox sent again (the hub answered after Slack's 3 s). */
  slackRetries: number;
  /** Wall time of the scenario (hub start excluded). */
  elapsedMs: number;
}

/** The example as `townhall start` gets it here: its sandbox ours, its CRM synced (on trigger). */
function hubConfig(text: string): string {
  const doc = parseDocument(text);
  doc.delete('sandbox');
  doc.setIn(['connectors', 'email', 'templatesDir'], path.resolve('config/examples/templates'));
  // The example has no incremental sync: added (an hour apart, so it runs when triggered).
  doc.setIn(['workflows', 'crmSync'], doc.createNode({ interval: '1h' }));
  // Slack's pace (1 call a second) would make the runs wait minutes in its queue. A paced queue
  // only holds activities back: it changes no count (the sandbox's Slack refuses no call).
  doc.setIn(['temporal', 'activitiesPerSecond'], doc.createNode({ slack: 50 }));
  return String(doc);
}

async function sandboxPost(sandbox: Sandbox, route: string, body: unknown) {
  const response = await fetch(`${sandbox.url}${route}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${route} answered ${response.status}: ${JSON.stringify(answer)}`);
  return answer;
}

export async function runCostScenario(options: {
  size: 'full' | 'smoke';
  temporalAddress: string;
  /** The benchmark's own: the example's schedule ids are a namespace's, and every run there is ours. */
  namespace: string;
  postgresUrl: string;
  log: (message: string) => void;
}): Promise<ScenarioResult> {
  const { size, log } = options;
  const members = size === 'full' ? 5 : 1;
  const handoffs = size === 'full' ? 5 : 1;
  const seeded = size === 'full' ? 1_000 : 150;
  const text = readFileSync(EXAMPLE, 'utf8');
  const env = {
    ...QUICK,
    SANDBOX_PORT: String(await freePort()),
    SANDBOX_SMTP_PORT: String(await freePort()),
  };
  const config = parseConfig(text, EXAMPLE, { ...process.env, ...env });
  const sandbox = await startSandbox(sandboxOptions(config));
  let hub: BenchHub | undefined;
  let db: pg.Client | undefined;
  const client = benchClient(options.temporalAddress, options.namespace);
  try {
    hub = await startBenchHub({
      config: hubConfig(text),
      temporalAddress: options.temporalAddress,
      namespace: options.namespace,
      store: 'postgres',
      postgresUrl: options.postgresUrl,
      env,
    });
    sandbox.setTownhallUrl(hub.url);
    db = new pg.Client({ connectionString: hub.databaseUrl });
    await db.connect();
    const started = performance.now();
    const tag = randomBytes(3).toString('hex').toUpperCase();
    // Slack retries a delivery the hub took over 3 s to answer: counted, as a retry costs.
    let slackRetries = 0;
    const emit = async (event: Record<string, unknown>) => {
      const answer = await sandboxPost(sandbox, '/_sandbox/slack/emit', event);
      slackRetries += Math.max(0, ((answer.attempts as unknown[] | undefined)?.length ?? 1) - 1);
      return answer;
    };
    const one = async <T>(what: string, sql: string, values: unknown[], timeoutMs = 30_000) =>
      waitFor(what, async () => (await db!.query(sql, values)).rows[0] as T | undefined, timeoutMs);
    // A scan records a run before it starts it: a run not there yet is waited for.
    const result = async (id: string): Promise<unknown> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        try {
          return await client.workflow.getHandle(id).result();
        } catch (error) {
          if (!(error instanceof WorkflowNotFoundError) || Date.now() > deadline) throw error;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      }
    };

    // A member's life: joins (onboarding), posts once (first-post), goes quiet (re-engagement).
    const lifecycle = async (i: number) => {
      const user = `UC${tag}${i}`;
      const email = `cost-${tag.toLowerCase()}-${i}@example.com`;
      const name = `Cost Member ${i}`;
      await emit({
        type: 'team_join',
        user: { id: user, name: `cost${i}`, profile: { email, real_name: name } },
      });
      await emit({ type: 'message', channel: 'C0RANDOM0', user, text: `Hello all, ${name} here` });
      const { id } = await one<{ id: string }>(
        `member ${i}`,
        'select id from members where lower(email) = $1',
        [email],
      );
      await result(`onboarding:${id}`);
      for (const journey of ['first-post', 're-engagement']) {
        const run = await one<{ workflow_id: string }>(
          `${journey} of member ${i}`,
          'select workflow_id from journey_runs where journey = $1 and member_id = $2',
          [journey, id],
        );
        await result(run.workflow_id);
      }
      return id;
    };

    // A thread handed off with 🎫, answered once by the agent, solved, then quiet.
    const handoff = async (j: number) => {
      const posted = await emit({
        type: 'message',
        channel: 'C0GENERAL',
        user: `UA${tag}${j}`,
        text: `My data export is stuck (${tag}-${j})`,
      });
      const root = String(posted.ts);
      await emit({
        type: 'reaction_added',
        user: `UH${tag}${j}`,
        reaction: 'ticket',
        item: { type: 'message', channel: 'C0GENERAL', ts: root },
      });
      const ticket = await waitFor('the ticket', async () => {
        const list = (await (await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`)).json()) as {
          id: number;
          external_id: string | null;
        }[];
        return list.find((t) => t.external_id?.endsWith(`/${root}`));
      });
      const thread = () =>
        sandbox.emulators.slack.workspace.messages.filter(
          (m) => m.channel === 'C0GENERAL' && m.threadTs === root && m.user === 'U0TOWNBOT',
        );
      const posts = (needle: string) => () =>
        thread().some((m) => m.text.includes(needle)) ? true : undefined;
      await waitFor('the acknowledgement', posts(`#${ticket.id}`));
      const desk = `/_sandbox/zendesk/tickets/${ticket.id}`;
      await sandboxPost(sandbox, `${desk}/reply`, { body: 'Please run the export again now' });
      await waitFor('the reply in the thread', posts('run the export again'));
      await sandboxPost(sandbox, `${desk}/solve`, {});
      const id = handoffWorkflowId({
        platform: 'slack',
        communityId: SANDBOX_TEAM.id,
        threadKey: `C0GENERAL/${root}`,
      });
      await result(id);
      return id;
    };

    // Seeded members have no activity: only the backfill writes them.
    const backfillId = crmBackfillWorkflowId('hubspot');
    const backfill = async () => {
      await db!.query(
        `insert into members (email, name)
         select 'cost-seed-' || g || '@example.com', 'Seed ' || g from generate_series(1, $1) g`,
        [seeded],
      );
      const handle = await client.workflow.start(crmBackfill, {
        taskQueue: hub!.taskQueue,
        workflowId: backfillId,
        args: [{ crm: 'hubspot', routing: routingFor(config, registry, hub!.taskQueue) }],
      });
      return (await handle.result()).done;
    };

    log(`${members} member lifecycle(s), ${handoffs} handoff(s), a backfill of ${seeded} members`);
    const timed = async <T>(what: string, work: Promise<T>) => {
      const value = await work;
      log(`${what} done after ${Math.round(performance.now() - started)} ms`);
      return value;
    };
    const [memberIds, handoffIds, done] = await Promise.all([
      timed('lifecycles', Promise.all(Array.from({ length: members }, (_, i) => lifecycle(i)))),
      timed('handoffs', Promise.all(Array.from({ length: handoffs }, (_, j) => handoff(j)))),
      timed('backfill', backfill()),
    ]);

    log('one incremental CRM sync run');
    const schedule = client.schedule.getHandle(crmSyncWorkflowId('hubspot'));
    await schedule.trigger();
    const syncQuery = `WorkflowType = 'crmSync' AND TaskQueue = '${hub.taskQueue}' AND ExecutionStatus = 'Completed'`;
    const synced = await waitFor('the sync run', async () => {
      for await (const info of client.workflow.list({ query: syncQuery })) return info;
      return undefined;
    });
    const syncResult = (await client.workflow
      .getHandle(synced.workflowId, synced.runId)
      .result()) as { written: number };
    const elapsedMs = performance.now() - started;

    // The clock stops here: no more scans, no more polls, before anything is read back.
    await stopClockRuns(client, hub.taskQueue);
    const runs = await readRuns(client, hub.taskQueue, [...handoffIds, backfillId]);
    return {
      config,
      runs,
      memberIds,
      handoffIds,
      backfill: { workflowId: backfillId, done },
      sync: { runId: synced.runId, written: syncResult.written },
      slackRetries,
      elapsedMs,
    };
  } finally {
    await db?.end();
    if (hub) await stopClockRuns(client, hub.taskQueue).catch(() => undefined);
    await hub?.stop();
    await client.connection.close();
    await sandbox.stop();
  }
}
