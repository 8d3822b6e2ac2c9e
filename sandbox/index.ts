import type { Server } from 'node:http';
import { createServer } from 'node:http';
import express from 'express';
import type { Emulator, EmulatorContext, EmulatorMap, EmulatorOf, OptionsOf } from './emulator.js';
import { createFaults, faultSchema } from './faults.js';
import type { Faults } from './faults.js';
import { EMULATORS } from './registry.js';

/** The emulators the sandbox runs unless told otherwise: every vendor's. */
export type DefaultEmulators = typeof EMULATORS;

export interface SandboxOptions<M extends EmulatorMap = DefaultEmulators> {
  /** The one HTTP port every emulator shares; 0 takes any free port. */
  port: number;
  /** townhall's base URL, where webhooks go; can be set after start with setTownhallUrl. */
  townhallUrl?: string;
  /** Options for each emulator, by connector id; whatever is left out takes the sandbox default. */
  vendors?: NoInfer<{ readonly [Id in keyof M]?: OptionsOf<M[Id]> }>;
  /** The emulators to run, by connector id; every vendor's when absent. */
  emulators?: M;
}

export interface Sandbox<M extends EmulatorMap = DefaultEmulators> {
  url: string;
  port: number;
  faults: Faults;
  setTownhallUrl(url: string): void;
  /** Each running emulator, by connector id, for what tests inspect directly. */
  emulators: { readonly [Id in keyof M]: EmulatorOf<M[Id]> };
  /** Where the emulators listen besides the sandbox's port (the SMTP sink), one line each. */
  banner(): string[];
  /** Each emulator's "Try it" commands, by connector id: make a member join, see what happened. */
  examples(): Record<string, { join?: string; inspect?: string }>;
  stop(): Promise<void>;
}

/** Listens on 127.0.0.1; rejects when it cannot (express 5's app.listen hides that error). */
function listen(app: express.Express, port: number): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

/**
 * The sandbox: every emulator on one HTTP port (and, for some, a port of their own), plus what
 * they share under /_sandbox: faults to inject and a reset.
 */
export async function startSandbox<M extends EmulatorMap = DefaultEmulators>(
  options: SandboxOptions<M>,
): Promise<Sandbox<M>> {
  const definitions: EmulatorMap = options.emulators ?? EMULATORS;
  const vendors = (options.vendors ?? {}) as Readonly<Record<string, object | undefined>>;
  for (const id of Object.keys(vendors))
    if (!(id in definitions))
      throw new Error(`the sandbox has no emulator "${id}" (vendors.${id})`);

  let townhallUrl = options.townhallUrl;
  const faults = createFaults();
  const context: EmulatorContext = { faults, townhallUrl: () => townhallUrl };
  const emulators: Record<string, Emulator> = {};
  for (const [id, definition] of Object.entries(definitions))
    emulators[id] = definition.create(vendors[id] ?? {}, context);
  const running = Object.values(emulators);

  const app = express();
  app.disable('x-powered-by');
  app.post('/_sandbox/reset', (_req, res) => {
    for (const emulator of running) emulator.reset();
    faults.reset();
    res.json({ ok: true });
  });
  app.get('/_sandbox/faults', (_req, res) => {
    res.json(faults.list());
  });
  // Clears pending faults only (a vendor "comes back"), keeping every emulator's state.
  app.delete('/_sandbox/faults', (_req, res) => {
    faults.reset();
    res.json({ ok: true });
  });
  app.post('/_sandbox/faults', express.json(), (req, res) => {
    const fault = faultSchema.safeParse(req.body);
    if (!fault.success) {
      res
        .status(400)
        .json({ error: fault.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`) });
      return;
    }
    faults.add(fault.data);
    res.status(201).json(fault.data);
  });
  for (const emulator of running) app.use(emulator.router);
  app.use((_req, res) => {
    res
      .status(404)
      .json({ status: 'error', message: 'no such sandbox route', category: 'OBJECT_NOT_FOUND' });
  });

  // What listens on a port of its own starts first; a failure stops what already started.
  const started: Emulator[] = [];
  let server: Server;
  try {
    for (const emulator of running) {
      if (!emulator.start) continue;
      await emulator.start();
      started.push(emulator);
    }
    server = await listen(app, options.port);
  } catch (error) {
    await Promise.all(started.map((emulator) => Promise.resolve(emulator.stop?.())));
    throw error;
  }
  for (const emulator of running) emulator.attach?.(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    setTownhallUrl: (url) => {
      townhallUrl = url;
    },
    emulators: emulators as Sandbox<M>['emulators'],
    banner: () =>
      running
        .map((emulator) => emulator.banner?.())
        .filter((line): line is string => line !== undefined),
    examples: () =>
      Object.fromEntries(
        Object.entries(emulators).map(([id, emulator]) => [
          id,
          emulator.examples?.(`http://127.0.0.1:${port}`) ?? {},
        ]),
      ),
    async stop() {
      // Emulators close their own sockets first (the gateway's websockets), then the port.
      const stopping = running.map((emulator) => Promise.resolve(emulator.stop?.()));
      server.closeAllConnections();
      await Promise.all([
        new Promise<void>((resolve) => server.close(() => resolve())),
        ...stopping,
      ]);
    },
  };
}
