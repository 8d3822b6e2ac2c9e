import { activityInfo } from '@temporalio/activity';

/**
 * `<workflow id>/<activity id>`: the same for every attempt and every replay of one step, and
 * different for every step and iteration (workflows/steps/run.ts makes activity ids from step
 * paths). The idempotency key of every effect an activity has.
 */
export function activityKey(): string {
  const info = activityInfo();
  const workflowId = info.workflowExecution?.workflowId;
  if (!workflowId) throw new Error('activityKey() needs an activity started by a workflow');
  return `${workflowId}/${info.activityId}`;
}
