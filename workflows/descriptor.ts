import type { Workflow } from '@temporalio/common';
import type { z } from 'zod';
import type { CommunityEvent, CommunityEventType } from '../connectors/events.js';
import type { CapabilityName } from '../connectors/ports.js';
import type { Routing } from './steps/context.js';
import type { Step } from './steps/index.js';

/** What a trigger computes a workflow's id and input from. */
export interface TriggerContext<Config, E extends CommunityEvent = CommunityEvent> {
  event: E;
  /** The member behind the event's platform identity (found or created before the start). */
  memberId: string;
  /** The workflow's own config section, as it is now: a run keeps what it started with. */
  config: Config;
  routing: Routing;
}

/**
 * One row of the trigger table: a normalized event that starts a workflow, with a deterministic
 * id, so that duplicate deliveries resolve to one run.
 */
export interface StartTrigger<Config, W extends Workflow = Workflow> {
  readonly on: CommunityEventType;
  readonly workflow: W;
  /** Whether this config wants the event at all (an `enabled: false` journey does not). */
  enabled?(config: Config): boolean;
  id(context: TriggerContext<Config>): string;
  input(context: TriggerContext<Config>): Parameters<W>[0];
  /**
   * `once`: one run per id, ever: a duplicate joins the running one, and a finished one is never
   * started again.
   */
  readonly entry: 'once';
}

/** A workflow type: its folder's descriptor, listed in workflows/registry.ts. */
export interface WorkflowDescriptor<Name extends string = string, Config = unknown> {
  /** Its key under `workflows:` in the config, and its workflow type name. */
  readonly name: Name;
  readonly workflow: Workflow;
  /** Its section under `workflows:`; none for a workflow started only on demand (a backfill). */
  readonly config?: z.ZodType<Config, unknown>;
  /** The step lists its config holds, with their paths under `workflows.<name>`. */
  steps?(config: NoInfer<Config>): { path: (string | number)[]; steps: readonly Step[] }[];
  /**
   * Capabilities its config needs, checked by `townhall validate`: from the connector it names,
   * or (no connector) from the one the config chooses for a shared capability.
   */
  requires?(config: NoInfer<Config>): {
    path: (string | number)[];
    capability: CapabilityName;
    connector?: string | undefined;
  }[];
  readonly triggers?: readonly StartTrigger<NoInfer<Config>, Workflow>[];
  /** Temporal Schedules it runs on (the worker makes them exist, as the config says). */
  schedules?(config: NoInfer<Config>, context: ScheduleContext): ScheduleRow[];
}

export interface ScheduleContext {
  routing: Routing;
  /** The connector ids that provide each capability in this config. */
  providers: (capability: CapabilityName) => string[];
}

/** One Temporal Schedule: starts `workflow` every `everyMs`, skipping a start while one runs. */
export interface ScheduleRow {
  id: string;
  everyMs: number;
  workflow: Workflow;
  workflowId: string;
  args: unknown[];
}

export type AnyWorkflow = WorkflowDescriptor<string, unknown>;

/** A workflow with a section under `workflows:`. */
export type ConfiguredWorkflow<Name extends string, Config> = WorkflowDescriptor<Name, Config> & {
  readonly config: z.ZodType<Config, unknown>;
};

export function defineWorkflow<const Name extends string, Config>(
  descriptor: ConfiguredWorkflow<Name, Config>,
): ConfiguredWorkflow<Name, Config> {
  return descriptor;
}

/** A workflow started only on demand (a command), with no config section, triggers or schedules. */
export function defineOnDemandWorkflow<const Name extends string>(descriptor: {
  name: Name;
  workflow: Workflow;
}): WorkflowDescriptor<Name, never> {
  return descriptor;
}

/** A start trigger, typed by its workflow so its input is checked. */
export function startOn<Config, W extends Workflow>(
  trigger: StartTrigger<Config, W>,
): StartTrigger<Config, W> {
  return trigger;
}
