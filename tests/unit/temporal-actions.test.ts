// The benchmark's count of Temporal Cloud actions (bench/lib/actions.ts), against histories whose
// events were read by hand: the expected numbers below come from the event lists, not the code.
import { readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { countActions } from '../../bench/lib/actions.js';

const stored = (name: string) =>
  historyFromJSON(
    JSON.parse(readFileSync(new URL(`../replay/histories/${name}.json`, import.meta.url), 'utf8')),
  );

/** A history written as Temporal's JSON (what `temporal workflow show --output json` prints). */
const synthetic = (events: object[]) => historyFromJSON({ events });
const keyword = (value: string) => ({
  metadata: { encoding: Buffer.from('json/plain').toString('base64') },
  data: Buffer.from(JSON.stringify(value)).toString('base64'),
});

describe('Temporal Cloud actions in a history', () => {
  it('journey-whole: a start, three activities and two timers; its patch marker is free', () => {
    // 1 started; 5 core_patch marker and 6 its TemporalChangeVersion upsert (both exempt);
    // 7, 18, 29 activities scheduled, each started once (attempt 1); 13, 24 timers started.
    const count = countActions(stored('journey-whole'));
    expect(count.byKind).toEqual({ 'workflow start': 1, activity: 3, timer: 2 });
    expect(count.total).toBe(6);
    expect(count.billed.map((event) => event.eventId)).toEqual([1, 7, 13, 18, 24, 29]);
  });

  it('journey-exit-reason: an exit signal, and a step attribute upserted three times', () => {
    // 1 started; 10 activity; 17 timer; 18 the exit signal; 9, 16, 25 TownhallStep upserts;
    // 5, 7, 23 patch markers and 6, 8, 24 their TemporalChangeVersion upserts bill nothing.
    const count = countActions(stored('journey-exit-reason'));
    expect(count.byKind).toEqual({
      'workflow start': 1,
      activity: 1,
      timer: 1,
      signal: 1,
      'search attribute upsert': 3,
    });
    expect(count.total).toBe(7);
  });

  it('journey-send-rules: held sends are their timers and cap activities', () => {
    // 1 started; activities 12 (time zone), 23 and 34 (cap slots), 40 (email), 47 (notice);
    // timers 18 (window) and 29 (cap); TownhallStep upserts 9 and 46.
    const count = countActions(stored('journey-send-rules'));
    expect(count.byKind).toEqual({
      'workflow start': 1,
      activity: 5,
      timer: 2,
      'search attribute upsert': 2,
    });
    expect(count.total).toBe(10);
  });

  it('community-poll: four polls and the three pauses between them', () => {
    const count = countActions(stored('community-poll'));
    expect(count.byKind).toEqual({ 'workflow start': 1, activity: 4, timer: 3 });
    expect(count.total).toBe(8);
  });

  it('bills retries, local activities per task, child starts, schedules and signal-with-start', () => {
    // 1: started by a Schedule (2 for the schedule, 1 for the start); 2: the signal of a
    // signal-with-start (one action with the start); 4: two local-activity attempts again; 5 and
    // 6: two local-activity markers of task 4 (one action), 12 one of task 13 (one more); 7: an
    // upsert of a custom attribute with the change version (billed); 8: a child start (two);
    // 9 and 10: an activity in its third attempt (one and two retries); 11: a signal.
    const marker = (eventId: string, task: string) => ({
      eventId,
      eventType: 'EVENT_TYPE_MARKER_RECORDED',
      markerRecordedEventAttributes: {
        markerName: 'core_local_activity',
        workflowTaskCompletedEventId: task,
      },
    });
    const count = countActions(
      synthetic([
        {
          eventId: '1',
          eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
          workflowExecutionStartedEventAttributes: {
            searchAttributes: { indexedFields: { TemporalScheduledById: keyword('s') } },
          },
        },
        {
          eventId: '2',
          eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
          workflowExecutionSignaledEventAttributes: { signalName: 'go' },
        },
        {
          eventId: '3',
          eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED',
          workflowTaskScheduledEventAttributes: {},
        },
        {
          eventId: '4',
          eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
          workflowTaskCompletedEventAttributes: {
            meteringMetadata: { nonfirstLocalActivityExecutionAttempts: 2 },
          },
        },
        marker('5', '4'),
        marker('6', '4'),
        {
          eventId: '7',
          eventType: 'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
          upsertWorkflowSearchAttributesEventAttributes: {
            searchAttributes: {
              indexedFields: { TemporalChangeVersion: keyword('p'), TownhallStep: keyword('s') },
            },
          },
        },
        {
          eventId: '8',
          eventType: 'EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED',
          startChildWorkflowExecutionInitiatedEventAttributes: { workflowId: 'child' },
        },
        {
          eventId: '9',
          eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
          activityTaskScheduledEventAttributes: { activityId: '1' },
        },
        {
          eventId: '10',
          eventType: 'EVENT_TYPE_ACTIVITY_TASK_STARTED',
          activityTaskStartedEventAttributes: { attempt: 3 },
        },
        {
          eventId: '11',
          eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
          workflowExecutionSignaledEventAttributes: { signalName: 'go' },
        },
        marker('12', '13'),
      ]),
    );
    expect(count.byKind).toEqual({
      'schedule run': 3,
      'local activity retry': 2,
      'local activities': 2,
      'search attribute upsert': 1,
      'child workflow start': 2,
      activity: 1,
      'activity retry': 2,
      signal: 1,
    });
    expect(count.total).toBe(14);
  });

  it('a child run bills nothing for its start (its parent did); a continued run bills one', () => {
    const started = (attributes: object) =>
      synthetic([
        {
          eventId: '1',
          eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
          workflowExecutionStartedEventAttributes: attributes,
        },
      ]);
    expect(countActions(started({ parentWorkflowExecution: { workflowId: 'p' } })).total).toBe(0);
    expect(
      countActions(
        started({ continuedExecutionRunId: 'r', parentWorkflowExecution: { workflowId: 'p' } }),
      ).byKind,
    ).toEqual({ 'continue-as-new': 1 });
  });
});
