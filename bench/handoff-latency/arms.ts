// One handoff and its floor, both directions: the thread, the 🎫 (product) or 👀 plus a floor run
// (floor) until the ticket exists, then the agent's reply on the ticket (product) or on a ticket
// townhall did not open plus a floor run (floor) until the post exists in the thread.
import type { Client } from '@temporalio/client';
import { signSlackRequest } from '../../connectors/slack/signature.js';
import type { Sandbox } from '../../sandbox/index.js';
import { SANDBOX_APP_ID, SANDBOX_TEAM } from '../../sandbox/slack/workspace.js';
import { ZENDESK_DEFAULTS } from '../../sandbox/zendesk/index.js';
import type { BenchHub } from '../lib/hub.js';
import { post } from '../lib/load.js';
import { BENCH_SECRETS } from '../lib/webhooks.js';
import type { Timed } from './breakdown.js';
import type { FloorInput } from './floor-workflow.js';
import type { watchSandbox } from './parts.js';

const CHANNEL = 'C0GENERAL';
const ASKER = 'UHBASKER1';
const HELPER = 'UHBHELPER';
/**
 * An agent answers minutes after the acknowledgement in life. Here a little over a second: the
 * hub's Slack activities share one queue at 1 per second (connectors/slack `activitiesPerSecond`,
 * `temporal.activitiesPerSecond.slack`), so a reply sooner would wait behind the acknowledgement.
 */
export const THINK_MS = 1_100;
/** Lets a run finish its workflow task after its effect before the other arm starts. */
const SETTLE_MS = 50;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

export interface Sample {
  ticket: Timed & { ack: number; calls: string[] };
  reply: Timed & { calls: string[] };
  floorTicket: Timed;
  floorPost: Timed;
}

/** A reaction on the thread's root as Slack delivers it, signed (🎫 asks for a ticket). */
function reaction(eventId: string, ts: string, emoji: string) {
  const now = Math.floor(Date.now() / 1000);
  const body = Buffer.from(
    JSON.stringify({
      token: 'x',
      team_id: SANDBOX_TEAM.id,
      api_app_id: SANDBOX_APP_ID,
      event: {
        type: 'reaction_added',
        user: HELPER,
        reaction: emoji,
        item_user: ASKER,
        item: { type: 'message', channel: CHANNEL, ts },
        event_ts: `${now}.000200`,
      },
      type: 'event_callback',
      event_id: eventId,
      event_time: now,
      authed_users: [],
    }),
  );
  const timestamp = String(now);
  return {
    path: '/webhooks/slack',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signSlackRequest(BENCH_SECRETS.slackSigning, timestamp, body),
    },
    body,
  };
}

async function sandboxCall(sandbox: Sandbox, path: string, body: unknown, headers = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const answer = (await response.json()) as Record<string, unknown>;
  if (response.status >= 300)
    throw new Error(`${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** An agent's reply in the sandbox desk; it answers once its webhook reached the hub. */
async function agentReply(sandbox: Sandbox, ticketId: number, text: string) {
  const answer = await sandboxCall(sandbox, `/_sandbox/zendesk/tickets/${ticketId}/reply`, {
    body: text,
  });
  const hooks = answer.webhooks as { status: number | null }[];
  if (hooks.length === 0 || hooks.some((hook) => hook.status !== 200))
    throw new Error(`the reply's webhooks were answered ${JSON.stringify(hooks)}`);
}

export async function prepareHandoffs(deps: {
  sandbox: Sandbox;
  hub: BenchHub;
  client: Client;
  floorQueue: string;
  watch: ReturnType<typeof watchSandbox>;
  run: string;
}) {
  const { sandbox, hub, client, watch, run } = deps;
  const emit = async (event: Record<string, unknown>) => {
    const answer = await sandboxCall(sandbox, '/_sandbox/slack/emit', event);
    if (answer.status !== 200) throw new Error(`the hub answered ${JSON.stringify(answer)}`);
    return answer.ts as string;
  };
  const startFloor = (workflowId: string, input: FloorInput) =>
    client.workflow.start('handoffFloor', {
      taskQueue: deps.floorQueue,
      workflowId,
      args: [input],
    });
  const answered = async (request: ReturnType<typeof reaction>, sent: number) => {
    const answer = await post(hub.url, request, sent);
    if (answer.status !== 200) throw new Error(`the hub answered the reaction ${answer.status}`);
    return sent + answer.latencyMs;
  };
  const auth = Buffer.from(`${ZENDESK_DEFAULTS.email}/token:${ZENDESK_DEFAULTS.apiToken}`);
  // A ticket townhall did not open: the floor's agent replies go there, and the hub records
  // their webhooks with no run to signal.
  const unrelated = await sandboxCall(
    sandbox,
    '/api/v2/tickets.json',
    { ticket: { subject: 'Opened in the desk', comment: { body: 'Not from the community' } } },
    { authorization: `Basic ${auth.toString('base64')}` },
  );
  const unrelatedId = (unrelated.ticket as { id: number }).id;
  // Both people are members of the workspace and the hub, as in a real community.
  for (const [id, name] of [
    [ASKER, 'Ada Asker'],
    [HELPER, 'Hal Helper'],
  ] as const) {
    const profile = { email: `${id.toLowerCase()}@example.com`, real_name: name };
    await emit({ type: 'team_join', user: { id, name: id.toLowerCase(), profile } });
  }

  /** A thread to hand off: a root and a reply, delivered to the hub signed by the sandbox. */
  async function thread(n: number): Promise<string> {
    const message = { type: 'message', channel: CHANNEL, user: ASKER };
    const root = await emit({ ...message, text: `Bench ${run}${n}: my login is broken` });
    await emit({ ...message, text: 'Tried two browsers', thread_ts: root });
    return root;
  }

  /**
   * Handoff `n` on the thread `root`. `meanwhile` runs while the agent "thinks" (nothing measured
   * is in flight then): the next thread is made there, so the run takes less wall time.
   */
  async function handoff(
    n: number,
    root: string,
    meanwhile?: () => Promise<unknown>,
  ): Promise<Sample> {
    const tag = `${run}${n}`;
    let ticketId = 0;
    let ack = Number.NaN;
    /** The ticket's external id is its run's workflow id (one run per thread). */
    let workflowId = '';

    const productTicket = async () => {
      const request = reaction(`EvHB${tag}T`.toUpperCase(), root, 'ticket');
      const sent = performance.now();
      const answeredAt = await answered(request, sent);
      const ours = (id: string) => id.startsWith('handoff:') && id.endsWith(`/${root}`);
      const { at, externalId } = await watch.ticket(`ticket for ${root}`, ours);
      ack = await watch.firstBotPost(root);
      const listed = await fetch(`${sandbox.url}/_sandbox/zendesk/tickets`);
      const tickets = (await listed.json()) as { id: number; external_id: string | null }[];
      ticketId = tickets.find((ticket) => ticket.external_id === externalId)!.id;
      workflowId = externalId;
      const calls = watch.callsBetween(sent, at);
      return { sent, answered: answeredAt, at, workflowId, ack, calls };
    };
    const floorTicket = async () => {
      const request = reaction(`EvHB${tag}F`.toUpperCase(), root, 'eyes');
      const externalId = `floor/${root}`;
      const floorId = `bench-floor-ticket-${tag}`;
      const sent = performance.now();
      const answeredAt = await answered(request, sent);
      await startFloor(floorId, { kind: 'ticket', channel: CHANNEL, ts: root, externalId });
      const { at } = await watch.ticket(`floor ticket ${root}`, (id) => id === externalId);
      return { sent, answered: answeredAt, at, workflowId: floorId };
    };
    const productReply = async () => {
      await Promise.all([pause(ack + THINK_MS - performance.now()), meanwhile?.()]);
      const marker = `hbm-${tag}-p`;
      const sent = performance.now();
      await agentReply(sandbox, ticketId, `Please clear your cookies (${marker})`);
      const answeredAt = performance.now();
      const at = await watch.post(marker);
      return { sent, answered: answeredAt, at, workflowId, calls: watch.callsBetween(sent, at) };
    };
    const floorPost = async () => {
      const marker = `hbm-${tag}-f`;
      const floorId = `bench-floor-post-${tag}`;
      const sent = performance.now();
      await agentReply(sandbox, unrelatedId, `An answer elsewhere (${marker})`);
      const answeredAt = performance.now();
      const text = `Agent (support): ${marker}`;
      await startFloor(floorId, { kind: 'post', channel: CHANNEL, ts: root, text });
      return { sent, answered: answeredAt, at: await watch.post(marker), workflowId: floorId };
    };
    const settled = async <T>(arm: () => Promise<T>) => {
      const result = await arm();
      await pause(SETTLE_MS);
      return result;
    };
    // Alternated: each arm goes first half the time, so warming and drift hit both alike. The
    // product's acknowledgement is always the bot's first post in the thread.
    if (n % 2 === 0) {
      const ticket = await settled(productTicket);
      const floorT = await settled(floorTicket);
      const reply = await settled(productReply);
      return { ticket, floorTicket: floorT, reply, floorPost: await settled(floorPost) };
    }
    const floorT = await settled(floorTicket);
    const ticket = await settled(productTicket);
    const floorP = await settled(floorPost);
    return { ticket, floorTicket: floorT, reply: await settled(productReply), floorPost: floorP };
  }

  return { thread, handoff };
}
