import type { MemberDetails } from '../member-details.js';
import { onboardingWorkflowId } from '../../workflows/onboarding/types.js';
import type { ConsoleDeps } from './ops.js';
import { runUrl } from './ops.js';

export interface MemberRun {
  workflowId: string;
  journey: string;
  enteredAt: string | null;
  endedAt: string | null;
  /** Temporal's status (Running, Completed, Failed ...); null when Temporal did not answer. */
  status: string | null;
  url: string | null;
}

const DESCRIBE_MS = 3_000;

/** RUNNING → Running, TIMED_OUT → Timed out: as the Temporal UI and the ops counts say it. */
const statusName = (name: string) =>
  name.charAt(0) + name.slice(1).toLowerCase().replaceAll('_', ' ');

/**
 * The member's runs as the console shows them: their onboarding run (a workflow of its own) and
 * the journey runs the store lists, each with its status as Temporal tells it now.
 */
export async function memberRuns(
  deps: ConsoleDeps,
  member: Pick<MemberDetails, 'id' | 'journeys'>,
): Promise<MemberRun[]> {
  // A gRPC deadline, as the routers use: the call itself ends, not only our wait for it.
  const describe = (workflowId: string) =>
    deps.temporal.connection
      .withDeadline(Date.now() + DESCRIBE_MS, () =>
        deps.temporal.workflow.getHandle(workflowId).describe(),
      )
      .catch(() => undefined);
  const onboarding = await describe(onboardingWorkflowId(member.id));
  const runs: MemberRun[] = onboarding
    ? [
        {
          workflowId: onboarding.workflowId,
          journey: onboarding.type,
          enteredAt: onboarding.startTime.toISOString(),
          endedAt: onboarding.closeTime?.toISOString() ?? null,
          status: statusName(onboarding.status.name),
          url: runUrl(deps, onboarding.workflowId),
        },
      ]
    : [];
  const journeys = await Promise.all(
    member.journeys.map(async (run): Promise<MemberRun> => {
      const described = await describe(run.workflowId);
      return {
        workflowId: run.workflowId,
        journey: run.journey,
        enteredAt: run.enteredAt,
        endedAt: described?.closeTime?.toISOString() ?? run.endedAt,
        status: described ? statusName(described.status.name) : null,
        url: runUrl(deps, run.workflowId),
      };
    }),
  );
  return [...runs, ...journeys];
}
