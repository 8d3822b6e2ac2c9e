// The cost scenario's runs sorted into kinds (a join's onboarding, each journey, a handoff, the
// CRM backfill and sync, the clock's scans and polls), each with its measured actions per run
// next to the least its steps need, and what the difference is made of.
import { BATCH_LIMIT } from '../../connectors/hubspot/contacts.js';
import type { ActionCount, ActionKind } from './actions.js';
import { addCounts, countActions } from './actions.js';
import type { Needs } from './cost-model.js';
import {
  backfillNeeds,
  emptyScanNeeds,
  handoffNeeds,
  pollNeeds,
  stepNeeds,
  syncRunNeeds,
  total,
} from './cost-model.js';
import type { ScenarioResult } from './cost-scenario.js';

export interface KindCost {
  name: string;
  /** Runs (or members, or polls) the averages are over. */
  samples: number;
  /** Mean actions per sample. */
  actions: number;
  minimum: number;
  /** The minimum's make-up, by kind of action, per sample. */
  needs: Needs;
  /** The measured make-up, per sample. */
  byKind: Partial<Record<ActionKind, number>>;
  /** Billed actions per sample by kind and name (`activity sendEmail`). */
  events: Record<string, number>;
}

function kindCost(name: string, counts: ActionCount[], samples: number, needs: Needs): KindCost {
  const sum = addCounts(counts);
  const scale = (values: Partial<Record<string, number>>) =>
    Object.fromEntries(Object.entries(values).map(([key, n]) => [key, (n ?? 0) / samples]));
  const events: Record<string, number> = {};
  for (const event of sum.billed) {
    const key = `${event.kind}${event.detail ? ` ${event.detail}` : ''}`;
    events[key] = (events[key] ?? 0) + event.actions / samples;
  }
  return {
    name,
    samples,
    actions: sum.total / samples,
    minimum: total(needs) / samples,
    needs: scale(needs),
    byKind: scale(sum.byKind),
    events,
  };
}

/** `needs` for one run, times `n` runs. */
const times = (needs: Needs, n: number): Needs =>
  Object.fromEntries(Object.entries(needs).map(([kind, v]) => [kind, v * n]));

/** The kinds' figures, from the scenario's histories. */
export function analyze(scenario: ScenarioResult): KindCost[] {
  const counted = scenario.runs.map((run) => ({ ...run, count: countActions(run.history) }));
  const ofType = (type: string) => counted.filter((run) => run.type === type);
  const kinds: KindCost[] = [];
  const add = (name: string, counts: ActionCount[], samples: number, needs: Needs) => {
    if (samples > 0) kinds.push(kindCost(name, counts, samples, needs));
  };

  // Scans that found nobody are the clock's cost. A scan that started journeys hands each one
  // its start (a child's: 2) and a share of the activities beyond an empty scan's.
  const scans = ofType('journeyScan').map((run) => ({
    ...run,
    children: (run.history.events ?? [])
      .map((event) => event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId)
      .filter((id): id is string => typeof id === 'string'),
  }));
  const empty = scans.filter((scan) => scan.children.length === 0);
  add(
    'inactivity scan, nobody found',
    empty.map((scan) => scan.count),
    empty.length,
    times(emptyScanNeeds, empty.length),
  );
  const emptyMean = empty.length
    ? empty.reduce((sum, scan) => sum + scan.count.total, 0) / empty.length
    : total(emptyScanNeeds);
  const entryShare = new Map<string, ActionCount>();
  for (const scan of scans.filter((s) => s.children.length > 0)) {
    const beyond = (scan.count.total - emptyMean - 2 * scan.children.length) / scan.children.length;
    for (const child of scan.children)
      entryShare.set(child, {
        total: 2 + beyond,
        byKind: { 'child workflow start': 2, activity: beyond },
        billed: [
          { eventId: 0, eventType: '', kind: 'child workflow start', actions: 2 },
          { eventId: 0, eventType: '', kind: 'activity', actions: beyond, detail: '(its scan)' },
        ],
      });
  }

  const onboarding = ofType('onboarding');
  const onboardingSteps = scenario.config.workflows.onboarding?.steps ?? [];
  add(
    'onboarding (a join)',
    onboarding.map((run) => run.count),
    onboarding.length,
    times(stepNeeds(onboardingSteps), onboarding.length),
  );
  for (const [name, journey] of Object.entries(scenario.config.journeys)) {
    const runs = ofType('journey').filter((run) => run.workflowId.startsWith(`journey:${name}:`));
    add(
      `journey ${name}`,
      runs.map((run) => {
        const share = entryShare.get(run.workflowId);
        return share ? addCounts([run.count, share]) : run.count;
      }),
      runs.length,
      times(stepNeeds(journey.steps), runs.length),
    );
  }

  const handoffs = ofType('handoff').filter((run) => scenario.handoffIds.includes(run.workflowId));
  add(
    'support handoff (🎫, a reply, solved)',
    handoffs.map((run) => run.count),
    handoffs.length,
    times(handoffNeeds(Boolean(scenario.config.handoff?.solved_reaction)), handoffs.length),
  );

  // The backfill (with any continuations) per 100 members written; the sync run as one run.
  const done = scenario.backfill.done;
  add(
    'CRM backfill, per 100 members',
    ofType('crmBackfill').map((run) => run.count),
    done / 100,
    backfillNeeds(done, BATCH_LIMIT),
  );
  const sync = counted.filter((run) => run.runId === scenario.sync.runId);
  add(
    'CRM sync run',
    sync.map((run) => run.count),
    sync.length,
    syncRunNeeds(scenario.sync.written, BATCH_LIMIT),
  );

  // A poller's start is shared by its polls (it continues as new every 200 of them). Counted
  // over whole polls (a read and its pause): the last read may have had no pause yet when the
  // run was ended.
  const pollers = ofType('communityPoll').map((run) => {
    const lastPause = Math.max(
      0,
      ...run.count.billed.filter((e) => e.kind === 'timer').map((e) => e.eventId),
    );
    const billed = run.count.billed.filter((e) => e.kind !== 'activity' || e.eventId < lastPause);
    const byKind: Partial<Record<ActionKind, number>> = {};
    for (const e of billed) byKind[e.kind] = (byKind[e.kind] ?? 0) + e.actions;
    return { total: billed.reduce((sum, e) => sum + e.actions, 0), byKind, billed };
  });
  const whole = pollers.reduce((n, run) => n + (run.byKind.timer ?? 0), 0);
  add('Reddit poll (one feed)', pollers, whole, {
    ...times(pollNeeds, whole),
    'workflow start': pollers.length,
  });
  return kinds;
}

/** What a kind spends beyond its minimum, by kind of action (negative: less than it needs). */
export function excess(kind: KindCost): { kind: string; extra: number }[] {
  const all = new Set([...Object.keys(kind.byKind), ...Object.keys(kind.needs)]);
  return [...all]
    .map((name) => ({
      kind: name,
      extra: (kind.byKind[name as ActionKind] ?? 0) - (kind.needs[name as ActionKind] ?? 0),
    }))
    .filter((entry) => Math.abs(entry.extra) > 1e-9);
}
