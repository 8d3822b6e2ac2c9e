// Activity ingest under an open-loop flood: signed Slack messages and reactions and Discourse
// posts and likes at a fixed offered rate, against the floor of the same requests forged (401
// after the signature check: HTTP, routing, body read, HMAC). PostgreSQL and PGlite alike.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { startSandbox } from '../sandbox/index.js';
import { freePort } from '../tests/support/ports.js';
import type { BenchContext, Benchmark } from './lib/context.js';
import type { Figure } from './lib/result.js';
import type { StoreKind } from './lib/hub.js';
import { startBenchHub } from './lib/hub.js';
import { describeProfile, summarizeProfiles } from './lib/profile.js';
import type { ArmResult, BenchRequest } from './lib/load.js';
import { closedLoop, openLoop, post, statusCounts } from './lib/load.js';
import { ratio, round, summarize } from './lib/stats.js';
import type { SignOptions } from './lib/webhooks.js';
import {
  benchConnectorsYaml,
  benchSandboxVendors,
  discourseLike,
  discoursePost,
  slackMessage,
  slackReaction,
} from './lib/webhooks.js';

/** The measure before this work: signed Slack messages, 32 closed-loop senders. */
const CLOSED_LOOP_BEFORE = 280;
const MEMBERS = 500;

const config = (sandboxUrl: string) => `
connectors:
${benchConnectorsYaml(sandboxUrl, ['slack', 'discourse'])}
`;

/** A mix of the platforms' activity: a quarter each of messages, reactions, posts and likes. */
function mixer(sandboxUrl: string) {
  const run = randomBytes(3).toString('hex');
  const forumRun = randomInt(1, 200);
  let n = 0;
  return (options: SignOptions): BenchRequest => {
    const i = n++;
    switch (i % 4) {
      case 0:
        return slackMessage(run, i, MEMBERS, options);
      case 1:
        return slackReaction(run, i, MEMBERS, options);
      case 2:
        return discoursePost(sandboxUrl, forumRun, i, MEMBERS, options);
      default:
        return discourseLike(sandboxUrl, forumRun, i, MEMBERS, options);
    }
  };
}

interface Pair {
  rate: number;
  floor: ArmResult;
  real: ArmResult;
}

const p99 = (arm: ArmResult) => summarize(arm.answers.map((a) => a.latencyMs)).p99Ms;
const allStatus = (arm: ArmResult, status: number) =>
  arm.answers.every((answer) => answer.status === status);
/** Held: every event acknowledged, and p99 within twice the floor's at the same rate. */
const held = (pair: Pair) =>
  allStatus(pair.real, 200) && allStatus(pair.floor, 401) && p99(pair.real) <= 2 * p99(pair.floor);

async function measureStore(store: StoreKind, context: BenchContext) {
  const { size, temporalAddress, namespace, postgresUrl, log } = context;
  const sandbox = await startSandbox({
    port: await freePort(),
    vendors: benchSandboxVendors(['slack', 'discourse']),
  });
  // The full run profiles the hub (sampling costs both arms alike): where its CPU goes.
  const profileDir =
    size === 'full' ? mkdtempSync(path.join(os.tmpdir(), `townhall-bench-${store}-`)) : undefined;
  const hub = await startBenchHub({
    config: config(sandbox.url),
    temporalAddress,
    namespace,
    store,
    postgresUrl,
    profileDir,
  });
  const next = mixer(sandbox.url);
  const send = (forged: boolean) => (_: number, scheduledAt: number) =>
    post(hub.url, next({ forged }), scheduledAt);
  // Arms of 1 s, alternated many times: this machine's stalls (a VM's stolen CPU, seconds
  // long) then fall on floor and real arms alike, where 4 s arms let one land on a single arm.
  // 8 s of each arm at 200/s (1,600 requests, enough for a p99), 4 s at each higher rate.
  const armMs = 1_000;
  try {
    // Warm-up: members created, connections and JIT warm.
    await closedLoop(size === 'full' ? 1_000 : 50, 16, () => post(hub.url, next({})));
    const closed = await closedLoop(size === 'full' ? 2_000 : 100, 32, () =>
      post(hub.url, next({})),
    );
    log(`${store}: closed loop ${round(closed.rate)}/s`);

    const pairAt = async (rate: number, rounds: number): Promise<Pair> => {
      const floors: ArmResult[] = [];
      const reals: ArmResult[] = [];
      for (let r = 0; r < rounds; r++) {
        const forgedFirst = r % 2 === 0;
        for (const forged of forgedFirst ? [true, false] : [false, true])
          (forged ? floors : reals).push(await openLoop(rate, armMs, send(forged)));
      }
      const merge = (arms: ArmResult[]): ArmResult => ({
        answers: arms.flatMap((arm) => arm.answers),
        elapsedMs: arms.reduce((sum, arm) => sum + arm.elapsedMs, 0),
        rate,
      });
      const pair = { rate, floor: merge(floors), real: merge(reals) };
      log(
        `${store} at ${rate}/s: p99 ${p99(pair.real)} ms vs floor ${p99(pair.floor)} ms, ` +
          `statuses ${JSON.stringify(statusCounts(pair.real.answers))}`,
      );
      return pair;
    };
    const at200 = await pairAt(200, size === 'full' ? 8 : 1);
    // The highest offered rate held, stepping up until one is not.
    const steps = size === 'full' ? [300, 450, 600, 800, 1000] : [];
    let highest = held(at200) ? 200 : 0;
    const search: Pair[] = [];
    for (const rate of steps) {
      const pair = await pairAt(rate, 4);
      search.push(pair);
      if (!held(pair)) break;
      highest = rate;
    }
    const accepted = await hub.metric('townhall_webhooks_total', 'outcome="accepted"');
    const sent = [closed, at200.real, ...search.map((pair) => pair.real)].reduce(
      (sum, arm) => sum + arm.answers.filter((answer) => answer.status === 200).length,
      0,
    );
    const real = summarize(at200.real.answers.map((a) => a.latencyMs));
    const floor = summarize(at200.floor.answers.map((a) => a.latencyMs));
    const label = store === 'postgres' ? 'PostgreSQL' : 'PGlite';
    const figures: Figure[] = [
      {
        label: `${label}: ack p99 at 200 events/s (p50 ${real.p50Ms} ms)`,
        value: real.p99Ms,
        unit: 'ms',
        ceiling: {
          label: `forged-signature floor p99 (p50 ${floor.p50Ms} ms)`,
          value: floor.p99Ms,
        },
        ratio: ratio(real.p99Ms, floor.p99Ms),
        goal: { op: '<=', value: 2 },
      },
      {
        label: `${label}: highest offered rate held (p99 ≤ 2× floor, all acknowledged)`,
        value: highest,
        unit: 'events/s',
        ceiling: { label: 'closed-loop rate before this work', value: CLOSED_LOOP_BEFORE },
        ratio: ratio(highest, CLOSED_LOOP_BEFORE),
        goal: { op: '>=', value: 3 },
      },
      {
        label: `${label}: closed-loop rate, 32 senders (p99 ${summarize(closed.answers.map((a) => a.latencyMs)).p99Ms} ms)`,
        value: round(closed.rate),
        unit: 'events/s',
      },
    ];
    return {
      figures,
      profileDir,
      stored: { sent, accepted },
      details: {
        store,
        at200: { real, floor },
        search: search.map((pair) => ({
          rate: pair.rate,
          real: summarize(pair.real.answers.map((a) => a.latencyMs)),
          floor: summarize(pair.floor.answers.map((a) => a.latencyMs)),
          statuses: statusCounts(pair.real.answers),
        })),
        closedLoop: {
          rate: round(closed.rate),
          ...summarize(closed.answers.map((a) => a.latencyMs)),
        },
      },
    };
  } finally {
    await hub.stop();
    await sandbox.stop();
  }
}

/** What this issue tried on the path, and what the measurements around it showed. */
const TRIED = [
  'What was tried, and what limits it: the same one-transaction path as ingest-starts.',
  "Sampling pg_stat_activity during a 32-sender run showed PostgreSQL's backends mostly",
  "'idle in transaction' waiting for the hub's next statement, and commits waiting on",
  'WALWrite/WALSync. Since then (2 Dec) a store-only event is 6 round trips, not 9, when the',
  "member's level stays put: BEGIN, the event (inserted already processed), the member, the",
  'activity row, the roll-ups with the 30-day counts that set the level (one statement),',
  'COMMIT; the level is written only when it changed. One trial each before/after, on the',
  'machine of the run above: PGlite p50 at 200/s 433 to 216 ms, p99 3,352 to 2,359 ms,',
  'closed loop 139 to 157/s; PostgreSQL closed loop 243 to 261/s, its p99 within the noise',
  '(67 and 109 ms against floors of 10 and 14 ms): two full runs of this code within the hour',
  'gave 374 ms and 36 ms (the hub now keeps idle sockets 65 s, not',
  "Node's 5 s, which had reset 2 to 25 of PGlite's 1,600 deliveries).",
  'Since 3 Dec an event from an identity the store knows (nearly every event here after its',
  'first) is one statement that commits on its own, not a six-round-trip transaction: the',
  'event, the identity, the ledger row, the roll-ups and a milestone are the parts of one',
  "statement (store/known-identity-event.ts); the level's grade follows, written only when it",
  'changes. Three alternated runs each, before/after, one machine within the hour: PostgreSQL',
  'closed loop 617, 527, 630 to 732, 750, 804/s; p99 at 200/s 14.2, 2.0, 1.73 to 1.86, 1.81,',
  '1.52 times the floor; PGlite closed loop 338, 351, 341 to 513, 470, 410/s, p99 at 200/s',
  '3.7, 10.1, 3.9 to 2.19, 1.89, 2.2 times the floor. A review then had a level move graded',
  'again holding the roll-ups row (a CAS alone could lose a promotion); two alternated runs',
  'each, an hour later on a busier machine: PostgreSQL closed loop 550, 702 without it and',
  '602, 665/s with it, PGlite 339, 392 and 345, 394/s, so the rare locked grade costs nothing',
  'measurable. Runs of the same code vary widely here: PostgreSQL closed loop 520 to 804/s.',
  'At 300/s the PostgreSQL p99 was 9.1 to',
  '84 ms against a floor of about 4 ms: what is left is one fsync per event, on cores the',
  "generator shares. PGlite ran every statement on the hub's own event loop, so its latency",
  'was the whole queue. Since 3 Dec PGlite runs on a worker thread of its own',
  '(store/pglite-thread.ts), and every statement with parameters is prepared once per session',
  '(store/prepared-pool.ts for PostgreSQL, store/pglite-prepared.mjs for PGlite): in PGlite the',
  "known identity's statement took 2.6 ms, of which planning about 1 ms and execution 0.6 ms",
  '(EXPLAIN ANALYZE). Per-thread CPU over 3,000 closed-loop events (/proc): the PGlite thread',
  'spent 2.65 ms per event unprepared and 0.67 ms prepared. Alternated runs, two each within',
  'the hour: the thread alone, PGlite closed loop 166, 176 to 225, 223/s; prepared statements on',
  'top of it, PGlite p99 at 200/s 263 and 71 ms to 23.4 and 21.4 ms (floors 6 to 8 ms), and',
  'PostgreSQL closed loop 509, 661 to 765, 696/s, p99 at 200/s 6.5 and 2.4 to 2.0 and 1.8',
  'times the floor. The p99 at 200/s swung widely from run to run with 4 s arms: six runs of',
  'this code within 40 minutes on 3 Dec gave PostgreSQL 2.0, 1.8, 2.5, 8.6, 4.2 and 7.9 times',
  'the floor and PGlite 3.0, 3.5, 2.9, 1.7, 10.7 and 16.5 times, while vmstat showed up to 18%',
  'of the CPU stolen by the host in one-second samples: a stall of a second or two that falls',
  'on one 4 s arm sets its p99. Since then floor and real arms alternate every second (eight',
  'rounds at 200/s), so such stalls fall on both arms alike. Not',
  'tried yet: group commit across events (one fsync for many',
  'acknowledgements).',
].join(' ');

export const ingestActivity: Benchmark = {
  name: 'ingest-activity',
  async run(context) {
    const results = [];
    // The smoke keeps the PostgreSQL arm only: the PGlite hub's start (its WebAssembly build and
    // migrations) is most of a PGlite smoke, and both stores run the same code on this path.
    const stores = (
      context.size === 'full' ? (['postgres', 'pglite'] as const) : (['postgres'] as const)
    ).filter((store) => !process.env.BENCH_STORES || process.env.BENCH_STORES.includes(store));
    for (const store of stores) results.push(await measureStore(store, context));
    const findings = results.flatMap((result) =>
      result.profileDir
        ? [
            `${result.details.store}: the hub's CPU by self time (node --cpu-prof over the whole run): ${describeProfile(summarizeProfiles(result.profileDir).shares)}`,
          ]
        : [],
    );
    for (const { stored } of results)
      // Warm-up deliveries count too: the hub accepted at least every 200 it answered here.
      if (stored.accepted < stored.sent)
        throw new Error(`${stored.sent} events acknowledged, the hub counted ${stored.accepted}`);
    return {
      name: 'ingest-activity',
      title: 'Ingest: community activity under an open-loop flood',
      method:
        'Signed deliveries, a quarter each: Slack `message` and `reaction_added`, Discourse ' +
        '`post_created` and `post_liked`, from 500 members, to `townhall start` with no journeys ' +
        '(each event is stored, its member upserted and its activity rolled up; no workflow). An ' +
        'open-loop generator sends on a fixed schedule whatever the answers do, and latency counts ' +
        'from the scheduled time, so a stall shows up as latency. The floor: the same requests ' +
        'with a forged signature, answered 401 after the HMAC check, nothing stored; floor and ' +
        'real arms alternate every second, eight rounds at 200/s (the smoke: one). Then the offered rate steps up (300, 450, 600, 800, 1000/s, four rounds each) ' +
        'until p99 exceeds twice the floor at that rate or anything is not acknowledged. ' +
        'The generator, the hub, the dev server and PostgreSQL share the 2 cores. Every ' +
        "acknowledged event is checked against the hub's own count of accepted deliveries. " +
        `The "before" rate (${CLOSED_LOOP_BEFORE}/s, 32 closed-loop senders) is the issue's ` +
        'measurement before this work, not a same-run figure.',
      command: 'npm run bench -- ingest-activity',
      size: context.size,
      figures: results.flatMap((result) => result.figures),
      findings: [...findings, TRIED],
      details: results.map((result) => result.details),
    };
  },
};
