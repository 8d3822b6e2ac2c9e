// What the handoff-latency benchmark uses besides the hub: a watch on the in-process sandbox (the
// moment a ticket or a thread post exists), the floor's worker and its vendor calls, and the
// times Temporal kept in each run's history (where the latency goes).
import dc from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { createLogger } from '../../runtime/logger.js';
import type { RunningWorker } from '../../runtime/temporal.js';
import { startWorker } from '../../runtime/temporal.js';
import type { Workspace } from '../../sandbox/slack/workspace.js';
import { BOT_USER } from '../../sandbox/slack/workspace.js';
import { ZENDESK_DEFAULTS } from '../../sandbox/zendesk/index.js';
import { z } from 'zod';
import type { FloorInput } from './floor-workflow.js';

/** What the floor reads of `conversations.replies`: the thread's messages. */
const repliesSchema = z.object({
  messages: z.array(z.object({ user: z.string().optional(), text: z.string().optional() })),
});

/** Unique words the benchmark puts in texts, so a post is found by what it says. */
export const MARKER = /hbm-[a-z0-9]+-[a-z0-9]+/g;

type Finished = { request: IncomingMessage & { body?: unknown; originalUrl?: string } } & {
  response: ServerResponse;
};

/**
 * The sandbox runs in this process: every answer it finishes (a ticket created, a message
 * posted) is seen through Node's `http.server.response.finish` channel, the moment the vendor
 * has it, with no polling interval in the measurement. Times are performance.now().
 */
export function watchSandbox(workspace: Workspace) {
  const tickets = new Map<string, number>();
  const posts = new Map<string, number>();
  const firstBotPost = new Map<string, number>();
  const waiters = new Set<() => boolean>();
  /** Every vendor call the sandbox answered: which calls a step made, by time. */
  const calls: { at: number; call: string }[] = [];
  let scanned = 0;

  function onFinish(message: unknown) {
    const now = performance.now();
    const { request, response } = message as Finished;
    const url = request.originalUrl ?? request.url ?? '';
    if (!url.startsWith('/_sandbox/'))
      calls.push({ at: now, call: `${request.method} ${url.split('?')[0]}` });
    if (
      request.method === 'POST' &&
      url.startsWith('/api/v2/tickets') &&
      response.statusCode === 201
    ) {
      const ticket = (request.body as { ticket?: { external_id?: unknown } } | undefined)?.ticket;
      if (typeof ticket?.external_id === 'string' && !tickets.has(ticket.external_id))
        tickets.set(ticket.external_id, now);
    }
    for (; scanned < workspace.messages.length; scanned++) {
      const posted = workspace.messages[scanned]!;
      if (posted.user !== BOT_USER.id) continue;
      if (posted.threadTs && !firstBotPost.has(posted.threadTs))
        firstBotPost.set(posted.threadTs, now);
      for (const marker of posted.text.match(MARKER) ?? [])
        if (!posts.has(marker)) posts.set(marker, now);
    }
    for (const waiter of waiters) if (waiter()) waiters.delete(waiter);
  }
  dc.subscribe('http.server.response.finish', onFinish);

  function until(what: string, read: () => number | undefined, timeoutMs = 30_000) {
    return new Promise<number>((resolve, reject) => {
      const check = () => {
        const at = read();
        if (at === undefined) return false;
        clearTimeout(timer);
        resolve(at);
        return true;
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no ${what} after ${timeoutMs} ms`));
      }, timeoutMs);
      if (!check()) waiters.add(check);
    });
  }

  return {
    /** When the ticket whose external_id passes `match` was created, and that external_id. */
    ticket: async (what: string, match: (externalId: string) => boolean) => {
      const find = () => [...tickets].find(([externalId]) => match(externalId));
      const at = await until(what, () => find()?.[1]);
      return { at, externalId: find()![0] };
    },
    /** When the bot posted a message with this marker. */
    post: (marker: string) => until(`post ${marker}`, () => posts.get(marker)),
    /** When the bot first posted in this thread (the handoff's acknowledgement). */
    firstBotPost: (threadTs: string) =>
      until(`bot post in ${threadTs}`, () => firstBotPost.get(threadTs)),
    /** The vendor calls answered between two times, in order ("POST /api/chat.postMessage"). */
    callsBetween: (from: number, to: number) =>
      calls.filter((c) => c.at >= from && c.at <= to).map((c) => c.call),
    stop: () => dc.unsubscribe('http.server.response.finish', onFinish),
  };
}

/** The floor's vendor calls, straight to the sandbox: a transcript read and a create, or a post. */
function floorActivities(sandboxUrl: string, botToken: string) {
  async function slack(method: string, params: Record<string, string>) {
    const response = await fetch(`${sandboxUrl}/api/${method}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Bearer ${botToken}`,
      },
      body: new URLSearchParams(params).toString(),
    });
    const answer = (await response.json()) as { ok: boolean; error?: string } & Record<
      string,
      unknown
    >;
    if (!answer.ok) throw new Error(`${method}: ${answer.error}`);
    return answer;
  }
  const zendeskAuth = Buffer.from(
    `${ZENDESK_DEFAULTS.email}/token:${ZENDESK_DEFAULTS.apiToken}`,
  ).toString('base64');
  return {
    async floorCall(input: FloorInput): Promise<void> {
      if (input.kind === 'post') {
        await slack('chat.postMessage', {
          channel: input.channel,
          thread_ts: input.ts,
          text: input.text,
        });
        return;
      }
      const { messages } = repliesSchema.parse(
        await slack('conversations.replies', { channel: input.channel, ts: input.ts }),
      );
      const response = await fetch(`${sandboxUrl}/api/v2/tickets.json`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${zendeskAuth}` },
        body: JSON.stringify({
          ticket: {
            subject: `Floor ticket for ${input.ts}`,
            external_id: input.externalId,
            comment: { body: messages.map((m) => `${m.user}: ${m.text}`).join('\n') },
          },
        }),
      });
      if (response.status !== 201)
        throw new Error(`floor ticket: ${response.status} ${await response.text()}`);
    },
  };
}

/** Shared with the hubs' and tests' bundles: keyed on every file a bundle holds. */
const BUNDLE_CACHE = path.join(os.tmpdir(), 'townhall-test-bundles');
const logger = createLogger('bench');
logger.level = 'silent';

/** A worker in this process for the floor's workflow, with the hubs' payload codec. */
export async function startFloorWorker(options: {
  temporalAddress: string;
  client: Client;
  sandboxUrl: string;
  botToken: string;
}): Promise<{ taskQueue: string; worker: RunningWorker }> {
  const taskQueue = `bench-floor-${process.pid}-${Date.now().toString(36)}`;
  const codec = options.client.options.dataConverter.payloadCodecs?.[0];
  const worker = await startWorker({
    address: options.temporalAddress,
    namespace: options.client.options.namespace,
    taskQueue,
    cacheDir: BUNDLE_CACHE,
    logger,
    workflowsPath: fileURLToPath(new URL('./floor-workflow.ts', import.meta.url)),
    activities: floorActivities(options.sandboxUrl, options.botToken),
    ...(codec ? { codec } : {}),
  });
  return { taskQueue, worker };
}

/** A run's history as epoch milliseconds: its start, its signals, its activities' attempts. */
export interface RunTimes {
  started: number;
  signals: { name: string; at: number }[];
  activities: { id: string; scheduled: number; started?: number; attempt?: number }[];
}

const epochMs = (time: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(time?.seconds ?? 0) * 1000 + (time?.nanos ?? 0) / 1e6;

export async function runTimes(client: Client, workflowId: string): Promise<RunTimes> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const times: RunTimes = { started: Number.NaN, signals: [], activities: [] };
  const byEventId = new Map<number, RunTimes['activities'][number]>();
  for (const event of history.events ?? []) {
    const at = epochMs(event.eventTime);
    if (event.workflowExecutionStartedEventAttributes) times.started = at;
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal) times.signals.push({ name: signal.signalName ?? '', at });
    const scheduled = event.activityTaskScheduledEventAttributes;
    if (scheduled) {
      const activity = { id: scheduled.activityId ?? '', scheduled: at };
      times.activities.push(activity);
      byEventId.set(Number(event.eventId), activity);
    }
    const started = event.activityTaskStartedEventAttributes;
    const activity = started && byEventId.get(Number(started.scheduledEventId));
    if (activity) Object.assign(activity, { started: at, attempt: started.attempt ?? 1 });
  }
  return times;
}

/** performance.now() in this process as epoch milliseconds, to compare with history times. */
export const toEpoch = (perfMs: number) => performance.timeOrigin + perfMs;
