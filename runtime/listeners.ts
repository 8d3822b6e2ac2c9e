import { mkdirSync } from 'node:fs';
import type { AnyConnector, ConnectorContext, RunningListener } from '../connectors/descriptor.js';
import type { CommunityEvent } from '../connectors/events.js';

export interface StartedListener extends RunningListener {
  id: string;
}

/**
 * Starts the long-lived inbound connection of every configured connector that has one (the
 * Discord gateway) and waits until each is connected; stops the started ones if one cannot
 * connect. Runs in the gateway role only: each holds the one connection its vendor allows.
 */
export async function startListeners(
  config: { connectors: Record<string, unknown> },
  registry: readonly AnyConnector[],
  context: ConnectorContext & { route: (event: CommunityEvent) => Promise<unknown> },
): Promise<StartedListener[]> {
  const started: StartedListener[] = [];
  try {
    for (const connector of registry) {
      const section = config.connectors[connector.id];
      if (!connector.listener || section === undefined) continue;
      // Listeners keep their write-ahead spools in the data folder.
      mkdirSync(context.dataDir, { recursive: true });
      const listener = connector.listener.start(section, context);
      started.push({ id: connector.id, ...listener });
      await listener.ready;
    }
  } catch (error) {
    await Promise.all(started.map((listener) => listener.stop().catch(() => undefined)));
    throw error;
  }
  return started;
}
