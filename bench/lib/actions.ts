// Temporal Cloud's billable actions in one workflow history, counted as its Actions page
// (docs.temporal.io/cloud/actions) defines them, event by event, the way the Temporal UI's own
// per-event estimate does (temporalio/ui, getEventBillableActions). Pure: a history in, counts out.
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';

const { EventType, WorkflowTaskFailedCause } = proto.temporal.api.enums.v1;
type History = temporal.api.history.v1.IHistory;
type Event = temporal.api.history.v1.IHistoryEvent;

/** What an action is for, as the breakdown names it. */
export type ActionKind =
  | 'workflow start'
  | 'schedule run'
  | 'continue-as-new'
  | 'child workflow start'
  | 'signal'
  | 'timer'
  | 'activity'
  | 'activity retry'
  | 'local activities'
  | 'local activity retry'
  | 'search attribute upsert'
  | 'update'
  | 'reset'
  | 'options update'
  | 'nexus';

export interface BilledEvent {
  eventId: number;
  /** EVENT_TYPE_… without the prefix: `TIMER_STARTED`. */
  eventType: string;
  kind: ActionKind;
  actions: number;
  /** What it is about: the activity type, the signal name, the attributes upserted. */
  detail?: string | undefined;
}

export interface ActionCount {
  total: number;
  byKind: Partial<Record<ActionKind, number>>;
  /** Every event that bills, so a count can be explained event by event. */
  billed: BilledEvent[];
}

/** Markers of patches and versions (`patched()`, GetVersion) are not billed (the UI's rule). */
const UNBILLED_MARKERS = new Set(['core_patch', 'Version']);
/** Set on runs a Schedule started: a schedule run is 3 actions (2 for the schedule, 1 start). */
const SCHEDULED_BY = 'TemporalScheduledById';
/** Workflow versioning's own attribute: upserts of it alone are exempt. */
const CHANGE_VERSION = 'TemporalChangeVersion';

const typeName = (event: Event) =>
  (EventType[event.eventType ?? 0] ?? String(event.eventType)).replace(/^EVENT_TYPE_/, '');

/** The name a reader looks for in an event: what it calls, hears, sets or waits for. */
function detailOf(event: Event): string | undefined {
  return (
    event.activityTaskScheduledEventAttributes?.activityType?.name ??
    event.workflowExecutionSignaledEventAttributes?.signalName ??
    event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowType?.name ??
    (event.upsertWorkflowSearchAttributesEventAttributes
      ? Object.keys(
          event.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields ?? {},
        ).join(',')
      : undefined) ??
    event.markerRecordedEventAttributes?.markerName ??
    undefined
  );
}

/** How many actions one event bills, and for what; undefined when it bills none. */
function billOf(
  event: Event,
  markerTasks: Set<string>,
): { kind: ActionKind; actions: number } | undefined {
  switch (event.eventType) {
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED: {
      const started = event.workflowExecutionStartedEventAttributes;
      // Continue-as-new bills the new run's start (the UI shows it there, not on the old run).
      if (started?.continuedExecutionRunId) return { kind: 'continue-as-new', actions: 1 };
      // A child's start is billed in its parent (START_CHILD_… below), not again here.
      if (started?.parentWorkflowExecution?.workflowId) return undefined;
      if (started?.searchAttributes?.indexedFields?.[SCHEDULED_BY])
        return { kind: 'schedule run', actions: 3 };
      return { kind: 'workflow start', actions: 1 };
    }
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
      // Signal-with-start: one action in all, the start's. Its signal is event 2, written with
      // the start; a plain start's event 2 is always its first workflow task.
      return Number(event.eventId) === 2 ? undefined : { kind: 'signal', actions: 1 };
    case EventType.EVENT_TYPE_TIMER_STARTED:
      return { kind: 'timer', actions: 1 };
    case EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
      return { kind: 'activity', actions: 1 };
    case EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
      // Retries leave no events of their own: the started event carries the attempt number.
      const retries = (event.activityTaskStartedEventAttributes?.attempt ?? 1) - 1;
      return retries > 0 ? { kind: 'activity retry', actions: retries } : undefined;
    }
    case EventType.EVENT_TYPE_MARKER_RECORDED: {
      const marker = event.markerRecordedEventAttributes;
      if (UNBILLED_MARKERS.has(marker?.markerName ?? '')) return undefined;
      // Every marker (local activity, side effect) of one workflow task is one action together.
      const task = String(marker?.workflowTaskCompletedEventId ?? '');
      if (markerTasks.has(task)) return undefined;
      markerTasks.add(task);
      return { kind: 'local activities', actions: 1 };
    }
    case EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
      const again =
        event.workflowTaskCompletedEventAttributes?.meteringMetadata
          ?.nonfirstLocalActivityExecutionAttempts ?? 0;
      return again > 0
        ? { kind: 'local activity retry', actions: Math.min(again, 100) }
        : undefined;
    }
    case EventType.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
      const fields = Object.keys(
        event.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields ?? {},
      );
      // Upserts of TemporalChangeVersion alone (what patched() writes) are exempt.
      if (fields.length > 0 && fields.every((field) => field === CHANGE_VERSION)) return undefined;
      return { kind: 'search attribute upsert', actions: 1 };
    }
    case EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED:
      // The intent, durably stored, and the attempt to start it: two actions.
      return { kind: 'child workflow start', actions: 2 };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED:
      return { kind: 'update', actions: 1 };
    case EventType.EVENT_TYPE_WORKFLOW_EXECUTION_OPTIONS_UPDATED:
      return { kind: 'options update', actions: 1 };
    case EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED:
      return event.workflowTaskFailedEventAttributes?.cause ===
        WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW
        ? { kind: 'reset', actions: 1 }
        : undefined;
    case EventType.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED:
    case EventType.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED:
      return { kind: 'nexus', actions: 1 };
    default:
      // Signals to other workflows bill in the signalled run's history (its SIGNALED event);
      // queries and activity heartbeats are billed but leave no event: not counted here.
      return undefined;
  }
}

/** The billable actions one run's history holds. */
export function countActions(history: History): ActionCount {
  const markerTasks = new Set<string>();
  const count: ActionCount = { total: 0, byKind: {}, billed: [] };
  for (const event of history.events ?? []) {
    const bill = billOf(event, markerTasks);
    if (!bill) continue;
    count.total += bill.actions;
    count.byKind[bill.kind] = (count.byKind[bill.kind] ?? 0) + bill.actions;
    count.billed.push({
      eventId: Number(event.eventId),
      eventType: typeName(event),
      ...bill,
      detail: detailOf(event),
    });
  }
  return count;
}

/** Several counts (runs of one kind, or a run and its continuations) as one. */
export function addCounts(counts: readonly ActionCount[]): ActionCount {
  const sum: ActionCount = { total: 0, byKind: {}, billed: [] };
  for (const count of counts) {
    sum.total += count.total;
    for (const [kind, actions] of Object.entries(count.byKind) as [ActionKind, number][])
      sum.byKind[kind] = (sum.byKind[kind] ?? 0) + actions;
    sum.billed.push(...count.billed);
  }
  return sum;
}
