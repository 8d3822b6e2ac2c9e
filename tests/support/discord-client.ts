// The Discord connector against the sandbox's REST emulator, for discord-client-*.test.ts: a
// sandbox per file (useDiscordEmulator), reset before each test, and what the emulator holds.
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { DiscordConnector } from '../../connectors/discord/client.js';
import { createDiscordConnector } from '../../connectors/discord/client.js';
import type { DiscordConfig } from '../../connectors/discord/config.js';
import type { DiscordEmulatorOptions } from '../../sandbox/discord/index.js';
import type { Sandbox } from '../../sandbox/index.js';
import { discordConfigFor, startDiscordSandbox } from './discord.js';

export const TOKEN = 'test-discord-bot-token';

// Set by useDiscordEmulator's hooks. Exported bindings are live: importers see the values.
export let sandbox: Sandbox;
export let discord: DiscordConnector;
export let ids: Sandbox['emulators']['discord']['ids'];

export const configFor = (s: Sandbox, overrides: Partial<DiscordConfig> = {}) =>
  discordConfigFor(s, TOKEN, overrides);
export const startEmulator = (tuning: Partial<DiscordEmulatorOptions> = {}) =>
  startDiscordSandbox(TOKEN, tuning);

export interface SandboxMessage {
  id: string;
  channel_id: string;
  channel_type: number;
  content: string;
  nonce?: string;
  recipient_id?: string;
  message_reference?: { message_id: string };
}
export interface SandboxMember {
  user_id: string;
  roles: { id: string; name: string }[];
}
export const inspect = async <T>(what: 'messages' | 'members', s = sandbox) =>
  (await (await fetch(`${s.url}/_sandbox/discord/${what}`)).json()) as T[];

export async function fault(body: Record<string, unknown>) {
  const response = await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ vendor: 'discord', ...body }),
  });
  expect(response.status).toBe(201);
}

/** A raw REST call with the bot token, as any client would make it. */
export async function api(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(`${sandbox.url}/api/v10${path}`, {
    method,
    headers: { authorization: `Bot ${token}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined,
  };
}

/** For this file: a sandbox whose Discord accepts TOKEN, reset before each test. */
export function useDiscordEmulator() {
  beforeAll(async () => {
    sandbox = await startEmulator();
    ids = sandbox.emulators.discord.ids;
    discord = createDiscordConnector(configFor(sandbox));
  });
  beforeEach(async () => {
    await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
    // Each test gets a fresh client too: @discordjs/rest remembers rate limits per instance.
    discord = createDiscordConnector(configFor(sandbox));
  });
  afterAll(() => sandbox?.stop());
}
