import type { ExitEvent } from '../../config/journeys.js';
import type { Routing, ThreadRef } from '../steps/context.js';
import type { Step } from '../steps/index.js';
import type { SendLimits } from '../steps/send-gate.js';
import type { SendWindow } from '../steps/send-window.js';
import type { StepOutcome } from '../steps/run.js';

/** `journey:<name>:<member id>`, plus the entry's own key where a member may enter again. */
export const journeyWorkflowId = (journey: string, memberId: string, entryKey?: string): string =>
  entryKey === undefined
    ? `journey:${journey}:${memberId}`
    : `journey:${journey}:${memberId}:${entryKey}`;

/**
 * The visibility query for one journey's runs on one task queue: the id prefix keeps another
 * journey's runs out (names are distinct ids) with no search attribute to register, the task
 * queue another hub's that shares the namespace.
 */
export const journeyRunsQuery = (journey: string, taskQueue: string): string =>
  `WorkflowType = 'journey' AND WorkflowId STARTS_WITH 'journey:${journey}:' AND TaskQueue = '${taskQueue}'`;

export interface JourneyInput {
  journey: string;
  memberId: string;
  /** The platform of the event that started it: where `dm.send` steps message the member. */
  platform?: string | undefined;
  /** The thread the triggering event came from, where it came from one: `thread.reply` answers there. */
  thread?: ThreadRef | undefined;
  /** The journey's steps and exits when the run started: config edits affect new entries only. */
  steps: Step[];
  exitWhen: ExitEvent[];
  routing?: Routing | undefined;
  /** The journey's `send_window` and the config's `limits` when the run started. */
  sendWindow?: SendWindow | undefined;
  limits?: SendLimits | undefined;
  /** The namespace has the journeys' search attributes: the run marks its waits in TownhallStep. */
  searchAttributes?: boolean | undefined;
  /** The journey's `mark_waits: false`: it marks none of its waits (exits still). */
  markWaits?: false | undefined;
}

/** The step a run is in: its path (`steps[1]`, `steps[2].then[0]`) and type. */
export interface JourneyPosition {
  path: string;
  type: string;
}

/** Why a run ended before its last step: the member's event that ended it. */
export interface ExitSignal {
  reason: string;
}

/** A member event some `wait_until` of the run waits for: the kinds it counts as. */
export interface MemberEventSignal {
  kinds: string[];
}

export interface JourneyResult {
  steps: StepOutcome[];
  /** Set when an exit ended the run early. */
  exited?: string | undefined;
}
