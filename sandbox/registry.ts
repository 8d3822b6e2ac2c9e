import type { AnyConnector } from '../connectors/descriptor.js';
import type { Connectors } from '../connectors/index.js';
import { connectors } from '../connectors/index.js';
import type { EmulatorMap } from './emulator.js';

/** A descriptor's own emulator type; never for one that brings none. */
type OwnEmulator<C extends AnyConnector> = NonNullable<C['sandbox']>;

/** The emulator definitions of a list of connectors, by connector id. */
export type EmulatorsOf<List extends readonly AnyConnector[]> = {
  readonly [C in List[number] as OwnEmulator<C> extends never ? never : C['id']]: OwnEmulator<C>;
};

/**
 * The emulators of the connectors that bring one (their descriptor's `sandbox`), by connector id:
 * the sandbox runs what the registry lists, and a test that registers its own connector gets its
 * emulator served the same way.
 */
export function emulatorsOf<const List extends readonly AnyConnector[]>(
  list: List,
): EmulatorsOf<List> {
  const map: Record<string, EmulatorMap[string]> = {};
  for (const connector of list) if (connector.sandbox) map[connector.id] = connector.sandbox;
  return map as EmulatorsOf<List>;
}

/** Every vendor's emulator, from connectors/index.ts. */
export const EMULATORS = emulatorsOf(connectors);

export type { Connectors };
