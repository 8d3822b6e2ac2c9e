import type { AnyConnector } from '../connectors/descriptor.js';
import type { CapabilityName, SharedCapability } from '../connectors/ports.js';
import { CAPABILITY_LABELS } from '../connectors/ports.js';

/** The parts of a config that say which connectors serve what. */
export interface ProviderConfig {
  connectors: Record<string, unknown>;
  providers?: Partial<Record<SharedCapability, string | undefined>> | undefined;
}

/** A connector that could provide the capability, with what its config section would need. */
interface Candidate {
  connector: AnyConnector;
  /** Configured and able to provide it. */
  ready: boolean;
  /** What its configured section lacks, e.g. "a botToken". */
  lacks: string | undefined;
  /** What a section needs to provide it, beyond being valid. */
  requires: string | undefined;
}

function candidates(
  config: ProviderConfig,
  registry: readonly AnyConnector[],
  capability: CapabilityName,
): Candidate[] {
  return registry.flatMap((connector) => {
    const provider = connector.capabilities?.[capability];
    if (!provider) return [];
    const section = config.connectors[connector.id];
    const unmet = section !== undefined && provider.requires?.met(section) === false;
    return [
      {
        connector,
        ready: section !== undefined && !unmet,
        lacks: unmet ? provider.requires?.what : undefined,
        requires: provider.requires?.what,
      },
    ];
  });
}

/** The ids of the configured connectors that provide `capability` (DMs: one per platform). */
export function providersOf(
  config: ProviderConfig,
  registry: readonly AnyConnector[],
  capability: CapabilityName,
): string[] {
  return candidates(config, registry, capability)
    .filter((candidate) => candidate.ready)
    .map((candidate) => candidate.connector.id);
}

export type Resolution = { id: string } | { problem: string } | { none: true };

/**
 * Which connector serves a shared capability: the one `providers.<capability>` names, else the
 * only configured one. `none` when nothing provides it (fine until a step needs it).
 */
export function resolveProvider(
  config: ProviderConfig,
  registry: readonly AnyConnector[],
  capability: SharedCapability,
): Resolution {
  const chosen = config.providers?.[capability];
  const ready = providersOf(config, registry, capability);
  if (chosen !== undefined) {
    if (ready.includes(chosen)) return { id: chosen };
    const offered = candidates(config, registry, capability).map((c) => c.connector.id);
    return {
      problem: offered.includes(chosen)
        ? `connectors.${chosen} is not configured (add it under connectors:, or choose one of ${ready.join(', ') || 'none configured'})`
        : offered.length === 0
          ? `no connector townhall has provides ${CAPABILITY_LABELS[capability]}`
          : `${chosen} does not provide ${CAPABILITY_LABELS[capability]} (choose one of ${offered.join(', ')})`,
    };
  }
  if (ready.length === 1) return { id: ready[0]! };
  if (ready.length === 0) return { none: true };
  return {
    problem: `${ready.map((id) => `connectors.${id}`).join(' and ')} all provide ${CAPABILITY_LABELS[capability]}: choose one with providers.${capability}`,
  };
}

/**
 * Why no configured connector can serve `capability`, with the fix: the connectors that could,
 * and what each would need. Phrased to follow "needs ...".
 */
export function missingCapability(
  config: ProviderConfig,
  registry: readonly AnyConnector[],
  capability: CapabilityName,
): string {
  const all = candidates(config, registry, capability);
  const label = `${CAPABILITY_LABELS[capability]} (capability ${capability})`;
  if (all.length === 0) return `${label}, which no connector townhall has provides`;
  const lacking = all.filter((c) => c.lacks !== undefined);
  const others = all.filter((c) => c.lacks === undefined);
  const list = (cs: Candidate[]) => cs.map((c) => `connectors.${c.connector.id}`).join(', ');
  if (lacking.length > 0) {
    const needs = lacking.map((c) => `connectors.${c.connector.id} needs ${c.lacks}`).join('; ');
    return `${label}: ${needs}${others.length > 0 ? ` (or configure one of ${list(others)})` : ''}`;
  }
  if (all.length === 1) {
    const [only] = all as [Candidate];
    const needs = only.requires ? `, with ${only.requires}` : '';
    return `${label}: connectors.${only.connector.id}, which is not configured (add it under connectors:${needs})`;
  }
  const hints = all
    .filter((c) => c.requires !== undefined)
    .map((c) => `${c.connector.title} with ${c.requires}`);
  return `${label}: one of ${list(all)}${hints.length > 0 ? ` (${hints.join('; ')})` : ''}`;
}
