import type { Server } from 'node:http';
import type { Router } from 'express';
import type { Faults } from './faults.js';

/** What the sandbox gives every emulator it runs. */
export interface EmulatorContext {
  /** Misbehaviour queued through POST /_sandbox/faults; an emulator applies its own vendor's. */
  faults: Faults;
  /** townhall's base URL, where emulated webhooks are delivered; undefined until it is known. */
  townhallUrl(): string | undefined;
}

/**
 * One vendor's emulator as the sandbox runs it: the vendor's own API paths plus its inspection
 * and agent routes under `/_sandbox/<vendor>/`, all on the sandbox's one HTTP port.
 */
export interface Emulator {
  readonly router: Router;
  /** Forgets everything it holds (POST /_sandbox/reset). */
  reset(): void;
  /** Starts what listens on a port of its own (the SMTP sink), before the sandbox is up. */
  start?(): Promise<void>;
  /** Shares the sandbox's HTTP server once it listens (the Discord gateway websocket). */
  attach?(server: Server): void;
  stop?(): Promise<void> | void;
  /** A line for the start banner when the emulator listens somewhere else, e.g. the SMTP sink. */
  banner?(): string | undefined;
  /**
   * Commands for the start banner's "Try it": one that makes a member join this platform, one
   * that shows what townhall did here. `url` is the sandbox's base URL.
   */
  examples?(url: string): { join?: string; inspect?: string };
}

/** The sandbox section of the config, as emulators may read it (ports). */
export interface SandboxSettings {
  port?: number | undefined;
  smtpPort?: number | undefined;
}

/**
 * How a connector's emulator is made. `create` fills every option the caller leaves out with the
 * sandbox's own defaults (the credentials config/examples/sandbox.yaml uses); `fromConfig` gives
 * the options that make it accept exactly the credentials a connector config holds, so a config
 * pointed at the sandbox works against it unchanged.
 *
 * Methods (not function properties) on purpose: a definition for one connector's config type is
 * then assignable to the registry's list of all of them.
 */
export interface EmulatorDefinition<
  ConnectorConfig = unknown,
  Options = object,
  E extends Emulator = Emulator,
> {
  create(options: Partial<Options>, context: EmulatorContext): E;
  fromConfig(config: ConnectorConfig, sandbox: SandboxSettings): Partial<Options>;
}

/** Emulator definitions by connector id, as the sandbox runs them. */
export type EmulatorMap = Readonly<Record<string, EmulatorDefinition>>;

/** The emulator a definition makes, for typed access in tests (`sandbox.emulators.hubspot`). */
export type EmulatorOf<D> = D extends { create(options: never, context: EmulatorContext): infer E }
  ? E
  : never;

/** What a definition's `create` accepts: every option may be left out. */
export type OptionsOf<D> = D extends {
  create(options: infer O, context: EmulatorContext): Emulator;
}
  ? O
  : never;

/** `options` with every option left out (or undefined) taken from `defaults`. */
export function withDefaults<T extends object>(defaults: T, options: Partial<T>): T {
  const given = Object.entries(options).filter(([, value]) => value !== undefined);
  return { ...defaults, ...(Object.fromEntries(given) as Partial<T>) };
}
