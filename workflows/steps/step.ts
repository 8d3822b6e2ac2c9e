import type { z } from 'zod';
import type { duration } from '../../config/duration.js';
import type { CapabilityName } from '../../connectors/ports.js';
import type { StepContext } from './context.js';
import type { SendChannel } from './send-gate.js';
import type { Step } from './index.js';

/** The schema of a step list inside a step, parsed as the top-level list is. */
export type NestedSteps = z.ZodType<Step[], unknown>;

/**
 * What a step's schema is built from, handed in by workflows/steps/schema.ts. Step files import
 * zod for types only: the worker evaluates a workflow bundle's modules once per run it holds, so
 * zod and every step's schema there cost each cached run ~0.7 MiB and never serve it.
 */
export interface SchemaKit {
  readonly z: typeof z;
  /** A duration field: `2d` in the file, milliseconds once parsed. */
  readonly duration: typeof duration;
  /** A step list inside a step (`then:`, `else:`), parsed as the top-level list is. */
  readonly nested: NestedSteps;
}

/**
 * One step type of the journey language: how it is written in YAML (`- <type>: <value>`), what
 * it becomes once parsed, the capability it needs from the configured connectors, and how a
 * workflow runs it. The same definition serves `townhall validate` and the worker.
 */
export interface StepDefinition<Type extends string, Value, Parsed extends { type: Type }> {
  readonly type: Type;
  /** The capability its activity uses; `townhall validate` reports a config that lacks it. */
  readonly needs?: CapabilityName;
  /**
   * Set on steps that message the member: they wait for the journey's send window and count
   * against the channel's cap (`limits:`).
   */
  readonly channel?: SendChannel;
  /**
   * Set on steps that sit for a duration (a timer, an awaited event): where a run spends its
   * time, the one place a journey marks in its `TownhallStep` search attribute.
   */
  readonly waits?: true;
  /**
   * The YAML value, with the descriptions the JSON Schema shows, built from the kit it is handed
   * (a step that holds step lists builds them from `nested`).
   */
  readonly schema: (kit: SchemaKit) => z.ZodType<Value, unknown>;
  readonly parse: (value: Value) => Parsed;
  /** Runs the step; resolves to a short outcome for the run's result ("sent", "skipped: ..."). */
  readonly run: (step: Parsed, context: StepContext) => Promise<string>;
}

export function defineStep<const Type extends string, Value, Parsed extends { type: Type }>(
  definition: StepDefinition<Type, Value, Parsed>,
): StepDefinition<Type, Value, Parsed> {
  return definition;
}
