// The least a run needs (what its steps do, nothing else), and a month of a community's actions
// from the measured cost of each kind of run and stated rates.
import type { Step } from '../../workflows/steps/index.js';
import type { ActionKind } from './actions.js';

/** The least a run needs, by kind of action; its minimum is the sum. */
export type Needs = Partial<Record<ActionKind, number>>;

export const total = (needs: Needs) => Object.values(needs).reduce((a, b) => a + b, 0);

/**
 * A run the router starts through `steps`: one start, one activity per step that calls out, one
 * timer per wait. A branch's path depends on the member, so lists with one are not priced.
 */
export function stepNeeds(steps: readonly Step[]): Needs {
  for (const step of steps)
    if (step.type === 'if' || step.type === 'wait_until')
      throw new Error(`no fixed minimum for a list with ${step.type}: the path taken decides it`);
  const waits = steps.filter((step) => step.type === 'wait').length;
  return { 'workflow start': 1, activity: steps.length - waits, timer: waits };
}

/**
 * A 🎫 handoff through one agent reply and a solve: the start (a signal-with-start is one), the
 * effects (open the ticket, acknowledge it in the thread, carry the reply, post "solved", react
 * on the thread when a solved reaction is set, record the solve as the member's activity), the
 * agent's two events as signals, and one timer that ends the run once the thread is quiet.
 */
export const handoffNeeds = (solvedReaction: boolean): Needs => ({
  'workflow start': 1,
  activity: solvedReaction ? 6 : 5,
  signal: 2,
  timer: 1,
});

/** A backfill started on demand: one start and one push per batch. */
export const backfillNeeds = (members: number, batch: number): Needs => ({
  'workflow start': 1,
  activity: Math.ceil(members / batch),
});

/** A scheduled run that pushes `members` in batches: the schedule's 3, one push per batch. */
export const syncRunNeeds = (members: number, batch: number): Needs => ({
  'schedule run': 3,
  activity: Math.ceil(members / batch),
});

/** A scheduled scan that finds nobody: the schedule's 3 and one read. */
export const emptyScanNeeds: Needs = { 'schedule run': 3, activity: 1 };

/** One poll of a feed: the read and the pause before the next. */
export const pollNeeds: Needs = { activity: 1, timer: 1 };

export const MONTH_MS = 30 * 24 * 3_600_000;

/** What a month of the community does; every number is an assumption the findings state. */
export interface Community {
  members: number;
  joinsPerMonth: number;
  /** Joiners who post for the first time (the first-post journey). */
  firstPostsPerMonth: number;
  /** Members who posted and then went quiet (the re-engagement journey, once per 30 d at most). */
  lapsesPerMonth: number;
  /** Tickets handed off from a thread, each with one agent reply and a solve. */
  handoffsPerMonth: number;
  /** Intervals: the CRM sync schedule, the inactivity scan, the Reddit poll of each feed. */
  syncEveryMs: number;
  scanEveryMs: number;
  /** A feed is read every pollEveryMs while reads find something, every quietPollEveryMs when not. */
  pollEveryMs: number;
  quietPollEveryMs: number;
  /** The share of the month a feed has something new (the rest it is read at the quiet pace). */
  feedActiveShare: number;
  feeds: number;
}

/** Measured actions of each kind of run (averages from real histories). */
export interface MeasuredCosts {
  onboarding: number;
  firstPost: number;
  reEngagement: number;
  handoff: number;
  /** An incremental sync run that pushed one batch. */
  syncRun: number;
  /** An inactivity scan that found nobody. */
  emptyScan: number;
  /** One poll of one feed (its activity and its pause). */
  poll: number;
}

export interface MonthLine {
  what: string;
  runs: number;
  each: number;
  actions: number;
}

/** The month's actions, line by line: the runs members cause, then the ones the clock causes. */
export function monthOf(community: Community, costs: MeasuredCosts): MonthLine[] {
  const line = (what: string, runs: number, each: number): MonthLine => ({
    what,
    runs: Math.round(runs),
    each,
    actions: Math.round(runs * each),
  });
  return [
    line('onboarding (a join)', community.joinsPerMonth, costs.onboarding),
    line('first-post journey', community.firstPostsPerMonth, costs.firstPost),
    line('re-engagement journey', community.lapsesPerMonth, costs.reEngagement),
    line('support handoff', community.handoffsPerMonth, costs.handoff),
    // Changed members are few per interval (a few a minute at most): one batch a run.
    line('CRM sync run', MONTH_MS / community.syncEveryMs, costs.syncRun),
    line('inactivity scan', MONTH_MS / community.scanEveryMs, costs.emptyScan),
    // The backoff's ramp (2×, 4×, ... pollEvery) between the two paces is not counted.
    line(
      'Reddit poll',
      MONTH_MS *
        (community.feedActiveShare / community.pollEveryMs +
          (1 - community.feedActiveShare) /
            Math.max(community.pollEveryMs, community.quietPollEveryMs)) *
        community.feeds,
      costs.poll,
    ),
  ];
}

export const monthTotal = (lines: readonly MonthLine[]) =>
  lines.reduce((sum, line) => sum + line.actions, 0);
