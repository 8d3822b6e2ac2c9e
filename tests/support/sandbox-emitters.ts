// The sandbox's emitters (POST /_sandbox/<vendor>/emit) in front of a stand-in townhall that
// records what arrives, for sandbox-emitters-*.test.ts: started once per file by
// useEmitterSandbox, emptied before each test.
import type { Server } from 'node:http';
import express from 'express';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Sandbox } from '../../sandbox/index.js';
import { startSandbox } from '../../sandbox/index.js';

export interface Delivery {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

// Set by useEmitterSandbox's beforeAll. Exported bindings are live: importers see the values.
export let sandbox: Sandbox;
let townhall: Server;
export const delivered: Delivery[] = [];

/** For this file: the stand-in townhall and a sandbox delivering to it, both reset per test. */
export function useEmitterSandbox() {
  beforeAll(async () => {
    const app = express();
    app.use(express.json());
    app.post('/webhooks/{*rest}', (req, res) => {
      delivered.push({ path: req.path, headers: req.headers, body: req.body as Delivery['body'] });
      res.json({ ok: true });
    });
    townhall = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    const address = townhall.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    sandbox = await startSandbox({ port: 0, townhallUrl: `http://127.0.0.1:${port}` });
  });
  beforeEach(async () => {
    delivered.length = 0;
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  });
  afterAll(async () => {
    await sandbox?.stop();
    townhall?.close();
  });
}

export async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${sandbox.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
export const inspect = async <T>(path: string) =>
  (await (await fetch(`${sandbox.url}${path}`)).json()) as T;
