import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { JourneysConfig } from '../config/journeys.js';
import type { MembersConfig } from '../config/members.js';
import { DEFAULT_MEMBERS_CONFIG, isStaff } from '../config/members.js';
import type { CommunityEvent } from '../connectors/events.js';
import { recordActivity } from '../store/activity.js';
import type { Db } from '../store/db.js';
import { markEventProcessed, recordEvent } from '../store/events.js';
import { recordKnownIdentityEvent } from '../store/known-identity-event.js';
import { joinConfirmedIdentity } from '../store/confirmed-identity.js';
import { upsertMemberFromIdentity } from '../store/members.js';
import type { AnyWorkflow } from '../workflows/descriptor.js';
import { workflowRegistry } from '../workflows/registry.js';
import type { Routing } from '../workflows/steps/context.js';
import type { TriggerRow } from '../workflows/triggers.js';
import { triggerTable } from '../workflows/triggers.js';
import { createJourneyRouter } from './journeys.js';
import type { HandoffRouter } from './handoff.js';
import type { SendLimits } from '../workflows/steps/send-gate.js';

export interface RouterDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  /** The config's `workflows:` section: which workflows are on, and their settings. */
  workflows: Record<string, unknown>;
  /** The config's `journeys:` section; none when absent. */
  journeys?: JourneysConfig | undefined;
  /** The config's `limits:` (caps per channel across journeys). */
  limits?: SendLimits | undefined;
  /** The namespace has the journeys' search attributes: runs set them. */
  searchAttributes?: boolean | undefined;
  /** The config's `members:` section (staff, scores, levels, milestones); defaults when absent. */
  members?: MembersConfig | undefined;
  /** Which connectors and task queues serve runs started now (runtime/routing.ts). */
  routing?: Routing | undefined;
  logger: Logger;
  /** How long a webhook may wait on Temporal before answering 503 (Slack allows 3 s in all). */
  startTimeoutMs?: number;
  /** The support handoff's rules at work (server/handoff.ts); none when `handoff:` is absent. */
  handoff?: HandoffRouter | undefined;
  /** The workflow types whose triggers apply; townhall's registry unless a test brings its own. */
  registry?: readonly AnyWorkflow[];
}

/** started: a run is going (new or joined); finished: it already ran to its end. */
export type RouteOutcome = 'started' | 'finished' | 'duplicate' | 'no-workflow';

/**
 * Makes a community event durable and starts what the trigger table says it starts. Throws when
 * the store or Temporal is not reachable; the caller answers 503 so the sender retries. Every
 * step is safe to repeat: the event is stored once by its id, runs have deterministic ids.
 */
export function createEventRouter(deps: RouterDeps) {
  // Slack allows 3 s for the whole answer: 2 s for Temporal leaves the store and the network
  // their share even on a busy host.
  const startTimeoutMs = deps.startTimeoutMs ?? 2_000;
  const table = triggerTable(deps.registry ?? workflowRegistry);
  const members = deps.members ?? DEFAULT_MEMBERS_CONFIG;
  const hasJourneys = Object.values(deps.journeys ?? {}).some((journey) => journey.enabled);
  const routeJourneys = createJourneyRouter({
    db: deps.db,
    temporal: deps.temporal,
    taskQueue: deps.taskQueue,
    journeys: deps.journeys ?? {},
    limits: deps.limits,
    searchAttributes: deps.searchAttributes,
    routing: deps.routing ?? {},
    logger: deps.logger,
    timeoutMs: startTimeoutMs,
  });

  async function start(row: TriggerRow, event: CommunityEvent, memberId: string) {
    const config = deps.workflows[row.workflow.name];
    const context = { event, memberId, config, routing: deps.routing ?? {} };
    try {
      await deps.temporal.connection.withDeadline(Date.now() + startTimeoutMs, () =>
        deps.temporal.workflow.start(row.trigger.workflow, {
          taskQueue: deps.taskQueue,
          workflowId: row.trigger.id(context),
          args: [row.trigger.input(context)],
          // `once`: a duplicate joins the running run; a finished one is never started again.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
      // With USE_EXISTING a duplicate lands here too: either way, one run is going.
      return 'started' as const;
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'finished' as const;
      throw error;
    }
  }

  /**
   * `respond`: what the person who gave a command is told (the platform shows it to them alone),
   * truthfully: what will happen, or that nothing acts on the command here.
   */
  return async function route(
    event: CommunityEvent,
    respond?: (answer: string) => void,
  ): Promise<RouteOutcome> {
    const rows = (table.get(event.type) ?? []).filter(({ workflow, trigger }) => {
      const config = deps.workflows[workflow.name];
      return config !== undefined && (trigger.enabled?.(config) ?? true);
    });
    // Nothing but the store acts on it: the event is handled once it is stored.
    const storeOnly =
      rows.length === 0 &&
      !hasJourneys &&
      !deps.handoff?.hearsThreads &&
      event.type !== 'command.invoked' &&
      event.member.emailVerified !== true;
    // The event, its member and its activity commit together, once: a failure part way leaves
    // nothing, and the sender's retry does it all again. An identity the store knows takes one
    // statement (store/known-identity-event.ts); the rest, one transaction.
    const occurredAt = new Date(event.occurredAt);
    const staff = isStaff(members.staff, event.platform, event.member);
    const store = async () => {
      // A join nearly always brings an identity the store has not seen: straight to the
      // general path, without a statement that would find nothing.
      const known =
        event.type !== 'member.joined' &&
        (await recordKnownIdentityEvent(deps.db, event, {
          staff,
          processed: storeOnly,
          config: members,
        }));
      if (known) return { ...known, created: false };
      return deps.db.transaction().execute(async (trx) => {
        const recorded = await recordEvent(trx, event.platform, event, { processed: storeOnly });
        if (recorded.alreadyProcessed) return undefined;
        // Every member event is activity: the member's record, the ledger and the roll-ups.
        const member = await upsertMemberFromIdentity(trx, event.platform, event.member, {
          staff,
          seenAt: occurredAt,
        });
        await recordActivity(trx, event, member.memberId, {
          staff: member.staff,
          config: members,
        });
        if (storeOnly && !recorded.inserted) await markEventProcessed(trx, event.eventId);
        return member;
      });
    };
    const member = await store().catch(async (error: unknown) => {
      // The event itself is kept as received (unprocessed) whatever failed after it: an
      // operator can replay it once the cause is fixed (server/quarantine.ts).
      await recordEvent(deps.db, event.platform, event);
      throw error;
    });
    if (!member) return 'duplicate';
    if (storeOnly) return 'no-workflow';

    let outcome: RouteOutcome = 'no-workflow';
    const memberId = await joinConfirmedIdentity(
      deps.db,
      event.platform,
      event.member,
      member.memberId,
      members,
    );
    for (const row of rows) {
      const started = await start(row, event, memberId);
      if (outcome !== 'started') outcome = started;
      deps.logger.info(
        {
          eventId: event.eventId,
          type: event.type,
          workflow: row.workflow.name,
          memberId,
          outcome: started,
        },
        'event routed',
      );
    }
    // A member this event created (and kept: not joined to another) has no runs yet: the store
    // is not asked for runs that hear the event.
    const newMember = member.created && memberId === member.memberId;
    for (const started of await routeJourneys(event, memberId, { newMember }))
      if (started !== 'not-due' && outcome !== 'started') outcome = started;
    const handed = deps.handoff
      ? await deps.handoff.routeCommunity(event, { staff: member.staff })
      : { acted: 'none' as const };
    if (handed.acted === 'started') outcome = 'started';
    if (event.type === 'command.invoked')
      respond?.(
        handed.answer ??
          (outcome === 'started'
            ? `townhall received your /${event.command} and started what it is set up to do.`
            : `townhall recorded your /${event.command}, but nothing acts on it here: no ticket or reply will follow. Please ask in the channel, where people can help.`),
      );
    await markEventProcessed(deps.db, event.eventId);
    return outcome;
  };
}

export type EventRouter = ReturnType<typeof createEventRouter>;
