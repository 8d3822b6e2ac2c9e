// Support handoff latency: 🎫 on a Slack thread to the ticket created in the help desk, and an
// agent's reply on the ticket to the message in the thread, through `townhall start` and the
// sandbox, against a floor measured in the same run, arms alternated: the least the same path
// needs (the hub answering the same kind of signed webhook, a workflow start, one activity making
// the vendor calls straight to the sandbox).
import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Sandbox } from '../sandbox/index.js';
import { startSandbox } from '../sandbox/index.js';
import { ZENDESK_DEFAULTS } from '../sandbox/zendesk/index.js';
import type { Sample } from './handoff-latency/arms.js';
import { THINK_MS, prepareHandoffs } from './handoff-latency/arms.js';
import type { Timed } from './handoff-latency/breakdown.js';
import { floorStages, medians, productStages } from './handoff-latency/breakdown.js';
import { findingsFor } from './handoff-latency/findings.js';
import { startFloorWorker, watchSandbox } from './handoff-latency/parts.js';
import type { Benchmark } from './lib/context.js';
import { benchClient, startBenchHub } from './lib/hub.js';
import { ratio, round, summarize } from './lib/stats.js';
import { BENCH_SECRETS, benchConnectorsYaml, benchSandboxVendors } from './lib/webhooks.js';

const config = (sandbox: Sandbox) => `
connectors:
${benchConnectorsYaml(sandbox.url, ['slack'])}
  zendesk:
    baseUrl: ${sandbox.url}
    email: ${ZENDESK_DEFAULTS.email}
    apiToken: ${ZENDESK_DEFAULTS.apiToken}
    webhookSecret: ${ZENDESK_DEFAULTS.webhookSecret}
handoff:
  quiet_after: 1h
  rules:
    - { on: reaction, platform: slack, helpdesk: zendesk }
`;

const TICKET_FLOOR = 'floor: hub answers a 👀 reaction, workflow.start, 1 activity (read + create)';
const REPLY_FLOOR = 'floor: reply on a ticket the hub does not own, workflow.start, 1 post';

async function analyse(client: Client, samples: Sample[], count: number, size: 'full' | 'smoke') {
  const ms = (list: Timed[]) => summarize(list.map((t) => t.at - t.sent));
  const ticket = ms(samples.map((s) => s.ticket));
  const floorTicket = ms(samples.map((s) => s.floorTicket));
  const reply = ms(samples.map((s) => s.reply));
  const floorPost = ms(samples.map((s) => s.floorPost));
  const ack = summarize(samples.map((s) => s.ticket.ack - s.ticket.sent));
  // Where the time went, per sample, from the runs' histories.
  const product = await Promise.all(samples.map((s) => productStages(client, s.ticket, s.reply)));
  const floorTickets = await Promise.all(samples.map((s) => floorStages(client, s.floorTicket)));
  const floorPosts = await Promise.all(samples.map((s) => floorStages(client, s.floorPost)));
  const breakdown = {
    ticket: medians(product.map((p) => p.ticket)),
    floorTicket: medians(floorTickets),
    reply: medians(product.map((p) => p.reply)),
    floorPost: medians(floorPosts),
  };
  // Two Slack activities per handoff (acknowledgement, reply): the Slack queue's load here.
  const spanS = (samples.at(-1)!.reply.at - samples[0]!.ticket.sent) / 1000;
  const slackPerSecond = round((2 * samples.length) / spanS, 2);
  const replyQueued = summarize(product.map((p) => p.reply.queued));
  const ackQueued = summarize(product.map((p) => p.ackQueued));
  const figure = (label: string, value: number, floorLabel: string, floorValue: number) => ({
    label,
    value,
    unit: 'ms',
    ceiling: { label: floorLabel, value: floorValue },
    ratio: ratio(value, floorValue),
    ...(label.endsWith('p99') ? { goal: { op: '<=' as const, value: 2 } } : {}),
  });
  return {
    name: 'handoff-latency',
    title: 'Support handoff latency (Slack ↔ Zendesk)',
    method:
      `${count} handoffs one after another through \`townhall start\` (PostgreSQL store) and the ` +
      `sandbox, which runs in the benchmark process${size === 'full' ? ', after one warm-up' : ''}. ` +
      'Each: a thread in ' +
      '#general (a root and a reply, delivered signed by the sandbox), then a signed Slack ' +
      '`reaction_added` 🎫 sent straight to /webhooks/slack; the latency counts from that send ' +
      "until the sandbox Zendesk answers the ticket's create (seen through Node's " +
      '`http.server.response.finish` diagnostics channel: no polling interval in the figure). ' +
      `Then, ${THINK_MS} ms after the acknowledgement, an agent reply through the sandbox desk ` +
      '(which sends its signed webhook to the hub before it answers), until the reply is posted ' +
      'in the thread. The floor, alternated with it on the same thread: the hub answering the ' +
      'same kind of webhook with nothing to act on (a 👀 reaction; a reply on a ticket townhall ' +
      'did not open), then `workflow.start` of a one-activity workflow on a worker in the ' +
      "benchmark process (the hubs' payload codec) whose activity makes the calls the step " +
      'cannot do without: `conversations.replies` and the ticket create, or one ' +
      '`chat.postMessage`. The goal is ours (the issue sets none): p99 within 2× the floor, the ' +
      "bar the issue sets for ingest; the hub's guarantees (exactly-once lookups, the deliveries " +
      'ledger) cost tens of milliseconds, not multiples, and a one-off run with single-partition ' +
      "task queues came within 1.6× in both directions. Stage times come from the runs' " +
      `histories; the p99 of ${count} samples is the slowest.`,
    command: 'npm run bench -- handoff-latency',
    size,
    figures: [
      figure('🎫 to ticket created, p50', ticket.p50Ms, TICKET_FLOOR, floorTicket.p50Ms),
      figure('🎫 to ticket created, p99', ticket.p99Ms, TICKET_FLOOR, floorTicket.p99Ms),
      figure('agent reply to thread message, p50', reply.p50Ms, REPLY_FLOOR, floorPost.p50Ms),
      figure('agent reply to thread message, p99', reply.p99Ms, REPLY_FLOOR, floorPost.p99Ms),
    ],
    findings: findingsFor({
      breakdown,
      ack,
      replyQueued,
      ackQueued,
      slackPerSecond,
      calls: { ticket: samples[0]!.ticket.calls, reply: samples[0]!.reply.calls },
      thinkMs: THINK_MS,
    }),
    details: {
      latencyMs: { ticket, floorTicket, reply, floorPost, acknowledgement: ack },
      stageMediansMs: breakdown,
      thinkMs: THINK_MS,
      queuedMs: { reply: replyQueued, acknowledgement: ackQueued },
      slackActivitiesPerSecond: slackPerSecond,
      samples: samples.map((s, i) => ({
        ticketMs: round(s.ticket.at - s.ticket.sent),
        floorTicketMs: round(s.floorTicket.at - s.floorTicket.sent),
        replyMs: round(s.reply.at - s.reply.sent),
        floorPostMs: round(s.floorPost.at - s.floorPost.sent),
        queuedMs: {
          openTicket: round(product[i]!.ticket.queued),
          ack: round(product[i]!.ackQueued),
          reply: round(product[i]!.reply.queued),
        },
      })),
    },
  };
}

export const handoffLatency: Benchmark = {
  name: 'handoff-latency',
  async run(context) {
    const { size, temporalAddress, namespace } = context;
    // BENCH_HANDOFFS: another count, for looking into it (a different Temporal setup, say).
    const count = Number(process.env.BENCH_HANDOFFS) || (size === 'full' ? 20 : 3);
    const cleanup: (() => unknown)[] = [];
    try {
      const sandbox = await startSandbox({
        port: 0,
        vendors: benchSandboxVendors(['slack']),
      });
      cleanup.push(() => sandbox.stop());
      const watch = watchSandbox(sandbox.emulators.slack.workspace);
      cleanup.push(() => watch.stop());
      const client = benchClient(temporalAddress, namespace);
      cleanup.push(() => client.connection.close());
      // The hub and the floor's worker start together; whichever started is stopped at the end.
      const [hubStart, floorStart] = await Promise.allSettled([
        startBenchHub({
          config: config(sandbox),
          temporalAddress,
          namespace,
          store: 'postgres',
          postgresUrl: context.postgresUrl,
        }),
        startFloorWorker({
          temporalAddress,
          client,
          sandboxUrl: sandbox.url,
          botToken: BENCH_SECRETS.slackBot,
        }),
      ]);
      if (hubStart.status === 'fulfilled') cleanup.push(() => hubStart.value.stop());
      if (floorStart.status === 'fulfilled') cleanup.push(() => floorStart.value.worker.shutdown());
      if (hubStart.status === 'rejected') throw hubStart.reason;
      if (floorStart.status === 'rejected') throw floorStart.reason;
      const hub = hubStart.value;
      const floor = floorStart.value;
      sandbox.setTownhallUrl(hub.url);
      const { thread, handoff } = await prepareHandoffs({
        sandbox,
        hub,
        client,
        floorQueue: floor.taskQueue,
        watch,
        run: randomBytes(3).toString('hex'),
      });
      // Warms both arms (bundles, connections, JIT) before anything counts; smoke only checks
      // that the path works, so it spends no time on it.
      const first = size === 'full' ? 0 : 1;
      let next = thread(first);
      const samples: Sample[] = [];
      for (let n = first; n <= count; n++) {
        const root = await next;
        const sample = await handoff(n, root, async () => {
          if (n < count) next = thread(n + 1);
          await next;
        });
        if (n > 0) samples.push(sample);
        if (n % 10 === 0 || n === count) context.log(`${n}/${count} handoffs`);
      }
      return await analyse(client, samples, count, size);
    } finally {
      for (const step of cleanup.reverse()) await step();
    }
  },
};
