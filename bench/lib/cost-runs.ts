// The cost scenario's bookkeeping on Temporal: its clock stopped (schedules deleted, the poller
// ended) and every run it made read back with its history.
import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError, WorkflowNotFoundError } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { waitFor } from '../../tests/support/sandbox.js';
import { crmSyncWorkflowId } from '../../workflows/crm-sync/types.js';
import { journeyScanId } from '../../workflows/journey-scan/types.js';

export interface Run {
  workflowId: string;
  runId: string;
  type: string;
  status: string;
  history: temporal.api.history.v1.IHistory;
}

/**
 * Deletes the hub's schedules and ends its poller: a stopped hub leaves nothing firing. The
 * namespace is the benchmark's own (bench/lib/context.ts), so its schedules are this hub's.
 */
export async function stopClockRuns(client: Client, taskQueue: string) {
  for (const id of [crmSyncWorkflowId('hubspot'), journeyScanId('re-engagement')])
    await client.schedule
      .getHandle(id)
      .delete()
      .catch((error: unknown) => {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      });
  const running = `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running'`;
  for await (const info of client.workflow.list({ query: running })) {
    // A scan under way finishes (seconds); the poller never does.
    if (info.type === 'journeyScan')
      await client.workflow
        .getHandle(info.workflowId, info.runId)
        .result()
        .catch(() => undefined);
    else
      await client.workflow
        .getHandle(info.workflowId, info.runId)
        .terminate('cost benchmark done')
        .catch((error: unknown) => {
          if (!(error instanceof WorkflowNotFoundError)) throw error;
        });
  }
}

/** Every run on the task queue, with its history, once visibility lists those awaited closed. */
export async function readRuns(
  client: Client,
  taskQueue: string,
  awaited: string[],
): Promise<Run[]> {
  const query = `TaskQueue = '${taskQueue}'`;
  const infos = await waitFor('every run listed', async () => {
    const listed = [];
    for await (const info of client.workflow.list({ query })) listed.push(info);
    const closed = new Set(
      listed.filter((i) => i.status.name !== 'RUNNING').map((i) => i.workflowId),
    );
    return awaited.every((id) => closed.has(id)) && listed.every((i) => i.status.name !== 'RUNNING')
      ? listed
      : undefined;
  });
  return Promise.all(
    infos.map(async (info) => ({
      workflowId: info.workflowId,
      runId: info.runId,
      type: info.type,
      status: info.status.name,
      history: await client.workflow.getHandle(info.workflowId, info.runId).fetchHistory(),
    })),
  );
}
