import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { Emulator, EmulatorDefinition } from '../../sandbox/emulator.js';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';
import { EMULATORS } from '../../sandbox/registry.js';
import { freePort, isListening } from '../support/ports.js';

/** The sandbox runs whatever emulators it is given, by connector id; it names no vendor. */

interface EchoConfig {
  greeting: string;
}
interface EchoOptions {
  greeting: string;
}
interface EchoEmulator extends Emulator {
  readonly greeting: string;
  resets: number;
}

/** A test-only connector's emulator: GET /_sandbox/echo answers with its greeting. */
const echoEmulator: EmulatorDefinition<EchoConfig, EchoOptions, EchoEmulator> = {
  create(options, context) {
    const greeting = options.greeting ?? 'hello';
    const router = express.Router();
    router.get('/_sandbox/echo', (_req, res) => {
      res.json({ greeting, townhall: context.townhallUrl() ?? null });
    });
    const emulator: EchoEmulator = {
      router,
      greeting,
      resets: 0,
      reset: () => {
        emulator.resets++;
      },
      banner: () => `echo says ${greeting}`,
    };
    return emulator;
  },
  fromConfig: (config) => ({ greeting: config.greeting }),
};

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sandbox) => sandbox.stop()));
});
async function started<S extends { stop(): Promise<void> }>(sandbox: Promise<S>): Promise<S> {
  running.push(await sandbox);
  return running.at(-1) as S;
}

describe('startSandbox', () => {
  it('runs an extra emulator given through `emulators`, with its options and typed access', async () => {
    const sandbox = await started(
      startSandbox({
        port: 0,
        emulators: { ...EMULATORS, echo: echoEmulator },
        vendors: { echo: { greeting: 'ahoy' } },
        townhallUrl: 'http://127.0.0.1:1',
      }),
    );
    expect(sandbox.emulators.echo.greeting).toBe('ahoy');
    expect(await (await fetch(`${sandbox.url}/_sandbox/echo`)).json()).toEqual({
      greeting: 'ahoy',
      townhall: 'http://127.0.0.1:1',
    });
    sandbox.setTownhallUrl('http://127.0.0.1:2');
    expect(await (await fetch(`${sandbox.url}/_sandbox/echo`)).json()).toMatchObject({
      townhall: 'http://127.0.0.1:2',
    });
    // Every vendor's emulator runs beside it.
    expect(Object.keys(sandbox.emulators).sort()).toEqual(
      [...Object.keys(EMULATORS), 'echo'].sort(),
    );
    expect(sandbox.banner()).toEqual([
      `SMTP sink on 127.0.0.1:${sandbox.emulators.email.port}`,
      'echo says ahoy',
    ]);
  });

  it('resets every emulator and the faults on POST /_sandbox/reset', async () => {
    const sandbox = await started(startSandbox({ port: 0, emulators: { echo: echoEmulator } }));
    await fetch(`${sandbox.url}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ vendor: 'echo', status: 503 }),
    });
    expect(sandbox.faults.list()).toHaveLength(1);
    const reset = await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
    expect(await reset.json()).toEqual({ ok: true });
    expect(sandbox.emulators.echo.resets).toBe(1);
    expect(sandbox.faults.list()).toEqual([]);
    const unknown = await fetch(`${sandbox.url}/_sandbox/slack/messages`);
    expect(unknown.status).toBe(404);
  });

  it('starts the SMTP sink on any free port by default, and on the one it is given', async () => {
    const sandbox: Sandbox = await started(startSandbox({ port: 0 }));
    expect(sandbox.emulators.email.port).toBeGreaterThan(0);
    const smtpPort = await freePort();
    const fixed = await started(startSandbox({ port: 0, vendors: { email: { port: smtpPort } } }));
    expect(fixed.emulators.email.port).toBe(smtpPort);
    expect(await isListening(smtpPort)).toBe(true);
  });

  it('refuses options for an emulator it does not run', async () => {
    await expect(
      startSandbox({
        port: 0,
        emulators: { echo: echoEmulator },
        vendors: { echoo: {} } as never,
      }),
    ).rejects.toThrow('the sandbox has no emulator "echoo" (vendors.echoo)');
  });

  it('stops what already started when its port is taken', async () => {
    const first = await started(startSandbox({ port: 0 }));
    await expect(
      startSandbox({ port: first.port, vendors: { email: { port: 0 } } }),
    ).rejects.toThrow(/EADDRINUSE/);
  });
});
