// The hub's HTTP server keeps an idle socket open between deliveries (runtime/services.ts):
// senders and proxies reuse sockets, and Node's default 5 s idle close raced with a reuse and
// reset deliveries (the ingest benchmark saw it). A socket idle for 6 s still carries the next
// request.
import http from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InProcessHub } from '../support/in-process-hub.js';
import { startInProcessHub } from '../support/in-process-hub.js';

let hub: InProcessHub;
beforeAll(async () => {
  hub = await startInProcessHub();
});
afterAll(() => hub?.close());

/** GET `path` through `agent`: the status and the local port of the socket it went out on. */
const get = (agent: http.Agent, path: string) =>
  new Promise<{ status: number; port: number }>((resolve, reject) => {
    const request = http.get(new URL(path, hub.url), { agent }, (response) => {
      response.resume();
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, port: (request.socket as Socket).localPort! }),
      );
    });
    request.on('error', reject);
  });

describe('the hub’s HTTP server', () => {
  it('keeps an idle socket open past Node’s 5 s default', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await get(agent, '/healthz');
      await new Promise((resolve) => setTimeout(resolve, 6_000));
      const second = await get(agent, '/healthz');
      expect([first.status, second.status]).toEqual([200, 200]);
      // The same socket: the server had not closed it.
      expect(second.port).toBe(first.port);
    } finally {
      agent.destroy();
    }
  });
});
