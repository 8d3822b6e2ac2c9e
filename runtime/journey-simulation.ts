import type { Journey } from '../config/journeys.js';
import { kindsOf } from '../config/journeys.js';
import { limitsFor } from '../config/limits.js';
import type { CommunityEventType } from '../connectors/events.js';
import { COMMUNITY_EVENT_TYPES } from '../connectors/events.js';
import type { MemberFacts } from '../store/member-facts.js';
import type { SlotAnswer } from '../store/send-slots.js';
import { capAnswer } from '../store/send-slots.js';
import { noticeVariables } from '../activities/notices.js';
import { createEmailRenderer, renderText } from '../activities/templates.js';
import { runJourney } from '../workflows/journey/run.js';
import type { StepActivities, ThreadRef } from '../workflows/steps/context.js';
import type { StepEngine } from '../workflows/steps/engine.js';
import { awaitedEvents } from '../workflows/steps/index.js';
import type { SendLimits } from '../workflows/steps/send-gate.js';
import type { StepOutcome } from '../workflows/steps/run.js';

/**
 * `townhall simulate`: a journey's own step code (workflows/journey/run.ts) on a virtual clock,
 * with activities that render what they would send and send nothing. Waits of weeks take no
 * time; the member's scripted events reach the run as the router's signals would.
 */

/** Who the simulation runs for: a member of the store, or a sample one. */
export interface SimulatedMember {
  name: string;
  email: string | null;
  /** The platform the journey was entered from: where DMs go. */
  platform?: string | undefined;
  facts: MemberFacts;
  /** Places the member's messages already hold under the caps (from other journeys). */
  slots?: { channel: string; at: number }[] | undefined;
}

/** The sample member when --member is not given: has an email, consent, and every platform. */
export function sampleMember(platforms: string[], platform: string | undefined): SimulatedMember {
  return {
    name: 'Ada',
    email: 'ada@example.com',
    platform,
    facts: {
      platforms,
      level: null,
      hasEmail: true,
      emailConfirmed: true,
      emailConsent: true,
      milestones: [],
      posts: 0,
      timezone: null,
    },
  };
}

/** A member event at a time after the start: `message.posted@3d`, `unsubscribed@1w`. */
export interface ScriptedEvent {
  type: CommunityEventType | 'unsubscribed';
  atMs: number;
}

export interface TimelineEntry extends StepOutcome {
  at: number;
  /** What a send would have said: the rendered subject or text. */
  detail?: string | undefined;
}

export interface Simulation {
  startedAt: number;
  timeline: TimelineEntry[];
  /** The member events as the run heard them: an exit, a wait_until's event, or ignored. */
  events: { type: string; at: number; heard: 'exit' | 'event' | 'ignored' | 'after the end' }[];
  exited?: string | undefined;
  endedAt: number;
}

/** A shown event's kinds, as the router signals them (server/journeys.ts). */
const kindsOfScripted = (type: ScriptedEvent['type']) =>
  type === 'unsubscribed' ? ['unsubscribed'] : kindsOf(type);

export const SCRIPTED_EVENT_TYPES = [...COMMUNITY_EVENT_TYPES, 'unsubscribed'] as const;

export async function simulateJourney(args: {
  name: string;
  journey: Journey;
  limits?: SendLimits | undefined;
  member: SimulatedMember;
  events?: readonly ScriptedEvent[];
  /** Email templates (the mailer's templatesDir); without one, subjects are shown unrendered. */
  templatesDir?: string | undefined;
  startAt?: number;
  /** The thread the trigger came from, as a real run's input has it; none: a top-level event. */
  thread?: ThreadRef | undefined;
}): Promise<Simulation> {
  const startedAt = args.startAt ?? Date.now();
  let now = startedAt;
  const pending = [...(args.events ?? [])]
    .map((event) => ({ ...event, at: startedAt + event.atMs }))
    .sort((a, b) => a.at - b.at);
  const heard: Simulation['events'] = [];
  const details = new Map<string, string>();
  let exitHandler: (reason: string) => void = () => undefined;
  let eventHandler: (kinds: string[]) => void = () => undefined;
  const awaits = awaitedEvents(args.journey.steps);

  /** Delivers every scripted event due by `until`, as the router would signal it. */
  const deliverUntil = (until: number, test?: () => boolean): boolean => {
    while (pending.length > 0 && pending[0]!.at <= until) {
      const event = pending.shift()!;
      now = Math.max(now, event.at);
      const kinds = kindsOfScripted(event.type);
      const leaving = event.type === 'member.left';
      if (leaving || args.journey.exitWhen.some((kind) => kinds.includes(kind))) {
        heard.push({ type: event.type, at: now - startedAt, heard: 'exit' });
        exitHandler(leaving ? 'member.left' : kinds[0]!);
      } else if (awaits.some((kind) => kinds.includes(kind))) {
        heard.push({ type: event.type, at: now - startedAt, heard: 'event' });
        eventHandler(kinds);
      } else heard.push({ type: event.type, at: now - startedAt, heard: 'ignored' });
      if (test?.()) return true;
    }
    return false;
  };

  const slots: { channel: string; at: number; step: string }[] = (args.member.slots ?? []).map(
    (slot, index) => ({ ...slot, step: `earlier #${index}` }),
  );
  let step = '';
  const renderEmail = args.templatesDir ? createEmailRenderer(args.templatesDir) : undefined;
  const vars = { member: { name: args.member.name } };
  const noticeVars = noticeVariables(args.member.name, args.member.facts);
  const activities: StepActivities = {
    memberFacts: () => Promise.resolve(args.member.facts),
    takeSendSlot: (input: {
      step: string;
      channel: string;
      limit: number;
      periodMs: number;
    }): Promise<SlotAnswer> => {
      if (slots.some((slot) => slot.step === input.step)) return Promise.resolve({ taken: true });
      const recent = slots
        .filter((slot) => slot.channel === input.channel && slot.at > now - input.periodMs)
        .map((slot) => slot.at)
        .sort((a, b) => b - a)
        .slice(0, input.limit);
      const answer = capAnswer(recent, input.limit, input.periodMs, now);
      if (answer.taken) slots.push({ channel: input.channel, at: now, step: input.step });
      return Promise.resolve(answer);
    },
    releaseSendSlot: (input: { step: string }) => {
      const index = slots.findIndex((slot) => slot.step === input.step);
      if (index >= 0) slots.splice(index, 1);
      return Promise.resolve();
    },
    async sendEmail(input: { template: string; subject: string }) {
      if (!args.member.email) return 'skipped: member has no email';
      if (!args.member.facts.emailConsent) return 'skipped: member opted out of email';
      const subject = renderEmail
        ? (await renderEmail(input.template, input.subject, vars)).subject
        : input.subject;
      details.set(step, `email "${subject}" (template ${input.template})`);
      return 'sent';
    },
    async sendDirectMessage(input: { platform: string; text: string }) {
      if (!args.member.facts.platforms.includes(input.platform))
        return `skipped: member has no ${input.platform} identity`;
      details.set(step, `DM on ${input.platform}: "${await renderText(input.text, vars, 'text')}"`);
      return 'sent';
    },
    async postNotice(input: { platform?: string; channel: string; text: string }) {
      const text = await renderText(input.text, noticeVars, 'notify text');
      details.set(
        step,
        `notice in ${input.channel}${input.platform ? ` on ${input.platform}` : ''}: "${text}"`,
      );
      return 'sent';
    },
    async replyToThread(input: { platform: string; threadId: string; text: string }) {
      const text = await renderText(input.text, vars, 'thread.reply text');
      details.set(step, `reply in ${input.platform} thread ${input.threadId}: "${text}"`);
      return 'sent';
    },
    upsertCrmContact(input: { properties: Record<string, string> }) {
      if (!args.member.email) return Promise.resolve('skipped: member has no email');
      details.set(step, `CRM contact, properties ${JSON.stringify(input.properties)}`);
      return Promise.resolve('upserted');
    },
  };
  const engine: StepEngine = {
    now: () => now,
    // A sleep hears events (an exit ends nothing here) and moves the clock to its end.
    sleep: (ms) => {
      const deadline = now + ms;
      deliverUntil(deadline);
      now = deadline;
      return Promise.resolve();
    },
    condition: (test, ms) => {
      if (test()) return Promise.resolve(true);
      const deadline = now + ms;
      if (deliverUntil(deadline, test)) return Promise.resolve(true);
      now = deadline;
      return Promise.resolve(test());
    },
    patched: () => true,
    activities: () => activities,
  };

  const result = await runJourney(
    {
      journey: args.name,
      memberId: 'simulated',
      platform: args.member.platform,
      ...(args.thread ? { thread: args.thread } : {}),
      ...journeyInput(args),
    },
    engine,
    {
      onExit: (handler) => {
        exitHandler = handler;
      },
      onMemberEvent: (handler) => {
        eventHandler = handler;
      },
    },
    {
      onPosition: (position) => {
        step = position.path;
      },
      // The outcome is the timeline's own entry: what the step would have sent goes with it.
      onStepDone: (_index, outcome) => {
        const detail = outcome.path === undefined ? undefined : details.get(outcome.path);
        if (detail !== undefined) (outcome as TimelineEntry).detail = detail;
        if (outcome.path !== undefined) details.delete(outcome.path);
      },
    },
  );
  // Events after the run ended reach nobody: the router finds no run to signal.
  for (const event of pending)
    heard.push({ type: event.type, at: event.at - startedAt, heard: 'after the end' });
  return {
    startedAt,
    timeline: result.steps.map((entry) => ({ ...entry, at: entry.at ?? 0 })),
    events: heard,
    ...(result.exited ? { exited: result.exited } : {}),
    endedAt: now - startedAt,
  };
}

function journeyInput(args: { journey: Journey; limits?: SendLimits | undefined }) {
  return {
    steps: args.journey.steps,
    exitWhen: args.journey.exitWhen,
    sendWindow: args.journey.sendWindow,
    limits: limitsFor(args.limits, args.journey),
  };
}
