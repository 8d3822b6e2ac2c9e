// Tests and benchmarks start their Temporal dev server on a port the OS picks; a port taken
// before the server binds it (CI saw it once) makes the CLI exit, and the start is tried again on
// another port instead of failing the whole run.
import net from 'node:net';
import { describe, expect, inject, it } from 'vitest';
import { DevServerStartError, startDevServerOnFreePort } from '../../runtime/dev-server.js';
import { freePort } from '../support/ports.js';

describe('startDevServerOnFreePort', () => {
  it('tries another port when the server exits because its port was taken', async () => {
    const cli = {
      kind: 'binary' as const,
      path: inject('temporalCli'),
      source: 'TEMPORAL_CLI' as const,
    };
    // A port held by someone else, handed out first.
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as net.AddressInfo).port;
    const handedOut: number[] = [];
    const pick = async () => {
      const port = handedOut.length === 0 ? taken : await freePort();
      handedOut.push(port);
      return port;
    };
    try {
      // Tried once only, the taken port fails the start, and says the process ended.
      const once = await startDevServerOnFreePort({ cli }, pick, 1).catch(
        (error: unknown) => error,
      );
      expect(once).toBeInstanceOf(DevServerStartError);
      expect((once as DevServerStartError).exited).toBe(true);
      handedOut.length = 0;
      const server = await startDevServerOnFreePort({ cli }, pick);
      try {
        expect(handedOut).toHaveLength(2);
        expect(server.address).toBe(`127.0.0.1:${handedOut[1]}`);
      } finally {
        await server.stop();
      }
    } finally {
      holder.close();
    }
  }, 120_000);
});
