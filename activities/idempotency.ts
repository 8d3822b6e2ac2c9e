import { activityInfo } from '@temporalio/activity';

/** `<workflow id>/<activity id>`: the same for every attempt and every replay of one step. */
export function idempotencyKey(): string {
  const info = activityInfo();
  const workflowId = info.workflowExecution?.workflowId;
  if (!workflowId) throw new Error('idempotencyKey() needs an activity started by a workflow');
  return `${workflowId}/${info.activityId}`;
}
