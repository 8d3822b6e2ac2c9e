import type { createActivities } from '../../activities/index.js';
import type { SharedCapability } from '../../connectors/ports.js';
import type { StepEngine } from './engine.js';
import type { Step } from './index.js';
import type { StepOutcome } from './run.js';

export type Activities = ReturnType<typeof createActivities>;

/**
 * The activities steps call: what an engine provides to them. `townhall simulate` implements
 * exactly these, without effects.
 */
export type StepActivities = Pick<
  Activities,
  | 'sendEmail'
  | 'sendDirectMessage'
  | 'upsertCrmContact'
  | 'memberFacts'
  | 'takeSendSlot'
  | 'releaseSendSlot'
  | 'postNotice'
  | 'replyToThread'
>;

/**
 * Where a run's vendor calls go, fixed when the run starts: the task queue of each connector that
 * has its own (rate-limited) one, and which connector served each shared capability then, which
 * picks the queue. The call itself goes through the capability the worker's config provides now;
 * a connector without a queue here is called on the run's own queue.
 */
export interface Routing {
  providers?: Partial<Record<SharedCapability, string>> | undefined;
  queues?: Record<string, string> | undefined;
  /** Each rate-limited connector's queue for bulk work, with a share of its rate. */
  bulkQueues?: Record<string, string> | undefined;
  /** The connector `notify` posts through when a step names none: the only one that can. */
  notices?: string | undefined;
}

/** A thread on a platform: its channel and its id (Slack thread_ts, Discord thread, topic). */
export interface ThreadRef {
  channelId: string;
  threadId: string;
}

/** What a step runs with, inside the workflow. */
export interface StepContext {
  memberId: string;
  /** The platform the member came from: where `dm.send` messages them. */
  platform?: string | undefined;
  /** The thread the run's trigger came from, where it came from one (`thread.reply`). */
  thread?: ThreadRef | undefined;
  routing: Routing;
  /** Time and waits: Temporal's in a workflow, a virtual clock in `townhall simulate`. */
  engine: StepEngine;
  /** Why the run must stop now (an exit), or undefined; absent where a run has no exits. */
  exitReason?: (() => string | undefined) | undefined;
  /**
   * Resolves true when the member's event of `kind` arrives within `ms`, false when the time is
   * up (or an exit ends the run); absent where a run hears no events: it only times out.
   */
  waitForEvent?: ((kind: string, ms: number) => Promise<boolean>) | undefined;
  /** Where this step sits: `steps[2]`, `steps[2].then[0]`. */
  path: string;
  /** Runs a step list inside this step (`then:`, `else:`) at `path`. */
  runSteps: (steps: readonly Step[], path: string) => Promise<StepOutcome[]>;
  /**
   * The activities for this step, on the task queue of `vendor` (the connector that serves the
   * step's capability), with an activity id unique to this step and iteration: the idempotency
   * key of every effect is `<workflow id>/<activity id>`. `again` names a later call of the step's
   * activity (`<activity id>/<again>`), e.g. a send asked again once a wait is over.
   */
  activities: (vendor: string | undefined, again?: string) => StepActivities;
}
