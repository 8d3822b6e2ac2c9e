// The journey workflow on the real dev server with stub activities: steps in order, and an exit
// that ends a wait at once or lets the step in progress finish and nothing after it.
// RECORD_HISTORIES=<dir> also writes each run's history there: that is how
// tests/replay/histories/journey-*.json were made (see tests/replay/journey.test.ts).
import { randomBytes } from 'node:crypto';
import { activityInfo } from '@temporalio/activity';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { RunningWorker } from '../../runtime/temporal.js';
import { createTemporalClient } from '../../runtime/temporal.js';
import { sampleMember } from '../../runtime/journey-simulation.js';
import type { JourneyInput } from '../../workflows/journey/types.js';
import {
  exitSignal,
  journey,
  memberEventSignal,
  positionQuery,
} from '../../workflows/journey/workflow.js';
import type { Step } from '../../workflows/steps/index.js';
import { recordHistory } from '../support/replay.js';
import { startTestWorker } from '../support/worker.js';

const taskQueue = `journey-tier-${randomBytes(4).toString('hex')}`;
const calls: { name: string; activityId: string }[] = [];
/** Resolves a send that the test holds open, to signal an exit while it is in progress. */
let releaseSend: (() => void) | undefined;

/** Outcomes the next DMs report (a skip), before the stub goes back to 'sent'. */
const dmOutcomes: string[] = [];

const stub = (name: string) => async () => {
  calls.push({ name, activityId: activityInfo().activityId });
  if (releaseSend) await new Promise<void>((resolve) => (releaseSend = resolve));
  return (name === 'sendDirectMessage' && dmOutcomes.shift()) || 'sent';
};

const slots = new Map<string, Set<string>>();
const refused = new Set<string>();

let client: Client;
let worker: RunningWorker;
beforeAll(async () => {
  client = createTemporalClient(inject('temporalAddress'), 'default');
  worker = await startTestWorker({
    taskQueue,
    activities: {
      sendEmail: stub('sendEmail'),
      sendDirectMessage: stub('sendDirectMessage'),
      postNotice: stub('postNotice'),
      memberFacts: () => {
        calls.push({ name: 'memberFacts', activityId: activityInfo().activityId });
        return Promise.resolve({ ...NO_FACTS, timezone: 'Asia/Tokyo' });
      },
      // A stub store of cap slots per run. The send-rules run finds the member at the cap on its
      // first ask (another journey's message); the others take what is free.
      takeSendSlot: (input: { step: string; limit: number }) => {
        calls.push({ name: 'takeSendSlot', activityId: activityInfo().activityId });
        const run = activityInfo().workflowExecution!.workflowId;
        const held = slots.get(run) ?? new Set<string>();
        slots.set(run, held);
        const refuseOnce = run.includes(':send-rules:') && !refused.has(run);
        refused.add(run);
        if (held.has(input.step)) return Promise.resolve({ taken: true });
        if (refuseOnce || held.size >= input.limit)
          return Promise.resolve({ taken: false, retryInMs: 400 });
        held.add(input.step);
        return Promise.resolve({ taken: true });
      },
      releaseSendSlot: (input: { step: string }) => {
        calls.push({ name: 'releaseSendSlot', activityId: activityInfo().activityId });
        slots.get(activityInfo().workflowExecution!.workflowId)?.delete(input.step);
        return Promise.resolve();
      },
    },
  });
});
afterAll(async () => {
  await worker?.shutdown();
});

/** A member with an email, consent and a Discourse identity, nothing else known. */
const NO_FACTS = sampleMember(['discourse'], 'discourse').facts;

const DRIP: Step[] = [
  { type: 'email.send', template: 'miss-you', subject: 'We miss you' },
  { type: 'wait', ms: 30_000 },
  { type: 'dm.send', text: 'Still around?', subject: 'Hello' },
];

function start(
  name: string,
  steps: Step[],
  extra: Partial<JourneyInput> = {},
): Promise<WorkflowHandle<typeof journey>> {
  calls.length = 0;
  const input: JourneyInput = {
    journey: 'drip',
    memberId: `m-${randomBytes(4).toString('hex')}`,
    platform: 'discourse',
    steps,
    exitWhen: ['message.posted'],
    ...extra,
  };
  return client.workflow.start(journey, {
    taskQueue,
    workflowId: `journey-tier:${name}:${input.memberId}`,
    args: [input],
  });
}

const until = async (check: () => boolean) => {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
};

/**
 * Every TownhallStep upsert in the run's history (each a billed action): the value it set, and
 * whether the run's next event started a timer (the upsert marked a wait).
 */
async function stepMarks(handle: WorkflowHandle) {
  const events = (await handle.fetchHistory()).events ?? [];
  return events.flatMap((event, index) => {
    const step =
      event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields
        ?.TownhallStep;
    if (!step) return [];
    const value = defaultPayloadConverter.fromPayload<string>(step);
    return [{ value, beforeTimer: events[index + 1]?.timerStartedEventAttributes != null }];
  });
}

describe('journey workflow with stub activities', () => {
  it('runs every step when nothing ends it', async () => {
    const handle = await start('whole', [
      DRIP[0]!,
      { type: 'wait', ms: 300 },
      DRIP[2]!,
      { type: 'wait', ms: 300 },
      DRIP[0]!,
    ]);
    const result = await handle.result();
    expect(result).toMatchObject({
      steps: [
        { type: 'email.send', outcome: 'sent', path: 'steps[0]' },
        { type: 'wait', outcome: 'waited', path: 'steps[1]' },
        { type: 'dm.send', outcome: 'sent', path: 'steps[2]' },
        { type: 'wait', outcome: 'waited', path: 'steps[3]' },
        { type: 'email.send', outcome: 'sent', path: 'steps[4]' },
      ],
    });
    expect(result.exited).toBeUndefined();
    // Each step's time on the run's clock: the two waits of 300 ms are in it.
    expect(result.steps[4]!.at).toBeGreaterThanOrEqual(600);
    expect(calls.map((c) => c.activityId)).toEqual(['steps[0]#1', 'steps[2]#1', 'steps[4]#1']);
    await recordHistory(handle, 'journey-whole');
  });

  it('ends a 30 s wait at once on an exit, and runs nothing after it', async () => {
    const handle = await start('exit-in-wait', DRIP);
    // In the wait, not merely after the send was called: an exit that came during the send
    // would end the run before the wait began (also right, but not what this test shows).
    while ((await handle.query(positionQuery))?.path !== 'steps[1]')
      await new Promise((resolve) => setTimeout(resolve, 20));
    const signalled = Date.now();
    await handle.signal(exitSignal, { reason: 'message.posted' });
    const result = await handle.result();
    expect(Date.now() - signalled).toBeLessThan(10_000);
    expect(result).toMatchObject({
      steps: [
        { type: 'email.send', outcome: 'sent' },
        { type: 'wait', outcome: 'ended early: message.posted' },
      ],
      exited: 'message.posted',
    });
    expect(calls.map((c) => c.name)).toEqual(['sendEmail']);
    await recordHistory(handle, 'journey-exit-in-wait');
  });

  it('leaves TownhallStep = "exited <reason>" on a run an exit ended, which the console counts', async () => {
    const handle = await start('exit-reason', DRIP, { searchAttributes: true });
    while ((await handle.query(positionQuery))?.path !== 'steps[1]')
      await new Promise((resolve) => setTimeout(resolve, 20));
    await handle.signal(exitSignal, { reason: 'member.left' });
    expect((await handle.result()).exited).toBe('member.left');
    const description = await handle.describe();
    expect(description.searchAttributes.TownhallStep).toEqual(['exited member.left']);
    // Visibility catches up shortly after the run closes: the count the ops view makes.
    const query = `WorkflowId = '${handle.workflowId}' AND TownhallStep = 'exited member.left'`;
    let counted = 0;
    for (let i = 0; i < 100 && counted === 0; i++) {
      counted = (await client.workflow.count(query)).count;
      if (counted === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(counted).toBe(1);
    await recordHistory(handle, 'journey-exit-reason');
  });

  it('marks TownhallStep once, at the wait, in a run of send, wait, send', async () => {
    releaseSend = () => undefined;
    const steps: Step[] = [DRIP[0]!, { type: 'wait', ms: 300 }, DRIP[2]!];
    const handle = await start('step-attribute-at-waits', steps, { searchAttributes: true });
    // The position query still follows every step, the ones that do not wait too.
    await until(() => calls.length === 1);
    expect(await handle.query(positionQuery)).toEqual({ path: 'steps[0]', type: 'email.send' });
    const release = releaseSend;
    releaseSend = undefined;
    release();
    expect((await handle.result()).steps.map((step) => step.outcome)).toEqual([
      'sent',
      'waited',
      'sent',
    ]);
    expect(await stepMarks(handle)).toEqual([{ value: 'steps[1] wait', beforeTimer: true }]);
    // A completed run keeps the wait it last sat at.
    expect((await handle.describe()).searchAttributes.TownhallStep).toEqual(['steps[1] wait']);
    await recordHistory(handle, 'journey-step-attribute-at-waits');

    // Steps that do not wait mark nothing: only the start and the two activities bill.
    const sends = await start('no-waits', [DRIP[0]!, DRIP[2]!], { searchAttributes: true });
    await sends.result();
    expect(await stepMarks(sends)).toEqual([]);
  });

  it('marks no wait of a journey with mark_waits: false, and still its exit', async () => {
    const steps: Step[] = [{ type: 'wait', ms: 300 }, DRIP[2]!, { type: 'wait', ms: 30_000 }];
    const extra = { searchAttributes: true, markWaits: false as const };
    const quiet = await start('unmarked-waits', steps.slice(0, 2), extra);
    expect((await quiet.result()).steps.map((step) => step.outcome)).toEqual(['waited', 'sent']);
    expect(await stepMarks(quiet)).toEqual([]);
    // An exit is still marked: the console counts exits by reason from it.
    const exited = await start('unmarked-exit', steps, extra);
    while ((await exited.query(positionQuery))?.path !== 'steps[2]')
      await new Promise((resolve) => setTimeout(resolve, 20));
    await exited.signal(exitSignal, { reason: 'member.left' });
    await exited.result();
    expect((await stepMarks(exited)).map((mark) => mark.value)).toEqual(['exited member.left']);
  });

  it('lets a send in progress finish when an exit arrives, then stops', async () => {
    releaseSend = () => undefined;
    const handle = await start('exit-in-send', DRIP);
    await until(() => calls.length === 1);
    await handle.signal(exitSignal, { reason: 'member.left' });
    const release = releaseSend;
    releaseSend = undefined;
    release();
    const result = await handle.result();
    expect(result).toMatchObject({
      steps: [{ type: 'email.send', outcome: 'sent' }],
      exited: 'member.left',
    });
    expect(calls.map((c) => c.name)).toEqual(['sendEmail']);
  });

  it('takes wait_until’s then path on the awaited event, its else path on the timeout', async () => {
    const waitUntil = (timeoutMs: number): Step => ({
      type: 'wait_until',
      event: 'activity',
      timeoutMs,
      then: [{ type: 'email.send', template: 'thanks', subject: 'Thanks' }],
      else: [{ type: 'dm.send', text: 'Say hello', subject: 'Hello' }],
    });
    const answered = await start('wait-until', [waitUntil(30_000), DRIP[0]!]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await answered.signal(memberEventSignal, { kinds: ['reaction.added', 'activity'] });
    expect(await answered.result()).toMatchObject({
      steps: [
        { type: 'email.send', outcome: 'sent' },
        { type: 'wait_until', outcome: 'activity: then' },
        { type: 'email.send', outcome: 'sent' },
      ],
    });
    expect(calls.map((c) => c.activityId)).toEqual(['steps[0].then[0]#1', 'steps[1]#1']);
    await recordHistory(answered, 'journey-wait-until');

    const unanswered = await start('wait-until-timeout', [waitUntil(500)]);
    expect((await unanswered.result()).steps.map((s) => s.outcome)).toEqual([
      'sent',
      'timed out: else',
    ]);
    expect(calls.map((c) => [c.name, c.activityId])).toEqual([
      ['sendDirectMessage', 'steps[0].else[0]#1'],
    ]);
  });

  it("holds a send for the member's window, then for the cap, and marks TownhallStep there once", async () => {
    // A window that opens a second from now on Tokyo's clock (the member's zone, from facts).
    const second = (ms: number) => {
      const [h, m, s] = new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Asia/Tokyo',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      })
        .format(ms)
        .split(':')
        .map(Number) as [number, number, number];
      return h * 3600 + m * 60 + s;
    };
    const from = second(Date.now() + 1_500);
    const handle = await start(
      'send-rules',
      [
        { type: 'email.send', template: 'miss-you', subject: 'We miss you' },
        { type: 'notify', channel: 'C0TEAM', text: '{{ member.name }} is back' },
      ],
      {
        sendWindow: {
          days: [0, 1, 2, 3, 4, 5, 6],
          from,
          to: Math.min(86_400, from + 3600),
          timezone: 'UTC',
        },
        limits: { onCap: 'defer', email: { limit: 1, periodMs: 60_000, text: '1 per 1m' } },
        searchAttributes: true,
      },
    );
    const result = await handle.result();
    expect(result.steps.map((step) => [step.path, step.type, step.outcome])).toEqual([
      [
        'steps[0]',
        'send_window',
        expect.stringMatching(/^deferred [12]s to the window's opening \(Asia\/Tokyo\)$/),
      ],
      ['steps[0]', 'cap', 'deferred 1s: email cap (1 per 1m)'],
      ['steps[0]', 'email.send', 'sent'],
      ['steps[1]', 'notify', 'sent'],
    ]);
    // The zone is read once per run; the cap asked twice, each its own activity.
    expect(calls.map((call) => [call.name, call.activityId])).toEqual([
      ['memberFacts', 'member-time-zone'],
      ['takeSendSlot', 'steps[0]#1/cap#1'],
      ['takeSendSlot', 'steps[0]#1/cap#2'],
      ['sendEmail', 'steps[0]#1'],
      ['postNotice', 'steps[1]#1'],
    ]);
    expect(result.steps[2]!.at).toBeGreaterThanOrEqual(1_000);
    // Both holds are one wait at steps[0]; the notify after it does not wait and marks nothing.
    expect(await stepMarks(handle)).toEqual([{ value: 'steps[0] email.send', beforeTimer: true }]);
    const description = await handle.describe();
    expect(description.searchAttributes.TownhallStep).toEqual(['steps[0] email.send']);
    await recordHistory(handle, 'journey-send-rules');
  });

  it('branches an if on the facts it read once, kept in history', async () => {
    const handle = await start('if', [
      {
        type: 'if',
        when: { has_email: true, platform: 'discourse' },
        then: [{ type: 'dm.send', text: 'You have both', subject: 'Hi' }],
        else: [{ type: 'email.send', template: 'miss-you', subject: 'Only one' }],
      },
      {
        type: 'if',
        when: { posts: { gte: 5 } },
        then: [{ type: 'email.send', template: 'miss-you', subject: 'A regular' }],
        else: [],
      },
    ]);
    const result = await handle.result();
    expect(result.steps.map((step) => [step.path, step.outcome])).toEqual([
      ['steps[0].then[0]', 'sent'],
      ['steps[0]', 'conditions held: then'],
      ['steps[1]', 'conditions not held: else'],
    ]);
    expect(calls.map((call) => [call.name, call.activityId])).toEqual([
      ['memberFacts', 'steps[0]#1'],
      ['sendDirectMessage', 'steps[0].then[0]#1'],
      ['memberFacts', 'steps[1]#1'],
    ]);
    await recordHistory(handle, 'journey-if');
  });

  it('gives a capped place back when the message was not sent after all', async () => {
    dmOutcomes.push('skipped: member has no discourse identity');
    const handle = await start(
      'cap-release',
      [
        { type: 'dm.send', text: 'First', subject: 'Hi' },
        { type: 'dm.send', text: 'Second', subject: 'Hi' },
      ],
      { limits: { onCap: 'skip', dm: { limit: 1, periodMs: 60_000, text: '1 per 1m' } } },
    );
    const result = await handle.result();
    // Without the release, the second DM would find the one place taken and be skipped.
    expect(result.steps.map((step) => step.outcome)).toEqual([
      'skipped: member has no discourse identity',
      'sent',
    ]);
    expect(calls.map((call) => [call.name, call.activityId])).toEqual([
      ['takeSendSlot', 'steps[0]#1/cap#1'],
      ['sendDirectMessage', 'steps[0]#1'],
      ['releaseSendSlot', 'steps[0]#1/cap-release'],
      ['takeSendSlot', 'steps[1]#1/cap#1'],
      ['sendDirectMessage', 'steps[1]#1'],
    ]);
  });
});
