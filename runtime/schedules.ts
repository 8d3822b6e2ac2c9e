import type { Client } from '@temporalio/client';
import { ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';
import { decodeMapFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import type { Logger } from 'pino';
import type { AnyWorkflow, ScheduleContext, ScheduleRow } from '../workflows/descriptor.js';

/** Marks the schedules townhall owns, so it deletes only its own when the config drops one. */
const MANAGED_BY = 'townhall';

/** The Temporal Schedules the config asks for, from every workflow that runs on one. */
export function scheduleRows(
  workflows: Record<string, unknown>,
  registry: readonly AnyWorkflow[],
  context: ScheduleContext,
): ScheduleRow[] {
  return registry.flatMap((workflow) => {
    const section = workflows[workflow.name];
    return section === undefined || !workflow.schedules ? [] : workflow.schedules(section, context);
  });
}

/**
 * Makes the schedules exist as the config says: created when missing, updated when they differ
 * (interval, input), deleted when the config no longer asks for them (only this deployment's:
 * those made for the same task queue). Runs at worker start; when
 * several workers race, one creates and the others update, with the same result.
 */
export async function ensureSchedules(
  client: Client,
  rows: readonly ScheduleRow[],
  options: { taskQueue: string; logger: Logger },
): Promise<void> {
  for (const row of rows) {
    const action = {
      type: 'startWorkflow' as const,
      workflowType: row.workflow,
      workflowId: row.workflowId,
      taskQueue: options.taskQueue,
      args: row.args,
    };
    const spec = { intervals: [{ every: row.everyMs }] };
    try {
      await client.schedule.getHandle(row.id).update((previous) => ({ ...previous, spec, action }));
      options.logger.info({ schedule: row.id, everyMs: row.everyMs }, 'schedule updated');
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
      await client.schedule.create({
        scheduleId: row.id,
        spec,
        action,
        // A run still going when the next is due: skip it, the running one catches up.
        policies: { overlap: ScheduleOverlapPolicy.SKIP },
        // The task queue names the deployment: another one in the namespace keeps its own.
        memo: { managedBy: MANAGED_BY, taskQueue: options.taskQueue },
      });
      options.logger.info({ schedule: row.id, everyMs: row.everyMs }, 'schedule created');
    }
  }
  const wanted = new Set(rows.map((row) => row.id));
  for await (const schedule of scheduleMemos(client, options.logger)) {
    if (schedule.memo?.managedBy !== MANAGED_BY || wanted.has(schedule.scheduleId)) continue;
    // Another deployment's (another task queue): not ours to delete. Schedules made before the
    // memo named a queue are taken as ours, as they always were.
    const owner = schedule.memo?.taskQueue;
    if (owner !== undefined && owner !== options.taskQueue) continue;
    await client.schedule
      .getHandle(schedule.scheduleId)
      .delete()
      .catch((error: unknown) => {
        if (!(error instanceof ScheduleNotFoundError)) throw error;
      });
    options.logger.info(
      { schedule: schedule.scheduleId },
      'schedule deleted: the config no longer asks for it',
    );
  }
}

/**
 * Every schedule in the namespace with its memo. Memos are encrypted (runtime/codec/): one this
 * process cannot read (another deployment's payload key) is skipped with a warning rather than
 * stopping the worker, as the SDK's own list would: it is not this deployment's.
 */
async function* scheduleMemos(client: Client, logger: Logger) {
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listSchedules({
      namespace: client.options.namespace,
      nextPageToken,
    });
    for (const raw of page.schedules ?? []) {
      const scheduleId = raw.scheduleId ?? '';
      let memo: Record<string, unknown> | undefined;
      try {
        memo = await decodeMapFromPayloads(client.options.loadedDataConverter, raw.memo?.fields);
      } catch (error) {
        logger.warn(
          { schedule: scheduleId, err: error },
          'schedule skipped: its memo is unreadable',
        );
        continue;
      }
      yield { scheduleId, memo };
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
}
