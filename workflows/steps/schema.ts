import { z } from 'zod';
import { duration } from '../../config/duration.js';
import type { Step } from './index.js';
import { STEP_TYPES, STEPS } from './index.js';
import type { NestedSteps, SchemaKit } from './step.js';

/** What step files build their schemas from; nested lists are the same language, recursively. */
const kit: SchemaKit = { z, duration, nested: z.lazy(() => stepsSchema) };

const schemaOf = (definition: (typeof STEPS)[number]): z.ZodType =>
  (definition.schema as (kit: SchemaKit) => z.ZodType)(kit);

/** A step is a one-key mapping: `- wait: 2d`, `- email.send: {...}`, `- crm.upsert_contact:`. */
const oneKey = z.strictObject(
  Object.fromEntries(STEPS.map((step) => [step.type, schemaOf(step).optional()])),
);

export const stepSchema = oneKey.transform((raw, ctx): Step => {
  const present = STEP_TYPES.filter((type) => type in raw);
  if (present.length !== 1) {
    ctx.addIssue({
      code: 'custom',
      message:
        present.length === 0
          ? `a step needs exactly one of ${STEP_TYPES.join(', ')}`
          : `a step has one type, this one has ${present.join(' and ')} (split it into ${present.length} steps)`,
    });
    return z.NEVER;
  }
  const definition = STEPS.find((step) => step.type === present[0])!;
  return (definition.parse as (value: unknown) => Step)(raw[definition.type]);
});

/** A list of steps, as journeys hold them. */
export const stepsSchema: NestedSteps = z.array(stepSchema).min(1, 'list at least one step');
