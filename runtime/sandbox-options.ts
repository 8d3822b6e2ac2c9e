import type { Config } from '../config/schema.js';
import type { EmulatorMap, SandboxSettings } from '../sandbox/emulator.js';
import type { SandboxOptions } from '../sandbox/index.js';
import { EMULATORS } from '../sandbox/registry.js';

/**
 * The emulators set up to accept exactly the credentials the config holds, so a config pointed
 * at the sandbox (config/examples/sandbox.yaml) works against it unchanged: each configured
 * connector's emulator takes its options from that connector's section; the others run on their
 * sandbox defaults. Used by `townhall start` and `townhall sandbox`.
 */
export function sandboxOptions(config: Config): SandboxOptions {
  const port = config.sandbox?.port ?? 4010;
  const settings: SandboxSettings = { port, smtpPort: config.sandbox?.smtpPort ?? 2525 };
  const sections = config.connectors as Readonly<Record<string, unknown>>;
  const definitions: EmulatorMap = EMULATORS;
  const vendors: Record<string, object> = {};
  for (const [id, definition] of Object.entries(definitions)) {
    const section = sections[id];
    if (section !== undefined) vendors[id] = definition.fromConfig(section, settings);
  }
  return { port, vendors };
}
