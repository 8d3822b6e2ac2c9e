import type { z } from 'zod';
import type { AnyConnector } from '../connectors/descriptor.js';
import type { SharedCapability } from '../connectors/ports.js';
import { CAPABILITY_LABELS, SHARED_CAPABILITIES } from '../connectors/ports.js';
import type { AnyWorkflow } from '../workflows/descriptor.js';
import type { Step } from '../workflows/steps/index.js';
import { nestedLists, STEPS } from '../workflows/steps/index.js';
import type { ProviderConfig } from './capabilities.js';
import { missingCapability, providersOf, resolveProvider } from './capabilities.js';

interface CheckedConfig extends ProviderConfig {
  workflows: Record<string, unknown>;
  journeys?: Record<string, { steps: readonly Step[] }>;
  temporal: { activitiesPerSecond: Record<string, number> };
}

const isShared = (capability: string): capability is SharedCapability =>
  (SHARED_CAPABILITIES as readonly string[]).includes(capability);

/**
 * What the schema of each section cannot see alone: every step's capability has a configured
 * connector to serve it, `providers:` names connectors that can, and per-connector settings
 * name connectors that exist. Each problem has the path of the field to fix.
 */
export function checkCapabilities(
  config: CheckedConfig,
  registry: { connectors: readonly AnyConnector[]; workflows: readonly AnyWorkflow[] },
  ctx: z.RefinementCtx,
): void {
  const problem = (path: (string | number)[], message: string) =>
    ctx.addIssue({ code: 'custom', path, message });

  /** Each step's capability has a configured connector to serve it. */
  function checkSteps(at: (string | number)[], steps: readonly Step[]) {
    steps.forEach((step, index) => {
      for (const nested of nestedLists(step))
        checkSteps([...at, index, step.type, nested.key], nested.steps);
      const capability = STEPS.find((definition) => definition.type === step.type)?.needs;
      if (!capability) return;
      const where = [...at, index, step.type];
      if (isShared(capability)) {
        const resolution = resolveProvider(config, registry.connectors, capability);
        if ('none' in resolution)
          problem(where, `needs ${missingCapability(config, registry.connectors, capability)}`);
        else if ('problem' in resolution && config.providers?.[capability] === undefined)
          problem(where, `needs ${resolution.problem}`);
      } else if (providersOf(config, registry.connectors, capability).length === 0) {
        problem(where, `needs ${missingCapability(config, registry.connectors, capability)}`);
      } else if (step.type === 'notify') {
        // A notice goes to one platform's channel: the one named, else the only one that can.
        const offered = providersOf(config, registry.connectors, capability);
        if (step.platform !== undefined && !offered.includes(step.platform))
          problem(
            [...where, 'platform'],
            `connectors.${step.platform} cannot post in channels here (these can: ${offered.join(', ')})`,
          );
        else if (step.platform === undefined && offered.length > 1)
          problem(where, `name the platform: several connectors can post (${offered.join(', ')})`);
      }
    });
  }

  for (const capability of SHARED_CAPABILITIES) {
    const resolution = resolveProvider(config, registry.connectors, capability);
    if ('problem' in resolution && config.providers?.[capability] !== undefined)
      problem(['providers', capability], resolution.problem);
  }

  const ids = new Set(registry.connectors.map((connector) => connector.id));
  for (const id of Object.keys(config.temporal.activitiesPerSecond))
    if (!ids.has(id))
      problem(
        ['temporal', 'activitiesPerSecond', id],
        `no connector is called ${id} (use one of ${[...ids].join(', ')})`,
      );

  for (const workflow of registry.workflows) {
    const section = config.workflows[workflow.name];
    if (section === undefined) continue;
    for (const { path, capability, connector } of workflow.requires?.(section) ?? []) {
      const where = ['workflows', workflow.name, ...path];
      const offered = providersOf(config, registry.connectors, capability);
      if (connector === undefined) {
        if (!isShared(capability)) continue;
        const resolution = resolveProvider(config, registry.connectors, capability);
        if ('none' in resolution)
          problem(where, `needs ${missingCapability(config, registry.connectors, capability)}`);
        else if ('problem' in resolution && config.providers?.[capability] === undefined)
          problem(where, `needs ${resolution.problem}`);
      } else if (!offered.includes(connector)) {
        const known = registry.connectors.find((c) => c.id === connector);
        const sections: Record<string, unknown> = config.connectors;
        problem(
          where,
          known?.capabilities?.[capability] && sections[connector] === undefined
            ? `connectors.${connector} is not configured (add it under connectors:)`
            : `connectors.${connector} does not provide ${CAPABILITY_LABELS[capability]} (configured ones that do: ${offered.join(', ') || 'none: add one under connectors:'})`,
        );
      }
    }
    for (const { path, steps } of workflow.steps?.(section) ?? [])
      checkSteps(['workflows', workflow.name, ...path], steps);
  }
  for (const [name, journey] of Object.entries(config.journeys ?? {}))
    checkSteps(['journeys', name, 'steps'], journey.steps);
}
