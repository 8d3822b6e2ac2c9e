import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Logger } from 'pino';
import type { OnboardingConfig } from '../config/schema.js';
import type { Platform } from '../connectors/community.js';
import type { CommunityEvent } from '../connectors/events.js';
import type { Db } from '../store/db.js';
import { markEventProcessed, recordEvent } from '../store/events.js';
import { upsertMemberFromIdentity } from '../store/members.js';
import { onboardingWorkflowId } from '../workflows/ids.js';
import type { OnboardingInput } from '../workflows/onboarding.js';

export interface RouterDeps {
  db: Db;
  temporal: Client;
  taskQueue: string;
  onboarding: OnboardingConfig | undefined;
  logger: Logger;
  /** How long a webhook may wait on Temporal before answering 503 (Slack allows 3 s in all). */
  startTimeoutMs?: number;
}

/** started: a journey runs (new or joined); finished: it already ran to its end. */
export type RouteOutcome = 'started' | 'finished' | 'duplicate' | 'no-workflow';

/**
 * Makes an event durable and starts what it causes. Throws when the store or Temporal is not
 * reachable; the caller answers 503 so the sender retries. Every step is safe to repeat.
 */
export function createEventRouter(deps: RouterDeps) {
  const startTimeoutMs = deps.startTimeoutMs ?? 2_500;

  async function startOnboarding(memberId: string, platform: Platform): Promise<RouteOutcome> {
    const onboarding = deps.onboarding;
    if (!onboarding?.enabled) return 'no-workflow';
    const input: OnboardingInput = { memberId, platform, steps: onboarding.steps };
    try {
      await deps.temporal.connection.withDeadline(Date.now() + startTimeoutMs, () =>
        deps.temporal.workflow.start('onboarding', {
          taskQueue: deps.taskQueue,
          workflowId: onboardingWorkflowId(memberId),
          args: [input],
          // A duplicate joins the running journey; a finished journey is never started again.
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
        }),
      );
      // With USE_EXISTING a duplicate lands here too: either way, one journey is running.
      return 'started';
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) return 'finished';
      throw error;
    }
  }

  return async function route(event: CommunityEvent): Promise<RouteOutcome> {
    const { alreadyProcessed } = await recordEvent(deps.db, event.platform, event);
    if (alreadyProcessed) return 'duplicate';

    let outcome: RouteOutcome = 'no-workflow';
    switch (event.type) {
      case 'member.joined': {
        const { memberId } = await upsertMemberFromIdentity(deps.db, event.platform, event.member);
        outcome = await startOnboarding(memberId, event.platform);
        deps.logger.info({ eventId: event.eventId, memberId, outcome }, 'member joined');
        break;
      }
    }
    await markEventProcessed(deps.db, event.eventId);
    return outcome;
  };
}

export type EventRouter = ReturnType<typeof createEventRouter>;
