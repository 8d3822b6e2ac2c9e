import { z } from 'zod';
import type { Connectors } from '../connectors/index.js';
import { connectors } from '../connectors/index.js';
import { port } from '../connectors/config-fields.js';
import type { AnyConnector } from '../connectors/descriptor.js';
import { assertUnique } from '../connectors/descriptor.js';
import { SHARED_CAPABILITIES } from '../connectors/ports.js';
import type { AnyWorkflow } from '../workflows/descriptor.js';
import type { Workflows } from '../workflows/registry.js';
import { workflows } from '../workflows/registry.js';
import { checkCapabilities } from './check-capabilities.js';
import { checkHandoff, handoffConfigSchema } from './handoff.js';
import { checkJourneys, journeysConfigSchema } from './journeys.js';
import { limitsSchema } from './limits.js';
import { membersConfigSchema } from './members.js';
import { serverConfigSchema as server } from './server.js';

/**
 * The config file's schema, assembled from the registries: each connector brings its section
 * under `connectors:` and each workflow its section under `workflows:`. Nothing here names a
 * vendor or a journey.
 */

/** The sections of the items that have a config, by their id or name. */
type SectionsOf<
  List extends readonly { readonly config?: z.ZodType<unknown, unknown> }[],
  Key extends string,
> = {
  [
    Item in List[number] as Item extends Record<Key, infer Name extends string>
      ? Item extends { readonly config: z.ZodType<unknown, unknown> }
        ? Name
        : never
      : never
  ]: z.ZodOptional<NonNullable<Item['config']>>;
};

function sections<
  List extends readonly { readonly config?: z.ZodType<unknown, unknown> }[],
  Key extends string,
>(list: List, key: (item: List[number]) => string): SectionsOf<List, Key> {
  return Object.fromEntries(
    list.flatMap((item) => (item.config ? [[key(item), item.config.optional()]] : [])),
  );
}

const temporal = z
  .strictObject({
    address: z
      .string()
      .optional()
      .describe('host:port of a Temporal cluster; unset runs the embedded dev server'),
    namespace: z.string().default('default'),
    taskQueue: z.string().default('townhall'),
    bulkShare: z
      .number()
      .gt(0)
      .max(1)
      .default(1)
      .describe(
        "The share of each rate-limited connector's activity rate that bulk work (CRM sync, backfill) may use, on a queue of its own so a backlog never delays journeys' calls; where a connector has a request budget (its requestLimit), the budget paces the requests and keeps journeys first",
      ),
    workflowCacheSize: z
      .number()
      .int()
      .min(0)
      .default(250)
      .describe(
        "How many workflow runs the worker keeps in memory between their tasks (Temporal's sticky cache, about 0.26 MiB each here): a run evicted from it replays its history when it next wakes, which costs CPU, not correctness. At 250 a hub with 1,000 parked journeys peaked at 544 to 637 MiB in runs here, and at 645 MiB with 10,000 (README, Memory; BENCHMARKS.md, waiting journeys)",
      ),
    activitiesPerSecond: z
      .record(z.string(), z.number().positive())
      .default({})
      .describe(
        "Per connector: the most of its calls per second, across all workers (each rate-limited vendor has its own task queue); overrides the connector's default",
      ),
  })
  .prefault({});

const sandbox = z
  .strictObject({
    port: port.default(4010),
    smtpPort: port.default(2525),
  })
  .optional()
  .describe('When present, `townhall start` runs the local vendor emulators');

const providers = z
  .strictObject(
    Object.fromEntries(
      SHARED_CAPABILITIES.map((capability) => [
        capability,
        z.string().min(1).optional().describe(`The connector that serves ${capability}`),
      ]),
    ) as Record<(typeof SHARED_CAPABILITIES)[number], z.ZodOptional<z.ZodString>>,
  )
  .prefault({})
  .describe(
    'Which connector serves a capability when several configured ones could: crm, helpdesk, mailer, each a connector id',
  );

/** The schema for a given set of connectors and workflows (tests register their own). */
export function buildConfigSchema<
  const C extends readonly AnyConnector[],
  const W extends readonly AnyWorkflow[],
>(registry: { connectors: C; workflows: W }) {
  assertUnique(registry.connectors);
  const names = registry.workflows.map((workflow) => workflow.name);
  if (new Set(names).size !== names.length)
    throw new Error(`the workflow registry lists a name twice: ${names.join(', ')}`);
  return z
    .strictObject({
      server,
      temporal,
      sandbox,
      providers,
      members: membersConfigSchema,
      connectors: z.strictObject(sections<C, 'id'>(registry.connectors, (c) => c.id)),
      workflows: z
        .strictObject(sections<W, 'name'>(registry.workflows, (w) => w.name))
        // Every section is optional, so {} is a valid input; the generic type cannot show it.
        .prefault({} as never),
      journeys: journeysConfigSchema,
      limits: limitsSchema,
      handoff: handoffConfigSchema,
    })
    .superRefine((config, ctx) => {
      checkCapabilities(config, registry, ctx);
      checkJourneys(config, ctx);
      checkHandoff(config, registry.connectors, ctx);
    });
}

export const configSchema = buildConfigSchema({ connectors, workflows });

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type { Connectors, Workflows };
