import type { CommunityEventType } from '../connectors/events.js';
import type { AnyWorkflow, StartTrigger } from './descriptor.js';

/** One row of the table, with the workflow it belongs to (whose config section it reads). */
export interface TriggerRow {
  workflow: AnyWorkflow;
  trigger: StartTrigger<unknown>;
}

/**
 * The trigger table: which normalized event starts which workflow. The router executes it and
 * has no per-workflow code; events no row wants are recorded and acknowledged.
 */
export function triggerTable(
  registry: readonly AnyWorkflow[],
): ReadonlyMap<CommunityEventType, TriggerRow[]> {
  const table = new Map<CommunityEventType, TriggerRow[]>();
  for (const workflow of registry)
    for (const trigger of workflow.triggers ?? []) {
      const rows = table.get(trigger.on) ?? [];
      rows.push({ workflow, trigger });
      table.set(trigger.on, rows);
    }
  return table;
}
