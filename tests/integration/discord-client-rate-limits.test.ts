import { describe, expect, it } from 'vitest';
import { ConnectorError } from '../../connectors/errors.js';
import type { SandboxMessage } from '../support/discord-client.js';
import { discord, fault, ids, inspect, useDiscordEmulator } from '../support/discord-client.js';

/** 429s, per route and global: the waits Discord advertises, then every action done once. */

useDiscordEmulator();

describe('Discord rate limits', () => {
  /** Retries like production: Temporal waits the ConnectorError's retryAfterMs, then tries again. */
  async function withRetries<T>(call: () => Promise<T>, waits: number[]): Promise<T> {
    for (;;) {
      try {
        return await call();
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.code !== 'rate_limited') throw error;
        waits.push(error.retryAfterMs!);
        await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs));
      }
    }
  }

  it('gets through a 429 storm with every action done once, after the advertised waits', async () => {
    await fault({ status: 429, count: 3, retryAfterSeconds: 1 });
    const waits: number[] = [];
    const started = Date.now();
    const results = [];
    results.push(
      await withRetries(
        () => discord.postMessage(ids.channels.general, 'Storm post', 'storm:1'),
        waits,
      ),
    );
    results.push(
      await withRetries(() => discord.addRole(ids.users.grace, ids.roles.member), waits),
    );
    results.push(
      await withRetries(
        () => discord.sendDirectMessage(ids.users.grace, 'Storm DM', 'storm:2'),
        waits,
      ),
    );
    results.push(await withRetries(() => discord.lookupMember(ids.users.grace), waits));
    const elapsed = Date.now() - started;

    expect(waits).toHaveLength(3);
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(1_000);
      expect(wait).toBeLessThan(1_500);
    }
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    const messages = await inspect<SandboxMessage>('messages');
    expect(messages.map((m) => m.content).sort()).toEqual(['Storm DM', 'Storm post']);
    expect((results[3] as { roles: string[] }).roles).toEqual([ids.roles.member]);
  });

  it('reports a global limit and holds back every route until it passes', async () => {
    await fault({ vendor: 'discord-global', status: 429, retryAfterSeconds: 1 });
    const first = await discord
      .postMessage(ids.channels.general, 'hello', 'g1')
      .catch((e: unknown) => e);
    expect(first).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((first as Error).message).toContain('global');
    // Another route, right away: the client itself refuses until the global reset.
    const second = await discord.lookupMember(ids.users.ada).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'rate_limited' });
    expect((second as ConnectorError).retryAfterMs).toBeGreaterThan(500);
    await new Promise((resolve) => setTimeout(resolve, (second as ConnectorError).retryAfterMs));
    expect(await discord.lookupMember(ids.users.ada)).toMatchObject({ username: 'ada' });
    expect(await inspect('messages')).toEqual([]);
  });

  it('takes the precise wait from the 429 body and bucket reset, not the rounded-up Retry-After', async () => {
    await fault({ status: 429, retryAfterSeconds: 0.3 });
    const error = (await discord
      .lookupMember(ids.users.ada)
      .catch((e: unknown) => e)) as ConnectorError;
    expect(error).toMatchObject({ code: 'rate_limited' });
    expect(error.retryAfterMs).toBeGreaterThanOrEqual(300);
    expect(error.retryAfterMs).toBeLessThan(1_000);
  });
});
